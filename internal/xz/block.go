package xz

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
)

var crc64Table = crc64.MakeTable(crc64.ECMA)

// checkSize returns the size of the check of the stream flags' check type.
func checkSize(flags [2]byte) (int, error) {
	if flags[0] != 0 || flags[1]&0xf0 != 0 {
		return 0, fmt.Errorf("%w: reserved stream flags set", ErrFormat)
	}
	switch flags[1] {
	case 0x00:
		return 0, nil
	case 0x01:
		return 4, nil
	case 0x04:
		return 8, nil
	case 0x0a:
		return 32, nil
	}
	return 0, fmt.Errorf("%w: unsupported check type %d", ErrFormat, flags[1])
}

// blockHeader is what a block header says.
type blockHeader struct {
	size         int   // of the header
	compressed   int64 // -1: not given
	uncompressed int64 // -1: not given
	lzma2        bool  // the only filter is LZMA2
	dict         uint64
}

// parseBlockHeader parses the block header h (its length is given by its
// first byte; h holds at least that much).
func parseBlockHeader(h []byte) (blockHeader, error) {
	bh := blockHeader{compressed: -1, uncompressed: -1}
	if len(h) == 0 || h[0] == 0 {
		return bh, fmt.Errorf("%w: no block header", ErrFormat)
	}
	n := (int(h[0]) + 1) * 4
	if len(h) < n {
		return bh, fmt.Errorf("%w: block header cut short", ErrFormat)
	}
	h = h[:n]
	bh.size = n
	if crc32.ChecksumIEEE(h[:n-4]) != binary.LittleEndian.Uint32(h[n-4:]) {
		return bh, fmt.Errorf("%w: block header: bad CRC32", ErrFormat)
	}
	flags, d := h[1], h[2:n-4]
	if flags&0x3c != 0 {
		return bh, fmt.Errorf("%w: block header: reserved flags set", ErrFormat)
	}
	var err error
	var v uint64
	if flags&0x40 != 0 {
		if v, d, err = uvarint(d); err != nil || v == 0 || v > 1<<62 {
			return bh, fmt.Errorf("%w: block header: bad compressed size", ErrFormat)
		}
		bh.compressed = int64(v)
	}
	if flags&0x80 != 0 {
		if v, d, err = uvarint(d); err != nil || v > 1<<62 {
			return bh, fmt.Errorf("%w: block header: bad uncompressed size", ErrFormat)
		}
		bh.uncompressed = int64(v)
	}
	filters := int(flags&3) + 1
	for i := range filters {
		var id, np uint64
		if id, d, err = uvarint(d); err != nil {
			return bh, fmt.Errorf("%w: block header: filter", ErrFormat)
		}
		if np, d, err = uvarint(d); err != nil || np > uint64(len(d)) {
			return bh, fmt.Errorf("%w: block header: filter properties", ErrFormat)
		}
		if id == 0x21 && np == 1 && i == filters-1 {
			c := uint64(d[0])
			if c > 40 {
				return bh, fmt.Errorf("%w: block header: LZMA2 dictionary code %d", ErrFormat, c)
			}
			if c == 40 {
				bh.dict = 1<<32 - 1
			} else {
				bh.dict = (2 | c&1) << (c/2 + 11)
			}
			bh.lzma2 = filters == 1
		}
		d = d[np:]
	}
	for _, c := range d {
		if c != 0 {
			return bh, fmt.Errorf("%w: block header: bad padding", ErrFormat)
		}
	}
	return bh, nil
}

// decodeOwn decodes block b of r into buf[:0] (grown as decoded: see
// decodeLZMA2) with this package's LZMA2 decoder, and verifies the
// block's sizes, padding and check. It returns the output (b.Uncompressed
// bytes) and in, grown to hold the compressed bytes. It reports false,
// without an error, for a block whose filters it does not know. Closing
// done stops it at the next LZMA2 chunk.
func decodeOwn(r io.ReaderAt, b Block, buf, in []byte, done <-chan struct{}) (bool, []byte, []byte, error) {
	csize, err := checkSize(b.flags)
	if err != nil {
		return true, buf, in, err
	}
	padded := b.padded()
	if padded > 1<<40 {
		return true, buf, in, fmt.Errorf("%w: block at %d: %d bytes", ErrFormat, b.Offset, padded)
	}
	need := int(padded) + rcOverrun
	if cap(in) < need {
		in = make([]byte, need)
	}
	in = in[:need]
	if _, err := r.ReadAt(in[:padded], b.Offset); err != nil {
		return true, buf, in, fmt.Errorf("%w: block at %d: %v", ErrFormat, b.Offset, err)
	}
	clear(in[padded:])
	bh, err := parseBlockHeader(in[:padded])
	if err != nil {
		return true, buf, in, fmt.Errorf("block at %d: %w", b.Offset, err)
	}
	if !bh.lzma2 {
		return false, buf, in, nil
	}
	if bh.dict > MaxDict {
		return true, buf, in, fmt.Errorf("%w: block at %d asks for a %d MiB LZMA2 dictionary; at most %d MiB is allowed", ErrFormat, b.Offset, bh.dict>>20, MaxDict>>20)
	}
	comp := b.Unpadded - int64(bh.size) - int64(csize)
	if comp <= 0 || (bh.compressed >= 0 && bh.compressed != comp) || (bh.uncompressed >= 0 && bh.uncompressed != b.Uncompressed) {
		return true, buf, in, fmt.Errorf("%w: block at %d: its header's sizes disagree with the index", ErrFormat, b.Offset)
	}
	data := in[bh.size : bh.size+int(comp)]
	buf, used, err := decodeLZMA2(in[bh.size:], len(data), buf, int(b.Uncompressed), uint32(bh.dict), done)
	if err == errClosed {
		return true, buf, in, err
	}
	if err != nil {
		return true, buf, in, fmt.Errorf("%w: block at %d: %v", ErrFormat, b.Offset, err)
	}
	if used != len(data) {
		return true, buf, in, fmt.Errorf("%w: block at %d: the LZMA2 data ends %d bytes before the block's", ErrFormat, b.Offset, len(data)-used)
	}
	end := bh.size + int(comp)
	pad := int(padded) - int(b.Unpadded)
	for _, c := range in[end : end+pad] {
		if c != 0 {
			return true, buf, in, fmt.Errorf("%w: block at %d: bad padding", ErrFormat, b.Offset)
		}
	}
	check := in[end+pad : end+pad+csize]
	var ok bool
	switch csize {
	case 0:
		ok = true
	case 4:
		ok = crc32.ChecksumIEEE(buf) == binary.LittleEndian.Uint32(check)
	case 8:
		ok = crc64.Checksum(buf, crc64Table) == binary.LittleEndian.Uint64(check)
	case 32:
		sum := sha256.Sum256(buf)
		ok = bytes.Equal(sum[:], check)
	}
	if !ok {
		return true, buf, in, fmt.Errorf("%w: block at %d: the check does not match the data", ErrFormat, b.Offset)
	}
	return true, buf, in, nil
}
