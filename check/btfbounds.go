package check

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// The object reader trusts the offsets and counts in an object's .BTF and
// .BTF.ext headers: an offset past the section made it slice out of
// bounds, and a record count it allocates for up front can ask for tens
// of gigabytes (a fatal error no recover catches). btfInBounds refuses
// such an object before the reader sees it.

const (
	btfMagic       = 0xeb9f
	btfHeaderSize  = 24 // magic, version, flags, hdr_len, type_off/len, str_off/len
	btfExtBaseSize = 32 // magic, version, flags, hdr_len, func_info_off/len, line_info_off/len
	btfExtCORESize = 40 // ... and core_relo_off/len
)

// btfInBounds checks that the regions the .BTF and .BTF.ext headers name
// lie within their sections, and that every record count in .BTF.ext fits
// the bytes that follow it. A section it cannot read, or one too short
// for a header, is left to the object reader, which reports it.
func btfInBounds(ef *elf.File) error {
	if sec := ef.Section(".BTF"); sec != nil {
		if data, err := sec.Data(); err == nil {
			if err := btfHeaderInBounds(data); err != nil {
				return fmt.Errorf(".BTF: %v", err)
			}
		}
	}
	if sec := ef.Section(".BTF.ext"); sec != nil {
		if data, err := sec.Data(); err == nil {
			if err := btfExtInBounds(data, ef.ByteOrder); err != nil {
				return fmt.Errorf(".BTF.ext: %v", err)
			}
		}
	}
	return nil
}

// btfOrder returns the byte order in which data starts with the BTF
// magic, or nil.
func btfOrder(data []byte) binary.ByteOrder {
	if len(data) < 2 {
		return nil
	}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		if bo.Uint16(data) == btfMagic {
			return bo
		}
	}
	return nil
}

// region checks that the region at off of length n lies within size.
func region(what string, off, n uint32, size uint64) error {
	if uint64(off)+uint64(n) > size {
		return fmt.Errorf("%s at %d of %d bytes reaches past the %d bytes after the header", what, off, n, size)
	}
	return nil
}

func btfHeaderInBounds(data []byte) error {
	bo := btfOrder(data)
	if bo == nil || len(data) < btfHeaderSize {
		return nil
	}
	hdrLen := bo.Uint32(data[4:])
	if hdrLen < btfHeaderSize || uint64(hdrLen) > uint64(len(data)) {
		return fmt.Errorf("header length %d, section has %d bytes", hdrLen, len(data))
	}
	rest := uint64(len(data)) - uint64(hdrLen)
	if err := region("type section", bo.Uint32(data[8:]), bo.Uint32(data[12:]), rest); err != nil {
		return err
	}
	return region("string section", bo.Uint32(data[16:]), bo.Uint32(data[20:]), rest)
}

func btfExtInBounds(data []byte, bo binary.ByteOrder) error {
	if len(data) < 8 || bo.Uint16(data) != btfMagic {
		return nil
	}
	hdrLen := bo.Uint32(data[4:])
	if hdrLen < btfExtBaseSize || uint64(hdrLen) > uint64(len(data)) {
		return fmt.Errorf("header length %d, section has %d bytes", hdrLen, len(data))
	}
	rest := data[hdrLen:]
	// Each subsection's offset and length are at its place in the header;
	// the CO-RE one is there only in a header long enough to hold it.
	subs := []struct {
		what string
		at   int
	}{{"func info", 8}, {"line info", 16}, {"CO-RE relocations", 32}}
	if hdrLen < btfExtCORESize {
		subs = subs[:2]
	}
	for _, s := range subs {
		off, n := bo.Uint32(data[s.at:]), bo.Uint32(data[s.at+4:])
		if err := region(s.what, off, n, uint64(len(rest))); err != nil {
			return err
		}
		if err := extRecordsInBounds(rest[off:uint64(off)+uint64(n)], bo); err != nil {
			return fmt.Errorf("%s: %v", s.what, err)
		}
	}
	return nil
}

// extRecordsInBounds walks one .BTF.ext subsection: a record size, then
// per ELF section a name offset, a record count and the records.
func extRecordsInBounds(b []byte, bo binary.ByteOrder) error {
	if len(b) < 4 {
		return nil
	}
	size := uint64(bo.Uint32(b))
	b = b[4:]
	for len(b) >= 8 {
		num := uint64(bo.Uint32(b[4:]))
		b = b[8:]
		if num*size > uint64(len(b)) {
			return fmt.Errorf("%d records of %d bytes, %d bytes left", num, size, len(b))
		}
		b = b[num*size:]
	}
	return nil
}
