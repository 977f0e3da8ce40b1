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

// Pages and texts for the hooks: trace events, LSM hooks, kfuncs,
// syscalls and configuration options (diff.HookReport, diff.HookDiff).

// hookTitle is the page title's kind word, as the reference pages write it.
func hookTitle(k kabi.Kind) string {
	switch k {
	case kabi.KindTracepoint:
		return "Tracepoint"
	case kabi.KindLSM:
		return "LSM"
	case kabi.KindKfunc:
		return "Kfunc"
	case kabi.KindSyscall:
		return "Syscall"
	case kabi.KindConfig:
		return "Config"
	}
	return k.String()
}

// Hook writes the page of one hook report, in the layout of DepSurf's
// tracepoint and LSM pages: per build, a tracepoint's record struct
// ("Event:") and probe ("Function:"), an LSM hook's security_ function;
// per compared pair, the changes ("Func changed." before the probe's
// parameter changes, as DepSurf wrote it; an LSM hook's security_
// changes alone). Kinds DepSurf had no pages for (kfunc, syscall,
// config) follow the same layout with their own facts.
func (Markdown) Hook(w io.Writer, r *diff.HookReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# %s: <code>%s</code>\n\n## Status\n", hookTitle(r.Ref.Kind), r.Ref.Name)
	for _, g := range r.Groups {
		p("<b>%s</b>\n<ul>\n", g.Name)
		for _, s := range g.Status {
			if s.Elsewhere == "" {
				writeHookStatus(bw, s)
			}
		}
		p("</ul>\n")
	}
	p("\n## Differences\n")
	for _, g := range r.Groups {
		present := false
		for _, s := range g.Status {
			present = present || s.Hook != nil
		}
		if !present {
			continue
		}
		p("<b>%s</b>\n<ul>\n", g.Name)
		for _, pr := range g.Pairs {
			if !pr.OldPresent || !pr.NewPresent {
				continue
			}
			var items []string
			for _, c := range pr.Changes {
				items = append(items, markdownHookChange(r.Ref.Kind, c)...)
			}
			if len(items) == 0 {
				p("<li>\nNo changes between <code>%s</code> and <code>%s</code> ✅\n</li>\n", pr.Old, pr.New)
				continue
			}
			p("<li>\n<details>\n<summary>Changed between <code>%s</code> and <code>%s</code> ⚠️</summary>\n<ul>\n", pr.Old, pr.New)
			for _, it := range items {
				p("%s", it)
			}
			p("</ul>\n</details>\n</li>\n")
		}
		p("</ul>\n")
	}
	return bw.Flush()
}

// markdownHookChange is the list items of one change.
func markdownHookChange(k kabi.Kind, c diff.HookChange) []string {
	item := func(title, before, after string) string {
		s := "<li>\n<b>" + title + ". </b>\n"
		switch {
		case before == "" && after == "":
		case before == "":
			s += "<code>" + after + "</code>\n"
		case after == "":
			s += "<code>" + before + "</code>\n"
		default:
			s += "<code>" + before + "</code> ➡️ <code>" + after + "</code>\n"
		}
		return s + "</li>\n"
	}
	switch c.Kind {
	case diff.FuncChanged:
		var out []string
		switch k {
		case kabi.KindLSM:
			if !strings.HasPrefix(c.Func, "security_") {
				return nil // the page shows the security_ function only
			}
		case kabi.KindTracepoint:
			out = append(out, item(c.Kind.String(), "", ""))
		default:
			out = append(out, item(c.Kind.String(), c.Func, ""))
		}
		for _, ch := range c.Changes {
			out = append(out, item(ch.Kind.String(), ch.Before(), ch.After()))
		}
		return out
	case diff.EventChanged:
		out := []string{item(c.Kind.String(), "", "")}
		for _, f := range c.Fields {
			if f.Old == "" && f.New == "" { // a move, a width, a size: the numbers
				out = append(out, item(f.Kind.String(), strings.TrimPrefix(f.String(), f.Kind.String()+": "), ""))
				continue
			}
			out = append(out, item(f.Kind.String(), f.Old, f.New))
		}
		return out
	case diff.Renumbered, diff.WrapperChanged:
		return []string{item(c.Kind.String()+" in "+c.Table, orNone(c.Old), orNone(c.New))}
	case diff.FormatChanged:
		return []string{item(c.Kind.String(), "", "")}
	}
	return []string{item(c.Kind.String(), c.Old, c.New)}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func writeHookStatus(w *bufio.Writer, s diff.HookStatus) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	if s.Hook == nil {
		p("<li>\nIn <code>%s</code>: %s\n</li>\n", s.Label, statusText([]kabi.Issue{kabi.IssueAbsent}))
		return
	}
	p("<li>\n<details>\n<summary>In <code>%s</code>: ✅</summary>\n\n", s.Label)
	code := func(text string) { p("```c\n%s\n```\n", text) }
	sig := func(name string, sg *kabi.Signature) string {
		if sg == nil {
			return "/* no " + name + " in this build */"
		}
		return sg.String()
	}
	switch h := s.Hook.(type) {
	case *kabi.Tracepoint:
		if h.Module != "" {
			p("In module `%s`.\n\n", h.Module)
		}
		if h.EventUnknown {
			p("The trace event (class, system, format, record struct) is unknown in this build: its source shows the tracepoint's btf_trace_ typedef only.\n\n")
			if rp := h.RawPrototype(); rp != "" {
				p("Function:\n\n")
				code(rp)
			}
			break
		}
		if s.Event != nil {
			p("Event:\n\n")
			code(diff.StructText(s.Event))
		}
		if h.ProbeName() != "" {
			p("Function:\n\n")
			code(sig(h.ProbeName(), h.Probe))
		} else if h.RawSignature != nil {
			p("Function:\n\n")
			code(h.RawSignature.String())
		}
	case *kabi.LSMHook:
		code(sig(h.SecurityName(), h.Security))
	case *kabi.Kfunc:
		code(sig(h.Name, h.Signature))
	case *kabi.Syscall:
		p("```\n")
		for _, e := range h.Entries {
			p("%s\n", syscallEntryText(e))
		}
		p("```\n")
	case kabi.ConfigOption:
		p("```\n%s=%s\n```\n", h.Name, h.Value)
	}
	p("</details>\n</li>\n")
}

// syscallEntryText writes a syscall's entry: "sys_call_table[257]:
// __x64_sys_openat", or its wrapper alone when the table is unknown.
func syscallEntryText(e kabi.SyscallEntry) string {
	if e.Number < 0 {
		return "wrapper " + e.Wrapper + " (table and number unknown: this source does not show the syscall tables)"
	}
	return fmt.Sprintf("%s[%d]: %s", e.Table, e.Number, e.Wrapper)
}

// Hook writes a hook report as text: per group, each build's facts, then
// each compared pair's changes.
func (t Text) Hook(w io.Writer, r *diff.HookReport) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("%s\n", r.Ref)
	for _, g := range r.Groups {
		p("\n%s (%s)\n", g.Name, g.Pairing)
		for _, s := range g.Status {
			if s.Hook == nil {
				p("  %s: absent\n", s.Label)
				continue
			}
			p("  %s:\n", s.Label)
			for _, l := range hookFacts(s.HookSide) {
				p("    %s\n", l)
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

// hookFacts are the lines that describe a hook in one build.
func hookFacts(s diff.HookSide) []string {
	sig := func(sg *kabi.Signature) string {
		if sg == nil {
			return "(none)"
		}
		return sg.String()
	}
	var out []string
	switch h := s.Hook.(type) {
	case *kabi.Tracepoint:
		switch {
		case h.EventUnknown:
			out = append(out, "trace event unknown: its class, system, format and record struct (this source shows the tracepoint's btf_trace_ typedef only)")
		case h.Bare:
			out = append(out, "bare tracepoint (no trace event: raw_tp/tp_btf only)")
		default:
			out = append(out, "system "+h.System+", class "+h.Class)
		}
		if h.Module != "" {
			out = append(out, "module: "+h.Module)
		}
		if h.Format != "" {
			out = append(out, "format: "+h.Format)
		}
		if h.EventStruct() != "" {
			ev := "event: struct " + h.EventStruct()
			if s.Event == nil {
				ev += " (not in the build's types)"
			}
			out = append(out, ev)
		}
		if h.ProbeName() != "" {
			out = append(out, "probe: "+sig(h.Probe))
		}
		if rp := h.RawPrototype(); rp != "" {
			out = append(out, "tp_btf: "+rp)
		}
	case *kabi.LSMHook:
		out = append(out, "security: "+sig(h.Security), "bpf_lsm: "+sig(h.BPF))
	case *kabi.Kfunc:
		sets := strings.Join(h.Sets, ", ")
		if h.SetsUnknown {
			sets = "unknown (this source does not show the ID sets)"
		}
		out = append(out, "sets: "+sets, "signature: "+sig(h.Signature))
	case *kabi.Syscall:
		for _, e := range h.Entries {
			out = append(out, syscallEntryText(e))
		}
	case kabi.ConfigOption:
		out = append(out, h.Name+"="+h.Value)
	}
	return out
}

// Hooks writes the hook part of a surface diff as text: per kind, the
// counts, then the added, removed and changed hooks (at most 20 names per
// list).
func (t Text) Hooks(w io.Writer, ds []diff.HookDiff) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		if d.Unknown != "" {
			fmt.Fprintf(bw, "%s: not compared: %s\n", d.Kind, d.Unknown)
			continue
		}
		kindDiffText(bw, d.Kind, d.Common, d.Added, d.Removed, changedTexts(d.Changed, func(c diff.HookChanges) (string, []diff.HookChange) { return c.Name, c.Changes }))
		if len(d.Unseen) > 0 {
			nameLine(bw, fmt.Sprintf("  not compared (%d: one build's source cannot show them):", len(d.Unseen)), d.Unseen)
		}
		if d.Partial != "" {
			fmt.Fprintf(bw, "  partly compared: %s\n", d.Partial)
		}
	}
	return bw.Flush()
}

// changedText is one changed dependency of a surface diff, for text.
type changedText struct {
	name    string
	changes []fmt.Stringer
}

// changedTexts returns the changed dependencies cs for text; of gives
// one's name and changes.
func changedTexts[C any, S fmt.Stringer](cs []C, of func(C) (string, []S)) []changedText {
	out := make([]changedText, len(cs))
	for i, c := range cs {
		name, changes := of(c)
		out[i] = changedText{name, make([]fmt.Stringer, len(changes))}
		for j, ch := range changes {
			out[i].changes[j] = ch
		}
	}
	return out
}

// maxListed is how many entries of a list text shows, before "... and N
// more".
const maxListed = 20

// listed calls each for the first maxListed of xs, then, if there are
// more, more with how many.
func listed[T any](xs []T, each func(T), more func(n int)) {
	for i, x := range xs {
		if i == maxListed {
			more(len(xs) - maxListed)
			return
		}
		each(x)
	}
}

// nameLine writes head, then the names on the same line.
func nameLine(bw *bufio.Writer, head string, names []string) {
	bw.WriteString(head)
	listed(names, func(n string) { fmt.Fprintf(bw, " %s", n) }, func(n int) { fmt.Fprintf(bw, " ... and %d more", n) })
	fmt.Fprintln(bw)
}

// kindDiffText writes one kind's part of a surface diff as text (types
// and hooks alike): the counts, then the added and removed names and the
// changed dependencies with their changes, at most 20 of each list.
func kindDiffText(bw *bufio.Writer, kind kabi.Kind, common int, added, removed []string, changed []changedText) {
	fmt.Fprintf(bw, "%s: %d in both, %d added, %d removed, %d changed\n", kind, common, len(added), len(removed), len(changed))
	list := func(title string, names []string) {
		if len(names) > 0 {
			nameLine(bw, fmt.Sprintf("  %s (%d):", title, len(names)), names)
		}
	}
	list("added", added)
	list("removed", removed)
	listed(changed, func(c changedText) {
		fmt.Fprintf(bw, "  %s:\n", c.name)
		for _, ch := range c.changes {
			fmt.Fprintf(bw, "      %s\n", ch)
		}
	}, func(n int) { fmt.Fprintf(bw, "  ... and %d more changed (use -format json for all)\n", n) })
}

// hookJSON is a hook as kabi dump writes it (kabi's AppendJSON).
func hookJSON(h kabi.Hook) json.RawMessage {
	type appender interface{ AppendJSON([]byte) []byte }
	if a, ok := h.(appender); ok {
		return a.AppendJSON(nil)
	}
	return json.RawMessage("null")
}

type jsonHookStatus struct {
	Label     string          `json:"label"`
	Elsewhere string          `json:"elsewhere,omitempty"`
	Hook      json.RawMessage `json:"hook"`            // as in kabi dump; null when absent
	Event     string          `json:"event,omitempty"` // a tracepoint's record struct, as C
}

type jsonHookChange struct {
	Kind    diff.HookChangeKind `json:"kind"`
	Func    string              `json:"func,omitempty"`
	Changes []jsonChange        `json:"changes,omitempty"`
	Fields  []string            `json:"fields,omitempty"` // EventChanged: the record's changes, one line each
	Table   string              `json:"table,omitempty"`
	Old     string              `json:"old,omitempty"`
	New     string              `json:"new,omitempty"`
	Text    string              `json:"text"`
}

func toJSONHookChanges(cs []diff.HookChange) []jsonHookChange {
	out := []jsonHookChange{}
	for _, c := range cs {
		j := jsonHookChange{Kind: c.Kind, Func: c.Func, Table: c.Table, Old: c.Old, New: c.New, Text: c.String()}
		if len(c.Changes) > 0 {
			j.Changes = toJSONChanges(c.Changes)
		}
		for _, f := range c.Fields {
			j.Fields = append(j.Fields, f.String())
		}
		out = append(out, j)
	}
	return out
}

// Hook writes a hook report as the JSON document "kabi.hook-report/v1"
// (docs/json.md).
func (j JSON) Hook(w io.Writer, r *diff.HookReport) error {
	type pair struct {
		Old        string           `json:"old"`
		New        string           `json:"new"`
		OldPresent bool             `json:"old_present"`
		NewPresent bool             `json:"new_present"`
		Changes    []jsonHookChange `json:"changes"`
	}
	type group struct {
		Name    string           `json:"name"`
		Pairing diff.Pairing     `json:"pairing"`
		Status  []jsonHookStatus `json:"status"`
		Pairs   []pair           `json:"pairs"`
	}
	doc := struct {
		Schema string  `json:"schema"`
		Kind   string  `json:"kind"`
		Name   string  `json:"name"`
		Groups []group `json:"groups"`
	}{Schema: "kabi.hook-report/v1", Kind: r.Ref.Kind.String(), Name: r.Ref.Name, Groups: []group{}}
	for _, g := range r.Groups {
		jg := group{Name: g.Name, Pairing: g.Pairing, Status: []jsonHookStatus{}, Pairs: []pair{}}
		for _, s := range g.Status {
			js := jsonHookStatus{Label: s.Label, Elsewhere: s.Elsewhere, Hook: json.RawMessage("null")}
			if s.Hook != nil {
				js.Hook = hookJSON(s.Hook)
				js.Event = diff.StructText(s.Event)
			}
			jg.Status = append(jg.Status, js)
		}
		for _, p := range g.Pairs {
			jg.Pairs = append(jg.Pairs, pair{p.Old, p.New, p.OldPresent, p.NewPresent, toJSONHookChanges(p.Changes)})
		}
		doc.Groups = append(doc.Groups, jg)
	}
	return j.encode(w, doc)
}

// Hooks writes the hook part of a surface diff as the JSON document
// "kabi.hook-diff/v1" (docs/json.md).
func (j JSON) Hooks(w io.Writer, ds []diff.HookDiff) error {
	type changed struct {
		Name    string           `json:"name"`
		Changes []jsonHookChange `json:"changes"`
	}
	type kind struct {
		Kind    string    `json:"kind"`
		Unknown string    `json:"unknown,omitempty"`
		Common  int       `json:"common"`
		Added   []string  `json:"added"`
		Removed []string  `json:"removed"`
		Changed []changed `json:"changed"`
		Unseen  []string  `json:"unseen,omitempty"`
		Partial string    `json:"partial,omitempty"`
	}
	doc := struct {
		Schema string `json:"schema"`
		Kinds  []kind `json:"kinds"`
	}{Schema: "kabi.hook-diff/v1", Kinds: []kind{}}
	for _, d := range ds {
		k := kind{Kind: d.Kind.String(), Unknown: d.Unknown, Common: d.Common, Added: orEmpty(d.Added), Removed: orEmpty(d.Removed), Changed: []changed{}, Unseen: d.Unseen, Partial: d.Partial}
		for _, c := range d.Changed {
			k.Changed = append(k.Changed, changed{c.Name, toJSONHookChanges(c.Changes)})
		}
		doc.Kinds = append(doc.Kinds, k)
	}
	return j.encode(w, doc)
}

type htmlHookStatus struct {
	Label, Elsewhere string
	Present          bool
	Event            string
	Facts            []string
}

type htmlHookPair struct {
	Old, New string
	Both     bool
	Note     string
	Changes  []string
}

type htmlHookGroup struct {
	Name   string
	Status []htmlHookStatus
	Pairs  []htmlHookPair
}

type htmlHookPage struct {
	Title, Kind, Name, Root string
	CSS                     template.CSS
	Groups                  []htmlHookGroup
}

// Hook writes one hook's page, self-contained as function pages are: per
// build the hook's facts (a tracepoint's record struct among them), per
// compared pair its changes.
func (h HTML) Hook(w io.Writer, r *diff.HookReport) error { return h.hookPage(w, r, "") }

// hookPage writes a hook's page whose site root is root ("../../" in a
// site, where it links the shared stylesheet; "" on its own, where it
// inlines it).
func (HTML) hookPage(w io.Writer, r *diff.HookReport, root string) error {
	pg := htmlHookPage{Title: r.Ref.String(), Kind: hookTitle(r.Ref.Kind), Name: r.Ref.Name, Root: root}
	if root == "" {
		pg.CSS = assetCSS()
	}
	for _, g := range r.Groups {
		hg := htmlHookGroup{Name: g.Name}
		for _, s := range g.Status {
			hs := htmlHookStatus{Label: s.Label, Elsewhere: s.Elsewhere, Present: s.Hook != nil}
			if s.Hook != nil {
				hs.Event = diff.StructText(s.Event)
				hs.Facts = hookFacts(s.HookSide)
			}
			hg.Status = append(hg.Status, hs)
		}
		for _, p := range g.Pairs {
			hp := htmlHookPair{Old: p.Old, New: p.New, Both: p.OldPresent && p.NewPresent}
			switch {
			case !p.OldPresent && !p.NewPresent:
				hp.Note = "in neither"
			case !p.OldPresent:
				hp.Note = "added"
			case !p.NewPresent:
				hp.Note = "removed"
			}
			for _, c := range p.Changes {
				hp.Changes = append(hp.Changes, c.String())
			}
			hg.Pairs = append(hg.Pairs, hp)
		}
		pg.Groups = append(pg.Groups, hg)
	}
	return templates().ExecuteTemplate(w, "hook", pg)
}

// Hook writes one hook's page in the site, listed under its kind with its
// traits per group: "Absence" where a build of the group lacks it,
// "Change" where a compared pair changed it.
func (sw *SiteWriter) Hook(r *diff.HookReport) error {
	p := SitePage{Kind: r.Ref.Kind, Name: r.Ref.Name}
	for _, g := range r.Groups {
		var traits []string
		for _, s := range g.Status {
			if s.Hook == nil {
				traits = append(traits, diff.TraitAbsence.String())
				break
			}
		}
		for _, pr := range g.Pairs {
			if pr.OldPresent && pr.NewPresent && len(pr.Changes) > 0 {
				traits = append(traits, diff.TraitChange.String())
				break
			}
		}
		p.Groups = append(p.Groups, g.Name)
		p.Traits = append(p.Traits, traits)
	}
	p.Write = reportWrite(sw, r, HTML.hookPage, Markdown.Hook)
	return sw.Page(p)
}
