package index

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error for bad input wraps one of them.
var (
	// ErrNotIndex means the input does not start with the magic of an index file.
	ErrNotIndex = errors.New("not a kabi index file")
	// ErrVersion means the file is of another format version than this package reads.
	ErrVersion = errors.New("index format version not supported")
	// ErrTruncated means the file ends before the data it describes.
	ErrTruncated = errors.New("truncated index file")
	// ErrCorrupt means the file fails its checksum or holds inconsistent data.
	ErrCorrupt = errors.New("corrupt index file")
)

// A FormatError describes bad input: the file, the part of it and the
// byte offset within that part where reading failed.
type FormatError struct {
	File    string // the file name given to Read
	Section string // "header", "directory", or a section kind such as "functions"
	Offset  int64  // byte offset within Section (within the decompressed data for a section)
	Err     error  // one of the sentinel errors
	Msg     string // detail
}

func (e *FormatError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Msg == "" {
		return fmt.Sprintf("%s: %s at offset %d: %v", file, e.Section, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: %s at offset %d: %v: %s", file, e.Section, e.Offset, e.Err, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }
