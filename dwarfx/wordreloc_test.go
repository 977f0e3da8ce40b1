package dwarfx

import (
	"debug/elf"
	"testing"
)

// The word relocation of every machine is one of its absolute types
// applied in debug sections, as wide as the machine's word.
func TestWordRelocInTable(t *testing.T) {
	for _, m := range machines {
		ef := &elf.File{FileHeader: elf.FileHeader{Machine: m.machine, Class: m.class}}
		typ, name, ok := WordReloc(ef)
		if !ok {
			t.Fatalf("%v: no word relocation", m.machine)
		}
		width := uint8(8)
		if m.class == elf.ELFCLASS32 {
			width = 4
		}
		if k, in := m.kinds[typ]; !in || k.op != relAbs || k.width != width {
			t.Errorf("%v: word relocation %s is %+v in the table, want an absolute %d-byte one", m.machine, name(typ), k, width)
		}
		if _, in := m.kinds[0]; !in {
			t.Errorf("%v: type 0 (NONE) is not in the table", m.machine)
		}
	}
	if _, _, ok := WordReloc(&elf.File{FileHeader: elf.FileHeader{Machine: elf.EM_MIPS, Class: elf.ELFCLASS32}}); ok {
		t.Error("MIPS has a word relocation; its relocations are not known")
	}
}
