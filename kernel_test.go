package kabi

import (
	"debug/elf"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
)

// realKernel returns $KABI_VMLINUX or skips.
func realKernel(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("KABI_VMLINUX")
	if p == "" {
		tb.Skip("KABI_VMLINUX is not set (README.md, under Getting a real kernel, says how to fetch one)")
	}
	return p
}

var kernelBuild = sync.OnceValues(func() (*Build, error) { return Open(os.Getenv("KABI_VMLINUX"), nil) })

// TestKernel checks invariants over every function of a real kernel and
// logs its stats.
func TestKernel(t *testing.T) {
	realKernel(t)
	b, err := kernelBuild()
	if err != nil {
		t.Fatal(err)
	}
	m := b.Meta
	t.Logf("%s: release %s (version %s, revision %s, flavor %s), arch %s, compiler %s, build-id %s",
		m.File, m.Release, m.Version, m.Revision, m.Flavor, m.Arch, m.Compiler, m.BuildID)
	if m.Release == "" || m.Arch == "" || m.Compiler == "" || m.BuildID == "" {
		t.Errorf("incomplete metadata: %+v", m)
	}
	attached := 0
	for f := range b.Functions() {
		external := 0
		for _, in := range f.Instances {
			if in.External {
				external++
			}
			if in.DeclaredOnly && (in.File != "" || in.HasAddr || in.Location != (Location{})) {
				t.Errorf("%s: declared-only instance with data: %+v", f.Name, in)
			}
			if !in.DeclaredOnly && in.File == "" {
				t.Errorf("%s: defined instance without a CU path", f.Name)
			}
			if strings.HasPrefix(in.File, "/build/") || strings.HasPrefix(in.Location.File, "/build/") {
				t.Errorf("%s: path not made relative: %s at %s", f.Name, in.File, in.Location)
			}
		}
		if external > 1 {
			t.Errorf("%s: %d external instances, want at most one", f.Name, external)
		}
		if len(f.Symbols) == 0 && f.Inline != InlineFull {
			t.Errorf("%s: no symbol but inline %v", f.Name, f.Inline)
		}
		for _, s := range f.Symbols {
			attached++
			if s.Stem != f.Name {
				t.Errorf("%s: carries symbol %s", f.Name, s.Name)
			}
		}
		if strings.HasPrefix(f.Name, "__compiletime_assert_") {
			t.Errorf("%s not dropped", f.Name)
		}
	}
	orphans := 0
	for s := range b.UnattachedSymbols() {
		orphans++
		if _, ok := b.Function(s.Stem); ok {
			t.Errorf("symbol %s not attached to its function", s.Name)
		}
	}
	all := 0
	for s := range b.Symbols() {
		all++
		if strings.HasPrefix(s.Name, "__pfx") || strings.HasPrefix(s.Name, "__cfi_") {
			t.Errorf("padding symbol %s kept", s.Name)
		}
	}
	if attached+orphans != all {
		t.Errorf("%d attached + %d unattached symbols != %d", attached, orphans, all)
	}
	s := b.Stats()
	t.Logf("functions %d, instances %d, declared only %d; function symbols %d, suffixed %d (%.1f%%), without DWARF %d",
		s.Functions, s.Instances, s.DeclaredOnly, s.Symbols, s.SuffixedSymbols, 100*float64(s.SuffixedSymbols)/float64(s.Symbols), s.UnattachedSymbols)
	for _, c := range Collisions() {
		t.Logf("  %-24s %6d", c, s.Collision[c])
	}
	for _, k := range InlineKinds() {
		t.Logf("  inline %-17s %6d (%.1f%%)", k, s.Inline[k], 100*float64(s.Inline[k])/float64(s.Functions))
	}
	for _, k := range TransformKinds() {
		t.Logf("  transformation %-11s %6d", k, s.Transforms[k])
	}
	t.Logf("  transformation %-11s %6d", "two or more", s.TwoOrMore())
	// The shape of docs/rules.md §10: tens of thousands of functions, most
	// not inlined, a third or so fully inlined, statics the largest group.
	if s.Functions < 30000 || s.Inline[InlineNo] < s.Inline[InlineSelective] || s.Inline[InlineFull] < s.Functions/10 ||
		s.Collision[UniqueStatic] < s.Collision[UniqueGlobal] || s.Collision[StaticStaticCollision] == 0 ||
		s.SuffixedSymbols < s.Symbols/50 {
		t.Errorf("stats out of shape: %+v", s)
	}
}

// TestKernelVmap: the plain case of the reference page.
func TestKernelVmap(t *testing.T) {
	realKernel(t)
	b, err := kernelBuild()
	if err != nil {
		t.Fatal(err)
	}
	f, err := b.Lookup("vmap")
	if err != nil {
		t.Fatal(err)
	}
	if f.Collision != UniqueGlobal || f.Inline != InlineNo || f.Transformation || len(f.Issues) != 0 {
		t.Errorf("vmap: %v, inline %v, transformation %v, issues %v", f.Collision, f.Inline, f.Transformation, f.Issues)
	}
	if len(f.Instances) != 1 {
		t.Fatalf("vmap: %d instances", len(f.Instances))
	}
	in := f.Instances[0]
	if in.File != "mm/vmalloc.c" || in.Location.File != "mm/vmalloc.c" || in.Location.Line == 0 || !in.External ||
		len(in.DirectCallers) == 0 || !in.HasAddr {
		t.Errorf("vmap instance: %+v", in)
	}
	if len(f.Symbols) != 1 || f.Symbols[0].Name != "vmap" || f.Symbols[0].Bind != elf.STB_GLOBAL || f.Symbols[0].Address != in.Address {
		t.Errorf("vmap symbols: %v", f.Symbols)
	}
	t.Logf("vmap: %s, %s, %d direct callers, first %s", in.Location, f.Symbols[0], len(in.DirectCallers), in.DirectCallers[0])
	if _, err := b.Lookup("no_such_function_here"); err == nil {
		t.Error("unknown function found")
	}
}

// BenchmarkOpen builds the surface of a real kernel from its file (section
// loading, symbols, the DWARF walk and the grouping); compare it with
// dwarfx's BenchmarkExtract, the walk alone.
func BenchmarkOpen(b *testing.B) {
	p := realKernel(b)
	b.ReportAllocs()
	for b.Loop() {
		k, err := Open(p, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(k.Len()), "functions")
	}
}

// BenchmarkSurface is BenchmarkOpen without loading the sections: the
// walk over already loaded DWARF plus kabi's own work, the number to set
// against dwarfx's BenchmarkExtract.
func BenchmarkSurface(b *testing.B) {
	p := realKernel(b)
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		b.Fatal(err)
	}
	d, err := dwarfx.NewFromELF(ef, f, p)
	if err != nil {
		b.Fatal(err)
	}
	syms, _, err := readSymbols(ef, p, dwarfx.NewBudget(math.MaxUint64))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := newSurface(d, SourceRootRule, nil, nil, nil)
		if err := d.Extract(nil, func(cu *dwarfx.CompileUnit) error { s.unit(cu); return nil }); err != nil {
			b.Fatal(err)
		}
		k := &Build{symbols: syms}
		k.link(s.functions(), nil)
		b.ReportMetric(float64(k.Len()), "functions")
	}
}
