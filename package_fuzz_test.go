package kabi

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// FuzzPackage reads packages: every error is a clear one (it wraps a
// sentinel), never a panic.
func FuzzPackage(f *testing.F) {
	files, _ := filepath.Glob("testdata/deb/*.*deb")
	for _, p := range files {
		if filepath.Base(p) == "multiblock.deb" {
			continue // slow to decode many blocks; FuzzXZ has it
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzPackage")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		if !bytes.HasPrefix(data, []byte("!<arch>\n")) {
			data = append([]byte("!<arch>\n"), data...)
		}
		b, err := New(bytes.NewReader(data), "fuzz.deb", &Options{Concurrency: 2})
		if err != nil {
			if !errors.Is(err, ErrPackage) && !errors.Is(err, ErrNoKernel) && !errors.Is(err, ErrBudget) && !isELFError(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if b.Meta.Package == "" || b.Meta.PackageVersion == "" {
			t.Fatalf("a package build without its package: %+v", b.Meta)
		}
		for fn := range b.Functions() {
			_ = fn.AppendJSON(nil)
		}
	})
}

// isELFError reports whether err is one of New's errors for a bad ELF file.
func isELFError(err error) bool {
	var fe *dwarfx.FormatError
	return errors.As(err, &fe) || errors.Is(err, ErrNoSymbols)
}
