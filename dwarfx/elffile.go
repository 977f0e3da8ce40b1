package dwarfx

import (
	"debug/elf"
	"fmt"
	"io"

	"github.com/kabi-dev/kabi/internal/elfhdr"
)

// NewELFFile opens the ELF file in r with debug/elf, and says what is wrong
// when it cannot: a file that starts as ELF but ends before the headers it
// describes (an interrupted copy keeps the ELF header and loses the
// section headers, which come last) is a *FormatError wrapping
// [ErrTruncated] that gives the file's size and where the headers are; any
// other failure wraps [ErrNotELF] with debug/elf's reason. name is used in
// errors.
func NewELFFile(r io.ReaderAt, name string) (*elf.File, error) {
	ef, err := elf.NewFile(r)
	if err == nil {
		return ef, nil
	}
	var head [64]byte
	n, _ := r.ReadAt(head[:], 0)
	if n < len(elf.ELFMAG) || string(head[:len(elf.ELFMAG)]) != elf.ELFMAG {
		return nil, &FormatError{File: name, Section: "ELF header", Err: ErrNotELF, Msg: err.Error()}
	}
	if msg := elfTruncation(head[:n], readerSize(r)); msg != "" {
		return nil, &FormatError{File: name, Section: "ELF file", Offset: uint64(max(readerSize(r), 0)), Err: ErrTruncated, Msg: msg}
	}
	return nil, &FormatError{File: name, Section: "ELF header", Err: ErrNotELF, Msg: "damaged ELF header: " + err.Error()}
}

// elfTruncation says how an ELF file of size bytes whose header is head
// ends before what its header describes, or "" when it does not (or when
// the header is too damaged to say).
func elfTruncation(head []byte, size int64) string {
	if size < 0 {
		size = int64(len(head)) // a reader of unknown size: judge by what was read
	}
	if len(head) < elf.EI_NIDENT {
		return fmt.Sprintf("the file is truncated: it has %d bytes, fewer than the %d of an ELF identification", min(size, int64(len(head))), elf.EI_NIDENT)
	}
	h, ok := elfhdr.Parse(head)
	if !ok && h.Size == 0 {
		return "" // not a class and byte order known
	}
	if uint64(size) < h.Size {
		return fmt.Sprintf("the file is truncated: it has %d bytes, fewer than the %d of an ELF header", size, h.Size)
	}
	for _, t := range []struct {
		what          string
		off, ent, num uint64
	}{{"section header table", h.Shoff, h.Shentsize, h.Shnum}, {"program header table", h.Phoff, h.Phentsize, h.Phnum}} {
		if t.off == 0 || t.num == 0 || t.ent > 1<<16 {
			continue
		}
		end := t.off + t.ent*t.num
		if end < t.off || end > uint64(size) {
			return fmt.Sprintf("the file is truncated: it has %d bytes, but its %s is at [%#x, %#x) (an interrupted copy or download?)", size, t.what, t.off, end)
		}
	}
	return ""
}
