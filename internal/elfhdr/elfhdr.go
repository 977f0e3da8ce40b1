// Package elfhdr reads the fields of an ELF file header that say where
// its tables are, from the header's bytes alone: for readers that judge
// a file before debug/elf reads it (a truncated file), or that read only
// parts of it (a file inside an archive).
package elfhdr

import (
	"debug/elf"
	"encoding/binary"
)

// A Header is the fields of an ELF file header that place its tables.
type Header struct {
	Class     elf.Class
	ByteOrder binary.ByteOrder
	Type      elf.Type
	Size      uint64 // of the header: 52 or 64 bytes
	Phoff     uint64 // the program header table: offset, entry size, entries
	Phentsize uint64
	Phnum     uint64
	Shoff     uint64 // the section header table: offset, entry size, entries
	Shentsize uint64
	Shnum     uint64
}

// Parse reads the header at the start of head. It reports false when head
// is not an ELF header of a known class and byte order, or is shorter than
// its class's header.
func Parse(head []byte) (Header, bool) {
	if len(head) < elf.EI_NIDENT || string(head[:4]) != elf.ELFMAG {
		return Header{}, false
	}
	var h Header
	switch elf.Data(head[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		h.ByteOrder = binary.LittleEndian
	case elf.ELFDATA2MSB:
		h.ByteOrder = binary.BigEndian
	default:
		return Header{}, false
	}
	bo := h.ByteOrder
	h.Class = elf.Class(head[elf.EI_CLASS])
	switch h.Class {
	case elf.ELFCLASS64:
		h.Size = 64
		if len(head) < 64 {
			return h, false
		}
		h.Phoff, h.Shoff = bo.Uint64(head[0x20:]), bo.Uint64(head[0x28:])
		h.Phentsize, h.Phnum = uint64(bo.Uint16(head[0x36:])), uint64(bo.Uint16(head[0x38:]))
		h.Shentsize, h.Shnum = uint64(bo.Uint16(head[0x3a:])), uint64(bo.Uint16(head[0x3c:]))
	case elf.ELFCLASS32:
		h.Size = 52
		if len(head) < 52 {
			return h, false
		}
		h.Phoff, h.Shoff = uint64(bo.Uint32(head[0x1c:])), uint64(bo.Uint32(head[0x20:]))
		h.Phentsize, h.Phnum = uint64(bo.Uint16(head[0x2a:])), uint64(bo.Uint16(head[0x2c:]))
		h.Shentsize, h.Shnum = uint64(bo.Uint16(head[0x2e:])), uint64(bo.Uint16(head[0x30:]))
	default:
		return Header{}, false
	}
	h.Type = elf.Type(bo.Uint16(head[0x10:]))
	return h, true
}
