package dwarfx

import (
	"bytes"
	"compress/zlib"
	"debug/elf"
	"math"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// testData returns an empty Data for calling section helpers directly.
func testData() *Data { return &Data{name: "test"} }

// TestInflateSmallZstd is the regression test for small zstd sections: a
// section shorter than zstd's minimum window (1 KiB) is a single-segment
// frame whose window the decoder rounds up to 1 KiB, and capping the
// decoder's memory at the section size rejected it ("decompressed size
// exceeds configured limit"), so x86_64-zstd.elf's 285-byte
// .debug_line_str could not be read.
func TestInflateSmallZstd(t *testing.T) {
	for _, n := range []int{1, 100, 285, zstd.MinWindowSize - 1, zstd.MinWindowSize, 3 * zstd.MinWindowSize, 1 << 20} {
		want := make([]byte, n)
		for i := range want {
			want[i] = byte(i*7 + i/300)
		}
		enc, err := zstd.NewWriter(nil)
		if err != nil {
			t.Fatal(err)
		}
		src := enc.EncodeAll(want, nil)
		enc.Close()
		got, err := testData().inflate(".debug_x", src, uint64(n), elf.COMPRESS_ZSTD, NewBudget(math.MaxUint64))
		if err != nil {
			t.Errorf("%d bytes: %v", n, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes: decompressed data differs", n)
		}
	}
}

// TestInflateSizeMismatch checks that the size in the compression header
// is enforced both ways, for both compressors.
func TestInflateSizeMismatch(t *testing.T) {
	want := bytes.Repeat([]byte("kabi dwarfx "), 200)
	var zl bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write(want)
	zw.Close()
	enc, _ := zstd.NewWriter(nil)
	zs := enc.EncodeAll(want, nil)
	enc.Close()
	for _, tc := range []struct {
		name string
		typ  elf.CompressionType
		src  []byte
	}{{"zlib", elf.COMPRESS_ZLIB, zl.Bytes()}, {"zstd", elf.COMPRESS_ZSTD, zs}} {
		d := testData()
		if got, err := d.inflate(".debug_x", tc.src, uint64(len(want)), tc.typ, NewBudget(math.MaxUint64)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: exact size: err %v, equal %v", tc.name, err, bytes.Equal(got, want))
		}
		for _, size := range []uint64{uint64(len(want)) - 1, uint64(len(want)) + 1} {
			if _, err := d.inflate(".debug_x", tc.src, size, tc.typ, NewBudget(math.MaxUint64)); !isFormatError(err, ErrMalformed) {
				t.Errorf("%s: header size %d for %d bytes: got %v, want a malformed-data error", tc.name, size, len(want), err)
			}
		}
	}
}
