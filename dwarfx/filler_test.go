package dwarfx

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/elfcraft"
	"github.com/kabi-dev/kabi/internal/stage"
)

// sizeless hides the size of a reader, so that a relocatable object's
// sections are read whole and then relocated (see readsIntoBuffer).
type sizeless struct{ r io.ReaderAt }

func (s sizeless) ReadAt(p []byte, off int64) (int, error) { return s.r.ReadAt(p, off) }

// sections returns the sections a Data read, in a fixed order.
func sections(d *Data) [][]byte {
	return [][]byte{d.info, d.types, d.abbrev, d.str, d.lineStr, d.line, d.strOffsets, d.addr, d.ranges, d.rnglists, d.loc, d.loclists}
}

// wholeSections reads the fixture p whole and returns its bytes, its ELF
// file, and copies of its debug sections (see sections) as that read
// gives them: the read's own buffers may serve the next read once it is
// closed.
func wholeSections(t *testing.T, p string) ([]byte, *elf.File, [][]byte) {
	t.Helper()
	b, ef := elfcraft.ReadFile(t, p)
	whole, err := New(sizeless{bytes.NewReader(b)}, p)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	want := sections(whole)
	for i := range want {
		want[i] = bytes.Clone(want[i])
	}
	return b, ef, want
}

// reverseRelocs reverses the order of the entries of every REL or RELA section
// of the relocatable object b that patches a debug section.
func reverseRelocs(t *testing.T, b []byte, ef *elf.File) int {
	n := 0
	for _, s := range ef.Sections {
		if s.Type != elf.SHT_RELA && s.Type != elf.SHT_REL || int(s.Info) >= len(ef.Sections) || !isDebugSection(ef.Sections[s.Info].Name) {
			continue
		}
		esz := int(s.Entsize)
		rel := b[s.Offset : s.Offset+s.Size]
		k := len(rel) / esz
		for i := range k / 2 {
			a, z := rel[i*esz:(i+1)*esz], rel[(k-1-i)*esz:(k-i)*esz]
			tmp := slices.Clone(a)
			copy(a, z)
			copy(z, tmp)
		}
		n += k
	}
	return n
}

// TestReadRelocated checks that reading a module's sections in pieces
// ahead of the relocations (readRelocated) gives the bytes of reading
// each whole and relocating it, with pieces of every size, and with the
// relocations in reverse order (places behind what is read).
func TestReadRelocated(t *testing.T) {
	defer func(c uint64) { fillChunk = c }(fillChunk)
	for _, p := range moduleFixtures(t) {
		b, ef, want := wholeSections(t, p)
		rev := bytes.Clone(b)
		if reverseRelocs(t, rev, ef) < 10 {
			t.Fatalf("%s: too few relocations", p)
		}
		for _, chunk := range []uint64{1, 7, 100, 4096, 128 << 10} {
			fillChunk = chunk
			for _, in := range [][]byte{b, rev} {
				d, err := New(bytes.NewReader(in), p)
				if err != nil {
					t.Fatalf("%s, pieces of %d: %v", p, chunk, err)
				}
				if d.reused != true {
					t.Fatalf("%s: not read into reused buffers", p)
				}
				for i, s := range sections(d) {
					if !bytes.Equal(s, want[i]) {
						t.Fatalf("%s, pieces of %d: section %d differs from reading it whole", p, chunk, i)
					}
				}
				d.Close()
			}
		}
	}
}

// failingAt is a reader whose reads of the byte at off fail, though its
// size says the file is whole.
type failingAt struct {
	*bytes.Reader
	off int64
}

func (f failingAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.off && f.off < off+int64(len(p)) {
		return 0, errors.New("input/output error")
	}
	return f.Reader.ReadAt(p, off)
}

// TestReadRelocatedErrors checks that a read failing in the middle of a
// relocated section is reported as such, and before a bad relocation
// that comes earlier in the relocation section, as when the section was
// read whole first.
func TestReadRelocatedErrors(t *testing.T) {
	defer func(c uint64) { fillChunk = c }(fillChunk)
	fillChunk = 64
	p := "../testdata/modules/6.1.99-1-amd64/kernel/drivers/kfx/kfx_mod.ko"
	b, ef := elfcraft.ReadFile(t, p)
	info := ef.Section(".debug_info")
	rs := ef.Section(".rela.debug_info")
	fail := int64(info.Offset + info.Size - 10)
	_, err := New(failingAt{bytes.NewReader(b), fail}, p)
	if !errors.Is(err, ErrTruncated) || !bytes.Contains([]byte(err.Error()), []byte(".debug_info")) {
		t.Fatalf("read failing in .debug_info: got %v, want ErrTruncated in .debug_info", err)
	}
	bad := bytes.Clone(b)
	binary.LittleEndian.PutUint32(bad[rs.Offset+8:], uint32(elf.R_X86_64_PC32)) // the first entry
	if _, err := New(bytes.NewReader(bad), p); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("bad relocation: got %v, want ErrUnsupported", err)
	}
	if _, err := New(failingAt{bytes.NewReader(bad), fail}, p); !errors.Is(err, ErrTruncated) {
		t.Fatalf("bad relocation and a read failing after it: got %v, want ErrTruncated first", err)
	}
}

// onDisk is a reader whose bytes are not known to be in memory, so that
// sections are read from it through stages.
type onDisk struct{ *bytes.Reader }

// TestReadStaged checks that a module's sections read through stages of
// any size (see readStaged), in pieces of any size ahead of the
// relocations, are the bytes of reading each section whole, and that a
// read failing anywhere in a section is the error of reading that whole
// section: it names the file, the section and the section's whole extent,
// not the piece or the stage being read.
func TestReadStaged(t *testing.T) {
	defer func(c uint64, s int) { fillChunk, stage.Size = c, s }(fillChunk, stage.Size)
	for _, p := range moduleFixtures(t) {
		b, ef, want := wholeSections(t, p)
		for _, size := range []int{24 * 16, 1000, 4096, 128 << 10} {
			for _, chunk := range []uint64{64, 1 << 20} {
				stage.Size, fillChunk = size, chunk
				d, err := New(onDisk{bytes.NewReader(b)}, p)
				if err != nil {
					t.Fatalf("%s, stage %d, pieces of %d: %v", p, size, chunk, err)
				}
				for i, s := range sections(d) {
					if !bytes.Equal(s, want[i]) {
						t.Fatalf("%s, stage %d, pieces of %d: section %d differs from reading it whole", p, size, chunk, i)
					}
				}
				d.Close()
			}
		}
		stage.Size, fillChunk = 24*16, 64
		tried := 0
		for _, name := range []string{".debug_info", ".debug_str", ".debug_line"} {
			s := ef.Section(name)
			if s == nil || s.Size < 500 {
				continue
			}
			for _, at := range []uint64{0, 100, s.Size / 2, s.Size - 1} {
				fail := int64(s.Offset + at)
				_, err := New(failingAt{bytes.NewReader(b), fail}, p)
				tried++
				_, wholeErr := New(sizeless{failingAt{bytes.NewReader(b), fail}}, p)
				if err == nil || wholeErr == nil {
					t.Fatalf("%s: a read failing at %s+%#x: got %v, read whole %v", p, name, at, err, wholeErr)
				}
				if err.Error() != wholeErr.Error() {
					t.Errorf("%s: a read failing at %s+%#x:\n%v\nwant, as read whole:\n%v", p, name, at, err, wholeErr)
				}
				for _, part := range []string{p, name, fmt.Sprintf("reading %d bytes at file offset %#x", s.Size, s.Offset)} {
					if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), part) {
						t.Errorf("%s: a read failing at %s+%#x: %v does not say %q", p, name, at, err, part)
					}
				}
			}
		}
		if tried < 8 {
			t.Errorf("%s: only %d failing reads tried", p, tried)
		}
	}
}

// TestReadStagedEmpty: an empty read at the end of an in-memory file is
// no error, as readAt has it; a read past its end is one.
func TestReadStagedEmpty(t *testing.T) {
	b := []byte("0123456789")
	for _, r := range []io.ReaderAt{bytes.NewReader(b), &stage.Reader{R: bytes.NewReader(b), N: int64(len(b))}} {
		if err := readStaged(r, nil, int64(len(b))); err != nil {
			t.Errorf("%T: empty read at the end: %v", r, err)
		}
		if err := readStaged(r, make([]byte, 4), int64(len(b))-2); err == nil {
			t.Errorf("%T: a read past the end gave no error", r)
		}
	}
}
