package dwarfx

import (
	"bytes"
	"unsafe"
)

// decoder reads little- or big-endian values from one section. Errors are
// sticky: after the first failure every read returns zero and off stops
// moving, so hot helpers return plain values and callers check err once.
type decoder struct {
	data []byte // the whole section
	off  int    // read position in data
	end  int    // reads must stay below end (a unit's end, or len(data))
	big  bool
	err  error
	sec  string // section name, for errors
	d    *Data  // for the file name in errors
}

func (b *decoder) setErr(err error, msg string) {
	if b.err == nil {
		b.err = b.d.sectionErr(b.sec, uint64(b.off), err, msg)
		b.off = b.end
	}
}

func (b *decoder) truncated() { b.setErr(ErrTruncated, "") }

func (b *decoder) u8() uint8 {
	if b.off >= b.end {
		b.truncated()
		return 0
	}
	v := b.data[b.off]
	b.off++
	return v
}

func (b *decoder) u16() uint16 {
	if b.end-b.off < 2 {
		b.truncated()
		return 0
	}
	p := b.data[b.off : b.off+2]
	b.off += 2
	if b.big {
		return uint16(p[1]) | uint16(p[0])<<8
	}
	return uint16(p[0]) | uint16(p[1])<<8
}

func (b *decoder) u24() uint32 {
	if b.end-b.off < 3 {
		b.truncated()
		return 0
	}
	p := b.data[b.off : b.off+3]
	b.off += 3
	if b.big {
		return uint32(p[2]) | uint32(p[1])<<8 | uint32(p[0])<<16
	}
	return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16
}

func (b *decoder) u32() uint32 {
	if b.end-b.off < 4 {
		b.truncated()
		return 0
	}
	p := b.data[b.off : b.off+4]
	b.off += 4
	if b.big {
		return uint32(p[3]) | uint32(p[2])<<8 | uint32(p[1])<<16 | uint32(p[0])<<24
	}
	return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
}

func (b *decoder) u64() uint64 {
	if b.end-b.off < 8 {
		b.truncated()
		return 0
	}
	p := b.data[b.off : b.off+8]
	b.off += 8
	if b.big {
		return uint64(p[7]) | uint64(p[6])<<8 | uint64(p[5])<<16 | uint64(p[4])<<24 |
			uint64(p[3])<<32 | uint64(p[2])<<40 | uint64(p[1])<<48 | uint64(p[0])<<56
	}
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// sized reads an unsigned value of n bytes (1, 2, 4 or 8).
func (b *decoder) sized(n int) uint64 {
	switch n {
	case 1:
		return uint64(b.u8())
	case 2:
		return uint64(b.u16())
	case 4:
		return uint64(b.u32())
	case 8:
		return b.u64()
	}
	b.setErr(ErrMalformed, "unsupported value size")
	return 0
}

// uleb reads an unsigned LEB128 value. Bits beyond 64 are dropped, as
// debug/dwarf does.
func (b *decoder) uleb() uint64 {
	if off := b.off; off < b.end && b.data[off] < 0x80 {
		b.off = off + 1
		return uint64(b.data[off]) // one byte: most codes, attributes and forms
	}
	return b.ulebLong()
}

// ulebLong is uleb for a value of more than one byte.
func (b *decoder) ulebLong() uint64 {
	var v uint64
	var shift uint
	for i := b.off; i < b.end; i++ {
		c := b.data[i]
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 {
			b.off = i + 1
			return v
		}
	}
	b.truncated()
	return 0
}

// sleb reads a signed LEB128 value.
func (b *decoder) sleb() int64 {
	var v int64
	var shift uint
	for i := b.off; i < b.end; i++ {
		c := b.data[i]
		if shift < 64 {
			v |= int64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 {
			b.off = i + 1
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
	b.truncated()
	return 0
}

// skipLEB moves past one LEB128 value of either signedness.
func (b *decoder) skipLEB() {
	for i := b.off; i < b.end; i++ {
		if b.data[i]&0x80 == 0 {
			b.off = i + 1
			return
		}
	}
	b.truncated()
}

// bytes returns the next n bytes without copying.
func (b *decoder) bytes(n uint64) []byte {
	if uint64(b.end-b.off) < n {
		b.truncated()
		return nil
	}
	p := b.data[b.off : b.off+int(n) : b.off+int(n)]
	b.off += int(n)
	return p
}

// skip moves forward n bytes.
func (b *decoder) skip(n uint64) {
	if uint64(b.end-b.off) < n {
		b.truncated()
		return
	}
	b.off += int(n)
}

// cstring returns the NUL-terminated string at the read position, without
// the NUL and without copying.
func (b *decoder) cstring() []byte {
	s, ok := cstringAt(b.data[:b.end], b.off)
	if !ok {
		b.setErr(ErrTruncated, "unterminated string")
		return nil
	}
	b.off += len(s) + 1
	return s
}

// cstringAt returns the NUL-terminated string starting at off in data.
func cstringAt(data []byte, off int) ([]byte, bool) {
	if off < 0 || off >= len(data) {
		return nil, false
	}
	n := bytes.IndexByte(data[off:], 0)
	if n < 0 {
		return nil, false
	}
	return data[off : off+n : off+n], true
}

// bytesString returns b as a string without copying. Section data is never
// written after loading, so the string stays valid and immutable as long as
// it is reachable (it keeps the section alive).
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
