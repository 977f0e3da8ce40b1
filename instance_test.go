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
