package kabi

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
)

// TestHooksMappedFileTruncated: readHooks on a build whose file is
// truncated under the DWARF's mapping reports the fault (as a skip of
// what it could not read), never crashes.
func TestHooksMappedFileTruncated(t *testing.T) {
	raw, err := os.ReadFile("testdata/hooks-6.1.99-1-amd64.elf")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "vmlinux")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := dwarfx.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	all, err := readSymtab(ef, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	h, err := readHooks(ef, f, p, d, all)
	if err != nil {
		if !strings.Contains(err.Error(), "truncated or changed") {
			t.Fatalf("readHooks: %v", err)
		}
		return
	}
	for _, s := range h.skips {
		if strings.Contains(s.Reason, "truncated or changed") {
			return
		}
	}
	t.Fatalf("no error and no skip tells of the truncated file: %+v", h.skips)
}
