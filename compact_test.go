package kabi

import (
	"bytes"
	"debug/elf"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"testing"
)

// TestCompact checks that the compact form of every fixture answers as
// its analysis, Metadata and Source included, and that compacting it
// again gives it back.
func TestCompact(t *testing.T) {
	for _, name := range allFixtures(t) {
		t.Run(name, func(t *testing.T) {
			b := fixture(t, name)
			c, err := b.Compact()
			if err != nil {
				t.Fatal(err)
			}
			compareBuilds(t, b, c)
			if c.Meta != b.Meta || c.Source() != b.Source() {
				t.Errorf("Meta %+v, Source %+v; want %+v, %+v", c.Meta, c.Source(), b.Meta, b.Source())
			}
			if again, err := c.Compact(); err != nil || again != c {
				t.Errorf("Compact of a compact build: %p, %v; want %p", again, err, c)
			}
		})
	}
}

// TestIndexBlocksHeld walks a compact build of many blocks in name order
// and at random: every function answers as the original; after a
// collection no more than keptBlocks blocks stay decoded besides those a
// caller holds; and what a caller holds stays the build's: Function
// returns the function it returned before, and a function's symbols are
// those of Symbol and Symbols.
func TestIndexBlocksHeld(t *testing.T) {
	const n = 40 * blockLen
	b, syms := manyFunctions(n)
	c, err := b.Compact()
	if err != nil {
		t.Fatal(err)
	}
	held := func() int {
		runtime.GC()
		k := 0
		for i := range c.ix.blocks {
			if c.ix.blocks[i].fns.Value() != nil {
				k++
			}
		}
		return k
	}
	first, _ := c.Function(b.funcs[3].Name)         // held: its block stays
	sym := c.Symbol(b.funcs[20*blockLen+5].Name)[0] // held: its block's symbols stay
	for pass := range 2 {
		i := 0
		for f := range c.Functions() {
			if !bytes.Equal(f.AppendJSON(nil), b.funcs[i].AppendJSON(nil)) {
				t.Fatalf("pass %d: function %d: %s, want %s", pass, i, f.AppendJSON(nil), b.funcs[i].AppendJSON(nil))
			}
			i++
		}
		if i != n {
			t.Fatalf("pass %d: %d functions, want %d", pass, i, n)
		}
		if k := held(); k > keptBlocks+1 {
			t.Errorf("pass %d: %d blocks decoded, want %d at most (the kept ones and the held function's)", pass, k, keptBlocks+1)
		}
	}
	for i := 0; i < n; i += 97 {
		f, ok := c.Function(b.funcs[i].Name)
		if !ok || !bytes.Equal(f.AppendJSON(nil), b.funcs[i].AppendJSON(nil)) {
			t.Errorf("Function(%q) differs", b.funcs[i].Name)
		}
	}
	held()
	if again, _ := c.Function(first.Name); again != first {
		t.Errorf("Function(%q) returned another function than before", first.Name)
	}
	if f, ok := c.FunctionOfSymbol(sym.Name); !ok || !slices.Contains(f.Symbols, sym) {
		t.Errorf("the symbols of %s are not those Symbol returned", sym.Name)
	}
	all := map[*Symbol]bool{}
	for s := range c.Symbols() {
		all[s] = true
	}
	if len(all) != len(syms) || !all[sym] {
		t.Errorf("Symbols: %d symbols (the held one: %v), want %d", len(all), all[sym], len(syms))
	}
	held()
	for f := range c.Functions() {
		for _, s := range f.Symbols {
			if !all[s] {
				t.Fatalf("%s: symbol %s is not one of Build.Symbols", f.Name, s.Name)
			}
		}
	}
}

// manyFunctions returns a build of n functions (some with a suffixed
// symbol beside their own) and its symbols.
func manyFunctions(n int) (*Build, []Symbol) {
	fns := make([]Function, n)
	var syms []Symbol
	for i := range fns {
		in := &Instance{File: "f.c", External: i%3 == 0, Location: Location{File: "f.h", Line: i},
			DirectCallers: []Caller{{File: "g.c", Function: fmt.Sprintf("caller%d", i%7)}}}
		fns[i] = Function{Name: fmt.Sprintf("fn%05d", i), Instances: []*Instance{in}}
		names := []string{fns[i].Name}
		if i%5 == 0 {
			names = append(names, fns[i].Name+".isra.0")
		}
		for _, name := range names {
			s := Symbol{Name: name, Address: uint64(0x1000 + 16*len(syms)), Size: 16, Bind: elf.STB_GLOBAL, Section: ".text"}
			s.Stem, s.Suffix, s.Transforms = parseSuffix(name)
			syms = append(syms, s)
		}
	}
	b := &Build{Meta: Metadata{File: "synthetic", Release: "6.1.0-1-amd64"}, symbols: syms, bySymbol: &symbolIndex{}}
	ptrs := make([]*Function, n)
	for i := range fns {
		ptrs[i] = &fns[i]
	}
	b.link(ptrs, nil)
	return b, syms
}

// TestIndexStatsDecodesOnce checks that Stats of a compact build of many
// blocks counts as the build's does, and decodes each block once, the
// blocks no one holds being collected as it goes.
func TestIndexStatsDecodesOnce(t *testing.T) {
	b, _ := manyFunctions(40 * blockLen)
	c, err := b.Compact()
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	decodes := make([]int, len(c.ix.blocks))
	c.ix.decoded = func(k int) {
		decodes[k]++
		runtime.GC()
	}
	if got, want := c.Stats(), b.Stats(); !reflect.DeepEqual(got, want) {
		t.Errorf("Stats of the compact build: %+v, want %+v", got, want)
	}
	total := 0
	for k, n := range decodes {
		if n > 1 {
			t.Errorf("block %d decoded %d times", k, n)
		}
		total += n
	}
	if total < len(decodes)-keptBlocks {
		t.Errorf("%d blocks decoded of %d: the test walked too little", total, len(decodes))
	}
}
