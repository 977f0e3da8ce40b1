package kabi

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/elfcraft"
)

// crafted returns testdata/NAME.elf changed by f.
func crafted(t testing.TB, name string, f func([]byte) ([]byte, error)) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".elf")
	if err != nil {
		t.Fatal(err)
	}
	out, err := f(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBudgetBomb: the file's budget (Options.MaxDecompressed) is shared by
// its compressed DWARF sections: two string sections of 4 MiB each fit in
// 9 MiB and not in 6 MiB; the error names the file and wraps ErrBudget.
func TestBudgetBomb(t *testing.T) {
	b := crafted(t, "x86_64-dwarf5", func(b []byte) ([]byte, error) {
		return elfcraft.CompressSections(b, 4<<20, ".debug_str", ".debug_line_str")
	})
	_, err := New(bytes.NewReader(b), "bomb.elf", &Options{MaxDecompressed: 6 << 20})
	if !errors.Is(err, ErrBudget) || !strings.HasPrefix(err.Error(), "bomb.elf: ") {
		t.Errorf("6 MiB: got %v, want an error naming bomb.elf wrapping ErrBudget", err)
	}
	for _, limit := range []int64{9 << 20, 0, -1} {
		bd, err := New(bytes.NewReader(b), "bomb.elf", &Options{MaxDecompressed: limit})
		if err != nil {
			t.Errorf("MaxDecompressed %d: %v", limit, err)
		} else if want := fixture(t, "x86_64-dwarf5").Len(); bd.Len() != want {
			t.Errorf("MaxDecompressed %d: %d functions, want %d", limit, bd.Len(), want)
		}
	}
}

// TestBudgetSymtab: a compressed symbol table takes its size from the same
// budget before debug/elf inflates it.
func TestBudgetSymtab(t *testing.T) {
	b := crafted(t, "x86_64-dwarf5", func(b []byte) ([]byte, error) {
		return elfcraft.CompressSections(b, 24<<16, ".symtab") // a whole number of symbols
	})
	_, err := New(bytes.NewReader(b), "symtab.elf", &Options{MaxDecompressed: 1 << 20})
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), ".symtab") {
		t.Errorf("got %v, want an error wrapping ErrBudget that names .symtab", err)
	}
	if _, err := New(bytes.NewReader(b), "symtab.elf", nil); err != nil {
		t.Errorf("default budget: %v", err)
	}
}
