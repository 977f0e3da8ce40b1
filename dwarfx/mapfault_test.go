package dwarfx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// truncatedCopy copies the fixture to a temporary file and returns its
// path.
func truncatedCopy(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../testdata/x86_64-dwarf5.elf")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "vmlinux")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantFault checks that err is the error of a fault on the mapping.
func wantFault(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "truncated or changed") {
		t.Fatalf("%s on a file truncated under its mapping: %v; want the fault as ErrTruncated", what, err)
	}
}

// TestMappedFileTruncated: every call that reads a mapped file's bytes
// turns the fault of a file truncated under the mapping into an error:
// reading the units (in Open), a line table, entries, types, Extract.
func TestMappedFileTruncated(t *testing.T) {
	if !mapSupported {
		t.Skip("no mmap")
	}
	t.Run("Open", func(t *testing.T) {
		p := truncatedCopy(t)
		afterMap = func(f *os.File) {
			if err := os.Truncate(f.Name(), 0); err != nil {
				t.Error(err)
			}
		}
		defer func() { afterMap = nil }()
		d, err := Open(p)
		if err == nil {
			d.Close()
		}
		wantFault(t, "Open", err)
	})
	calls := []struct {
		name string
		call func(d *Data) error
	}{
		{"LineTable", func(d *Data) error {
			_, err := d.LineTable(&d.Units()[0])
			return err
		}},
		{"Reader.Next", func(d *Data) error {
			_, err := d.Reader(nil).Next()
			return err
		}},
		{"EntryAt", func(d *Data) error {
			_, err := d.EntryAt(d.Units()[0].Offset)
			return err
		}},
		{"Extract", func(d *Data) error {
			return d.Extract(&ExtractOptions{Concurrency: 2, Types: true}, func(*CompileUnit) error { return nil })
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			p := truncatedCopy(t)
			d, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.fmap == nil {
				t.Skip("not mapped")
			}
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
			wantFault(t, c.name, c.call(d))
		})
	}
}

// TestFaultErrorOtherPanics: a panic that is not a fault on a mapping is
// not taken for one.
func TestFaultErrorOtherPanics(t *testing.T) {
	for _, p := range []any{"boom", errors.New("x"), faultAt(1 << 40)} {
		if err := FaultError("f", p); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
}

type faultAt uintptr

func (f faultAt) Addr() uintptr { return uintptr(f) }
func (f faultAt) Error() string { return "fault" }
