package kabi

import (
	"io"
	"io/fs"
)

// inputSize is the size of r when it can say it (an *os.File,
// *bytes.Reader, *io.SectionReader can), else -1.
func inputSize(r io.ReaderAt) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
}
