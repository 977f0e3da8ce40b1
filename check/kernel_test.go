package check_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	. "github.com/kabi-dev/kabi/check"
	"github.com/kabi-dev/kabi/diff"
	"github.com/kabi-dev/kabi/render"
)

// kernelBuilds opens the builds KABI_CHECK_INDEXES names (index files or
// vmlinux files, separated by spaces or colons; globs allowed), or skips.
func kernelBuilds(t *testing.T) []*kabi.Build {
	t.Helper()
	env := os.Getenv("KABI_CHECK_INDEXES")
	if env == "" {
		t.Skip("KABI_CHECK_INDEXES not set (index files of real kernels, e.g. written by kabi index)")
	}
	var paths []string
	for _, f := range strings.FieldsFunc(env, func(r rune) bool { return r == ' ' || r == ':' }) {
		m, err := filepath.Glob(f)
		if err != nil || len(m) == 0 {
			t.Fatalf("KABI_CHECK_INDEXES: %s names no file", f)
		}
		paths = append(paths, m...)
	}
	var out []*kabi.Build
	for _, p := range paths {
		b, err := kabi.Open(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// issueNames are the names of kabi's function issues, lower-cased.
var issueNames = func() map[string]bool {
	m := map[string]bool{}
	for i := kabi.IssueDuplicate; i <= kabi.IssueAbsent; i++ {
		m[strings.ToLower(i.String())] = true
	}
	return m
}()

// TestKernelAgreesWithReport checks kernel.bpf.o against real kernels and
// compares, for every function a program attaches to, the status of each
// finding with what kabi report says of the same name in the same build.
func TestKernelAgreesWithReport(t *testing.T) {
	builds := kernelBuilds(t)
	o, err := Open("testdata/kernel.bpf.o", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := Check([]*Object{o}, builds)
	if testing.Verbose() {
		if err := (render.Text{}).Check(os.Stdout, r); err != nil {
			t.Fatal(err)
		}
	}
	g := diff.Group{Name: "all", Pairing: diff.Chain}
	for i, b := range r.Builds {
		g.Members = append(g.Members, diff.Member{Build: i, Label: b.Label})
	}
	compared := 0
	for _, row := range r.Rows {
		d := row.Dep
		name := ""
		switch {
		case d.Via != ViaAttach || d.Pattern || d.Ref.Name == "":
		case d.Ref.Kind == kabi.KindFunction:
			name = d.Ref.Name
		case d.Attach == AttachLSM:
			name = "bpf_lsm_" + d.Ref.Name
		}
		if name == "" {
			continue
		}
		rep := diff.Function(name, builds, []diff.Group{g})
		for bi, st := range rep.Groups[0].Status {
			var want []string
			for _, is := range st.Issues() {
				want = append(want, strings.ToLower(is.String()))
			}
			var got []string
			for _, s := range row.Findings[bi].Status {
				if issueNames[strings.ToLower(s)] {
					got = append(got, strings.ToLower(s))
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s in %s: check says %v (%s), report says %v", d, st.Label, got, row.Findings[bi].Reason, want)
			}
			if row.Findings[bi].Consequence == Unknown {
				t.Errorf("%s in %s: unknown: %s", d, st.Label, row.Findings[bi].Reason)
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("no function dependency compared")
	}
	t.Logf("%d findings agree with kabi report", compared)
}

// BenchmarkKernelCheck opens the KABI_CHECK_INDEXES builds and checks
// kernel.bpf.o against them, as kabi check does.
func BenchmarkKernelCheck(b *testing.B) {
	env := os.Getenv("KABI_CHECK_INDEXES")
	if env == "" {
		b.Skip("KABI_CHECK_INDEXES not set")
	}
	paths, _ := filepath.Glob(env)
	for b.Loop() {
		var builds []*kabi.Build
		for _, p := range paths {
			bd, err := kabi.Open(p, nil)
			if err != nil {
				b.Fatal(err)
			}
			builds = append(builds, bd)
		}
		o, err := Open("testdata/kernel.bpf.o", nil)
		if err != nil {
			b.Fatal(err)
		}
		_ = Check([]*Object{o}, builds)
	}
}
