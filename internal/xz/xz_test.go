package xz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// member returns the ar member named name of the package at path.
func member(t testing.TB, path, name string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(name))
	if i < 0 {
		t.Fatalf("%s: no %s", path, name)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data[i+48 : i+58])))
	if err != nil {
		t.Fatal(err)
	}
	return data[i+60 : i+60+n]
}

func readAll(t *testing.T, data []byte, conc int) ([]byte, error) {
	t.Helper()
	r, err := NewParallel(bytes.NewReader(data), int64(len(data)), &ParallelOptions{Concurrency: conc})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestParallel(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	blocks, err := Blocks(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 10 {
		t.Fatalf("%d blocks; the fixture should have many", len(blocks))
	}
	want := sequential(t, data)
	var total int64
	for _, b := range blocks {
		total += b.Uncompressed
	}
	if total != int64(len(want)) {
		t.Fatalf("the index says %d bytes; the data has %d", total, len(want))
	}
	for _, conc := range []int{1, 2, 3, 8} {
		got, err := readAll(t, data, conc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Concurrency %d: the output differs from the sequential decoder's", conc)
		}
	}
	// Two streams, concatenated with padding, read as one file.
	two := append(append(append([]byte{}, data...), 0, 0, 0, 0), data...)
	got, err := readAll(t, two, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(append([]byte{}, want...), want...)) {
		t.Fatal("two streams: the output differs")
	}
}

func TestParallelClose(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	for range 20 {
		r, err := NewParallel(bytes.NewReader(data), int64(len(data)), &ParallelOptions{Concurrency: 3})
		if err != nil {
			t.Fatal(err)
		}
		var b [5000]byte
		io.ReadFull(r, b[:])
		r.Close()
		if _, err := r.Read(b[:]); err == nil {
			t.Fatal("Read after Close succeeded")
		}
	}
}

func TestParallelCorrupt(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	blocks, _ := Blocks(bytes.NewReader(data), int64(len(data)))
	for _, c := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"block data", func(d []byte) []byte { d[blocks[3].Offset+20] ^= 0x55; return d }},
		{"block check", func(d []byte) []byte { d[blocks[3].Offset+blocks[3].Unpadded-1] ^= 1; return d }},
		{"truncated", func(d []byte) []byte { return d[:len(d)-100] }},
		{"footer", func(d []byte) []byte { d[len(d)-3] ^= 1; return d }},
		{"index size", func(d []byte) []byte { d[len(d)-8]++; return d }},
		{"empty", func(d []byte) []byte { return nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := c.edit(bytes.Clone(data))
			_, err := readAll(t, d, 2)
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v; want one wrapping ErrFormat", err)
			}
			t.Log(err)
		})
	}
}

func FuzzXZ(f *testing.F) {
	data := member(f, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	f.Add(data)
	f.Add(member(f, "../../testdata/deb/nokernel.deb", "data.tar.xz"))
	f.Fuzz(func(t *testing.T, d []byte) {
		r, err := NewParallel(bytes.NewReader(d), int64(len(d)), &ParallelOptions{Concurrency: 2})
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		defer r.Close()
		n, err := io.Copy(io.Discard, io.LimitReader(r, 64<<20))
		if err != nil && !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v does not wrap ErrFormat", err)
		}
		if errors.Is(err, errDecoderPanic) {
			t.Fatalf("the decoder panicked: %v", err) // callers get ErrFormat; a fuzzer reports the bug
		}
		_ = n
	})
}

// TestDecodeFile decodes the xz file named by KABI_XZ_FILE to nothing,
// with KABI_XZ_CONCURRENCY workers (0: GOMAXPROCS), for timing the decoder
// against xz -dc on the same file:
//
//	go test -c -o /tmp/xz.test ./internal/xz
//	KABI_XZ_FILE=data.tar.xz /usr/bin/time /tmp/xz.test -test.run TestDecodeFile -test.v
func TestDecodeFile(t *testing.T) {
	path := os.Getenv("KABI_XZ_FILE")
	if path == "" {
		t.Skip("KABI_XZ_FILE not set")
	}
	conc, _ := strconv.Atoi(os.Getenv("KABI_XZ_CONCURRENCY"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	blocks, err := Blocks(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewParallel(f, st.Size(), &ParallelOptions{Concurrency: conc})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d blocks, %d bytes decoded", len(blocks), n)
}

// TestParallelHugeDictionary: a block header asking for a 4 GiB LZMA2
// dictionary is refused before a decoder allocates it, and every real
// block's dictionary is read from its header.
func TestParallelHugeDictionary(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	blocks, err := Blocks(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		dict, err := blockDict(bytes.NewReader(data), b)
		if err != nil || dict == 0 || dict > MaxDict {
			t.Fatalf("block at %d: dictionary %d, %v", b.Offset, dict, err)
		}
	}
	// The LZMA2 properties byte is the last before the header's padding
	// and CRC: find it as the byte after the filter ID 0x21 and size 1.
	d := bytes.Clone(data)
	h := d[blocks[1].Offset : blocks[1].Offset+int64(d[blocks[1].Offset]+1)*4]
	i := bytes.Index(h, []byte{0x21, 0x01})
	if i < 0 {
		t.Fatal("no LZMA2 filter in the block header")
	}
	h[i+2] = 40 // 4 GiB - 1
	binary.LittleEndian.PutUint32(h[len(h)-4:], crc32.ChecksumIEEE(h[:len(h)-4]))
	_, err = readAll(t, d, 2)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "dictionary") {
		t.Fatalf("error %v; want the dictionary refused", err)
	}
}

// TestStopAt: a reader told where its reader stops delivers the data up
// to there and fails past it, rather than decoding on.
func TestStopAt(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	want, err := readAll(t, data, 1)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := Blocks(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(blocks) < 4 {
		t.Fatalf("%d blocks, %v", len(blocks), err)
	}
	r, err := NewParallel(bytes.NewReader(data), int64(len(data)), &ParallelOptions{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stop := blocks[2].uncompressedFrom + 1 // one byte into the third block
	r.(interface{ StopAt(int64) }).StopAt(stop)
	got := make([]byte, stop)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want[:stop]) {
		t.Fatal("the data before the stop differs")
	}
	if n, err := io.ReadFull(r, make([]byte, blocks[2].Uncompressed)); !errors.Is(err, errStopped) {
		t.Fatalf("read %d bytes past the stop, error %v", n, err)
	}
}

// trackedAlloc is a ParallelOptions.Alloc that counts its buffers and
// spoils each one it frees, so that a block read after its buffer is
// freed shows as a difference in the output.
type trackedAlloc struct {
	mu          sync.Mutex
	live, total int
	freedTwice  bool
}

func (a *trackedAlloc) alloc(n int) ([]byte, func(), error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.live++
	a.total++
	b := make([]byte, n)
	freed := false
	return b, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if freed {
			a.freedTwice = true
			return
		}
		freed = true
		a.live--
		for i := range b {
			b[i] = 0xa5
		}
	}, nil
}

func (a *trackedAlloc) check(t *testing.T, workers int, some bool) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.live != 0 || a.freedTwice {
		t.Fatalf("%d buffers not freed (freed twice: %v)", a.live, a.freedTwice)
	}
	if some && a.total == 0 || a.total > 2*workers+3 {
		t.Fatalf("%d buffers allocated; want 1 to %d, reused from block to block", a.total, 2*workers+3)
	}
}

// TestParallelAlloc: with ParallelOptions.Alloc, blocks are decoded into
// its buffers, reused from block to block, and every buffer is freed once
// the reader reaches the end or is closed, however it stops.
func TestParallelAlloc(t *testing.T) {
	defer func(m int64) { minAlloc = m }(minAlloc)
	minAlloc = 0
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	want, err := readAll(t, data, 1)
	if err != nil {
		t.Fatal(err)
	}
	blocks, _ := Blocks(bytes.NewReader(data), int64(len(data)))
	open := func(d []byte, a *trackedAlloc, conc int) io.ReadCloser {
		t.Helper()
		r, err := NewParallel(bytes.NewReader(d), int64(len(d)), &ParallelOptions{Concurrency: conc, Alloc: a.alloc})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, conc := range []int{2, 3} {
		a := &trackedAlloc{}
		r := open(data, a, conc)
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Concurrency %d: the output differs (%v)", conc, err)
		}
		a.mu.Lock()
		live := a.live
		a.mu.Unlock()
		if live != 0 {
			t.Fatalf("%d buffers still held at the end, before Close", live)
		}
		r.Close()
		a.check(t, conc, true)
	}
	t.Run("close", func(t *testing.T) {
		for i := range 20 {
			a := &trackedAlloc{}
			r := open(data, a, 3)
			io.ReadFull(r, make([]byte, 5000*i))
			r.Close()
			a.check(t, 3, false) // Close may come before a block is started
		}
	})
	t.Run("stop", func(t *testing.T) {
		a := &trackedAlloc{}
		r := open(data, a, 2)
		stop := blocks[2].uncompressedFrom + 1
		r.(interface{ StopAt(int64) }).StopAt(stop)
		got := make([]byte, stop)
		if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, want[:stop]) {
			t.Fatalf("the data before the stop differs (%v)", err)
		}
		r.Close()
		a.check(t, 2, true)
	})
	t.Run("corrupt", func(t *testing.T) {
		d := bytes.Clone(data)
		d[blocks[3].Offset+20] ^= 0x55
		a := &trackedAlloc{}
		r := open(d, a, 2)
		if _, err := io.ReadAll(r); !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v; want ErrFormat", err)
		}
		r.Close()
		a.check(t, 2, true)
	})
}
