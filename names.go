package kabi

import (
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// demangled returns the human-readable form of a Rust (legacy or v0) or
// C++ mangled name, or "" when name is not mangled or does not demangle.
// Rust's legacy hash suffix (::h0123456789abcdef) is dropped.
func demangled(name string) string {
	if !strings.HasPrefix(name, "_Z") && !strings.HasPrefix(name, "_R") {
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
