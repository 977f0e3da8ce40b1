package kabi

import (
	"bytes"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// TestReadScratch checks that readScratch gives what debug/elf's
// Section.Data gives, for every section of the fixture modules, in a
// buffer that the next read reuses once given back; and, for a file cut
// short anywhere in a section, the same error.
func TestReadScratch(t *testing.T) {
	paths, _ := filepath.Glob("testdata/modules/*/kernel/drivers/kfx/*.ko")
	if len(paths) < 4 {
		t.Fatalf("only %d fixture modules", len(paths))
	}
	freelist.DropAll()
	defer freelist.Hold()() // buffers are kept from read to read, as in a kernel's read
	reused, tried, cuts := 0, 0, 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ef, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ef.Sections {
			if s.Type == elf.SHT_NOBITS || s.Size == 0 {
				continue
			}
			want, werr := s.Data()
			got, put, err := readScratch(s)
			if err != nil || werr != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s %s: readScratch differs from Data (errors %v, %v)", p, s.Name, err, werr)
			}
			put()
			again, put, err := readScratch(s)
			if err != nil || !bytes.Equal(again, want) {
				t.Fatalf("%s %s: read again: %v", p, s.Name, err)
			}
			if &again[0] == &got[0] {
				reused++
			}
			put()
			tried++
		}
		// Cut short within .symtab: at its start and in its middle.
		s := ef.Section(".symtab")
		for _, cut := range []uint64{s.Offset, s.Offset + s.Size/2} {
			short, err := elf.NewFile(holeAt{bytes.NewReader(b), int64(cut), int64(s.Offset + s.Size)})
			if err != nil {
				t.Fatal(err)
			}
			ss := short.Section(".symtab")
			_, werr := ss.Data()
			_, _, err = readScratch(ss)
			if err == nil || werr == nil || err.Error() != werr.Error() {
				t.Errorf("%s cut at %#x: readScratch says %v, Data %v", p, cut, err, werr)
			}
			cuts++
		}
	}
	if cuts < 2*len(paths) {
		t.Errorf("only %d cut sections tried", cuts)
	}
	if reused < tried/2 {
		t.Errorf("only %d of %d reads reused the buffer given back before", reused, tried)
	}
}

// holeAt reads as its reader, but for the bytes from from to to, which
// it reads as the end of the file: a section cut short in a file whose
// headers are still there.
type holeAt struct {
	*bytes.Reader
	from, to int64
}

func (h holeAt) ReadAt(p []byte, off int64) (int, error) {
	if off < h.to && off+int64(len(p)) > h.from {
		n := 0
		if off < h.from {
			n, _ = h.Reader.ReadAt(p[:h.from-off], off)
		}
		return n, io.EOF
	}
	return h.Reader.ReadAt(p, off)
}
