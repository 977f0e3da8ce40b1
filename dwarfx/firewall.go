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
func recoverBug(file string, err *error) {
	if !panicFirewall {
		return
	}
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: internal error in dwarfx (a bug, please report it): %v\n%s", file, p, debug.Stack())
	}
}
