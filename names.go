package kabi

import (
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// demangled returns the human-readable form of a Rust (legacy or v0) or
// C++ mangled name, or "" when name is not mangled or does not demangle.
// Rust's legacy hash suffix (::h0123456789abcdef) is dropped.
func demangled(name string) string {
	if !mangled(name) {
		return ""
	}
	// A compiler suffix (".llvm.1234", ".cold") is not part of the mangling.
	base, suffix, _ := strings.Cut(name, ".")
	d, err := demangle.ToString(base, demangle.NoParams, demangle.NoClones)
	if err != nil || d == base {
		return ""
	}
	if suffix != "" {
		d += " [." + suffix + "]"
	}
	return d
}

// mangled reports whether name may be a mangled Rust or C++ name, one
// that demangled may give another form of.
func mangled(name string) bool {
	return strings.HasPrefix(name, "_Z") || strings.HasPrefix(name, "_R")
}
