package render

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// The struct reference page (testdata/reference-types, copied from
// DepSurf's published pages) is read into definitions — per build, the
// members with their C types — then reported with package diff and
// rendered; the result must equal the page byte for byte.

var (
	reTypeTitle = regexp.MustCompile(`^# (Struct|Union|Enum): <code>(.+)</code>$`)
	reDecl      = regexp.MustCompile(`^(.*?)\b(\w+)((?:\[\d*\])*)$`)
	reDim       = regexp.MustCompile(`\[(\d*)\]`)
)

// parseDecl reads a member declaration as the reference pages write them
// ("const char *filename", "char buf[128]", "struct rlimit rlim_stack")
// into a member whose Decl gives the same text back.
func parseDecl(t *testing.T, s string) kabi.Member {
	m := reDecl.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("cannot read declaration %q", s)
	}
	base := strings.TrimSpace(m[1])
	stars := 0
	for strings.HasSuffix(base, "*") {
		base = strings.TrimSpace(strings.TrimSuffix(base, "*"))
		stars++
	}
	var ty *kabi.Type
	if q, ok := strings.CutPrefix(base, "const "); ok {
		ty = parseBase(q)
		ty.Qual = kabi.Const
	} else {
		ty = parseBase(base)
	}
	for range stars {
		ty = &kabi.Type{Kind: kabi.Pointer, Elem: ty}
	}
	dims := reDim.FindAllStringSubmatch(m[3], -1)
	for i := len(dims) - 1; i >= 0; i-- {
		n := int64(-1)
		if dims[i][1] != "" {
			n, _ = strconv.ParseInt(dims[i][1], 10, 64)
		}
		ty = &kabi.Type{Kind: kabi.Array, Elem: ty, Len: n}
	}
	mem := kabi.Member{Name: m[2], Type: ty}
	if got := mem.Decl(); got != s {
		t.Fatalf("declaration %q reads back as %q", s, got)
	}
	return mem
}

func parseBase(s string) *kabi.Type {
	for _, k := range []struct {
		word string
		kind kabi.TypeKind
	}{{"struct ", kabi.Struct}, {"union ", kabi.Union}, {"enum ", kabi.Enum}} {
		if n, ok := strings.CutPrefix(s, k.word); ok {
			return &kabi.Type{Kind: k.kind, Name: n}
		}
	}
	return &kabi.Type{Kind: kabi.Base, Name: s}
}

// parseTypePage reads a struct reference page into a report.
func parseTypePage(t *testing.T, text string) *diff.TypeReport {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	m := reTypeTitle.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("not a type page: %q", lines[0])
	}
	ref := kabi.Ref{Kind: kabi.KindStruct, Name: m[2]}
	type grp struct {
		name   string
		labels []string
		defs   [][]*kabi.TypeDef
	}
	var groups []grp
	bases := map[string]string{}
	i := 0
	next := func() string { i++; return lines[i] }
	for lines[i] != "## Status" {
		i++
	}
	for i+1 < len(lines) {
		l := next()
		if l == "## Differences" {
			break
		}
		if g := reGroup.FindStringSubmatch(l); g != nil {
			groups = append(groups, grp{name: g[1]})
			continue
		}
		if l != "<li>" {
			continue
		}
		g := &groups[len(groups)-1]
		l = next()
		if a := reAbsent.FindStringSubmatch(l); a != nil {
			g.labels = append(g.labels, a[1])
			g.defs = append(g.defs, nil)
			continue
		}
		s := reSummary.FindStringSubmatch(next())
		g.labels = append(g.labels, s[1])
		d := &kabi.TypeDef{Kind: ref.Kind, Name: ref.Name, Size: -1}
		for l = next(); l != "</details>"; l = next() {
			if strings.HasPrefix(l, "    ") {
				d.Members = append(d.Members, parseDecl(t, strings.TrimSuffix(strings.TrimPrefix(l, "    "), ";")))
			}
		}
		g.defs = append(g.defs, []*kabi.TypeDef{d})
	}
	cur := ""
	for ; i < len(lines); i++ {
		if g := reGroup.FindStringSubmatch(lines[i]); g != nil {
			cur = g[1]
		} else if p := rePair.FindStringSubmatch(lines[i]); p != nil && cur != "Regular" {
			bases[cur] = p[1]
		}
	}
	// The groups as DepSurf formed them (see parseHookPage): the Arch and
	// Flavor builds are Ubuntu's 5.4 ones, compared with the Regular 5.4.
	var defs [][]*kabi.TypeDef
	var dgroups []diff.Group
	def := 0
	for _, g := range groups {
		dg := diff.Group{Name: g.name, Pairing: diff.Chain}
		if g.name != "Regular" {
			dg.Pairing = diff.Star
			dg.Base = &diff.Member{Label: bases[g.name], Build: def}
		}
		for k, l := range g.labels {
			dg.Members = append(dg.Members, diff.Member{Label: l, Build: len(defs)})
			defs = append(defs, g.defs[k])
		}
		if g.name == "Regular" {
			for k, l := range g.labels {
				if l == "5.4" {
					def = len(defs) - len(g.labels) + k
				}
			}
		}
		dgroups = append(dgroups, dg)
	}
	return diff.TypeReportOf(ref, func(i int) []*kabi.TypeDef { return defs[i] }, dgroups)
}

func TestTypeReferencePage(t *testing.T) {
	const path = "testdata/reference-types/struct-linux_binprm.md"
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := (Markdown{}).Type(&got, parseTypePage(t, string(want))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s differs from the reference at %s", path, firstDiff(got.Bytes(), want))
	}
}
