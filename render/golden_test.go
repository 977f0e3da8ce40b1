package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

var update = flag.Bool("update", false, "rewrite the outputs of testdata/golden/*.txtar")

// A golden case is a txtar file: a comment saying why the case exists,
// then sections. Inputs: "builds" (fixture files, one a line), "function"
// (its name), optionally "default" (the default build's index) and
// "drop-signature" (labels of builds whose signatures are removed, for the
// shape of a build known without prototypes). Outputs, regenerated with
// -update: "markdown", "text", "json", "html".

type archive struct {
	comment string
	names   []string
	files   map[string]string
}

func parseTxtar(b string) archive {
	a := archive{files: map[string]string{}}
	name := ""
	var cur strings.Builder
	flush := func() {
		if name == "" {
			a.comment = cur.String()
		} else {
			a.files[name] = cur.String()
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(b, "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(strings.TrimRight(line, "\n"), " --") {
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimRight(line, "\n"), "-- "), " --")
			a.names = append(a.names, name)
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return a
}

func (a archive) format() string {
	var b strings.Builder
	b.WriteString(a.comment)
	for _, n := range a.names {
		b.WriteString("-- " + n + " --\n")
		b.WriteString(a.files[n])
	}
	return b.String()
}

var fixtureBuilds sync.Map // file name -> *kabi.Build

func fixtureBuild(t *testing.T, name string) *kabi.Build {
	t.Helper()
	if b, ok := fixtureBuilds.Load(name); ok {
		return b.(*kabi.Build)
	}
	b, err := kabi.Open(filepath.Join("..", "testdata", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	fixtureBuilds.Store(name, b)
	return b
}

func lines(s string) []string { return strings.Fields(s) }

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a := parseTxtar(string(raw))
			if strings.TrimSpace(a.comment) == "" {
				t.Error("a golden case says why it exists in its comment")
			}
			var builds []*kabi.Build
			var metas []kabi.Metadata
			for _, f := range lines(a.files["builds"]) {
				b := fixtureBuild(t, f)
				builds = append(builds, b)
				metas = append(metas, b.Meta)
			}
			var opts diff.GroupOptions
			if d := strings.TrimSpace(a.files["default"]); d != "" {
				var i int
				for _, c := range d {
					i = i*10 + int(c-'0')
				}
				opts.Default = &i
			}
			r := diff.Function(strings.TrimSpace(a.files["function"]), builds, diff.Groups(metas, &opts))
			drop := map[string]bool{}
			for _, l := range lines(a.files["drop-signature"]) {
				drop[l] = true
			}
			if len(drop) > 0 {
				r = dropSignatures(t, r, drop)
			}
			outputs := map[string]func(*bytes.Buffer) error{
				"markdown": func(b *bytes.Buffer) error { return Markdown{}.Function(b, r) },
				"text":     func(b *bytes.Buffer) error { return Text{Signatures: true}.Function(b, r) },
				"json":     func(b *bytes.Buffer) error { return JSON{}.Function(b, r) },
				"html":     func(b *bytes.Buffer) error { return HTML{}.Function(b, r) },
			}
			changed := false
			for _, name := range []string{"markdown", "text", "json", "html"} {
				var b bytes.Buffer
				if err := outputs[name](&b); err != nil {
					t.Fatal(err)
				}
				want, ok := a.files[name]
				if *update {
					if !ok {
						a.names = append(a.names, name)
					}
					a.files[name] = b.String()
					changed = changed || b.String() != want
					continue
				}
				if !ok {
					t.Errorf("no %q section (run go test -run Golden -update)", name)
				} else if b.String() != want {
					t.Errorf("%s differs at %s", name, firstDiff(b.Bytes(), []byte(want)))
				}
			}
			if changed {
				if err := os.WriteFile(path, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// dropSignatures re-reads a report through JSON with the signatures of
// the named builds removed (the report itself is not changed).
func dropSignatures(t *testing.T, r *diff.FunctionReport, labels map[string]bool) *diff.FunctionReport {
	var b bytes.Buffer
	if err := (JSON{}).Function(&b, r); err != nil {
		t.Fatal(err)
	}
	c, err := DecodeFunction(&b)
	if err != nil {
		t.Fatal(err)
	}
	for gi := range c.Groups {
		g := &c.Groups[gi]
		for _, s := range g.Status {
			if f := s.Function; f != nil && labels[s.Label] {
				f.Signature = nil
				for _, in := range f.Instances {
					in.Signature = nil
				}
			}
		}
		for pi := range g.Pairs {
			p := &g.Pairs[pi]
			if labels[p.Old] || labels[p.New] {
				p.Compared, p.Changes = false, nil
			}
		}
	}
	return c
}
