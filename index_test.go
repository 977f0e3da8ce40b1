package kabi

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// allFixtures lists testdata/*.elf without the extension.
func allFixtures(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.elf")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".elf"))
	}
	return names
}

// indexOf writes b's index (stored or compressed) and loads it back.
func indexOf(t testing.TB, b *Build, store bool) (*Build, []byte) {
	t.Helper()
	data, err := b.indexBytes(store)
	if err != nil {
		t.Fatal(err)
	}
	ib, err := New(bytes.NewReader(data), "index of "+b.Meta.File, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ib, data
}

// compareBuilds checks that ib, loaded from an index, answers every call
// as b, the analysis, does.
func compareBuilds(t *testing.T, b, ib *Build) {
	t.Helper()
	want, got := b.Meta, ib.Meta
	want.File, got.File = "", ""
	if want != got {
		t.Errorf("Meta: %+v, want %+v", got, want)
	}
	if ws, gs := b.Source(), ib.Source(); ws.File != gs.File || ws.Size != gs.Size || !ws.ModTime.Equal(gs.ModTime) || ws.BuildID != gs.BuildID {
		t.Errorf("Source: %+v, want %+v", gs, ws)
	}
	if b.Len() != ib.Len() {
		t.Errorf("Len %d, want %d", ib.Len(), b.Len())
	}
	if d := cmp.Diff(b.Stats(), ib.Stats()); d != "" {
		t.Errorf("Stats (-analysis +index):\n%s", d)
	}
	if d := cmp.Diff(slices.Collect(b.Symbols()), slices.Collect(ib.Symbols())); d != "" {
		t.Errorf("Symbols (-analysis +index):\n%s", d)
	}
	if d := cmp.Diff(slices.Collect(b.UnattachedSymbols()), slices.Collect(ib.UnattachedSymbols())); d != "" {
		t.Errorf("UnattachedSymbols (-analysis +index):\n%s", d)
	}
	var names []string
	for f := range b.Functions() {
		names = append(names, f.Name)
	}
	var inames []string
	for f := range ib.Functions() {
		inames = append(inames, f.Name)
	}
	if !slices.Equal(names, inames) {
		t.Fatalf("Functions: %d names, want %d (or not in the same order); Err: %v", len(inames), len(names), ib.Err())
	}
	isyms := slices.Collect(ib.Symbols())
	bad := 0
	for f := range b.Functions() {
		g, ok := ib.Function(f.Name)
		if !ok {
			t.Errorf("%s: missing from the index", f.Name)
			continue
		}
		if d := cmp.Diff(f, g); d != "" {
			if bad++; bad <= 5 {
				t.Errorf("%s (-analysis +index):\n%s", f.Name, d)
			}
		}
		if (f.Signature == nil) != (g.Signature == nil) ||
			f.Signature != nil && (f.Signature.String() != g.Signature.String() || !f.Signature.Equal(g.Signature)) {
			t.Errorf("%s: signature %v, want %v", f.Name, sigString(g.Signature), sigString(f.Signature))
		}
		for k, in := range f.Instances {
			ws, gs := in.Signature, g.Instances[k].Signature
			if ws == nil || gs == nil {
				continue
			}
			if !ws.Equal(gs) || ws.String() != gs.String() || len(ws.Clones) != len(gs.Clones) {
				t.Errorf("%s instance %d: signature %s, want %s", f.Name, k, gs, ws)
				continue
			}
			for c := range ws.Clones {
				if w, g := ws.Clones[c].String(ws), gs.Clones[c].String(gs); w != g {
					t.Errorf("%s instance %d clone %d: %s, want %s", f.Name, k, c, g, w)
				}
			}
		}
		if g.Signature != nil && !slices.ContainsFunc(g.Instances, func(in *Instance) bool { return in.Signature == g.Signature }) {
			t.Errorf("%s: Signature is not one of its instances'", f.Name)
		}
		// A function's symbols are the build's, not copies.
		for _, s := range g.Symbols {
			if !slices.Contains(isyms, s) {
				t.Errorf("%s: symbol %s is not one of Build.Symbols", f.Name, s.Name)
			}
		}
		if f.Demangled != "" {
			wf, _ := b.Function(f.Demangled)
			gf, _ := ib.Function(f.Demangled)
			if gf == nil || wf.Name != gf.Name {
				t.Errorf("Function(%q) = %v, want %s", f.Demangled, gf, wf.Name)
			}
		}
		if g2, _ := ib.Function(f.Name); g2 != g {
			t.Errorf("%s: a second Function call returned another value", f.Name)
		}
	}
	for _, s := range slices.Collect(b.UnattachedSymbols()) {
		_, werr := b.Lookup(s.Name)
		_, gerr := ib.Lookup(s.Name)
		if !errors.Is(gerr, ErrNotFound) || strings.TrimPrefix(werr.Error(), b.Meta.File) != strings.TrimPrefix(gerr.Error(), ib.Meta.File) {
			t.Errorf("Lookup(%q): %v, want %v", s.Name, gerr, werr)
		}
		if d := cmp.Diff(b.Symbol(s.Name), ib.Symbol(s.Name)); d != "" {
			t.Errorf("Symbol(%q) (-analysis +index):\n%s", s.Name, d)
		}
	}
	if _, ok := ib.Function("no such function in any build"); ok {
		t.Errorf("Function found a name that is not there")
	}
	if err := ib.Err(); err != nil {
		t.Errorf("Err: %v", err)
	}
}

// TestIndexFixtures checks that the index of every fixture answers as the
// analysis, compressed and not.
func TestIndexFixtures(t *testing.T) {
	for _, name := range allFixtures(t) {
		t.Run(name, func(t *testing.T) {
			b := fixture(t, name)
			for _, store := range []bool{false, true} {
				ib, _ := indexOf(t, b, store)
				compareBuilds(t, b, ib)
				// An index of an index is the same file.
				again, err := ib.indexBytes(store)
				if err != nil {
					t.Fatal(err)
				}
				first, _ := b.indexBytes(store)
				if !bytes.Equal(first, again) {
					t.Errorf("store=%v: the index of the loaded index differs from the first", store)
				}
			}
		})
	}
}

// kernelIndex is the index of $KABI_VMLINUX, written once.
var kernelIndex = sync.OnceValues(func() ([]byte, error) {
	b, err := kernelBuild()
	if err != nil {
		return nil, err
	}
	return b.indexBytes(false)
})

// TestKernelIndex checks that the index of a real kernel answers as its
// analysis for every function, and logs its size.
func TestKernelIndex(t *testing.T) {
	path := realKernel(t)
	b, err := kernelBuild()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	data, err := kernelIndex()
	if err != nil {
		t.Fatal(err)
	}
	written := time.Since(start)
	start = time.Now()
	ib, err := New(bytes.NewReader(data), "kernel index", nil)
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("index: %d bytes, %.2f%% of the vmlinux's %d; written in %v, opened in %v",
		len(data), 100*float64(len(data))/float64(fi.Size()), fi.Size(), written, opened)
	compareBuilds(t, b, ib)
}

// kernelIndexFile writes the index of $KABI_VMLINUX into a temporary folder.
func kernelIndexFile(b *testing.B) string {
	realKernel(b)
	data, err := kernelIndex()
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "kernel.kabi")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkKernelIndexWrite encodes and compresses a real kernel's index.
func BenchmarkKernelIndexWrite(b *testing.B) {
	realKernel(b)
	kb, err := kernelBuild()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := kb.WriteIndex(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKernelIndexOpen opens a real kernel's index file: metadata,
// names and classification.
func BenchmarkKernelIndexOpen(b *testing.B) {
	p := kernelIndexFile(b)
	b.ReportAllocs()
	for b.Loop() {
		ib, err := Open(p, nil)
		if err != nil || ib.Len() == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkKernelIndexLookup opens a real kernel's index file and looks
// one function up, as `kabi report vmap` does per build.
func BenchmarkKernelIndexLookup(b *testing.B) {
	p := kernelIndexFile(b)
	b.ReportAllocs()
	for b.Loop() {
		ib, err := Open(p, nil)
		if err != nil {
			b.Fatal(err)
		}
		if f, ok := ib.Function("vmap"); !ok || f.Signature == nil {
			b.Fatal("no vmap")
		}
	}
}

// BenchmarkKernelIndexAll opens a real kernel's index file and decodes
// every function.
func BenchmarkKernelIndexAll(b *testing.B) {
	p := kernelIndexFile(b)
	b.ReportAllocs()
	for b.Loop() {
		ib, err := Open(p, nil)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for range ib.Functions() {
			n++
		}
		if n != ib.Len() {
			b.Fatal(ib.Err())
		}
	}
}

// TestIndexFields lists the fields an index holds. A field added to one of
// these types must be added to the index (index.go, indexread.go) and
// here; until then this test fails, even where no fixture sets the field.
func TestIndexFields(t *testing.T) {
	for _, c := range []struct {
		v      any
		fields string
	}{
		{Metadata{}, "File Release Version Revision Flavor Arch Compiler Banner BuildID Package PackageVersion"},
		{Function{}, "Name Demangled Instances Symbols Collision Inline Transformation Issues Signature Attach"},
		{Instance{}, "Module File Location Address HasAddr AddrFromSymbol External DeclaredInline Inlined InlineCallers DirectCallers DeclaredOnly Assembler Signature"},
		{Location{}, "File Line"},
		{Caller{}, "File Function Site Addr HasAddr"},
		{Symbol{}, "Name Demangled Address Size Bind Section Module Stem Suffix Transforms Ftrace NoKprobe"},
		{Signature{}, "Name Return Params Variadic Prototyped Assembler Clones"},
		{Clone{}, "Addr HasAddr Params"},
		{CloneParam{}, "Param State Value HasValue"},
		{Param{}, "Name Type"},
		{Type{}, "Kind Name Qual Elem Len Params Variadic Prototyped"},
	} {
		rt := reflect.TypeOf(c.v)
		var got []string
		for i := range rt.NumField() {
			if f := rt.Field(i); f.IsExported() { // unexported ones are caches
				got = append(got, f.Name)
			}
		}
		if strings.Join(got, " ") != c.fields {
			t.Errorf("%s has the fields %s; the index holds %s", rt.Name(), strings.Join(got, " "), c.fields)
		}
	}
}

// TestIndexNamesWithPrefix compares FunctionNamesWithPrefix of a build
// and of its index with the names filtered by prefix, at the edges of the
// name directory's chunks too.
func TestIndexNamesWithPrefix(t *testing.T) {
	b := fixture(t, "cmp-6.1.99-1-amd64")
	ib, _ := indexOf(t, b, false)
	all := slices.Collect(b.FunctionNames())
	prefixes := []string{"", "a", "v", "vm_", "vm_req_", "zzz", "\xff", all[0], all[len(all)-1], all[len(all)/2] + "x"}
	for _, p := range prefixes {
		var want []string
		for _, n := range all {
			if strings.HasPrefix(n, p) {
				want = append(want, n)
			}
		}
		for _, x := range []*Build{b, ib} {
			if got := slices.Collect(x.FunctionNamesWithPrefix(p)); !slices.Equal(got, want) {
				t.Errorf("%s: prefix %q: %q, want %q", x.Meta.File, p, got, want)
			}
		}
	}
}

// viaIndex writes b's index in memory and reads it back as name.
func viaIndex(t *testing.T, b *Build, name string) *Build {
	t.Helper()
	var buf bytes.Buffer
	if err := b.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	ib, err := New(bytes.NewReader(buf.Bytes()), name, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ib
}
