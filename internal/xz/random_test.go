package xz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	ulxz "github.com/ulikunitz/xz"
)

// sequential returns the whole uncompressed data of the xz file data.
func sequential(t testing.TB, data []byte) []byte {
	t.Helper()
	sr, err := newSequential(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(sr)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestRandom: ReadAt and Fill give the bytes the sequential decoder
// gives at every offset asked, decoding only the blocks that hold them.
func TestRandom(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	want := sequential(t, data)
	x, err := NewRandom(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if x.Size() != int64(len(want)) || x.Blocks() < 10 {
		t.Fatalf("size %d, %d blocks; the data has %d bytes in many blocks", x.Size(), x.Blocks(), len(want))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		off := rng.Int64N(x.Size())
		n := rng.Int64N(min(x.Size()-off, 3*x.blocks[0].Uncompressed) + 1)
		got := make([]byte, n)
		if m, err := x.ReadAt(got, off); err != nil || int64(m) != n || !bytes.Equal(got, want[off:off+n]) {
			t.Fatalf("ReadAt(%d bytes at %d): %d, %v, same %v", n, off, m, err, bytes.Equal(got, want[off:off+n]))
		}
	}
	// Past the end: io.EOF with what there is.
	tail := make([]byte, 10)
	if m, err := x.ReadAt(tail, x.Size()-4); m != 4 || err != io.EOF || !bytes.Equal(tail[:4], want[len(want)-4:]) {
		t.Errorf("ReadAt past the end: %d, %v", m, err)
	}

	// Fill: ranges in any order, overlapping, within one block and across
	// several; what lies outside them stays as it was, or is the data's
	// (a block decoded in place is written whole). Blocks ReadAt holds
	// are not decoded again.
	b1 := x.blocks[1]
	ranges := []Range{
		{b1.uncompressedFrom + 5, 100},                          // inside block 1
		{x.blocks[4].uncompressedFrom - 7, b1.Uncompressed + 9}, // across blocks 3 to 5
		{b1.uncompressedFrom + 50, 200},                         // overlapping the first
		{x.Size() - 3, 3},                                       // the last bytes
	}
	for _, workers := range []int{1, 2, 5} {
		x, err := NewRandom(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		dst := bytes.Repeat([]byte{0xee}, len(want))
		if err := x.Fill(dst, 0, ranges, workers, nil); err != nil {
			t.Fatal(err)
		}
		in := make([]bool, len(want))
		for _, r := range ranges {
			for i := r.Off; i < r.Off+r.Len; i++ {
				in[i] = true
			}
		}
		for i := range dst {
			if in[i] && dst[i] != want[i] || !in[i] && dst[i] != 0xee && dst[i] != want[i] {
				t.Fatalf("workers %d: byte %d is %#x (in a range: %v); want %#x", workers, i, dst[i], in[i], want[i])
			}
		}
		blocks := map[int]bool{}
		for i := range want {
			if in[i] {
				blocks[x.block(int64(i))] = true
			}
		}
		if got := x.Decoded(); got != int64(len(blocks)) {
			t.Errorf("workers %d: %d blocks decoded; the ranges lie in %d", workers, got, len(blocks))
		}
		// A block ReadAt holds is not decoded again.
		x.ReadAt(make([]byte, 1), b1.uncompressedFrom)
		before := x.Decoded()
		dst = bytes.Repeat([]byte{0xee}, len(want))
		if err := x.Fill(dst, 0, ranges[:1], workers, nil); err != nil || !bytes.Equal(dst[ranges[0].Off:ranges[0].Off+ranges[0].Len], want[ranges[0].Off:ranges[0].Off+ranges[0].Len]) {
			t.Fatalf("workers %d: Fill from the held block: %v", workers, err)
		}
		if got := x.Decoded() - before; got != 0 {
			t.Errorf("workers %d: %d blocks decoded for a range in a block ReadAt holds", workers, got)
		}
	}
	// dst may start past the data's start.
	base := b1.uncompressedFrom
	dst := make([]byte, 300)
	if err := x.Fill(dst, base, []Range{{base + 10, 290}}, 2, nil); err != nil || !bytes.Equal(dst[10:], want[base+10:base+300]) {
		t.Errorf("Fill at a base: %v", err)
	}
	for _, r := range []Range{{base - 1, 10}, {base, 301}, {base, -1}, {x.Size(), 1}} {
		if err := x.Fill(dst, base, []Range{r}, 2, nil); err == nil {
			t.Errorf("Fill of %d+%d outside the %d bytes at %d: no error", r.Off, r.Len, len(dst), base)
		}
	}
	// Closing done stops it with an error.
	done := make(chan struct{})
	close(done)
	if err := x.Fill(make([]byte, len(want)), 0, []Range{{0, x.Size()}}, 2, done); err == nil {
		t.Error("Fill with done closed: no error")
	}
}

// TestRandomCorrupt: a damaged block is an error wrapping ErrFormat where
// it is read, not elsewhere.
func TestRandomCorrupt(t *testing.T) {
	data := bytes.Clone(member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz"))
	want := sequential(t, data)
	blocks, _ := Blocks(bytes.NewReader(data), int64(len(data)))
	data[blocks[3].Offset+20] ^= 0x55
	x, err := NewRandom(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	b3 := blocks[3].uncompressedFrom
	if _, err := x.ReadAt(make([]byte, 10), b3+1); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadAt in the damaged block: %v; want ErrFormat", err)
	}
	got := make([]byte, 10)
	if _, err := x.ReadAt(got, 0); err != nil || !bytes.Equal(got, want[:10]) {
		t.Errorf("ReadAt in a good block: %v", err)
	}
	if err := x.Fill(make([]byte, len(want)), 0, []Range{{0, int64(len(want))}}, 2, nil); !errors.Is(err, ErrFormat) {
		t.Errorf("Fill over the damaged block: %v; want ErrFormat", err)
	}
	if _, err := NewRandom(bytes.NewReader(data[:len(data)-100]), int64(len(data)-100)); !errors.Is(err, ErrFormat) {
		t.Errorf("a truncated file: %v; want ErrFormat", err)
	}
}

// smallBlocks returns an xz file of n bytes of text in blocks of block
// bytes, made by the library's encoder.
func smallBlocks(t testing.TB, n, block int) []byte {
	var text bytes.Buffer
	for i := 0; text.Len() < n; i++ {
		fmt.Fprintf(&text, "line %d of a file in small blocks\n", i)
	}
	var out bytes.Buffer
	w, err := ulxz.WriterConfig{BlockSize: int64(block)}.NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(text.Bytes()[:n])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// FuzzRandom: any file read at offsets gives an error wrapping ErrFormat
// or the bytes NewParallel gives, never a panic or a hang.
func FuzzRandom(f *testing.F) {
	f.Add(smallBlocks(f, 20000, 4096), int64(100), int64(5000))
	f.Add(smallBlocks(f, 3000, 1024), int64(2000), int64(1000))
	f.Fuzz(func(t *testing.T, data []byte, off, n int64) {
		x, err := NewRandom(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if x.Size() > 1<<20 || off < 0 || n < 0 || n > 1<<20 {
			return // sizes the index claims: not decoded here
		}
		got := make([]byte, n)
		m, rerr := x.ReadAt(got, off)
		dst := make([]byte, x.Size())
		ferr := x.Fill(dst, 0, []Range{{off, n}}, 2, nil)
		for _, err := range []error{rerr, ferr} {
			if errors.Is(err, errDecoderPanic) {
				t.Fatalf("the decoder panicked: %v", err)
			}
		}
		if rerr != nil && rerr != io.EOF && !errors.Is(rerr, ErrFormat) {
			t.Fatalf("ReadAt: error %v does not wrap ErrFormat", rerr)
		}
		pr, err := NewParallel(bytes.NewReader(data), int64(len(data)), &ParallelOptions{Concurrency: 2})
		if err != nil {
			return
		}
		defer pr.Close()
		want, err := io.ReadAll(io.LimitReader(pr, 2<<20))
		if err != nil || int64(len(want)) != x.Size() {
			return // damaged somewhere: the blocks asked may still be good
		}
		if rerr == nil || rerr == io.EOF {
			if end := min(off+int64(m), int64(len(want))); off < int64(len(want)) && !bytes.Equal(got[:m], want[off:end]) {
				t.Fatalf("ReadAt(%d at %d) differs from NewParallel", n, off)
			}
		}
		if ferr == nil && off+n <= x.Size() && !bytes.Equal(dst[off:off+n], want[off:off+n]) {
			t.Fatalf("Fill(%d at %d) differs from NewParallel", n, off)
		}
	})
}

// TestParallelFrom: a reader from an offset gives the data from there,
// in parallel and sequentially, and decodes no block before it.
func TestParallelFrom(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	want := sequential(t, data)
	blocks, err := Blocks(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []int64{0, 1, blocks[3].uncompressedFrom, blocks[3].uncompressedFrom + 77, int64(len(want)) - 1, int64(len(want))} {
		for _, conc := range []int{1, 2} {
			r, err := NewParallel(bytes.NewReader(data), int64(len(data)), &ParallelOptions{Concurrency: conc, From: from})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, want[from:]) {
				t.Errorf("From %d, Concurrency %d: %d bytes, %v; want the %d from there", from, conc, len(got), err, len(want)-int(from))
			}
		}
	}
	// The blocks before it are not read: damage one, and read past it.
	bad := bytes.Clone(data)
	bad[blocks[1].Offset+20] ^= 0x55
	r, err := NewParallel(bytes.NewReader(bad), int64(len(bad)), &ParallelOptions{Concurrency: 2, From: blocks[2].uncompressedFrom + 5})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, want[blocks[2].uncompressedFrom+5:]) {
		t.Errorf("from past a damaged block: %v", err)
	}
}

// TestRandomInner: Inner gives the blocks wholly within a span.
func TestRandomInner(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	x, err := NewRandom(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	b := x.blocks
	for _, c := range []struct {
		off, n int64
		want   Range
	}{
		{b[1].uncompressedFrom, b[1].Uncompressed, Range{b[1].uncompressedFrom, b[1].Uncompressed}},
		{b[1].uncompressedFrom - 1, b[1].Uncompressed + b[2].Uncompressed + 2, Range{b[1].uncompressedFrom, b[1].Uncompressed + b[2].Uncompressed}},
		{b[1].uncompressedFrom + 1, b[2].Uncompressed + b[1].Uncompressed - 1, Range{b[2].uncompressedFrom, b[2].Uncompressed}},
		{b[1].uncompressedFrom + 1, b[1].Uncompressed, Range{}},
		{0, x.Size(), Range{0, x.Size()}},
	} {
		if got := x.Inner(c.off, c.n); got != c.want {
			t.Errorf("Inner(%d, %d) = %+v, want %+v", c.off, c.n, got, c.want)
		}
	}
}

// TestRandomLimit: a Random decodes no block past its limit: the block
// that would take it there is an error wrapping ErrFormat, not decoded.
func TestRandomLimit(t *testing.T) {
	data := member(t, "../../testdata/deb/multiblock.deb", "data.tar.xz")
	x, err := NewRandom(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	x.SetLimit(x.blocks[0].Uncompressed + x.blocks[1].Uncompressed)
	buf := make([]byte, 10)
	for i := range 2 {
		if _, err := x.ReadAt(buf, x.blocks[i].uncompressedFrom); err != nil {
			t.Fatalf("block %d, within the limit: %v", i, err)
		}
	}
	if _, err := x.ReadAt(buf, x.blocks[2].uncompressedFrom); !errors.Is(err, ErrFormat) || x.Decoded() != 2 {
		t.Errorf("past the limit: %v, %d blocks decoded; want ErrFormat and 2", err, x.Decoded())
	}
	if err := x.Fill(make([]byte, x.Size()), 0, []Range{{x.blocks[3].uncompressedFrom, 1}}, 2, nil); !errors.Is(err, ErrFormat) {
		t.Errorf("Fill past the limit: %v; want ErrFormat", err)
	}
}
