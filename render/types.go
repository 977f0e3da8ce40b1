package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// Pages and texts for the types: structs, unions and enums
// (diff.TypeReport, diff.TypeDiff).

// typeTitle is the page title's kind word, as the reference pages write it.
func typeTitle(k kabi.Kind) string {
	switch k {
	case kabi.KindStruct:
		return "Struct"
	case kabi.KindUnion:
		return "Union"
	case kabi.KindEnum:
		return "Enum"
	}
	return k.String()
}

// TypeC writes a definition as C in the reference pages' style: members
// indented by four spaces, without bitfield widths, anonymous member
// types inline; enum values with their values. It is [diff.TypeText].
func TypeC(t *kabi.TypeDef) string { return diff.TypeText(t) }

// Type writes the page of one struct, union or enum in the layout of
// DepSurf's struct pages: per build its definition as C, per compared
// pair the changes the reference tool lists (Field added, removed, type
// changed; Value added, removed, changed). A build with several
// definitions of the name shows each, with where it is written; the
// offsets, widths and sizes are in kabi's own formats (text, JSON, HTML).
func (Markdown) Type(w io.Writer, r *diff.TypeReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# %s: <code>%s</code>\n\n## Status\n", typeTitle(r.Ref.Kind), r.Ref.Name)
	for _, g := range r.Groups {
		p("<b>%s</b>\n<ul>\n", g.Name)
		for _, s := range g.Status {
			if s.Elsewhere != "" {
				continue
			}
			if len(s.Defs) == 0 {
				p("<li>\nIn <code>%s</code>: %s\n</li>\n", s.Label, statusText([]kabi.Issue{kabi.IssueAbsent}))
				continue
			}
			p("<li>\n<details>\n<summary>In <code>%s</code>: ✅</summary>\n\n", s.Label)
			for _, d := range s.Defs {
				switch {
				case len(s.Defs) > 1:
					p("Defined in %s%s:\n\n", locations(d), inModules(d))
				case len(d.Modules) > 0:
					p("Defined%s:\n\n", inModules(d))
				}
				p("```c\n%s\n```\n", TypeC(d))
			}
			p("</details>\n</li>\n")
		}
		p("</ul>\n")
	}
	p("\n## Differences\n")
	for _, g := range r.Groups {
		present := false
		for _, s := range g.Status {
			present = present || len(s.Defs) > 0
		}
		if !present {
			continue
		}
		p("<b>%s</b>\n<ul>\n", g.Name)
		for _, pr := range g.Pairs {
			if !pr.OldPresent || !pr.NewPresent {
				continue
			}
			if !diff.HasReferenceChanges(pr.Changes) {
				p("<li>\nNo changes between <code>%s</code> and <code>%s</code> ✅\n</li>\n", pr.Old, pr.New)
				continue
			}
			p("<li>\n<details>\n<summary>Changed between <code>%s</code> and <code>%s</code> ⚠️</summary>\n<ul>\n", pr.Old, pr.New)
			for _, c := range pr.Changes {
				if !c.Kind.Reference() {
					continue
				}
				p("<li>\n<b>%s. </b>\n", c.Kind)
				switch {
				case c.Old == "":
					p("<code>%s</code>\n", c.New)
				case c.New == "":
					p("<code>%s</code>\n", c.Old)
				default:
					p("<code>%s</code> ➡️ <code>%s</code>\n", c.Old, c.New)
				}
				p("</li>\n")
			}
			p("</ul>\n</details>\n</li>\n")
		}
		p("</ul>\n")
	}
	return bw.Flush()
}

// locations writes where a definition is written: "FILE:LINE, ...".
func locations(d *kabi.TypeDef) string {
	if len(d.Locations) == 0 {
		return "an unknown place"
	}
	var parts []string
	for _, l := range d.Locations {
		parts = append(parts, l.String())
	}
	return strings.Join(parts, ", ")
}

// inModules says which modules define d when vmlinux does not:
// " in module kfx_blk", " in modules kfx_blk, kfx_noname"; "" for a type
// of vmlinux.
func inModules(d *kabi.TypeDef) string {
	switch len(d.Modules) {
	case 0:
		return ""
	case 1:
		return " in module " + d.Modules[0]
	}
	return " in modules " + strings.Join(d.Modules, ", ")
}

// layoutLines writes a definition with each member's offset and width:
// "  offset  bits  declaration".
func layoutLines(d *kabi.TypeDef) []string {
	var out []string
	head := fmt.Sprintf("%s %s, %s", d.Kind, orAnon(d.Name), sizeText(d.Size))
	if len(d.Locations) > 0 {
		head += ", at " + locations(d)
	}
	if len(d.Modules) > 0 {
		head += "," + inModules(d)
	}
	out = append(out, head)
	var walk func(t *kabi.TypeDef, base int64, indent string, depth int)
	walk = func(t *kabi.TypeDef, base int64, indent string, depth int) {
		for i := range t.Members {
			m := &t.Members[i]
			off := int64(-1)
			if base >= 0 && m.BitOffset >= 0 {
				off = base + m.BitOffset
			}
			pos := "?"
			if off >= 0 {
				pos = fmt.Sprint(off / 8)
				if off%8 != 0 || m.BitSize > 0 {
					pos += fmt.Sprintf(":%d", off%8)
				}
			}
			out = append(out, fmt.Sprintf("%8s  %s%s;", pos, indent, m.Decl()))
			if m.Def != nil && depth < 8 {
				if m.Def.Kind == kabi.KindEnum {
					continue
				}
				walk(m.Def, off, indent+"    ", depth+1)
			}
		}
	}
	walk(d, 0, "", 0)
	for _, v := range d.Values {
		out = append(out, fmt.Sprintf("%8s  %s = %s", "", v.Name, d.ValueString(v)))
	}
	return out
}

func orAnon(n string) string {
	if n == "" {
		return "(anonymous)"
	}
	return n
}

func sizeText(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// Type writes a type report as text: per group, each build's
// definitions with offsets (bytes, and ":bit" for bitfields), widths
// and sizes, then each compared pair's changes, all of them.
func (t Text) Type(w io.Writer, r *diff.TypeReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("%s\n", r.Ref)
	for _, g := range r.Groups {
		p("\n%s (%s)\n", g.Name, g.Pairing)
		for _, s := range g.Status {
			switch {
			case len(s.Defs) == 0:
				p("  %s: absent\n", s.Label)
				continue
			case len(s.Defs) > 1:
				p("  %s: %d different definitions\n", s.Label, len(s.Defs))
			default:
				p("  %s:\n", s.Label)
			}
			for _, d := range s.Defs {
				for _, l := range layoutLines(d) {
					p("    %s\n", l)
				}
			}
		}
		for _, pr := range g.Pairs {
			switch {
			case len(pr.Changes) == 0 && pr.OldPresent && pr.NewPresent:
				p("  %s → %s: no changes\n", pr.Old, pr.New)
			case len(pr.Changes) > 0:
				p("  %s → %s:\n", pr.Old, pr.New)
				for _, c := range pr.Changes {
					p("    %s\n", c)
				}
			}
		}
	}
	return bw.Flush()
}

// Types writes the type part of a surface diff as text: per kind, the
// counts, then the added, removed and changed types (at most 20 per list).
func (t Text) Types(w io.Writer, ds []diff.TypeDiff) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		kindDiffText(bw, d.Kind, d.Common, d.Added, d.Removed, changedTexts(d.Changed, func(c diff.TypeChanges) (string, []diff.TypeChange) { return c.Name, c.Changes }))
		if len(d.Moved) > 0 {
			fmt.Fprintf(bw, "  moved between vmlinux and modules (%d):\n", len(d.Moved))
			listed(d.Moved, func(m diff.Moved) { fmt.Fprintf(bw, "      %s: %s → %s\n", m.Name, m.From, m.To) },
				func(n int) { fmt.Fprintf(bw, "  ... and %d more moved (use -format json for all)\n", n) })
		}
	}
	return bw.Flush()
}

type jsonTypeChange struct {
	Kind   diff.TypeChangeKind `json:"kind"`
	Name   string              `json:"name,omitempty"`
	Old    string              `json:"old,omitempty"`
	New    string              `json:"new,omitempty"`
	OldBit *int64              `json:"old_bit,omitempty"` // FieldMoved: bit offsets; BitfieldChanged: widths; SizeChanged: bytes
	NewBit *int64              `json:"new_bit,omitempty"`
	Text   string              `json:"text"`
}

func toJSONTypeChanges(cs []diff.TypeChange) []jsonTypeChange {
	out := []jsonTypeChange{}
	for _, c := range cs {
		j := jsonTypeChange{Kind: c.Kind, Name: c.Name, Old: c.Old, New: c.New, Text: c.String()}
		switch c.Kind {
		case diff.FieldMoved, diff.BitfieldChanged, diff.SizeChanged:
			o, n := c.OldBit, c.NewBit
			j.OldBit, j.NewBit = &o, &n
		}
		out = append(out, j)
	}
	return out
}

// Type writes a type report as the JSON document "kabi.type-report/v1"
// (docs/json.md).
func (j JSON) Type(w io.Writer, r *diff.TypeReport) error {
	type status struct {
		Label     string            `json:"label"`
		Elsewhere string            `json:"elsewhere,omitempty"`
		Defs      []json.RawMessage `json:"defs"` // as kabi dump writes them; [] when absent
	}
	type pair struct {
		Old        string           `json:"old"`
		New        string           `json:"new"`
		OldPresent bool             `json:"old_present"`
		NewPresent bool             `json:"new_present"`
		Changes    []jsonTypeChange `json:"changes"`
	}
	type group struct {
		Name    string       `json:"name"`
		Pairing diff.Pairing `json:"pairing"`
		Status  []status     `json:"status"`
		Pairs   []pair       `json:"pairs"`
	}
	doc := struct {
		Schema string  `json:"schema"`
		Kind   string  `json:"kind"`
		Name   string  `json:"name"`
		Groups []group `json:"groups"`
	}{Schema: "kabi.type-report/v1", Kind: r.Ref.Kind.String(), Name: r.Ref.Name, Groups: []group{}}
	for _, g := range r.Groups {
		jg := group{Name: g.Name, Pairing: g.Pairing, Status: []status{}, Pairs: []pair{}}
		for _, s := range g.Status {
			js := status{Label: s.Label, Elsewhere: s.Elsewhere, Defs: []json.RawMessage{}}
			for _, d := range s.Defs {
				js.Defs = append(js.Defs, d.AppendJSON(nil))
			}
			jg.Status = append(jg.Status, js)
		}
		for _, p := range g.Pairs {
			jg.Pairs = append(jg.Pairs, pair{p.Old, p.New, p.OldPresent, p.NewPresent, toJSONTypeChanges(p.Changes)})
		}
		doc.Groups = append(doc.Groups, jg)
	}
	return j.encode(w, doc)
}

// Types writes the type part of a surface diff as the JSON document
// "kabi.type-diff/v1" (docs/json.md).
func (j JSON) Types(w io.Writer, ds []diff.TypeDiff) error {
	type changed struct {
		Name    string           `json:"name"`
		Changes []jsonTypeChange `json:"changes"`
	}
	type kind struct {
		Kind    string      `json:"kind"`
		Common  int         `json:"common"`
		Added   []string    `json:"added"`
		Removed []string    `json:"removed"`
		Changed []changed   `json:"changed"`
		Moved   []jsonMoved `json:"moved,omitempty"` // between vmlinux and modules
	}
	doc := struct {
		Schema string `json:"schema"`
		Kinds  []kind `json:"kinds"`
	}{Schema: "kabi.type-diff/v1", Kinds: []kind{}}
	for _, d := range ds {
		k := kind{Kind: d.Kind.String(), Common: d.Common, Added: orEmpty(d.Added), Removed: orEmpty(d.Removed), Changed: []changed{}}
		for _, m := range d.Moved {
			k.Moved = append(k.Moved, jsonMoved(m))
		}
		for _, c := range d.Changed {
			k.Changed = append(k.Changed, changed{c.Name, toJSONTypeChanges(c.Changes)})
		}
		doc.Kinds = append(doc.Kinds, k)
	}
	return j.encode(w, doc)
}

var typeTemplate = template.Must(template.New("type").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>{{if .CSS}}<style>{{.CSS}}</style>{{else}}<link rel="stylesheet" href="{{.Root}}kabi.css">{{end}}</head>
<body><main>
{{if .Root}}<nav class="crumbs"><a href="{{.Root}}index.html">All kinds</a> · <a href="../index.html">Index</a></nav>
{{end}}<h1>{{.Title}}</h1>
{{range .Groups}}<section><h2>{{.Name}}</h2>
{{range .Status}}{{if not .Elsewhere}}<h3>{{.Label}}{{if not .Defs}}: absent{{else if gt (len .Defs) 1}}: {{len .Defs}} different definitions{{end}}</h3>
{{range .Defs}}<pre class="layout">{{range .}}{{.}}
{{end}}</pre>
{{end}}{{end}}{{end}}
{{if .Pairs}}<h3>Differences</h3><ul>
{{range .Pairs}}<li>{{.Old}} → {{.New}}: {{if not .Changes}}{{if and .OldPresent .NewPresent}}no changes{{else}}absent in both{{end}}{{else}}<ul>{{range .Changes}}<li class="{{.Class}}">{{.Text}}</li>{{end}}</ul>{{end}}</li>
{{end}}</ul>{{end}}
</section>
{{end}}</main></body></html>
`))

// Type writes one type's page: per group, each build's definitions with
// offsets, bitfield widths, sizes and locations (all variants), and
// every change between compared builds, those the reference tool lacks
// marked.
func (h HTML) Type(w io.Writer, r *diff.TypeReport) error { return h.typePage(w, r, "") }

func (h HTML) typePage(w io.Writer, r *diff.TypeReport, root string) error {
	type change struct{ Text, Class string }
	type pair struct {
		Old, New               string
		OldPresent, NewPresent bool
		Changes                []change
	}
	type status struct {
		Label, Elsewhere string
		Defs             [][]string
	}
	type group struct {
		Name   string
		Status []status
		Pairs  []pair
	}
	data := struct {
		Title, Root string
		CSS         template.CSS
		Groups      []group
	}{Title: r.Ref.Kind.String() + " " + r.Ref.Name, Root: root}
	if root == "" {
		data.CSS = assetCSS()
	}
	for _, g := range r.Groups {
		dg := group{Name: g.Name}
		for _, s := range g.Status {
			ds := status{Label: s.Label, Elsewhere: s.Elsewhere}
			for _, d := range s.Defs {
				ds.Defs = append(ds.Defs, layoutLines(d))
			}
			dg.Status = append(dg.Status, ds)
		}
		for _, p := range g.Pairs {
			dp := pair{Old: p.Old, New: p.New, OldPresent: p.OldPresent, NewPresent: p.NewPresent}
			for _, c := range p.Changes {
				class := "reference"
				if !c.Kind.Reference() {
					class = "layout"
				}
				dp.Changes = append(dp.Changes, change{Text: c.String(), Class: class})
			}
			dg.Pairs = append(dg.Pairs, dp)
		}
		data.Groups = append(data.Groups, dg)
	}
	bw := bufio.NewWriter(w)
	if err := typeTemplate.Execute(bw, data); err != nil {
		return err
	}
	return bw.Flush()
}

// Type writes one struct's, union's or enum's page and lists it in the
// indexes, as Function does for functions.
func (sw *SiteWriter) Type(r *diff.TypeReport) error {
	p := SitePage{Kind: r.Ref.Kind, Name: r.Ref.Name}
	for i := range r.Groups {
		p.Groups = append(p.Groups, r.Groups[i].Name)
		p.Traits = append(p.Traits, traitNames(r.Groups[i].Traits()))
	}
	p.Write = reportWrite(sw, r, HTML.typePage, Markdown.Type)
	return sw.Page(p)
}
