package dwarfx

import (
	"debug/dwarf"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/freelist"
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

// TestTableRoom checks that a room hands out zeroed memory once kept
// (an abbreviation left defined would make a later table's code seem
// defined twice, or an undefined code decode), and allocates what does
// not fit.
func TestTableRoom(t *testing.T) {
	r := &tableRoom{abbrev: make([]abbrev, 8), op: make([]attrOp, 8)}
	a, o := r.abbrevs(6), r.ops(6)
	for i := range a {
		a[i] = abbrev{tag: 1, defined: true, ops: o[i : i+1]}
		o[i] = attrOp{attr: 3, form: 4, size: 8}
	}
	if b := r.abbrevs(3); len(b) != 3 || &b[0] == &r.abbrev[6] {
		t.Errorf("3 abbreviations past the 2 left came from the room")
	}
	r.keep()
	for i, a := range r.abbrev {
		if a.defined || a.tag != 0 || a.ops != nil {
			t.Errorf("kept room: abbreviation %d is %+v", i, a)
		}
	}
	for i, o := range r.op {
		if o != (attrOp{}) {
			t.Errorf("kept room: op %d is %+v", i, o)
		}
	}
	if r.na != 0 || r.nop != 0 {
		t.Errorf("kept room hands out from %d, %d", r.na, r.nop)
	}
	var nilRoom *tableRoom
	if len(nilRoom.abbrevs(2)) != 2 || len(nilRoom.ops(2)) != 2 {
		t.Error("no room: wrong lengths")
	}
}

// TestTypeDecoderRelease decodes the prototype of every subprogram of
// every fixture and fixture module with a decoder, releases it, decodes
// them again with it, and checks both against a decoder that is never
// released: the next file's decoder compiles its tables in the memory
// the last one released.
func TestTypeDecoderRelease(t *testing.T) {
	paths := fixtures(t)
	mods, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	paths = append(paths, mods...)
	decode := func(_ *Data, td *TypeDecoder, offs []uint64) []string {
		var out []string
		for _, off := range offs {
			p, err := td.Prototype(off)
			if err != nil {
				out = append(out, fmt.Sprintf("%#x error %v", off, err))
				continue
			}
			out = append(out, fmt.Sprintf("%#x %s", off, protoString(p)))
		}
		return out
	}
	for round := range 2 {
		for _, p := range paths {
			d, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			var offs []uint64
			for e, err := range d.Reader(nil).All() {
				if err != nil {
					t.Fatal(err)
				}
				if e.Tag == dwarf.TagSubprogram {
					offs = append(offs, e.Offset)
				}
			}
			if len(offs) == 0 {
				t.Fatalf("%s: no subprograms", p)
			}
			// A decoder of its own: tables allocated, never released.
			fresh := d.newTypeDecoder(d.newReader(func(tag dwarf.Tag, attr dwarf.Attr) bool { return typesWant(tag, attr) || defWant(tag, attr) }))
			want := decode(d, fresh, offs)
			tableRooms.Put(newTableRoom()) // a room waits, as a walk leaves one: the decoder takes it
			td := d.NewTypeDecoder()
			got := decode(d, td, offs)
			td.Release()
			again := decode(d, td, offs)
			td.Release()
			for _, g := range [][]string{got, again} {
				if strings.Join(g, "\n") != strings.Join(want, "\n") {
					t.Errorf("round %d: %s: a decoder in released memory gave other prototypes:\n%s", round, p, lineDiff(want, g))
				}
			}
			d.Close()
		}
	}
}

// TestKeptUnits reads every fixture and fixture module with Recycle, in
// order, reversed and again, its units then kept for the next walk (see
// keptUnits) and filled with garbage in between, against walks without
// Recycle.
func TestKeptUnits(t *testing.T) {
	defer freelist.Hold()() // the walks' units are kept from one to the next, as in a kernel's read
	paths := fixtures(t)
	mods, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	paths = append(paths, mods...)
	read := func(p string, recycle bool) []string {
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		return digest(t, d, &ExtractOptions{Concurrency: 1, Prototypes: true, Recycle: recycle})
	}
	want := map[string][]string{}
	for _, p := range paths {
		want[p] = read(p, false)
	}
	rev := slices.Clone(paths)
	slices.Reverse(rev)
	kept := 0
	for _, p := range slices.Concat(paths, rev, paths) {
		if got := read(p, true); strings.Join(got, "\n") != strings.Join(want[p], "\n") {
			t.Errorf("%s: a walk with kept units gave other units:\n%s", p, lineDiff(want[p], got))
		}
		var units []*CompileUnit
		for {
			cu, ok := keptUnits.Get()
			if !ok {
				break
			}
			units = append(units, cu)
		}
		kept = max(kept, len(units))
		// Every unit kept now goes to the next walk's free list (4*1+1
		// places with Concurrency 1), which hands back each it keeps.
		units = units[:min(len(units), 5)]
		for _, cu := range units {
			if cu.Unit != nil || len(cu.Funcs) != 0 || len(cu.Events) != 0 {
				t.Errorf("a kept unit holds %v, %d funcs, %d events", cu.Unit, len(cu.Funcs), len(cu.Events))
			}
			for i, f := range cu.Funcs[:cap(cu.Funcs)] {
				if f != (Func{}) {
					// Not its strings: they may lie in a closed mapping.
					t.Errorf("a kept unit's func %d holds the func at %#x of %d bytes of name", i, f.Offset, len(f.Name))
					break
				}
			}
			// Filled as far as they go, as a walk's unit leaves them: a
			// walk clears what it filled (see keepUnits).
			cu.Funcs = cu.Funcs[:cap(cu.Funcs)]
			for i := range cu.Funcs {
				cu.Funcs[i] = Func{Offset: 1, Name: "stale", Line: 9, HasFile: true}
			}
			es := cu.Events[:cap(cu.Events)]
			for i := range es {
				es[i] = Event{Kind: Call, Func: 3, Caller: 4, Addr: 5, HasAddr: true}
			}
		}
		for i := len(units) - 1; i >= 0; i-- {
			keptUnits.Put(units[i])
		}
	}
	if kept == 0 {
		t.Error("no unit was kept")
	}
}
