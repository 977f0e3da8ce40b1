package kabi

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
)

// symtabFixture returns a copy of the x86_64-dwarf5 fixture, and the file
// offset and size of its .symtab and .strtab.
func symtabFixture(t testing.TB) (b []byte, symtab, strtab *elf.Section) {
	t.Helper()
	b, err := os.ReadFile("testdata/x86_64-dwarf5.elf")
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	symtab = ef.Section(".symtab")
	return b, symtab, ef.Sections[symtab.Link]
}

// funcEntry returns the index of the first STT_FUNC entry of .symtab
// (ELF64 little-endian) that names nameWant, and its bytes.
func funcEntry(t testing.TB, b []byte, symtab, strtab *elf.Section, nameWant string) (int, []byte) {
	t.Helper()
	for i := 1; i < int(symtab.Size/24); i++ {
		e := b[symtab.Offset+uint64(i*24):][:24]
		off := strtab.Offset + uint64(binary.LittleEndian.Uint32(e))
		n := bytes.IndexByte(b[off:], 0)
		if elf.ST_TYPE(e[4]) == elf.STT_FUNC && string(b[off:off+uint64(n)]) == nameWant {
			return i, e
		}
	}
	t.Fatalf("no function symbol %s", nameWant)
	return 0, nil
}

// TestSymtabDamage damages one function symbol of a fixture in each way
// the checks look for, and one symbol in many places (as overwriting a
// block of the table does); each is an error wrapping ErrBadSymbols that
// names the file, .symtab, the entry's offset and what is wrong.
func TestSymtabDamage(t *testing.T) {
	le := binary.LittleEndian
	for _, tc := range []struct {
		name   string
		damage func(e []byte, strtab *elf.Section)
		text   string
	}{
		{"name past .strtab", func(e []byte, s *elf.Section) { le.PutUint32(e, uint32(s.Size)+100) }, "is past the end of .strtab"},
		{"empty name", func(e []byte, s *elf.Section) { le.PutUint32(e, 0) }, "a function symbol without a name"},
		{"huge size", func(e []byte, s *elf.Section) { le.PutUint64(e[16:], 1<<63-5) }, "is outside its section .text"},
		{"overflow", func(e []byte, s *elf.Section) { le.PutUint64(e[16:], math.MaxUint64) }, "overflow"},
		{"address before section", func(e []byte, s *elf.Section) { le.PutUint64(e[8:], 0x10) }, "is outside its section .text"},
		{"no such section", func(e []byte, s *elf.Section) { le.PutUint16(e[6:], 0xfe00) }, "is in section 65024"},
	} {
		b, symtab, strtab := symtabFixture(t)
		i, e := funcEntry(t, b, symtab, strtab, "vm_map_page")
		tc.damage(e, strtab)
		_, err := New(bytes.NewReader(b), "damaged.elf", nil)
		var fe *dwarfx.FormatError
		if !errors.Is(err, ErrBadSymbols) || !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a FormatError wrapping ErrBadSymbols", tc.name, err)
			continue
		}
		if fe.Section != ".symtab" || fe.Offset != uint64(i*24) || !strings.HasPrefix(err.Error(), "damaged.elf: .symtab at offset") ||
			!strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: got %q (section %s offset %#x), want .symtab offset %#x saying %q", tc.name, err, fe.Section, fe.Offset, i*24, tc.text)
		}
	}

	// A block overwritten with bytes that are not symbols: every entry in it
	// is checked, the first is named and the rest counted.
	b, symtab, _ := symtabFixture(t)
	block := b[symtab.Offset+24*4:][:24*6]
	for k := range block {
		block[k] = byte(0xa5 + k*31)
	}
	_, err := New(bytes.NewReader(b), "block.elf", nil)
	if !errors.Is(err, ErrBadSymbols) || !strings.Contains(err.Error(), "symbol 4:") || !strings.Contains(err.Error(), "more damaged symbols") {
		t.Errorf("overwritten block: %v", err)
	}
}

// TestSymtabKernel reads the symbol table of a real kernel: nothing is
// refused, and the function symbols are those debug/elf reads.
func TestSymtabKernel(t *testing.T) {
	p := realKernel(t)
	ef, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	got, err := readSymtab(ef, p, dwarfx.NewBudget(math.MaxUint64))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d symbols, debug/elf reads %d", len(got), len(want))
	}
	funcs := 0
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || g.Info != w.Info || g.Section != w.Section || g.Value != w.Value || g.Size != w.Size {
			t.Fatalf("symbol %d: %+v, debug/elf reads %+v", i+1, g, w)
		}
		if elf.ST_TYPE(g.Info) == elf.STT_FUNC {
			funcs++
		}
	}
	t.Logf("%d symbols, %d functions, all valid", len(got), funcs)
}

// patchedReader reads r with data laid over it at off.
type patchedReader struct {
	r    io.ReaderAt
	off  int64
	data []byte
}

func (p *patchedReader) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.r.ReadAt(b, off)
	lo, hi := max(off, p.off), min(off+int64(n), p.off+int64(len(p.data)))
	if lo < hi {
		copy(b[lo-off:hi-off], p.data[lo-p.off:hi-p.off])
	}
	return n, err
}

// TestSymtabKernelDamaged overwrites 4 KiB in the middle of a real
// kernel's symbol table with other bytes (without copying the file): the
// reading fails with ErrBadSymbols instead of counting nameless functions.
func TestSymtabKernelDamaged(t *testing.T) {
	p := realKernel(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	s := ef.Section(".symtab")
	junk := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(13, 4096))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	pr := &patchedReader{r: f, off: int64(s.Offset + s.Size/2), data: junk}
	ef2, err := elf.NewFile(pr)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readSymbols(ef2, p, dwarfx.NewBudget(math.MaxUint64))
	if !errors.Is(err, ErrBadSymbols) {
		t.Fatalf("got %v, want ErrBadSymbols", err)
	}
	t.Log(err)
}
