package kmem

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"testing"
)

func image(t *testing.T, name string) (*Image, *elf.File) {
	t.Helper()
	data, err := os.ReadFile("../../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return New(ef, bytes.NewReader(data), name), ef
}

func TestImage(t *testing.T) {
	for _, c := range []struct {
		file string
		ptr  int
	}{{"hooks-6.1.99-1-amd64.elf", 8}, {"hooks-6.1.99-1-686-pae.elf", 4}, {"hooks-6.1.99-1-s390x.elf", 8}} {
		m, ef := image(t, c.file)
		if m.PointerSize() != c.ptr || m.ByteOrder() != ef.ByteOrder {
			t.Errorf("%s: pointer size %d, order %v", c.file, m.PointerSize(), m.ByteOrder())
		}
		syms, _ := ef.Symbols()
		var tp, bss elf.Symbol
		for _, s := range syms {
			switch s.Name {
			case "__tracepoint_sched_switch":
				tp = s
			case "kfx_sink":
				bss = s
			}
		}
		// struct tracepoint's first member points to its name.
		p, err := m.Pointer(tp.Value)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := m.String(p, 0); err != nil || s != "sched_switch" {
			t.Errorf("%s: name %q, %v", c.file, s, err)
		}
		if _, err := m.Read(0x10, 4); !errors.Is(err, ErrOutside) {
			t.Errorf("%s: read at 0x10: %v", c.file, err)
		}
		sec, ok := m.SectionOf(tp.Value)
		if !ok {
			t.Fatal("no section")
		}
		end := sec.Addr + sec.Size
		if _, err := m.Read(end-2, 4); !errors.Is(err, ErrCrossing) {
			t.Errorf("%s: read across the end: %v", c.file, err)
		}
		if _, err := m.Pointers(end-uint64(c.ptr), 2); !errors.Is(err, ErrCrossing) {
			t.Errorf("%s: pointers across the end: %v", c.file, err)
		}
		if _, err := m.Pointers(tp.Value, -1); err == nil {
			t.Errorf("%s: -1 pointers", c.file)
		}
		if bss.Value != 0 {
			if _, err := m.Read(bss.Value, 1); !errors.Is(err, ErrNoContents) {
				t.Errorf("%s: read in .bss: %v", c.file, err)
			}
		}
		// A string that reaches the end of its section without a NUL.
		last := end - 1
		if b, err := m.Read(last, 1); err == nil && b[0] != 0 {
			if _, err := m.String(last, 0); !errors.Is(err, ErrUnterminated) {
				t.Errorf("%s: unterminated: %v", c.file, err)
			}
		}
		if _, err := m.String(p, 3); !errors.Is(err, ErrUnterminated) {
			t.Errorf("%s: a string longer than its limit: %v", c.file, err)
		}
	}
}

// relocELF builds a little-endian ELF64 image for machine with a .data
// section of two words at 0x1000 (the first zero, the second 0x1234) and
// a .rela.dyn holding rela (24-byte entries).
func relocELF(machine elf.Machine, rela []byte) []byte {
	le := binary.LittleEndian
	shstr := []byte("\x00.data\x00.rela.dyn\x00.shstrtab\x00")
	data := make([]byte, 16)
	le.PutUint64(data[8:], 0x1234)
	const hdr = 64
	dataOff := uint64(hdr)
	relaOff := dataOff + uint64(len(data))
	strOff := relaOff + uint64(len(rela))
	shOff := strOff + uint64(len(shstr))
	out := make([]byte, shOff+4*64)
	copy(out, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1})
	le.PutUint16(out[16:], uint16(elf.ET_EXEC))
	le.PutUint16(out[18:], uint16(machine))
	le.PutUint32(out[20:], 1)
	le.PutUint64(out[40:], shOff)
	le.PutUint16(out[52:], hdr)
	le.PutUint16(out[58:], 64)
	le.PutUint16(out[60:], 4)
	le.PutUint16(out[62:], 3)
	copy(out[dataOff:], data)
	copy(out[relaOff:], rela)
	copy(out[strOff:], shstr)
	sh := func(i int, name uint32, typ elf.SectionType, flags elf.SectionFlag, addr, off, size, entsize uint64) {
		b := out[shOff+uint64(i)*64:]
		le.PutUint32(b[0:], name)
		le.PutUint32(b[4:], uint32(typ))
		le.PutUint64(b[8:], uint64(flags))
		le.PutUint64(b[16:], addr)
		le.PutUint64(b[24:], off)
		le.PutUint64(b[32:], size)
		le.PutUint64(b[48:], 8)
		le.PutUint64(b[56:], entsize)
	}
	sh(1, 1, elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_WRITE, 0x1000, dataOff, uint64(len(data)), 0)
	sh(2, 7, elf.SHT_RELA, elf.SHF_ALLOC, 0x2000, relaOff, uint64(len(rela)), 24)
	sh(3, 17, elf.SHT_STRTAB, 0, 0, strOff, uint64(len(shstr)), 0)
	return out
}

func relaEntry(off uint64, typ uint32, addend uint64) []byte {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint64(b, off)
	binary.LittleEndian.PutUint64(b[8:], uint64(typ))
	binary.LittleEndian.PutUint64(b[16:], addend)
	return b
}

// TestRelocated: a relocatable kernel's pointers are zero in the file and
// take their value from .rela.dyn's RELATIVE entries; other entries and
// other machines' types are not applied; a damaged table is an error.
func TestRelocated(t *testing.T) {
	open := func(machine elf.Machine, rela []byte) *Image {
		t.Helper()
		b := relocELF(machine, rela)
		ef, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return New(ef, bytes.NewReader(b), "reloc.elf")
	}
	rela := append(relaEntry(0x1000, uint32(elf.R_AARCH64_RELATIVE), 0xffff800008001234),
		relaEntry(0x1008, uint32(elf.R_AARCH64_ABS64), 0x99)...)
	m := open(elf.EM_AARCH64, rela)
	ps, err := m.Pointers(0x1000, 2)
	if err != nil || ps[0] != 0xffff800008001234 || ps[1] != 0x1234 {
		t.Errorf("arm64 pointers = %#x, %v; want the RELATIVE value, then the file's", ps, err)
	}
	if p, err := m.Pointer(0x1000); err != nil || p != 0xffff800008001234 {
		t.Errorf("arm64 pointer = %#x, %v", p, err)
	}
	// The same entry type means another relocation on another machine.
	m = open(elf.EM_PPC64, rela)
	if p, err := m.Pointer(0x1000); err != nil || p != 0 {
		t.Errorf("ppc64 pointer with an arm64 type = %#x, %v; want the file's 0", p, err)
	}
	// A table that is no list of entries.
	m = open(elf.EM_AARCH64, rela[:30])
	if _, err := m.Pointer(0x1000); !errors.Is(err, ErrBadRelocations) {
		t.Errorf("damaged .rela.dyn: %v, want ErrBadRelocations", err)
	}
}
