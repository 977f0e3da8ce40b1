package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"debug/elf"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// The reference pages in testdata/reference are DepSurf's published pages
// (copied from the project's shared reference folder). Each golden test
// reads the facts a page states — per build: presence, issues, signature,
// classification, instances, callers, symbols — into kabi values, forms
// the groups the page shows, computes the differences with package diff,
// renders the page, and compares it with the original byte for byte. So
// the layout, and the differ's kinds and order, must match; the facts are
// the page's own.

// referenceSigs builds, as typed values, every signature the reference
// pages show; the test checks each prints back to its text.
func referenceSigs() []*kabi.Signature {
	base := func(n string) *kabi.Type { return &kabi.Type{Kind: kabi.Base, Name: n} }
	td := func(n string) *kabi.Type { return &kabi.Type{Kind: kabi.Typedef, Name: n} }
	ptr := func(t *kabi.Type) *kabi.Type { return &kabi.Type{Kind: kabi.Pointer, Elem: t} }
	st := func(n string) *kabi.Type { return &kabi.Type{Kind: kabi.Struct, Name: n} }
	void := &kabi.Type{Kind: kabi.Void}
	ulong := base("long unsigned int")
	p := func(n string, t *kabi.Type) kabi.Param { return kabi.Param{Name: n, Type: t} }
	sig := func(name string, ret *kabi.Type, ps ...kabi.Param) *kabi.Signature {
		return &kabi.Signature{Name: name, Return: ret, Params: ps, Prototyped: true}
	}
	return []*kabi.Signature{
		sig("vmap", ptr(void), p("pages", ptr(ptr(st("page")))), p("count", base("unsigned int")), p("flags", ulong), p("prot", td("pgprot_t"))),
		sig("init_once", void, p("foo", ptr(void))),
		sig("do_page_cache_ra", void, p("ractl", ptr(st("readahead_control"))), p("nr_to_read", ulong), p("lookahead_size", ulong)),
		sig("kernel_read", base("int"), p("file", ptr(st("file"))), p("offset", td("loff_t")), p("addr", ptr(base("char"))), p("count", ulong)),
		sig("kernel_read", td("ssize_t"), p("file", ptr(st("file"))), p("buf", ptr(void)), p("count", td("size_t")), p("pos", ptr(td("loff_t")))),
	}
}

var (
	reGroup   = regexp.MustCompile(`^<b>(.+)</b>$`)
	reAbsent  = regexp.MustCompile(`^In <code>(.+)</code>: (.+)$`)
	reSummary = regexp.MustCompile(`^<summary>In <code>(.+)</code>: (.+)</summary>$`)
	reInst    = regexp.MustCompile(`^In (.+) \(([0-9a-f]+)\)$`)
	reSym     = regexp.MustCompile(`^([0-9a-f]+)-([0-9a-f]+): (.+) \((STB_[A-Z]+)\)$`)
	rePair    = regexp.MustCompile(`between <code>(.+)</code> and <code>(.+)</code>`)
)

// page is what a reference page states.
type page struct {
	name   string
	groups []pageGroup
	// bases maps a Star group to its base's label, read from its
	// differences section.
	bases map[string]string
}

type pageGroup struct {
	name   string
	labels []string
	fns    []*kabi.Function // nil when absent
}

func parseIssues(t *testing.T, s string) []kabi.Issue {
	if s == "✅" {
		return nil
	}
	var out []kabi.Issue
	for _, name := range strings.Split(strings.TrimSuffix(s, " ⚠️"), ", ") {
		found := false
		for i := kabi.Issue(1); i < 32; i++ {
			if i.String() == name {
				out = append(out, i)
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("unknown issue %q", name)
		}
	}
	return out
}

func enumOf[T interface {
	~uint8
	String() string
}](t *testing.T, s string) T {
	for v := T(1); v < 32; v++ {
		if v.String() == s {
			return v
		}
	}
	t.Fatalf("unknown value %q", s)
	return 0
}

func parseBind(t *testing.T, s string) elf.SymBind {
	for _, b := range []elf.SymBind{elf.STB_GLOBAL, elf.STB_LOCAL, elf.STB_WEAK} {
		if b.String() == s {
			return b
		}
	}
	t.Fatalf("unknown binding %q", s)
	return 0
}

func hex(t *testing.T, s string) uint64 {
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// parsePage reads the facts of a reference page.
func parsePage(t *testing.T, text string, sigs map[string]*kabi.Signature) *page {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	pg := &page{bases: map[string]string{}}
	pg.name = strings.TrimSuffix(strings.TrimPrefix(lines[0], "# Function: <code>"), "</code>")
	i := 0
	next := func() string {
		i++
		return lines[i]
	}
	for lines[i] != "## Status" {
		i++
	}
	var g *pageGroup
	for i+1 < len(lines) {
		l := next()
		if l == "## Differences" {
			break
		}
		if m := reGroup.FindStringSubmatch(l); m != nil {
			pg.groups = append(pg.groups, pageGroup{name: m[1]})
			g = &pg.groups[len(pg.groups)-1]
			continue
		}
		if l != "<li>" {
			continue
		}
		l = next()
		if m := reAbsent.FindStringSubmatch(l); m != nil {
			if got := parseIssues(t, m[2]); len(got) != 1 || got[0] != kabi.IssueAbsent {
				t.Fatalf("line %d: a build without details must be absent: %q", i+1, l)
			}
			g.labels = append(g.labels, m[1])
			g.fns = append(g.fns, nil)
			continue
		}
		if l != "<details>" {
			t.Fatalf("line %d: unexpected %q", i+1, l)
		}
		m := reSummary.FindStringSubmatch(next())
		f := &kabi.Function{Name: pg.name, Issues: parseIssues(t, m[2])}
		g.labels = append(g.labels, m[1])
		g.fns = append(g.fns, f)
		var in *kabi.Instance
		for l = next(); l != "</details>"; l = next() {
			switch {
			case l == "```c":
				text := next()
				f.Signature = sigs[text]
				if f.Signature == nil {
					t.Fatalf("no typed signature for %q", text)
				}
			case strings.HasPrefix(l, "**Collision:** "):
				f.Collision = enumOf[kabi.Collision](t, strings.TrimPrefix(l, "**Collision:** "))
			case strings.HasPrefix(l, "**Inline:** "):
				f.Inline = enumOf[kabi.InlineKind](t, strings.TrimPrefix(l, "**Inline:** "))
			case strings.HasPrefix(l, "**Transformation:** "):
				f.Transformation = strings.HasSuffix(l, "True")
			case l == "In None (0)":
				in = &kabi.Instance{DeclaredOnly: true, Signature: f.Signature}
				f.Instances = append(f.Instances, in)
			case reInst.MatchString(l):
				m := reInst.FindStringSubmatch(l)
				in = &kabi.Instance{File: m[1], Address: hex(t, m[2]), HasAddr: true, Signature: f.Signature}
				f.Instances = append(f.Instances, in)
			case strings.HasPrefix(l, "Location: ") && l != "Location: None":
				loc := strings.TrimPrefix(l, "Location: ")
				if k := strings.LastIndexByte(loc, ':'); k >= 0 {
					n, _ := strconv.Atoi(loc[k+1:])
					in.Location = kabi.Location{File: loc[:k], Line: n}
				} else {
					in.Location = kabi.Location{File: loc}
				}
			case strings.HasPrefix(l, "Inline: "):
				in.Inlined = l == "Inline: True"
			case l == "Inline callers:" || l == "Direct callers:":
				direct := l == "Direct callers:"
				for strings.HasPrefix(lines[i+1], "  - ") {
					c := strings.TrimPrefix(next(), "  - ")
					k := strings.LastIndexByte(c, ':')
					caller := kabi.Caller{File: c[:k], Function: c[k+1:]}
					if direct {
						in.DirectCallers = append(in.DirectCallers, caller)
					} else {
						in.InlineCallers = append(in.InlineCallers, caller)
					}
				}
			case reSym.MatchString(l):
				m := reSym.FindStringSubmatch(l)
				lo := hex(t, m[1])
				f.Symbols = append(f.Symbols, &kabi.Symbol{Name: m[3], Address: lo, Size: hex(t, m[2]) - lo, Bind: parseBind(t, m[4])})
			}
		}
	}
	// The differences name each star group's base.
	cur := ""
	for ; i < len(lines); i++ {
		if m := reGroup.FindStringSubmatch(lines[i]); m != nil {
			cur = m[1]
		} else if m := rePair.FindStringSubmatch(lines[i]); m != nil && cur != "Regular" {
			pg.bases[cur] = m[1]
		}
	}
	return pg
}

// report forms the page's groups the way DepSurf did: Regular is a chain
// over its builds; the others are stars around the default build, which
// is the newest Regular build.
func (pg *page) report() *diff.FunctionReport {
	var fns []*kabi.Function
	var groups []diff.Group
	var def int
	for _, pgr := range pg.groups {
		g := diff.Group{Name: pgr.name, Pairing: diff.Chain}
		if pgr.name != "Regular" {
			g.Pairing = diff.Star
			g.Base = &diff.Member{Label: pg.bases[pgr.name], Build: def}
		}
		for k, l := range pgr.labels {
			g.Members = append(g.Members, diff.Member{Label: l, Build: len(fns)})
			fns = append(fns, pgr.fns[k])
		}
		if pgr.name == "Regular" {
			def = len(fns) - 1
		}
		groups = append(groups, g)
	}
	return diff.Report(pg.name, func(i int) *kabi.Function { return fns[i] }, groups)
}

func TestReferencePages(t *testing.T) {
	sigs := map[string]*kabi.Signature{}
	for _, s := range referenceSigs() {
		sigs[s.String()] = s
	}
	if len(sigs) != 5 {
		t.Fatalf("the typed signatures print as %d distinct texts, want 5: %v", len(sigs), sigs)
	}
	files, _ := filepath.Glob("testdata/reference/*.md")
	if len(files) != 4 {
		t.Fatalf("want 4 reference pages, found %v", files)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pg := parsePage(t, string(want), sigs)
			var got bytes.Buffer
			if err := (Markdown{}).Function(&got, pg.report()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the reference at %s", path, firstDiff(got.Bytes(), want))
			}
		})
	}
}

// firstDiff describes where two texts first differ, by line.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "nowhere"
}
