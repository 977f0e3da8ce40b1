package kabi

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/index"
)

// Sentinel errors. Errors for bad input wrap one of these (test with
// [errors.Is]) and name the file; those found while decoding DWARF are
// *[dwarfx.FormatError] values that also give the section and offset.
var (
	// ErrNotELF means the input is not an ELF file.
	ErrNotELF = dwarfx.ErrNotELF
	// ErrNoDWARF means the file has no DWARF debug info (.debug_info).
	ErrNoDWARF = dwarfx.ErrNoDWARF
	// ErrTruncated means the file ends before data it describes.
	ErrTruncated = dwarfx.ErrTruncated
	// ErrBudget means decompressing the file's sections would produce
	// more than Options.MaxDecompressed bytes (a compression bomb, or a
	// file that needs a larger bound).
	ErrBudget = dwarfx.ErrBudget
	// ErrNoSymbols means the file has no ELF symbol table (.symtab).
	ErrNoSymbols = errors.New("no symbol table")
	// ErrBadSymbols means the ELF symbol table is damaged: a name outside
	// its string table, a function symbol without a name or outside its
	// section. The error is a *[dwarfx.FormatError] giving the offset of
	// the first bad entry in .symtab.
	ErrBadSymbols = errors.New("damaged symbol table")
	// ErrNotFound means a build has no function, type or hook of the
	// name asked for ([Build.Lookup], [Build.LookupType],
	// [Build.LookupHook]).
	ErrNotFound = errors.New("no such function")
	// ErrIndexCorrupt means an index file fails its checksum or holds
	// inconsistent data.
	ErrIndexCorrupt = index.ErrCorrupt
	// ErrIndexTruncated means an index file is shorter than its header says.
	ErrIndexTruncated = index.ErrTruncated
	// ErrIndexVersion means an index file is of another format than this
	// kabi reads: an older one (re-index the build) or a newer one (use a
	// newer kabi).
	ErrIndexVersion = index.ErrVersion
)

// IndexError describes a bad index file: the file, the part of it (the
// header, the directory or a section) and the offset where reading
// failed, wrapping one of the ErrIndex errors.
type IndexError = index.FormatError

// panicFirewall can be switched off by tests so that a bug crashes.
var panicFirewall = true

// recoverBug turns a panic inside a public entry point into an error
// naming the file. Bad input must never cause a panic; this guards host
// programs against a bug doing so anyway.
func recoverBug(file string, err *error) {
	if !panicFirewall {
		return
	}
	if p := recover(); p != nil {
		if ferr := dwarfx.FaultError(file, p); ferr != nil {
			*err = ferr // a mapped file changed while read: bad input
			return
		}
		*err = fmt.Errorf("%s: internal error in kabi (a bug, please report it): %v\n%s", file, p, debug.Stack())
	}
}
