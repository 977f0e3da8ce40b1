package deb

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kabi-dev/kabi/internal/xz"
)

// ErrNotRandom is returned by FindRandom for a package whose data member
// cannot be read at offsets: not xz, or xz in one block (Walk reads it).
var ErrNotRandom = errors.New("the data member cannot be read at offsets")

// ErrNotFound is returned by FindRandom when no file matches.
var ErrNotFound = errors.New("no such file in the package")

// A RandomFile is a regular file of the package's data, read at offsets:
// only the xz blocks that hold what is read are decoded (see xz.Random).
type RandomFile struct {
	Name string // the path in the archive, without its leading "./"
	Size int64  // as the tar header claims, within the data

	x      *xz.Random
	off    int64 // of the file's first byte in the data
	file   string
	member string
}

// FindRandom finds the first regular file of the data member for which
// match reports true, reading the archive's headers only: the blocks of
// the data that hold no header (the contents of the files before it) are
// not decoded. before, when not nil, is called with the name of each
// regular file before it. It returns ErrNotRandom, without reading the
// data, when the data member is not xz in several blocks of at most
// xz.MaxBlockSize. limit bounds the bytes decoded, for the headers and
// then for the file (see xz.Random.SetLimit).
func (p *Package) FindRandom(match func(name string) bool, before func(name string), limit int64) (*RandomFile, error) {
	comp, err := compression(p.dataName)
	if err != nil || comp != "xz" {
		return nil, ErrNotRandom
	}
	x, err := xz.NewRandom(io.NewSectionReader(p.r, p.dataOff, p.dataSize), p.dataSize)
	if errors.Is(err, xz.ErrLargeBlock) {
		return nil, ErrNotRandom // streamed
	}
	if err != nil {
		return nil, &Error{File: p.File, Member: p.dataName, Err: ErrFormat, Msg: err.Error()}
	}
	if x.Blocks() < 2 {
		return nil, ErrNotRandom
	}
	x.SetLimit(limit)
	s := &seeker{x: x}
	tr := tar.NewReader(s)
	for {
		hd, err := tr.Next()
		if err == io.EOF {
			return nil, ErrNotFound
		}
		if err != nil {
			if s.err != nil {
				err = s.err // the decoder's, not the tar reader's view of it
			}
			return nil, tarErr(p.File, p.dataName, err)
		}
		name := strings.TrimPrefix(hd.Name, "./")
		if hd.Typeflag != tar.TypeReg {
			continue
		}
		if !match(name) {
			if before != nil {
				before(name)
			}
			continue
		}
		if hd.Size > x.Size()-s.pos {
			return nil, &Error{File: p.File, Member: p.dataName + ": " + name, Err: ErrTruncated,
				Msg: fmt.Sprintf("the archive says it has %d bytes; the data has %d after its header", hd.Size, x.Size()-s.pos)}
		}
		return &RandomFile{Name: name, Size: hd.Size, x: x, off: s.pos, file: p.File, member: p.dataName + ": " + name}, nil
	}
}

// End is the offset in the decompressed data member of the archive's
// header after the file, for WalkFrom.
func (f *RandomFile) End() int64 { return f.off + (f.Size+511)&^511 }

// ReadAt reads len(p) bytes of the file from offset off.
func (f *RandomFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= f.Size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := f.Size - off; int64(want) > rest {
		p = p[:rest]
	}
	n, err := f.x.ReadAt(p, f.off+off)
	if err != nil && err != io.EOF {
		return n, f.err(err)
	}
	if n < want {
		return n, io.EOF
	}
	return n, nil
}

// Fill copies the ranges of the file (offsets in it) into dst, which holds
// the whole file (Size bytes), decoding the blocks that hold them by up to
// workers goroutines at once. Closing done stops it, with an error.
func (f *RandomFile) Fill(dst []byte, ranges []xz.Range, workers int, done <-chan struct{}) error {
	if int64(len(dst)) != f.Size {
		return fmt.Errorf("deb: Fill: %d bytes for a file of %d", len(dst), f.Size)
	}
	rs := make([]xz.Range, len(ranges))
	for i, r := range ranges {
		rs[i] = xz.Range{Off: f.off + r.Off, Len: r.Len}
	}
	if err := f.x.Fill(dst, f.off, rs, workers, done); err != nil {
		return f.err(err)
	}
	return nil
}

// Inner returns the part of the n bytes of the file from off that whole
// blocks of the data hold (offsets in the file; Len 0 for none): Fill
// decodes those blocks in place, and no other (see xz.Random.Inner).
func (f *RandomFile) Inner(off, n int64) xz.Range {
	off, n = max(off, 0), min(n, f.Size-max(off, 0))
	r := f.x.Inner(f.off+off, n)
	if r.Len == 0 {
		return xz.Range{}
	}
	return xz.Range{Off: r.Off - f.off, Len: r.Len}
}

// Decoded is the number of xz blocks decoded so far, headers included.
func (f *RandomFile) Decoded() int64 { return f.x.Decoded() }

// err wraps a decoder's error as the package's.
func (f *RandomFile) err(err error) error {
	if errors.Is(err, xz.ErrFormat) {
		return &Error{File: f.file, Member: f.member, Err: ErrFormat, Msg: err.Error()}
	}
	return err
}

// seeker reads the data of an xz.Random in order, and seeks: the tar
// reader then skips a file's contents by seeking past them, and only the
// blocks that hold headers are decoded.
type seeker struct {
	x   *xz.Random
	pos int64
	err error // the last error of the decoder
}

func (s *seeker) Read(p []byte) (int, error) {
	n, err := s.x.ReadAt(p, s.pos)
	s.pos += int64(n)
	if err != nil && err != io.EOF {
		s.err = err
	}
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func (s *seeker) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += s.pos
	case io.SeekEnd:
		off += s.x.Size()
	default:
		return s.pos, fmt.Errorf("deb: seek: bad whence %d", whence)
	}
	if off < 0 {
		return s.pos, fmt.Errorf("deb: seek to %d", off)
	}
	s.pos = off
	return off, nil
}
