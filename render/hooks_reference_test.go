package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// The tracepoint and LSM reference pages (testdata/reference-hooks, copied
// from DepSurf's published pages) are read into hook values — per build:
// presence, the record struct, the probe or security_ function — then
// reported with package diff and rendered; the result must equal the page
// byte for byte.

func hookReferenceValues() (map[string]*kabi.Signature, map[string]*kabi.TypeDef) {
	base := func(n string) *kabi.Type { return &kabi.Type{Kind: kabi.Base, Name: n} }
	td := func(n string) *kabi.Type { return &kabi.Type{Kind: kabi.Typedef, Name: n} }
	ptr := func(t *kabi.Type) *kabi.Type { return &kabi.Type{Kind: kabi.Pointer, Elem: t} }
	st := func(n string) *kabi.Type { return &kabi.Type{Kind: kabi.Struct, Name: n} }
	arr := func(t *kabi.Type, n int64) *kabi.Type { return &kabi.Type{Kind: kabi.Array, Elem: t, Len: n} }
	void := &kabi.Type{Kind: kabi.Void}
	p := func(n string, t *kabi.Type) kabi.Param { return kabi.Param{Name: n, Type: t} }
	sig := func(name string, ret *kabi.Type, ps ...kabi.Param) *kabi.Signature {
		return &kabi.Signature{Name: name, Return: ret, Params: ps, Prototyped: true}
	}
	cred := &kabi.Type{Kind: kabi.Struct, Name: "cred", Qual: kabi.Const}
	sigs := map[string]*kabi.Signature{}
	for _, s := range []*kabi.Signature{
		sig("trace_event_raw_event_block_rq", void, p("__data", ptr(void)), p("q", ptr(st("request_queue"))), p("rq", ptr(st("request")))),
		sig("trace_event_raw_event_block_rq", void, p("__data", ptr(void)), p("rq", ptr(st("request")))),
		sig("security_file_open", base("int"), p("file", ptr(st("file"))), p("cred", ptr(cred))),
		sig("security_file_open", base("int"), p("file", ptr(st("file")))),
	} {
		sigs[s.String()] = s
	}
	m := func(n string, t *kabi.Type) kabi.Member { return kabi.Member{Name: n, Type: t} }
	ev := &kabi.TypeDef{Kind: kabi.KindStruct, Name: "trace_event_raw_block_rq", Size: -1, Members: []kabi.Member{
		m("ent", st("trace_entry")), m("dev", td("dev_t")), m("sector", td("sector_t")),
		m("nr_sector", base("unsigned int")), m("bytes", base("unsigned int")), m("rwbs", arr(base("char"), 8)),
		m("comm", arr(base("char"), 16)), m("__data_loc_cmd", td("u32")), m("__data", arr(base("char"), 0)),
	}}
	return sigs, map[string]*kabi.TypeDef{diff.StructText(ev): ev}
}

var reHookTitle = regexp.MustCompile(`^# (Tracepoint|LSM): <code>(.+)</code>$`)

// parseHookPage reads a tracepoint or LSM reference page into a report.
func parseHookPage(t *testing.T, text string) *diff.HookReport {
	sigs, events := hookReferenceValues()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	m := reHookTitle.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("not a hook page: %q", lines[0])
	}
	ref := kabi.Ref{Kind: kabi.KindTracepoint, Name: m[2]}
	if m[1] == "LSM" {
		ref.Kind = kabi.KindLSM
	}
	type grp struct {
		name   string
		labels []string
		sides  []diff.HookSide
	}
	var groups []grp
	bases := map[string]string{}
	i := 0
	next := func() string { i++; return lines[i] }
	for lines[i] != "## Status" {
		i++
	}
	block := func() string { // the lines of a ```c block, the reader on its opening line
		var b []string
		for l := next(); l != "```"; l = next() {
			b = append(b, l)
		}
		return strings.Join(b, "\n")
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
			g.sides = append(g.sides, diff.HookSide{})
			continue
		}
		s := reSummary.FindStringSubmatch(next())
		g.labels = append(g.labels, s[1])
		var side diff.HookSide
		var fn *kabi.Signature
		for l = next(); l != "</details>"; l = next() {
			switch l {
			case "Event:":
				next()
				next()
				text := block()
				if side.Event = events[text]; side.Event == nil {
					t.Fatalf("no typed struct for %q", text)
				}
			case "```c":
				text := block()
				if fn = sigs[text]; fn == nil {
					t.Fatalf("no typed signature for %q", text)
				}
			}
		}
		if ref.Kind == kabi.KindTracepoint {
			class := strings.TrimPrefix(fn.Name, "trace_event_raw_event_")
			side.Hook = &kabi.Tracepoint{Name: ref.Name, Class: class, Probe: fn}
		} else {
			side.Hook = &kabi.LSMHook{Name: ref.Name, Security: fn}
		}
		g.sides = append(g.sides, side)
	}
	cur := ""
	for ; i < len(lines); i++ {
		if g := reGroup.FindStringSubmatch(lines[i]); g != nil {
			cur = g[1]
		} else if p := rePair.FindStringSubmatch(lines[i]); p != nil && cur != "Regular" {
			bases[cur] = p[1]
		}
	}
	// The builds and groups as DepSurf formed them (see page.report). The
	// Arch and Flavor builds of DepSurf's data set are Ubuntu's 5.4 ones,
	// compared with the amd64 generic 5.4 build: the star's base is the
	// Regular build "5.4" (on the tracepoint page the probe of 5.4 and of
	// every Arch and Flavor build has the q parameter that 6.8's lacks).
	var sides []diff.HookSide
	var dgroups []diff.Group
	def := 0
	for _, g := range groups {
		dg := diff.Group{Name: g.name, Pairing: diff.Chain}
		if g.name != "Regular" {
			dg.Pairing = diff.Star
			dg.Base = &diff.Member{Label: bases[g.name], Build: def}
		}
		for k, l := range g.labels {
			dg.Members = append(dg.Members, diff.Member{Label: l, Build: len(sides)})
			sides = append(sides, g.sides[k])
		}
		if g.name == "Regular" {
			def = len(sides) - 1
			for k, l := range g.labels {
				if l == "5.4" {
					def = len(sides) - len(g.labels) + k
				}
			}
		}
		dgroups = append(dgroups, dg)
	}
	return diff.HookReportOf(ref, func(i int) diff.HookSide { return sides[i] }, dgroups)
}

func TestHookReferencePages(t *testing.T) {
	files, _ := filepath.Glob("testdata/reference-hooks/*.md")
	if len(files) != 2 {
		t.Fatalf("want 2 reference pages, found %v", files)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := (Markdown{}).Hook(&got, parseHookPage(t, string(want))); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the reference at %s", path, firstDiff(got.Bytes(), want))
			}
		})
	}
}
