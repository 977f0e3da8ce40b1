package dwarfx

import (
	"fmt"
	"runtime/debug"
)

// panicFirewall is switched off by the fuzz tests, so that a bug shows up as
// a crash there instead of an error.
var panicFirewall = true

// recoverBug turns a panic inside a public entry point into an error that
// says it is a bug in this package, naming the file and where it happened.
// Input can never be the cause of a panic by design; this is the last line
// of defence for host programs.
//
// A fault reading a file's mapping is not a bug: the file shrank or
// changed while it was read. Every entry point that reads a Data's bytes
// defers recoverBug as
//
//	defer recoverBug(name, &err, debug.SetPanicOnFault(true))
//
// so that such a fault is a panic (not a crash) while it runs, which
// becomes the error of [FaultError]; fault is the setting to restore.
func recoverBug(file string, err *error, fault bool) {
	debug.SetPanicOnFault(fault)
	if !panicFirewall {
		return
	}
	if p := recover(); p != nil {
		if ferr := FaultError(file, p); ferr != nil {
			*err = ferr
			return
		}
		*err = fmt.Errorf("%s: internal error in dwarfx (a bug, please report it): %v\n%s", file, p, debug.Stack())
	}
}

// FaultError returns, for p, a value recovered from a panic, the error to
// report when it is a fault reading the memory mapping of a file this
// package opened (the file was truncated or rewritten while it was read;
// see [runtime/debug.SetPanicOnFault]): a *FormatError wrapping
// [ErrTruncated]. It returns nil for any other panic. Callers that read
// the bytes of a Data (Field.Data, the strings of DW_FORM_string) outside
// this package's calls use it to treat such a fault as bad input.
func FaultError(file string, p any) error {
	f, ok := p.(interface{ Addr() uintptr })
	if !ok || !mappedAt(f.Addr()) {
		return nil
	}
	return &FormatError{File: file, Section: "the file's mapping", Err: ErrTruncated,
		Msg: fmt.Sprintf("reading address %#x faulted: the file was truncated or changed while it was read", f.Addr())}
}
