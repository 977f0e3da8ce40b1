package dwarfx

import (
	"debug/dwarf"
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
