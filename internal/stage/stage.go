// Package stage reads files through a stage: a small buffer, kept from
// read to read, out of which each piece is copied to where it goes.
//
// A whole kernel's modules are read into buffers that are often new to
// the process (sections of sizes it has not read before, and the
// buffers debug/elf allocates for every section it is asked for). On a
// virtual machine the kernel's first write into a page of the process
// can cost far more than the copy: about 15 us a page on a 2-core guest,
// measured by reading all of a kernel's modules' .debug_info into a
// buffer the process had already written, 1.19 s of system time the
// first time and 0.26 s after, where its own first write costs once too
// but not again for the kernel's. Read through a stage, the kernel writes
// only into pages it has written before, which the cache still holds,
// and the copy out of it costs about what reading into a buffer the
// kernel has written before does.
package stage

import (
	"bytes"
	"io"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// Size is the size of a stage (a variable for tests; at least 384).
var Size = 128 << 10

// stages are the stages waiting to be used again.
var stages = freelist.List[[]byte]{Max: 8}

// Get returns a stage of Size bytes; Put hands it back.
func Get() []byte {
	if b, ok := stages.Get(); ok && len(b) == Size {
		return b
	}
	return make([]byte, Size)
}

// Put hands back a stage that Get returned.
func Put(b []byte) { stages.Put(b[:cap(b)]) }

// ReadAt reads len(p) bytes at off from r into p through a stage, as
// io.ReaderAt does: it returns how many bytes it read and the reader's
// error, if any. Readers whose bytes are already in memory (a
// *bytes.Reader) and a *Reader, which stages itself, are read directly.
func ReadAt(r io.ReaderAt, p []byte, off int64) (int, error) {
	switch r.(type) {
	case *bytes.Reader, *Reader:
		return r.ReadAt(p, off)
	}
	return staged(r, p, off)
}

// Direct returns the reader under r when r is a *Reader, else r: what a
// read into a stage itself (a buffer from Get) reads, which a second
// stage would only copy again.
func Direct(r io.ReaderAt) io.ReaderAt {
	if s, ok := r.(*Reader); ok {
		return s.R
	}
	return r
}

// A Reader reads R through a stage (see ReadAt). Its size is N.
type Reader struct {
	R io.ReaderAt
	N int64 // the size of R
}

// ReadAt reads through a stage.
func (s *Reader) ReadAt(p []byte, off int64) (int, error) { return staged(s.R, p, off) }

// Size returns N, the size of R.
func (s *Reader) Size() int64 { return s.N }

func staged(r io.ReaderAt, p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return r.ReadAt(p, off)
	}
	st := Get()
	defer Put(st)
	n := 0
	for n < len(p) {
		k, err := r.ReadAt(st[:min(len(st), len(p)-n)], off+int64(n))
		copy(p[n:], st[:k])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
