package dwarfx

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestArenaRewind checks that a recycling arena hands out zeroed values
// after rewind and after shrink, though the values it handed out before
// were written, and that shrink bounds the chunks it keeps.
func TestArenaRewind(t *testing.T) {
	a := arena[Member]{size: 8, recycle: true}
	fill := func() {
		for range 20 {
			for _, m := range [][]Member{a.take(1), a.take(2)} {
				for i := range m {
					if m[i] != (Member{}) {
						t.Fatalf("arena handed out %+v, not a zero value", m[i])
					}
					m[i] = Member{Offset: 7, Name: "stale", Type: &Type{}, BitOffset: 3}
				}
			}
		}
	}
	fill()
	n := len(a.chunks)
	a.rewind()
	fill()
	if len(a.chunks) != n {
		t.Errorf("after rewind the same takes used %d chunks, want %d", len(a.chunks), n)
	}
	a.shrink(2)
	if len(a.chunks) != 2 {
		t.Errorf("shrink(2) kept %d chunks", len(a.chunks))
	}
	fill()
	a.take(1)[0].Name = "half"
	a.shrink(100)
	fill()
}

// TestRecycledDecoders reads every fixture with Prepare (whose type
// decoders are kept from one walk to the next: see newRecycling), in
// order, in reverse and again, and checks that each walk's prototypes
// and type definitions are those of a walk with a decoder of its own.
func TestRecycledDecoders(t *testing.T) {
	paths := fixtures(t)
	mods, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	paths = append(paths, mods...)
	render := func(cu *CompileUnit) []string {
		var out []string
		for i, p := range cu.Protos {
			if p != nil {
				out = append(out, fmt.Sprintf("%#x %s", cu.Events[i].Offset, protoString(p)))
			}
		}
		for _, d := range cu.Types {
			out = append(out, defString(d))
		}
		return out
	}
	read := func(p string, prepare bool) []string {
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var got []string
		o := &ExtractOptions{Prototypes: true, Types: true, Concurrency: 2}
		if prepare {
			o.Prepare = func(cu *CompileUnit) error {
				cu.Prepared = render(cu)
				return nil
			}
		}
		if err := d.Extract(o, func(cu *CompileUnit) error {
			if prepare {
				got = append(got, cu.Prepared.([]string)...)
			} else {
				got = append(got, render(cu)...)
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return got
	}
	want := map[string][]string{}
	for _, p := range paths {
		want[p] = read(p, false)
		if len(want[p]) == 0 {
			t.Fatalf("%s: no prototypes or types", p)
		}
	}
	rev := slices.Clone(paths)
	slices.Reverse(rev)
	for _, p := range slices.Concat(paths, rev, paths) {
		if got := read(p, true); strings.Join(got, "\n") != strings.Join(want[p], "\n") {
			t.Errorf("%s: a kept decoder gave other results than a decoder of its own:\n%s", p, lineDiff(want[p], got))
		}
	}
}

// defString renders a type definition, with its members' types.
func defString(d *TypeDefinition) string {
	if d == nil {
		return "<nil>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%#x %d %q %d %v:%d %v target=%s {", d.Offset, d.Kind, d.Name, d.Size, d.File, d.Line, d.Unsigned, tyString(d.Target))
	for _, m := range d.Members {
		fmt.Fprintf(&b, "%#x %q %s %d:%d anon=%s; ", m.Offset, m.Name, tyString(m.Type), m.BitOffset, m.BitSize, defString(m.Anon))
	}
	for _, e := range d.Enumerators {
		fmt.Fprintf(&b, "%s=%d; ", e.Name, e.Value)
	}
	fmt.Fprintf(&b, "} anon=%s", defString(d.Anon))
	return b.String()
}
