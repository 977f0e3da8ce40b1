package kabi

import (
	"fmt"
	"strings"
	"testing"
)

// TestIndexTypes: a build loaded from its index has the same type
// definitions, variants and locations; one indexed without types has
// none.
func TestIndexTypes(t *testing.T) {
	for _, name := range []string{"types-v1", "x86_64-dwarf5"} {
		b := fixture(t, name)
		ib := viaIndex(t, b, name+".kabi")
		dump := func(b *Build) string {
			var s strings.Builder
			for d := range b.Types(0) {
				fmt.Fprintln(&s, d.Locations, d.Unsigned)
				s.WriteString(layout(d, ""))
			}
			return s.String()
		}
		want, got := dump(b), dump(ib)
		if got != want || b.TypeLen(0) == 0 {
			t.Errorf("%s: from the index:\n%s\nwant:\n%s", name, got, want)
		}
		for d := range b.Types(0) {
			o, ok := ib.Type(d.Kind, d.Name)
			if !ok || !o.Equal(b.TypeVariants(d.Kind, d.Name)[0]) {
				t.Errorf("%s: %s %s differs", name, d.Kind, d.Name)
			}
		}
		var ta, tb strings.Builder
		for a := range b.Typedefs() {
			fmt.Fprintln(&ta, a.Name, a.Type, a.Locations, a.Def != nil && a.Def.Equal(a.Def))
		}
		for a := range ib.Typedefs() {
			fmt.Fprintln(&tb, a.Name, a.Type, a.Locations, a.Def != nil && a.Def.Equal(a.Def))
		}
		if ta.String() != tb.String() || ta.Len() == 0 {
			t.Errorf("%s: typedefs from the index:\n%s\nwant:\n%s", name, tb.String(), ta.String())
		}
		if _, err := ib.LookupType(Ref{KindStruct, "no_such"}); err == nil || ib.Err() != nil {
			t.Errorf("LookupType of a missing type: %v; Err %v", err, ib.Err())
		}
	}
	nb, err := Open("testdata/types-v1.elf", &Options{NoTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	ib := viaIndex(t, nb, "notypes.kabi")
	if ib.TypeLen(0) != 0 || ib.Err() != nil {
		t.Errorf("indexed without types: %d types, Err %v", ib.TypeLen(0), ib.Err())
	}
}
