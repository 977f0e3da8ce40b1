package xz

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// realBlocks opens the xz file named by KABI_XZ_FILE and returns it with
// its first KABI_XZ_BLOCKS blocks (all of them when that is unset); it
// skips the test when KABI_XZ_FILE is unset. It also reports whether
// those are all the file's blocks.
func realBlocks(tb testing.TB) (*os.File, []Block, bool) {
	path := os.Getenv("KABI_XZ_FILE")
	if path == "" {
		tb.Skip("KABI_XZ_FILE not set")
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	blocks, err := Blocks(f, st.Size())
	if err != nil {
		tb.Fatal(err)
	}
	if s := os.Getenv("KABI_XZ_BLOCKS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			tb.Fatalf("KABI_XZ_BLOCKS=%q: want a count of blocks", s)
		}
		if n < len(blocks) {
			return f, blocks[:n], false
		}
	}
	return f, blocks, true
}

// BenchmarkDecodeReal decodes the first KABI_XZ_BLOCKS blocks of the xz
// file KABI_XZ_FILE one after the other on one goroutine, checks
// included, for measuring the decoder's CPU per byte against xz -dc -T1
// on the same bytes (the file cut after those blocks):
//
//	KABI_XZ_FILE=data.tar.xz KABI_XZ_BLOCKS=24 go test ./internal/xz -run '^$' -bench DecodeReal -benchtime 1x
func BenchmarkDecodeReal(b *testing.B) {
	f, blocks, _ := realBlocks(b)
	var total int64
	for _, bl := range blocks {
		total += bl.Uncompressed
	}
	b.SetBytes(total)
	var buf, in []byte
	for b.Loop() {
		for _, bl := range blocks {
			var err error
			buf, in, err = decodeBlock(f, bl, buf[:0], in, nil)
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestRealDigest decodes the xz file KABI_XZ_FILE (its first
// KABI_XZ_BLOCKS blocks, or all) in parallel and compares the SHA-256 of
// what it decodes to with that of xz -dc's output on the same bytes.
func TestRealDigest(t *testing.T) {
	f, blocks, whole := realBlocks(t)
	xzPath, err := exec.LookPath("xz")
	if err != nil {
		t.Skip("no xz command")
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	end := st.Size()
	if !whole {
		last := blocks[len(blocks)-1]
		end = last.Offset + last.padded()
	}
	r, err := NewParallel(f, st.Size(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var want int64
	for _, b := range blocks {
		want += b.Uncompressed
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, want))
	if err == nil && whole {
		var one [1]byte
		if k, _ := r.Read(one[:]); k != 0 {
			t.Fatal("more data than the index says")
		}
	}
	if err != nil || n != want {
		t.Fatalf("decoded %d bytes of %d: %v", n, want, err)
	}
	got := hex.EncodeToString(h.Sum(nil))

	cmd := exec.Command(xzPath, "-dc", "-T1")
	cmd.Stdin = io.NewSectionReader(f, 0, end)
	xh := sha256.New()
	cmd.Stdout = xh
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Cut after the blocks, the file has no index: xz writes the blocks'
	// data, then fails with "unexpected end of input".
	if err := cmd.Run(); err != nil && whole {
		t.Fatalf("xz -dc: %v: %s", err, stderr.Bytes())
	}
	if w := hex.EncodeToString(xh.Sum(nil)); got != w {
		t.Fatalf("SHA-256 of %d blocks (%d bytes): %s here, %s from xz -dc", len(blocks), want, got, w)
	}
	t.Logf("%d blocks, %d bytes: SHA-256 %s, as xz -dc", len(blocks), want, got)
}
