package xz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/ulikunitz/xz/lzma"
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

// TestCloseMidBlock: Close while a worker decodes a large block returns
// after the chunk being decoded, not after the block.
func TestCloseMidBlock(t *testing.T) {
	plain1 := sample(7, 1<<20)
	var buf bytes.Buffer
	w, err := lzma.Writer2Config{DictCap: 1 << 20}.NewWriter2(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain1)
	w.Close()
	one := buf.Bytes()
	if one[0] < 0xe0 || one[len(one)-1] != 0 {
		t.Fatalf("the LZMA2 data starts with %#x and ends with %#x; want a dictionary reset and the end marker", one[0], one[len(one)-1])
	}
	// Each copy resets the dictionary: the copies make one valid block.
	const copies = 16
	raw := append(bytes.Repeat(one[:len(one)-1], copies), 0)
	plain := bytes.Repeat(plain1, copies)
	file := oneBlock(raw, plain, int64(len(plain)))

	full := time.Duration(1 << 62) // the fastest of two decodings of the block
	for range 2 {
		start := time.Now()
		got, err := readAll(t, file, 1)
		full = min(full, time.Since(start))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("the block does not decode: %v", err)
		}
	}
	r, err := NewParallel(bytes.NewReader(file), int64(len(file)), &ParallelOptions{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(full / 10) // the worker is inside the block
	start := time.Now()
	r.Close()
	if took := time.Since(start); took > full/4 {
		t.Fatalf("Close took %v; the whole block decodes in %v", took, full)
	}
}

// TestDecodeStops: with done closed, the decoder stops before the next
// chunk.
func TestDecodeStops(t *testing.T) {
	raw := []byte{0x01, 0x00, 0x02, 'a', 'b', 'c', 0x02, 0x00, 0x00, 'd', 0x00}
	in := append(bytes.Clone(raw), make([]byte, rcOverrun)...)
	if out, _, err := decodeLZMA2(in, len(raw), nil, 4, 1<<16, nil); err != nil || string(out) != "abcd" {
		t.Fatalf("%q, %v", out, err)
	}
	done := make(chan struct{})
	close(done)
	if out, _, err := decodeLZMA2(in, len(raw), nil, 4, 1<<16, done); err != errClosed || len(out) != 0 {
		t.Fatalf("%q, %v; want nothing and errClosed", out, err)
	}
}
