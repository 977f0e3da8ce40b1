package dwarfx

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
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
	var bo binary.ByteOrder
	switch elf.Data(head[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		bo = binary.LittleEndian
	case elf.ELFDATA2MSB:
		bo = binary.BigEndian
	default:
		return ""
	}
	var hdrSize, phoff, shoff, phentsize, phnum, shentsize, shnum uint64
	switch elf.Class(head[elf.EI_CLASS]) {
	case elf.ELFCLASS64:
		hdrSize = 64
		if uint64(len(head)) < hdrSize {
			break
		}
		phoff, shoff = bo.Uint64(head[0x20:]), bo.Uint64(head[0x28:])
		phentsize, phnum = uint64(bo.Uint16(head[0x36:])), uint64(bo.Uint16(head[0x38:]))
		shentsize, shnum = uint64(bo.Uint16(head[0x3a:])), uint64(bo.Uint16(head[0x3c:]))
	case elf.ELFCLASS32:
		hdrSize = 52
		if uint64(len(head)) < hdrSize {
			break
		}
		phoff, shoff = uint64(bo.Uint32(head[0x1c:])), uint64(bo.Uint32(head[0x20:]))
		phentsize, phnum = uint64(bo.Uint16(head[0x2a:])), uint64(bo.Uint16(head[0x2c:]))
		shentsize, shnum = uint64(bo.Uint16(head[0x2e:])), uint64(bo.Uint16(head[0x30:]))
	default:
		return ""
	}
	if uint64(size) < hdrSize {
		return fmt.Sprintf("the file is truncated: it has %d bytes, fewer than the %d of an ELF header", size, hdrSize)
	}
	for _, t := range []struct {
		what          string
		off, ent, num uint64
	}{{"section header table", shoff, shentsize, shnum}, {"program header table", phoff, phentsize, phnum}} {
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
