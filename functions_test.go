package kabi

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// syntheticSurface returns a surface holding nfn functions, ninst
// instances and nrec call sites (several chunks of each), as the walk and
// the merge leave it, and what functions must make of every instance:
// its Instance, callers included, by instance index.
func syntheticSurface(nfn, ninst, nrec int) (*surface, []Instance) {
	r := rand.New(rand.NewPCG(1, 2))
	s := &surface{modules: []string{"", "mod_a", "mod_b"}}
	for i := range 40 {
		s.files = append(s.files, fmt.Sprintf("dir/file%d.c", i))
	}
	for i := range nfn {
		// Names in an order other than their index's.
		s.names = append(s.names, fmt.Sprintf("fn_%08x_%d", r.Uint32(), i))
	}
	for i := range 500 {
		s.callers.add(callerName{file: s.files[i%len(s.files)], function: s.names[r.IntN(nfn)]})
	}
	want := make([]Instance, ninst)
	for i := range ninst {
		a := acc{
			fn: int32(i % nfn), mod: int32(r.IntN(len(s.modules))),
			file: int32(r.IntN(len(s.files))), locFile: int32(r.IntN(len(s.files)+1) - 1), line: int32(r.IntN(5000)),
			external: r.IntN(3) == 0, defined: r.IntN(8) != 0, inlined: r.IntN(2) == 0, declaredInline: r.IntN(2) == 0,
			assembler: r.IntN(50) == 0, addr: r.Uint64(),
		}
		if r.IntN(4) != 0 {
			a.addrFrom = addrDefinition
		}
		if r.IntN(3) != 0 {
			a.sig = s.sigTab.add(&Signature{Name: s.names[a.fn]})
		}
		s.insts.add(a)
		w := Instance{
			Module: s.modules[a.mod], Address: a.addr, HasAddr: a.addrFrom != 0,
			External: a.external, DeclaredInline: a.declaredInline, Inlined: a.inlined,
			DeclaredOnly: !a.defined, Assembler: a.assembler, Signature: s.sigTab.at(a.sig),
		}
		if a.defined {
			w.File = s.files[a.file]
			if a.locFile >= 0 {
				w.Location = Location{File: s.files[a.locFile], Line: int(a.line)}
			}
		}
		want[i] = w
	}
	for range nrec {
		// Most sites go to a few instances, as a kernel's do.
		in := int32(r.IntN(ninst))
		if r.IntN(2) == 0 {
			in = int32(r.IntN(ninst/50 + 1))
		}
		caller, direct, hasAddr := int32(r.IntN(s.callers.len())), r.IntN(3) == 0, r.IntN(5) != 0
		rec := callRec{inst: in, file: int32(r.IntN(len(s.files)+1) - 1), line: int32(r.IntN(9000)), addr: r.Uint64()}
		rec.setCaller(caller)
		if direct {
			rec.who |= siteDirect
		}
		if hasAddr {
			rec.who |= siteHasAddr
		}
		s.recs.add(rec)
		a := s.insts.at(in)
		cn := s.callers.at(caller)
		c := Caller{File: cn.file, Function: cn.function, Addr: rec.addr, HasAddr: hasAddr}
		if rec.file >= 0 {
			c.Site = Location{File: s.files[rec.file], Line: int(rec.line)}
		}
		if direct {
			a.nDirect++
			want[in].DirectCallers = append(want[in].DirectCallers, c)
		} else {
			a.nInline++
			want[in].InlineCallers = append(want[in].InlineCallers, c)
		}
	}
	return s, want
}

// TestFunctionsOn checks what functions makes of a surface of several
// chunks of instances and call sites, on one goroutine and on several:
// every function in name order, with its instances in index order, each
// with its callers in site order, exactly as long as they are.
func TestFunctionsOn(t *testing.T) {
	const nfn, ninst, nrec = 7000, 3*chunkLen + 123, 5*chunkLen + 77
	for _, workers := range []int{1, 2, 3, 8} {
		s, want := syntheticSurface(nfn, ninst, nrec)
		index := make(map[string]int, nfn)
		for i, n := range s.names {
			index[n] = i
		}
		fns := s.functionsOn(workers)
		if len(fns) != nfn {
			t.Fatalf("%d workers: %d functions, want %d", workers, len(fns), nfn)
		}
		if s.insts.len() != 0 || s.recs.len() != 0 || s.callers.len() != 0 {
			t.Errorf("%d workers: the tables are left (%d instances, %d sites, %d callers)", workers, s.insts.len(), s.recs.len(), s.callers.len())
		}
		if !slices.IsSortedFunc(fns, func(a, b *Function) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("%d workers: functions not in name order", workers)
		}
		for _, f := range fns {
			fn := index[f.Name]
			var wantInsts []*Instance
			for i := fn; i < ninst; i += nfn { // instance i is function i%nfn's
				wantInsts = append(wantInsts, &want[i])
			}
			if len(f.Instances) != len(wantInsts) || cap(f.Instances) != len(wantInsts) {
				t.Fatalf("%d workers: %s has %d instances (cap %d), want %d", workers, f.Name, len(f.Instances), cap(f.Instances), len(wantInsts))
			}
			for k, in := range f.Instances {
				w := wantInsts[k]
				if !reflect.DeepEqual(in, w) {
					t.Fatalf("%d workers: %s instance %d:\n got %+v\nwant %+v", workers, f.Name, k, in, w)
				}
				if cap(in.InlineCallers) != len(w.InlineCallers) || cap(in.DirectCallers) != len(w.DirectCallers) {
					t.Fatalf("%d workers: %s instance %d: callers' capacities %d, %d, want %d, %d", workers, f.Name, k,
						cap(in.InlineCallers), cap(in.DirectCallers), len(w.InlineCallers), len(w.DirectCallers))
				}
				if in.Signature != w.Signature {
					t.Fatalf("%d workers: %s instance %d has another signature", workers, f.Name, k)
				}
			}
		}
	}
}

// TestParallel checks that parallel calls f once for each index, and
// that a panic in a worker reaches the caller.
func TestParallel(t *testing.T) {
	for _, workers := range []int{1, 2, 5} {
		seen := make([]int32, 1000)
		parallel(workers, len(seen), func(i int) { seen[i]++ })
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("%d workers: index %d called %d times", workers, i, n)
			}
		}
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Errorf("%d workers: recovered %v, want the worker's panic", workers, p)
				}
			}()
			parallel(workers, 100, func(i int) {
				if i == 37 {
					panic("boom")
				}
			})
		}()
	}
}

// TestBTFFactsBits checks that a whole kernel's module BTF facts, kept as
// one bit per symbol and turned into one per function, answer as the map
// of module and name does: for a plain symbol of the module whose BTF has
// the name, not for another module's symbol of the name, nor for a
// suffixed one, nor for a symbol of no function.
func TestBTFFactsBits(t *testing.T) {
	syms := []Symbol{
		{Name: "a", Stem: "a"},                                         // vmlinux
		{Name: "b", Stem: "b", Module: "m1"},                           // in m1's BTF
		{Name: "b", Stem: "b", Module: "m2"},                           // not in m2's
		{Name: "c", Stem: "c", Module: "m2"},                           // in m2's
		{Name: "c.cold", Stem: "c", Suffix: ".cold", Module: "m1"},     // a bit, but suffixed
		{Name: "d.isra.0", Stem: "d", Suffix: ".isra.0", Module: "m1"}, // d has no plain symbol
		{Name: "e", Stem: "e", Module: "m3"},                           // not in m3's
		{Name: "e.part.0", Stem: "e", Suffix: ".part.0", Module: "m3"}, // a bit, but suffixed
		{Name: "f", Stem: "f", Module: "m1"},                           // vmlinux's FUNC f is not m1's
		{Name: "z", Stem: "z", Module: "m1"},                           // a bit, but of no function
		{Name: "g", Stem: "g", Module: "m1"},                           // not in m1's
		{Name: "g", Stem: "g", Module: "m2"},                           // in m2's
	}
	inBTF := []int{1, 3, 4, 7, 9, 11}
	names := []string{"a", "b", "c", "d", "e", "f", "g"}
	want := map[string]bool{"a": true, "b": true, "c": true, "d": true, "g": true}
	fns := make([]*Function, len(names))
	for k, name := range names {
		fns[k] = &Function{Name: name}
	}
	of := make([]int32, len(syms))
	for i := range syms {
		of[i] = int32(slices.Index(names, syms[i].Stem))
		if k := of[i]; k >= 0 {
			fns[k].Symbols = append(fns[k].Symbols, &syms[i])
		}
	}
	vmlinux := map[string]bool{"a": true, "d": true, "f": true}
	m := &btfFacts{vmlinux: vmlinux, modules: map[moduleFunc]bool{}}
	bits := &btfFacts{vmlinux: vmlinux}
	for _, i := range inBTF {
		m.modules[moduleFunc{syms[i].Module, syms[i].Name}] = true
		bits.symBTF.set(i)
	}
	bits.byFunction(syms, of, len(fns))
	for k, f := range fns {
		byMap, byBits := m.has(f, k), bits.has(f, k)
		if byMap != want[f.Name] || byBits != want[f.Name] {
			t.Errorf("%s: the map says %v, the bits %v, want %v", f.Name, byMap, byBits, want[f.Name])
		}
	}
	if bits.symBTF != nil {
		t.Error("the symbols' bits are kept once turned into the functions'")
	}
}

// TestNameOrder checks nameOrder against a plain sort of the names, on
// names that share their first eight or sixteen bytes or differ past
// them, are shorter than eight bytes, hold NUL and high bytes, or are
// empty.
func TestNameOrder(t *testing.T) {
	names := []string{"", "a", "a\x00", "a\x00\x00", "ab", "ab\x00", "ab\x01", "\xff", "\xff\xff\xff\xff\xff\xff\xff\xff",
		"__x64_sys_read", "__x64_sys_readv", "__x64_sys_", "__x64_sy", "__x64_s", "__x64_sys\x00", "abcdefgh", "abcdefg", "abcdefgh\x00", "abcdefgi"}
	r := rand.New(rand.NewPCG(3, 4))
	// Random bytes after prefixes of 0, 8, 12 and 16 bytes, so that
	// runs of names share 8 and 16 bytes.
	prefixes := []string{"", "abcdefgh", "abcdefgh\x00", "__probestub_", "abcdefghabcdefgh", "abcdefghabcdefg"}
	for range 3000 {
		b := []byte(prefixes[r.IntN(len(prefixes))])
		for range r.IntN(20) {
			b = append(b, "a_\x00\xff"[r.IntN(4)])
		}
		names = append(names, string(b))
	}
	names = slices.Compact(slices.Sorted(slices.Values(names))) // the surface's names are distinct
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	if len(names) < radixMin {
		t.Fatalf("%d names: the radix sort is not tested", len(names))
	}
	// All of them (a radix sort), and a few (a comparison sort).
	for _, names := range [][]string{names, names[:radixMin/8]} {
		want := slices.Clone(names)
		slices.Sort(want)
		order := nameOrder(names)
		if len(order) != len(names) {
			t.Fatalf("%d indexes for %d names", len(order), len(names))
		}
		for i, k := range order {
			if names[k] != want[i] {
				t.Fatalf("%d names: name %d is %q, want %q", len(names), i, names[k], want[i])
			}
		}
	}
}

// TestBitset: a bit set is had, and only it, however far the set grows.
func TestBitset(t *testing.T) {
	var b bitset
	set := map[int]bool{}
	for _, i := range []int{0, 63, 64, 1000, 5, 640, 639, 129} {
		b.set(i)
		set[i] = true
		for j := range 1100 {
			if b.has(j) != set[j] {
				t.Fatalf("after setting %d: bit %d is %v", i, j, b.has(j))
			}
		}
	}
	if len(b) != 1000/64+1 {
		t.Errorf("%d words for bit 1000", len(b))
	}
}
