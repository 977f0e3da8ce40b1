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

// FuzzPackage reads packages, without and with their module trees: every
// error is a clear one (it wraps a sentinel), never a panic.
func FuzzPackage(f *testing.F) {
	files, _ := filepath.Glob("testdata/deb/*.*deb")
	for _, p := range files {
		if filepath.Base(p) == "multiblock.deb" || filepath.Base(p) == "modules-none.deb" {
			continue // slow to decode many blocks (FuzzXZ has it); large
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// A package whose xz data is in a few blocks: vmlinux read at
	// offsets, alone and before its modules.
	f.Add(reblock(f, "linux-image-6.1.99-1-amd64-dbg_6.1.99-1_amd64.deb", 32<<10))
	f.Add(reblock(f, "modules-xz.deb", 64<<10))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzPackage")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		if !bytes.HasPrefix(data, []byte("!<arch>\n")) {
			data = append([]byte("!<arch>\n"), data...)
		}
		// vmlinux alone, then with the module tree.
		for _, modules := range []bool{false, true} {
			b, err := New(bytes.NewReader(data), "fuzz.deb", &Options{Concurrency: 2, PackageModules: modules})
			if err != nil {
				if !errors.Is(err, ErrPackage) && !errors.Is(err, ErrNoKernel) && !errors.Is(err, ErrBudget) && !isELFError(err) {
					t.Fatalf("PackageModules %v: unclassified error: %v", modules, err)
				}
				if modules && !errors.Is(err, ErrPackage) && !errors.Is(err, ErrNoKernel) {
					t.Fatalf("PackageModules: an error that is not ErrPackage: %v", err)
				}
				continue
			}
			if b.Meta.Package == "" || b.Meta.PackageVersion == "" {
				t.Fatalf("a package build without its package: %+v", b.Meta)
			}
			for fn := range b.Functions() {
				_ = fn.AppendJSON(nil)
			}
		}
	})
}

// isELFError reports whether err is one of New's errors for a bad ELF file.
func isELFError(err error) bool {
	var fe *dwarfx.FormatError
	return errors.As(err, &fe) || errors.Is(err, ErrNoSymbols)
}
