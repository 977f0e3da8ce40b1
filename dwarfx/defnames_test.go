package dwarfx

import (
	"debug/dwarf"
	"debug/elf"
	"strings"
	"sync"
	"testing"
)

// TestWalkDefinitionNames checks the names of the definitions a walk
// decodes, which it reads only once it knows an entry is no declaration
// (see Reader.defNames), against debug/dwarf's on every fixture: the
// strp, strx and line_strp forms of gcc's and clang's DWARF 2 to 5, the
// type units, 32-bit, big-endian and 64-bit DWARF.
func TestWalkDefinitionNames(t *testing.T) {
	for _, p := range fixtures(t) {
		ef, err := elf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		typeUnits := ef.Section(".debug_types") != nil // which r below does not read
		sd, err := ef.DWARF()
		if err != nil {
			ef.Close()
			t.Fatal(err)
		}
		// The named definitions of .debug_info, by offset.
		want := make(map[uint64]string)
		r := sd.Reader()
		for {
			e, err := r.Next()
			if err != nil {
				t.Fatal(p, err)
			}
			if e == nil {
				break
			}
			name, _ := e.Val(dwarf.AttrName).(string)
			decl, _ := e.Val(dwarf.AttrDeclaration).(bool)
			if defKind(e.Tag) != 0 && name != "" && !decl {
				want[uint64(e.Offset)] = name
			}
		}
		ef.Close()

		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex // WantType is asked from the walk's workers
		var asked []string
		got := make(map[uint64]string)
		err = d.Extract(&ExtractOptions{Types: true, WantType: func(_ int, k *TypeKey) bool {
			mu.Lock()
			asked = append(asked, strings.Clone(k.Name))
			mu.Unlock()
			return true
		}}, func(cu *CompileUnit) error {
			for _, def := range cu.Types {
				if def.Offset&TypesBit == 0 {
					got[def.Offset] = def.Name
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(p, err)
		}
		// The names point into d's sections: compared before Close.
		defer d.Close()
		for off, name := range got {
			if want[off] != name {
				t.Errorf("%s: definition at %#x named %q, debug/dwarf says %q", p, off, name, want[off])
			}
		}
		// A walk asks once per key (see ExtractOptions.WantType): every
		// name asked is a definition's, and every definition's name is
		// asked about.
		names := make(map[string]bool)
		for _, n := range want {
			names[n] = true
		}
		seen := make(map[string]bool)
		for _, n := range asked {
			if !names[n] && !typeUnits {
				t.Errorf("%s: asked about %q, no definition's name", p, n)
			}
			seen[n] = true
		}
		for n := range names {
			if !seen[n] {
				t.Errorf("%s: never asked about %q", p, n)
			}
		}
	}
}

// TestFieldDataRoom checks what extractor.defName tells a name left unread
// by: on every fixture, a value read has no room past its end, and a
// definition's name that a reader with defNames leaves unread is empty
// with room, the name at its start.
func TestFieldDataRoom(t *testing.T) {
	total := 0
	for _, p := range fixtures(t) {
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, lazy := range []bool{false, true} {
			r := d.Reader(nil)
			r.limit = d.nInfo
			r.defNames = lazy
			unread := 0 // with lazy set
			for e, err := range r.All() {
				if err != nil {
					t.Fatal(p, err)
				}
				for i := range e.Fields {
					f := &e.Fields[i]
					if len(f.Data) > 0 || cap(f.Data) == 0 {
						if cap(f.Data) != len(f.Data) {
							t.Fatalf("%s: entry %#x: %v of %v has room past its end", p, e.Offset, f.Attr, f.Form)
						}
						continue
					}
					if !lazy || f.Attr != dwarf.AttrName || defKind(e.Tag) == 0 {
						t.Fatalf("%s: entry %#x: %v of %v left unread", p, e.Offset, f.Attr, f.Form)
					}
					unread++
					if s, ok := cstringAt(f.Data[:cap(f.Data)], 0); !ok || len(s) == 0 {
						t.Fatalf("%s: entry %#x: no name where the unread one is", p, e.Offset)
					}
				}
			}
			total += unread
		}
		d.Close()
	}
	if total == 0 {
		t.Error("no name was left unread")
	}
}
