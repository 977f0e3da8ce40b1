package xz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
)

// oneBlock returns an xz file of one block holding the raw LZMA2 data raw
// (2 MiB dictionary, CRC32 check of plain), whose index says the block
// decodes to claimed bytes.
func oneBlock(raw, plain []byte, claimed int64) []byte {
	flags := [2]byte{0, 1} // CRC32
	// Block header: size, flags (one filter, no sizes), LZMA2 with a
	// 2 MiB dictionary (code 18), padding, CRC32.
	h := []byte{0, 0, 0x21, 1, 18, 0, 0, 0}
	h[0] = byte((len(h)+4)/4 - 1)
	h = binary.LittleEndian.AppendUint32(h, crc32.ChecksumIEEE(h))
	block := append(append(h, raw...), make([]byte, (4-len(raw)%4)%4)...)
	block = binary.LittleEndian.AppendUint32(block, crc32.ChecksumIEEE(plain))
	b := Block{Unpadded: int64(len(h) + len(raw) + 4), Uncompressed: claimed, flags: flags}
	out, err := io.ReadAll(blockStream(bytes.NewReader(block), b))
	if err != nil {
		panic(err)
	}
	return out
}

// TestClaimedSizeNotAllocated: a tiny file whose index claims a 64 MiB
// block (as large as a single block decoded whole may be) that decodes to
// three bytes makes the reader allocate what it decodes, not 64 MiB.
func TestClaimedSizeNotAllocated(t *testing.T) {
	raw := []byte{0x01, 0x00, 0x02, 'a', 'b', 'c', 0x00}
	file := oneBlock(raw, []byte("abc"), smallBlock)
	if len(file) > 100 {
		t.Fatalf("%d bytes; the file should be tiny", len(file))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := NewParallel(bytes.NewReader(file), int64(len(file)), &ParallelOptions{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(r)
	r.Close()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("error %v; want ErrFormat", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Fatalf("a %d-byte file claiming %d MiB made the reader allocate %d KiB", len(file), smallBlock>>20, got>>10)
	}
}
