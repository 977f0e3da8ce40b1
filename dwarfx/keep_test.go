package dwarfx

import (
	"debug/dwarf"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestKeep: strings from the string sections are kept as they are; those
// inline in .debug_info are copied, so holding them does not hold the
// section.
func TestKeep(t *testing.T) {
	d, err := Open("../testdata/x86_64-dwarf4.elf")
	if err != nil {
		t.Fatal(err)
	}
	inline, table := 0, 0
	r := d.Reader(&ReaderOptions{Attrs: []dwarf.Attr{dwarf.AttrName}})
	for e, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		f := e.Field(dwarf.AttrName)
		if f == nil {
			continue
		}
		s := f.Str()
		k := d.Keep(s)
		if k != s {
			t.Fatalf("Keep(%q) = %q", s, k)
		}
		same := unsafe.StringData(k) == unsafe.StringData(s)
		switch f.Form {
		case FormString:
			inline++
			if same {
				t.Errorf("%q inline in .debug_info was not copied", s)
			}
		case FormStrp, FormLineStrp:
			table++
			if !same {
				t.Errorf("%q from a string section was copied", s)
			}
		}
	}
	if inline == 0 || table == 0 {
		t.Fatalf("the fixture should have both kinds of names: %d inline, %d in tables", inline, table)
	}
}

// TestKeepModule: a module's strings, which lie in buffers that the next
// module reuses once it is closed, are copied by Keep, so they outlive
// Close and what is read after it.
func TestKeepModule(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	if len(paths) < 2 {
		t.Fatalf("%d fixture modules", len(paths))
	}
	var kept, want []string
	for _, p := range paths {
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Extract(nil, func(cu *CompileUnit) error {
			for _, f := range cu.Funcs {
				k := d.Keep(f.Name)
				if k != f.Name || inSection(k, d.str) || inSection(k, d.info) {
					t.Errorf("%s: Keep(%q) = %q, in the sections", p, f.Name, k)
				}
				kept, want = append(kept, k), append(want, strings.Clone(f.Name))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		d.Close()
	}
	if len(kept) == 0 || !slices.Equal(kept, want) {
		t.Errorf("kept names changed after Close: %q, want %q", kept, want)
	}
}
