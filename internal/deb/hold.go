package deb

import (
	"fmt"
	"io"
)

// Hold reads the whole of f into memory outside the Go heap where the
// system allows (an anonymous mapping), so a file of hundreds of
// megabytes costs the garbage collector nothing. A file whose header
// claims more than limit bytes is refused before anything is allocated;
// one shorter than its header claims is an error. release frees the
// memory; the bytes must not be used after it.
func Hold(f *File, limit int64) (data []byte, release func(), err error) {
	if f.Size < 0 || f.Size > limit {
		return nil, nil, &Error{File: fileOf(f), Member: f.Name, Err: ErrTooLarge,
			Msg: fmt.Sprintf("the archive says it has %d bytes, more than the limit of %d", f.Size, limit)}
	}
	data, release, err = Alloc(int(f.Size))
	if err != nil {
		return nil, nil, &Error{File: fileOf(f), Member: f.Name, Err: ErrTooLarge,
			Msg: fmt.Sprintf("cannot allocate %d bytes: %v", f.Size, err)}
	}
	if err := Fill(f, data); err != nil {
		release()
		return nil, nil, err
	}
	return data, release, nil
}

// Alloc returns n bytes outside the Go heap where the system allows (an
// anonymous mapping), and the function that frees them.
func Alloc(n int) ([]byte, func(), error) { return allocate(n) }

// Fill reads f into data, which has f.Size bytes; a file shorter than its
// header claims is an error.
func Fill(f *File, data []byte) error {
	if int64(len(data)) != f.Size {
		return fmt.Errorf("deb: Fill: %d bytes for a file of %d", len(data), f.Size)
	}
	if _, err := io.ReadFull(f, data); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return &Error{File: fileOf(f), Member: f.Name, Err: ErrTruncated, Msg: "the file ends early"}
		}
		return err
	}
	return nil
}

func fileOf(f *File) string {
	if t, ok := f.r.(*tarFileReader); ok {
		return t.file
	}
	return ""
}
