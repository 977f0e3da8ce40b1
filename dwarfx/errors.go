package dwarfx

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package for bad input is a
// *FormatError wrapping one of these, so callers can test the class of a
// failure with errors.Is and still print where it happened.
var (
	// ErrNotELF means the input is not an ELF file.
	ErrNotELF = errors.New("not an ELF file")
	// ErrNoDWARF means the file has no .debug_info section.
	ErrNoDWARF = errors.New("no DWARF debug info")
	// ErrTruncated means a length, offset or value runs past the end of its
	// section, or an ELF file ends before its headers say it does.
	ErrTruncated = errors.New("truncated data")
	// ErrUnsupported means a version, unit type or form this package does not read.
	ErrUnsupported = errors.New("unsupported DWARF")
	// ErrUnknownAbbrev means an entry uses an abbreviation code its table does not define.
	ErrUnknownAbbrev = errors.New("unknown abbreviation code")
	// ErrBadReference means a reference points outside its unit or section, or at no entry.
	ErrBadReference = errors.New("bad reference")
	// ErrMalformed means a structure that is internally inconsistent.
	ErrMalformed = errors.New("malformed DWARF")
	// ErrBudget means decompressing the file's sections would produce
	// more bytes than its [Budget] allows: a compression bomb, or a file
	// that needs a larger budget.
	ErrBudget = errors.New("decompression budget exceeded")
)

// A FormatError describes bad input: the file, the section and the byte
// offset within that section where decoding failed.
type FormatError struct {
	File    string // file name as given to Open or New, may be empty
	Section string // ELF section name, such as ".debug_info"
	Offset  uint64 // byte offset within Section
	Err     error  // one of the sentinel errors above
	Msg     string // detail
}

func (e *FormatError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Msg == "" {
		return fmt.Sprintf("%s: %s at offset %#x: %v", file, e.Section, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: %s at offset %#x: %v: %s", file, e.Section, e.Offset, e.Err, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }
