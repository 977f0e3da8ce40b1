package dwarfx

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// openBoth opens a fixture with debug/dwarf and with this package.
func openBoth(t testing.TB, path string) (*dwarf.Data, *Data) {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ef.Close() })
	std, err := ef.DWARF()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return std, ours
}

// stdEntries returns every .debug_info entry as debug/dwarf reads it.
func stdEntries(t testing.TB, std *dwarf.Data) []*dwarf.Entry {
	t.Helper()
	var out []*dwarf.Entry
	r := std.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return out
		}
		out = append(out, e)
	}
}

// skipWalk walks .debug_info calling SkipChildren after every entry that
// skip selects, and returns "offset tag" for each entry returned.
// withSibling false clears the reader's DW_AT_sibling before each skip, so
// that the children are walked instead of jumped over.
func skipWalk(t *testing.T, d *Data, skip func(dwarf.Tag) bool, withSibling bool) (out []string, jumps, walks int) {
	r := d.Reader(nil)
	for {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil || e.Offset&TypesBit != 0 {
			return out, jumps, walks
		}
		out = append(out, entryKey(e.Offset, e.Tag))
		if e.Children && skip(e.Tag) {
			if !withSibling {
				r.sibling = 0
			}
			if r.sibling != 0 {
				jumps++
			} else {
				walks++
			}
			r.SkipChildren()
		}
	}
}

func entryKey(off uint64, tag dwarf.Tag) string {
	if tag == 0 {
		return "null"
	}
	return fmt.Sprintf("%v@%#x", tag, off)
}

// TestSkipChildren checks SkipChildren against debug/dwarf's on every
// fixture: skipping the children of every subprogram and structure must
// return the same entries, whether the reader jumps by DW_AT_sibling or
// walks the children (forced by clearing the sibling).
func TestSkipChildren(t *testing.T) {
	skip := func(tag dwarf.Tag) bool {
		return tag == dwarf.TagSubprogram || tag == dwarf.TagStructType || tag == dwarf.TagInlinedSubroutine
	}
	for _, p := range kernelFixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			std, ours := openBoth(t, p)
			var want []string
			r := std.Reader()
			for {
				e, err := r.Next()
				if err != nil {
					t.Fatal(err)
				}
				if e == nil {
					break
				}
				want = append(want, entryKey(uint64(e.Offset), e.Tag))
				if e.Children && skip(e.Tag) {
					r.SkipChildren()
				}
			}
			got, jumps, walks := skipWalk(t, ours, skip, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("with DW_AT_sibling (-debug/dwarf +dwarfx):\n%s", diff)
			}
			got2, _, walks2 := skipWalk(t, ours, skip, false)
			if diff := cmp.Diff(want, got2); diff != "" {
				t.Errorf("walking the children (-debug/dwarf +dwarfx):\n%s", diff)
			}
			if walks2 == 0 {
				t.Error("no children were skipped")
			}
			// gcc gives most entries with children a DW_AT_sibling (not the
			// last child of a list); clang gives none.
			clang := strings.HasPrefix(filepath.Base(p), "clang")
			if clang && jumps != 0 || !clang && (jumps == 0 || walks == 0) {
				t.Errorf("%d skips by DW_AT_sibling, %d by walking", jumps, walks)
			}
		})
	}
}

// TestSkipChildrenNoop checks that SkipChildren does nothing after an entry
// without children and after a null entry.
func TestSkipChildrenNoop(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	r := d.Reader(nil)
	var offs []uint64
	for i := 0; i < 200; i++ {
		e, err := r.Next()
		if err != nil || e == nil {
			t.Fatal(e, err)
		}
		offs = append(offs, e.Offset)
		if !e.Children {
			r.SkipChildren()
		}
	}
	r2 := d.Reader(nil)
	for i, want := range offs {
		e, err := r2.Next()
		if err != nil || e == nil || e.Offset != want {
			t.Fatalf("entry %d: %v %v, want offset %#x", i, e, err, want)
		}
	}
}

// TestSeek seeks to every entry debug/dwarf returns and to every unit
// header, on every fixture, and compares what Next returns from there.
func TestSeek(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			std, ours := openBoth(t, p)
			all := stdEntries(t, std)
			r := ours.Reader(nil)
			for i, se := range all {
				if se.Tag == 0 {
					continue // null entries carry no offset in debug/dwarf
				}
				if err := r.Seek(uint64(se.Offset)); err != nil {
					t.Fatalf("Seek(%#x): %v", se.Offset, err)
				}
				// The entry and the one after it (which may be in the next unit).
				for j := i; j < min(i+2, len(all)); j++ {
					oe, err := r.Next()
					if err != nil || oe == nil {
						t.Fatalf("Seek(%#x), Next %d: %v, %v", se.Offset, j-i, oe, err)
					}
					if diffs := entryDiffs(all[j], oe); len(diffs) > 0 {
						t.Fatalf("Seek(%#x), Next %d: %v", se.Offset, j-i, diffs)
					}
				}
			}
			for i, u := range ours.Units() {
				if err := r.Seek(u.Offset); err != nil {
					t.Fatalf("Seek(unit %d header %#x): %v", i, u.Offset, err)
				}
				e, err := r.Next()
				if err != nil || e == nil || e.Offset != u.EntryOffset || e.Tag != u.Tag || r.Unit() != &ours.Units()[i] {
					t.Fatalf("Seek(unit %d header %#x), Next = %v, %v; want its root entry at %#x", i, u.Offset, e, err, u.EntryOffset)
				}
			}
			// Offsets in no unit: inside a unit header, past the end.
			u0 := ours.Units()[0]
			last := ours.Units()[ours.InfoUnits()-1]
			for _, off := range []uint64{u0.Offset + 1, last.End, last.End + 100} {
				err := r.Seek(off)
				if !isFormatError(err, ErrBadReference) {
					t.Errorf("Seek(%#x) = %v, want a bad-reference error", off, err)
				}
				if _, err2 := r.Next(); err2 != err {
					t.Errorf("Next after a failed Seek = %v, want the Seek error", err2)
				}
			}
			// A failed Seek is forgotten by the next one.
			if err := r.Seek(u0.Offset); err != nil {
				t.Fatal(err)
			}
			if e, err := r.Next(); err != nil || e == nil || e.Offset != u0.EntryOffset {
				t.Errorf("Seek after a failed Seek: %v, %v", e, err)
			}
		})
	}
}

// TestSeekUnit checks SeekUnit against the unit list and its range check.
func TestSeekUnit(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf4-types.elf")
	r := d.Reader(nil)
	for i, u := range d.Units() {
		if err := r.SeekUnit(i); err != nil {
			t.Fatal(err)
		}
		e, err := r.Next()
		if err != nil || e == nil || e.Offset != u.EntryOffset {
			t.Fatalf("unit %d: %v %v", i, e, err)
		}
	}
	for _, i := range []int{-1, len(d.Units())} {
		if err := r.SeekUnit(i); err == nil {
			t.Errorf("SeekUnit(%d) succeeded", i)
		}
	}
}

// TestEntryAtReferences resolves every reference attribute of every
// fixture with EntryAt and checks the entry against debug/dwarf's entry at
// the same offset. On clang.elf (ThinLTO) it also checks that some
// DW_FORM_ref_addr references cross units.
func TestEntryAtReferences(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			std, ours := openBoth(t, p)
			byOff := make(map[uint64]*dwarf.Entry)
			for _, e := range stdEntries(t, std) {
				if e.Tag != 0 {
					byOff[uint64(e.Offset)] = e
				}
			}
			r := ours.Reader(nil)
			r.limit = ours.InfoUnits()
			refs, cross := 0, 0
			for e, err := range r.All() {
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range e.Fields {
					if !f.IsRef() || f.Attr == dwarf.AttrSibling {
						continue
					}
					refs++
					target, err := ours.EntryAt(f.Val)
					if err != nil {
						t.Fatalf("%#x %v -> %#x: %v", e.Offset, f.Attr, f.Val, err)
					}
					se := byOff[f.Val]
					if se == nil {
						t.Fatalf("%#x %v -> %#x: debug/dwarf has no entry there", e.Offset, f.Attr, f.Val)
					}
					if target.Offset != f.Val {
						t.Fatalf("EntryAt(%#x) returned the entry at %#x", f.Val, target.Offset)
					}
					if diffs := entryDiffs(se, target); len(diffs) > 0 {
						t.Fatalf("EntryAt(%#x): %v", f.Val, diffs)
					}
					from, _ := ours.UnitAt(e.Offset)
					to, _ := ours.UnitAt(f.Val)
					if from != to {
						cross++
						if f.Form != FormRefAddr {
							t.Errorf("%#x: %v with form %#x crosses units", e.Offset, f.Attr, f.Form)
						}
					}
				}
			}
			if refs == 0 {
				t.Error("no references")
			}
			if strings.HasPrefix(filepath.Base(p), "clang") && cross == 0 {
				t.Error("clang.elf (ThinLTO) has no cross-unit DW_FORM_ref_addr")
			}
			t.Logf("%d references, %d across units", refs, cross)
		})
	}
}

// TestEntryAtBad checks EntryAt's errors.
func TestEntryAtBad(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	last := d.Units()[len(d.Units())-1]
	for _, off := range []uint64{last.End, 1 << 40, d.Units()[1].Offset + 2} {
		if _, err := d.EntryAt(off); !isFormatError(err, ErrBadReference) {
			t.Errorf("EntryAt(%#x) = %v, want a bad-reference error", off, err)
		}
	}
}

// TestAll checks the iterator: it yields what Next yields, stops when the
// loop breaks (leaving the reader after the last entry yielded), and yields
// a decoding error once, as its last value.
func TestAll(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	var want []uint64
	r := d.Reader(nil)
	for {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			break
		}
		want = append(want, e.Offset)
	}
	var got []uint64
	for e, err := range d.Reader(nil).All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Offset)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("All vs Next (-Next +All):\n%s", diff)
	}

	r = d.Reader(nil)
	n := 0
	for e, err := range r.All() {
		if err != nil || e.Offset != want[n] {
			t.Fatalf("entry %d: %v, %v", n, e, err)
		}
		n++
		if n == 10 {
			break
		}
	}
	if e, err := r.Next(); err != nil || e == nil || e.Offset != want[10] {
		t.Fatalf("Next after breaking out of All at 10 = %v, %v; want the entry at %#x", e, err, want[10])
	}

	// An entry with an undefined abbreviation code in the second unit.
	bad := patchAt(t, "x86_64-dwarf5.elf", ".debug_info", firstChild(t, d, 1), 0x7f)
	bd, err := New(bad, "bad")
	if err != nil {
		t.Fatal(err)
	}
	n, errs := 0, 0
	var last error
	for e, err := range bd.Reader(nil).All() {
		if err != nil {
			errs++
			last = err
			if e != nil {
				t.Error("error yielded with an entry")
			}
			continue
		}
		n++
	}
	if errs != 1 || !isFormatError(last, ErrUnknownAbbrev) {
		t.Errorf("%d errors, last %v; want one unknown-abbreviation error", errs, last)
	}
	if wantN := slices.Index(want, firstChild(t, d, 1)); n != wantN {
		t.Errorf("%d entries before the error, want %d (up to the second unit's root)", n, wantN)
	}
}

// TestReaderAttrs checks ReaderOptions.Attrs: the same entries, with only
// the listed attributes, in the same order and with the same values as a
// full decode.
func TestReaderAttrs(t *testing.T) {
	attrs := []dwarf.Attr{dwarf.AttrName, dwarf.AttrLowpc, dwarf.AttrAbstractOrigin, AttrCallOrigin, dwarf.AttrSibling}
	for _, name := range []string{"x86_64-dwarf5.elf", "x86_64-dwarf2.elf", "clang.elf", "x86_64-dwarf4-types.elf"} {
		d := openFixture(t, name)
		full, part := d.Reader(nil), d.Reader(&ReaderOptions{Attrs: attrs})
		n, kept := 0, 0
		for {
			fe, err1 := full.Next()
			pe, err2 := part.Next()
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if fe == nil || pe == nil {
				if fe != pe {
					t.Fatalf("%s: one reader ended early", name)
				}
				break
			}
			n++
			var want []Field
			for _, f := range fe.Fields {
				if slices.Contains(attrs, f.Attr) {
					want = append(want, f)
				}
			}
			if fe.Offset != pe.Offset || fe.Tag != pe.Tag || fe.Children != pe.Children {
				t.Fatalf("%s: entry %d: %#x %v vs %#x %v", name, n, fe.Offset, fe.Tag, pe.Offset, pe.Tag)
			}
			if diff := cmp.Diff(want, pe.Fields, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: entry at %#x (-want +got):\n%s", name, fe.Offset, diff)
			}
			kept += len(pe.Fields)
		}
		if kept == 0 {
			t.Errorf("%s: no attribute kept", name)
		}
	}
}

// TestNextNoAllocs checks that Next allocates nothing in steady state:
// within a unit once its table is compiled, and over a whole second walk
// of a file once every table is.
func TestNextNoAllocs(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	r := d.Reader(nil)
	// The largest unit.
	big := 0
	for i, u := range d.Units() {
		if u.End-u.Offset > d.Units()[big].End-d.Units()[big].Offset {
			big = i
		}
	}
	if err := r.SeekUnit(big); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(300, func() {
		e, err := r.Next()
		if err != nil || e == nil || r.Unit().Index != big {
			t.Fatalf("%v %v", e, err)
		}
	})
	if allocs != 0 {
		t.Errorf("Next: %v allocations per entry within a unit", allocs)
	}

	walk := func() {
		if err := r.SeekUnit(0); err != nil {
			t.Fatal(err)
		}
		for {
			e, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				return
			}
		}
	}
	walk() // compiles every table
	if allocs := testing.AllocsPerRun(3, walk); allocs != 0 {
		t.Errorf("a second walk of the file allocates %v times", allocs)
	}
	// With an attribute filter, and skipping children.
	rf := d.Reader(&ReaderOptions{Attrs: []dwarf.Attr{dwarf.AttrName}})
	walkSkip := func() {
		if err := rf.SeekUnit(0); err != nil {
			t.Fatal(err)
		}
		for {
			e, err := rf.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				return
			}
			if e.Tag == dwarf.TagSubprogram {
				rf.SkipChildren()
			}
		}
	}
	walkSkip()
	if allocs := testing.AllocsPerRun(3, walkSkip); allocs != 0 {
		t.Errorf("a second filtered walk with SkipChildren allocates %v times", allocs)
	}
}

// TestReaderErrIsSticky checks that after a decoding error Next keeps
// returning it, and that SkipChildren does not move past it.
func TestReaderErrIsSticky(t *testing.T) {
	const name = "x86_64-dwarf5.elf"
	d := openFixture(t, name)
	off := firstChild(t, d, 1)
	bd, err := New(patchAt(t, name, ".debug_info", off, 0x7f), name)
	if err != nil {
		t.Fatal(err)
	}
	r := bd.Reader(nil)
	if err := r.SeekUnit(1); err != nil {
		t.Fatal(err)
	}
	if e, err := r.Next(); err != nil || e.Offset != d.Units()[1].EntryOffset {
		t.Fatal(e, err)
	}
	_, err1 := r.Next()
	r.SkipChildren()
	e, err2 := r.Next()
	if err1 == nil || err2 != err1 || e != nil || r.Err() != err1 {
		t.Errorf("Next: %v, then %v, %v; Err %v", err1, e, err2, r.Err())
	}
	checkFormatError(t, err1, ErrUnknownAbbrev, ".debug_info", off)
}
