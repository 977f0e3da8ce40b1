package index

import (
	"encoding/binary"
	"fmt"
)

// Enc appends varint-encoded values to B.
type Enc struct {
	B []byte
}

// Uvarint appends v as an unsigned LEB128 varint.
func (e *Enc) Uvarint(v uint64) { e.B = binary.AppendUvarint(e.B, v) }

// Varint appends v zigzag-encoded.
func (e *Enc) Varint(v int64) { e.B = binary.AppendVarint(e.B, v) }

// Byte appends one byte.
func (e *Enc) Byte(v byte) { e.B = append(e.B, v) }

// String appends the length of s and its bytes.
func (e *Enc) String(s string) {
	e.Uvarint(uint64(len(s)))
	e.B = append(e.B, s...)
}

// Dec reads what Enc wrote from one section. Errors are sticky: after the
// first failure every read returns zero, so callers check Err once after a
// run of reads. Every count is checked against the bytes left.
type Dec struct {
	data    []byte
	off     int
	err     error
	file    string
	section string
}

// NewDec returns a decoder over data, the contents of the section named
// section of file (both for errors).
func NewDec(data []byte, file, section string) *Dec {
	return &Dec{data: data, file: file, section: section}
}

// Err is the first error met, or nil.
func (d *Dec) Err() error { return d.err }

// Offset is the read position.
func (d *Dec) Offset() int { return d.off }

// Left is the number of bytes not read yet.
func (d *Dec) Left() int { return len(d.data) - d.off }

// Fail records an ErrCorrupt error at the read position unless an error
// was already recorded, and stops further reads.
func (d *Dec) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = &FormatError{File: d.file, Section: d.section, Offset: int64(d.off), Err: ErrCorrupt, Msg: fmt.Sprintf(format, args...)}
		d.off = len(d.data)
	}
}

// Stop records err, met while decoding what the section refers to,
// unless an error was already recorded, and stops further reads.
func (d *Dec) Stop(err error) {
	if d.err == nil {
		d.err = err
		d.off = len(d.data)
	}
}

func (d *Dec) truncated() {
	if d.err == nil {
		d.err = &FormatError{File: d.file, Section: d.section, Offset: int64(d.off), Err: ErrCorrupt, Msg: "data ends early"}
		d.off = len(d.data)
	}
}

// Uvarint reads an unsigned varint.
func (d *Dec) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.off:])
	if n <= 0 {
		if n == 0 {
			d.truncated()
		} else {
			d.Fail("varint overflows 64 bits")
		}
		return 0
	}
	d.off += n
	return v
}

// Varint reads a zigzag-encoded varint.
func (d *Dec) Varint() int64 {
	u := d.Uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// Byte reads one byte.
func (d *Dec) Byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.data) {
		d.truncated()
		return 0
	}
	v := d.data[d.off]
	d.off++
	return v
}

// Count reads a count of items each at least minSize bytes long (at
// least 1) and fails if the bytes left cannot hold them: a count can never
// make a caller allocate more than the data justifies.
func (d *Dec) Count(minSize int) int {
	v := d.Uvarint()
	if d.err != nil {
		return 0
	}
	if v > uint64(d.Left()/max(minSize, 1)) {
		d.Fail("count %d exceeds the %d bytes left", v, d.Left())
		return 0
	}
	return int(v)
}

// Int reads an unsigned varint that must be at most limit.
func (d *Dec) Int(limit int) int {
	v := d.Uvarint()
	if v > uint64(limit) {
		d.Fail("value %d exceeds %d", v, limit)
		return 0
	}
	return int(v)
}

// Ref reads a reference into a table of n entries.
func (d *Dec) Ref(n int) int {
	v := d.Uvarint()
	if d.err == nil && v >= uint64(n) {
		d.Fail("reference %d outside a table of %d", v, n)
		return 0
	}
	return int(v)
}

// Bytes reads a length-prefixed byte string; the result aliases the data.
func (d *Dec) Bytes() []byte {
	n := d.Count(1)
	if d.err != nil {
		return nil
	}
	b := d.data[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// String reads a length-prefixed string.
func (d *Dec) String() string { return string(d.Bytes()) }

// Done fails unless every byte was read, and returns Err.
func (d *Dec) Done() error {
	if d.err == nil && d.off != len(d.data) {
		d.Fail("%d bytes left over", len(d.data)-d.off)
	}
	return d.err
}

// Raw reads n bytes; the result aliases the data.
func (d *Dec) Raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.Left() {
		d.truncated()
		return nil
	}
	b := d.data[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}
