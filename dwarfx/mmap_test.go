package dwarfx

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// digest renders every unit Extract delivers, so that runs whose units
// do not outlive the callback (Recycle) can be compared.
func digest(t *testing.T, d *Data, opts *ExtractOptions) []string {
	t.Helper()
	var out []string
	if err := d.Extract(opts, func(cu *CompileUnit) error {
		out = append(out, fmt.Sprintf("%s %+v %+v %d", cu.Unit.Name, cu.Funcs, cu.Events, len(cu.Protos)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMapped checks that a Data read from a file, whose sections are then
// mapped (on the systems that can), answers exactly as one read from
// memory: with the mapping trimmed after every unit, with units recycled,
// in parallel. It also checks which sections lie in the mapping: all
// uncompressed ones but the string tables, whose strings callers keep.
func TestMapped(t *testing.T) {
	defer func(n uint64) { trimEvery = n }(trimEvery)
	trimEvery = 1
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			mem, err := New(bytes.NewReader(raw), p)
			if err != nil {
				t.Fatal(err)
			}
			if mem.fmap != nil {
				t.Fatal("a Data read from a bytes.Reader is mapped")
			}
			d, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ef, err := elf.NewFile(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if want := mapSupported && ef.Type != elf.ET_REL; (d.fmap != nil) != want {
				t.Fatalf("mapped: %v, want %v", d.fmap != nil, want)
			}
			if d.fmap != nil {
				for _, c := range []struct {
					name string
					b    []byte
				}{{".debug_info", d.info}, {".debug_abbrev", d.abbrev}, {".debug_line", d.line}, {".debug_str", d.str}} {
					s := ef.Section(c.name)
					if s == nil || len(c.b) == 0 {
						continue
					}
					want := s.Flags&elf.SHF_COMPRESSED == 0 && c.name != ".debug_str"
					if got := inSection(bytesString(c.b), d.fmap.data); got != want {
						t.Errorf("%s in the mapping: %v, want %v", c.name, got, want)
					}
				}
			}
			want := digest(t, mem, &ExtractOptions{Concurrency: 1, Prototypes: true})
			for _, c := range []int{1, 2} {
				got := digest(t, d, &ExtractOptions{Concurrency: c, Prototypes: true, Recycle: true})
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("mapped, trimmed, recycled, concurrency %d (-read +mapped):\n%s", c, diff)
				}
			}
		})
	}
}

// TestClose checks that the strings Keep returns outlive Close, and that
// Close may be called again.
func TestClose(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	var kept []string
	if err := d.Extract(nil, func(cu *CompileUnit) error {
		for _, f := range cu.Funcs {
			kept = append(kept, d.Keep(f.Name))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(kept, ",")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got := strings.Join(kept, ","); got != want || !strings.Contains(got, "vmap") {
		t.Errorf("kept names changed after Close, or are missing: %q", got)
	}
	mem, err := New(bytes.NewReader(mustRead(t, "../testdata/x86_64-dwarf5.elf")), "mem")
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Close(); err != nil {
		t.Errorf("Close of an unmapped Data: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
