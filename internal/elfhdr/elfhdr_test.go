package elfhdr

import (
	"debug/elf"
	"os"
	"testing"
)

// TestParse: the fields equal debug/elf's on the fixture builds of both
// classes and byte orders; a short or foreign header is refused.
func TestParse(t *testing.T) {
	for _, name := range []string{"x86_64-dwarf5.elf", "i386.elf", "s390x.elf", "aarch64.elf"} {
		path := "../../testdata/" + name
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ef, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		h, ok := Parse(b)
		if !ok || h.Class != ef.Class || h.ByteOrder != ef.ByteOrder || h.Type != ef.Type ||
			h.Shnum != uint64(len(ef.Sections)) || h.Phnum != uint64(len(ef.Progs)) {
			t.Errorf("%s: %+v, %v; debug/elf says %v %v %v, %d sections, %d programs", name, h, ok, ef.Class, ef.ByteOrder, ef.Type, len(ef.Sections), len(ef.Progs))
		}
		if len(ef.Sections) > 1 {
			s := ef.Sections[1]
			off := h.Shoff + h.Shentsize
			var got uint64
			if h.Class == elf.ELFCLASS64 {
				got = h.ByteOrder.Uint64(b[off+0x18:])
			} else {
				got = uint64(h.ByteOrder.Uint32(b[off+0x10:]))
			}
			if got != s.Offset {
				t.Errorf("%s: section 1 at %#x by the table Parse placed, %#x by debug/elf", name, got, s.Offset)
			}
		}
		if _, ok := Parse(b[:h.Size-1]); ok {
			t.Errorf("%s: a header cut short was read", name)
		}
		ef.Close()
	}
	if _, ok := Parse([]byte("\x7fELF\x09\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00" + string(make([]byte, 64)))); ok {
		t.Error("an unknown class was read")
	}
}
