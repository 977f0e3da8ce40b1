package stage

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// file is a reader that is not known to be in memory (ReadAt stages it),
// whose reads of the byte at bad fail.
type file struct {
	*bytes.Reader
	bad   int64
	reads int
}

var errIO = errors.New("input/output error")

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	f.reads++
	if off <= f.bad && f.bad < off+int64(len(p)) {
		n, _ := f.Reader.ReadAt(p[:f.bad-off], off)
		return n, errIO
	}
	return f.Reader.ReadAt(p, off)
}

func TestReadAt(t *testing.T) {
	defer func(s int) { Size = s }(Size)
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte(i*7 + i>>8)
	}
	for _, size := range []int{384, 1000, 4096, 1 << 17} {
		Size = size
		for _, c := range []struct{ off, n int }{{0, 10000}, {1, 9999}, {5000, 3333}, {9999, 1}, {0, 0}, {100, 384}} {
			f := &file{Reader: bytes.NewReader(data), bad: -1}
			p := make([]byte, c.n)
			n, err := ReadAt(f, p, int64(c.off))
			if err != nil || n != c.n || !bytes.Equal(p, data[c.off:c.off+c.n]) {
				t.Fatalf("stage %d, %d bytes at %d: n %d, err %v, equal %v", size, c.n, c.off, n, err, bytes.Equal(p, data[c.off:c.off+c.n]))
			}
			if want := max((c.n+size-1)/size, 1); f.reads != want {
				t.Errorf("stage %d, %d bytes at %d: %d reads, want %d", size, c.n, c.off, f.reads, want)
			}
			r := &Reader{R: &file{Reader: bytes.NewReader(data), bad: -1}, N: int64(len(data))}
			q := make([]byte, c.n)
			if n, err := r.ReadAt(q, int64(c.off)); err != nil || n != c.n || !bytes.Equal(q, p) || r.Size() != int64(len(data)) {
				t.Fatalf("Reader, stage %d, %d bytes at %d: n %d, err %v", size, c.n, c.off, n, err)
			}
		}
		// A read past the end gives what there is and io.EOF; a read
		// failing partway gives the bytes before the failure and the
		// error, as the reader does.
		p := make([]byte, 3000)
		if n, err := ReadAt(&file{Reader: bytes.NewReader(data), bad: -1}, p, 8000); n != 2000 || err != io.EOF || !bytes.Equal(p[:n], data[8000:]) {
			t.Errorf("stage %d: read past the end: n %d, err %v", size, n, err)
		}
		if n, err := ReadAt(&file{Reader: bytes.NewReader(data), bad: 2500}, p, 1000); n != 1500 || !errors.Is(err, errIO) || !bytes.Equal(p[:n], data[1000:2500]) {
			t.Errorf("stage %d: read failing at 2500: n %d, err %v", size, n, err)
		}
	}
	// Readers in memory, and a Reader, are read directly.
	for _, r := range []io.ReaderAt{bytes.NewReader(data), &Reader{R: bytes.NewReader(data), N: int64(len(data))}} {
		p := make([]byte, 4000)
		if n, err := ReadAt(r, p, 10); n != 4000 || err != nil || !bytes.Equal(p, data[10:4010]) {
			t.Errorf("%T: n %d, err %v", r, n, err)
		}
	}
}

func TestGetPut(t *testing.T) {
	defer freelist.Hold()() // stages are kept only while a read holds the free lists
	defer func(s int) { Size = s }(Size)
	Size = 1000
	a := Get()
	if len(a) != 1000 {
		t.Fatalf("a stage of %d bytes, want 1000", len(a))
	}
	Put(a[:10])
	if b := Get(); len(b) != 1000 || &b[0] != &a[0] {
		t.Errorf("the stage handed back was not used again")
	}
	Put(a)
	Size = 2000
	if b := Get(); len(b) != 2000 {
		t.Errorf("after Size changed: a stage of %d bytes, want 2000", len(b))
	}
}

// TestDirect: a read into a stage of a *Reader reads the file under it in
// one read of the file, not through a second stage.
func TestDirect(t *testing.T) {
	defer func(s int) { Size = s }(Size)
	Size = 512
	data := bytes.Repeat([]byte("0123456789"), 300)
	f := &file{Reader: bytes.NewReader(data), bad: -1}
	r := &Reader{R: f, N: int64(len(data))}
	if Direct(r) != io.ReaderAt(f) || Direct(f) != io.ReaderAt(f) {
		t.Fatal("Direct did not give the reader under a *Reader, or changed another reader")
	}
	st := Get()
	defer Put(st)
	if n, err := Direct(r).ReadAt(st, 100); n != len(st) || err != nil || !bytes.Equal(st, data[100:100+len(st)]) {
		t.Fatalf("read %d, %v", n, err)
	}
	if f.reads != 1 {
		t.Errorf("%d reads of the file for one stage's worth, want 1", f.reads)
	}
}
