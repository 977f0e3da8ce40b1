package kabi

import (
	"debug/elf"
	"testing"
)

// TestMergeAssembler: a .S routine that gas marks non-external, declared
// external by C, with a global symbol, is one external instance.
func TestMergeAssembler(t *testing.T) {
	mk := func(bind elf.SymBind) *Function {
		return &Function{Name: "memcpy",
			Instances: []*Instance{
				{External: true, DeclaredOnly: true, DirectCallers: []Caller{{File: "a.c", Function: "f"}}},
				{File: "arch/x86/lib/memcpy_64.S", Location: Location{File: "arch/x86/lib/memcpy_64.S", Line: 33}, HasAddr: true, Address: 0x10, Assembler: true},
			},
			Symbols: []*Symbol{{Name: "memcpy", Stem: "memcpy", Bind: bind, Address: 0x10}}}
	}
	f := mk(elf.STB_GLOBAL)
	f.mergeAssembler()
	f.classify()
	if len(f.Instances) != 1 || !f.Instances[0].External || !f.Instances[0].Assembler || len(f.Instances[0].DirectCallers) != 1 || f.Collision != UniqueGlobal {
		t.Errorf("global: %v %+v", f.Collision, f.Instances)
	}
	f = mk(elf.STB_LOCAL)
	f.mergeAssembler()
	f.classify()
	if len(f.Instances) != 2 || f.Collision != StaticGlobalCollision {
		t.Errorf("local symbol: %v, %d instances; want the collision kept", f.Collision, len(f.Instances))
	}
}

// TestAddressFromSymbol: a definition DWARF places nowhere takes the
// address of the only plain symbol, and says so; never when ambiguous.
func TestAddressFromSymbol(t *testing.T) {
	sym := func(name string, addr uint64) *Symbol {
		s := &Symbol{Name: name, Address: addr}
		s.Stem, s.Suffix, s.Transforms = parseSuffix(name)
		return s
	}
	f := &Function{Name: "f", Instances: []*Instance{{File: "a.c"}}, Symbols: []*Symbol{sym("f", 0x40), sym("f.cold", 0x90)}}
	f.addressFromSymbol()
	if in := f.Instances[0]; !in.HasAddr || in.Address != 0x40 || !in.AddrFromSymbol {
		t.Errorf("one symbol: %+v", in)
	}
	for _, g := range []*Function{
		{Name: "f", Instances: []*Instance{{File: "a.c"}}, Symbols: []*Symbol{sym("f", 0x40), sym("f", 0x80)}},
		{Name: "f", Instances: []*Instance{{File: "a.c"}, {File: "b.c"}}, Symbols: []*Symbol{sym("f", 0x40)}},
		{Name: "f", Instances: []*Instance{{File: "a.c"}, {File: "b.c", HasAddr: true, Address: 0x40}}, Symbols: []*Symbol{sym("f", 0x40)}},
		{Name: "f", Instances: []*Instance{{File: "a.c"}}, Symbols: []*Symbol{sym("f.isra.0", 0x40)}},
	} {
		g.addressFromSymbol()
		if g.Instances[0].HasAddr {
			t.Errorf("ambiguous: took %x for %+v", g.Instances[0].Address, g.Symbols)
		}
	}
}

// TestMergeAssemblerArm64: the shapes of Debian's 6.1 arm64 string
// routines. The plain symbol (weak) is the .S routine's, so it is the
// global definition; the C side merges into it whether it is an extern
// inline (fortify-string.h's memchr) or the EFI stub's own C copy, linked
// as __efistub_memcpy at another address. The nVHE copy of the .S routine
// (__kvm_nvhe_memcpy) stays an instance: a Static Duplication, not a
// collision. A C definition at the plain symbol's address is a second
// definition: the collision stays.
func TestMergeAssemblerArm64(t *testing.T) {
	asm := func(addr uint64) *Instance {
		return &Instance{File: "arch/arm64/lib/memcpy.S", Location: Location{File: "arch/arm64/lib/memcpy.S"}, HasAddr: true, Address: addr, Assembler: true}
	}
	stub := &Instance{File: "drivers/firmware/efi/libstub/intrinsics.c", Location: Location{File: "drivers/firmware/efi/libstub/intrinsics.c", Line: 18},
		HasAddr: true, Address: 0x5a8, External: true, DirectCallers: []Caller{{File: "a.c", Function: "f"}}}
	fortify := &Instance{File: "init/main.c", Location: Location{File: "include/linux/fortify-string.h", Line: 553}, External: true, Inlined: true,
		InlineCallers: []Caller{{File: "kernel/sysctl.c", Function: "proc_get_long"}}}
	sym := []*Symbol{{Name: "memcpy", Stem: "memcpy", Bind: elf.STB_WEAK, Address: 0x8a0}}
	for _, c := range []struct {
		name  string
		in    []*Instance
		want  Collision
		n     int
		calls int
	}{
		{"EFI stub copy and nVHE copy", []*Instance{stub, asm(0x630), asm(0x8a0)}, StaticDuplication, 2, 1},
		{"extern inline", []*Instance{fortify, asm(0x8a0)}, UniqueGlobal, 1, 1},
		{"declaration and nVHE copy", []*Instance{{External: true, DeclaredOnly: true}, asm(0x630), asm(0x8a0)}, StaticDuplication, 2, 0},
		{"C definition at the symbol", []*Instance{{File: "lib/string.c", Location: Location{File: "lib/string.c", Line: 9}, External: true, HasAddr: true, Address: 0x8a0}, asm(0x630)}, StaticGlobalCollision, 2, 0},
	} {
		f := &Function{Name: "memcpy", Instances: c.in, Symbols: sym}
		f.mergeAssembler()
		f.classify()
		if f.Collision != c.want || len(f.Instances) != c.n {
			t.Errorf("%s: %v with %d instances, want %v with %d", c.name, f.Collision, len(f.Instances), c.want, c.n)
			continue
		}
		if c.want == StaticGlobalCollision {
			continue
		}
		var global *Instance
		for _, in := range f.Instances {
			if in.External {
				global = in
			}
		}
		if global == nil || global.Address != 0x8a0 || !global.Assembler || len(global.DirectCallers)+len(global.InlineCallers) != c.calls {
			t.Errorf("%s: the global instance is %+v", c.name, global)
		}
	}
}
