package dwarfx

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file builds small ELF files with hand-written DWARF, for cases the
// compiled fixtures do not contain (a ref_addr in .debug_types, an empty
// unit, an entry with children and no DW_AT_sibling next to one with it).

// section is one ELF section of a synthetic file.
type section struct {
	name  string
	data  []byte
	flags uint64
}

// buildELF returns a little-endian ELF64 relocatable-free (ET_EXEC) file
// holding the given sections, enough for debug/elf and this package.
func buildELF(secs ...section) []byte {
	le := binary.LittleEndian
	var shstr bytes.Buffer
	shstr.WriteByte(0)
	nameOff := make([]uint32, len(secs)+1)
	for i, s := range secs {
		nameOff[i] = uint32(shstr.Len())
		shstr.WriteString(s.name)
		shstr.WriteByte(0)
	}
	nameOff[len(secs)] = uint32(shstr.Len())
	shstr.WriteString(".shstrtab\x00")
	all := append(secs[:len(secs):len(secs)], section{name: ".shstrtab", data: shstr.Bytes()})

	out := make([]byte, 64)
	offs := make([]uint64, len(all))
	for i, s := range all {
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
		offs[i] = uint64(len(out))
		out = append(out, s.data...)
	}
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	shoff := uint64(len(out))
	out = append(out, make([]byte, 64)...) // null section header
	for i, s := range all {
		sh := make([]byte, 64)
		typ := uint32(1) // SHT_PROGBITS
		if s.name == ".shstrtab" {
			typ = 3 // SHT_STRTAB
		}
		le.PutUint32(sh[0:], nameOff[i])
		le.PutUint32(sh[4:], typ)
		le.PutUint64(sh[8:], s.flags)
		le.PutUint64(sh[24:], offs[i])
		le.PutUint64(sh[32:], uint64(len(s.data)))
		le.PutUint64(sh[48:], 1)
		out = append(out, sh...)
	}
	h := out[:64]
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1 // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
	le.PutUint16(h[16:], 2)    // ET_EXEC
	le.PutUint16(h[18:], 62)   // EM_X86_64
	le.PutUint32(h[20:], 1)
	le.PutUint64(h[40:], shoff)
	le.PutUint16(h[52:], 64)
	le.PutUint16(h[58:], 64)
	le.PutUint16(h[60:], uint16(len(all)+1))
	le.PutUint16(h[62:], uint16(len(all)))
	return out
}

// dw assembles little-endian DWARF bytes.
type dw struct{ b []byte }

func (w *dw) u8(v uint8) *dw   { w.b = append(w.b, v); return w }
func (w *dw) u16(v uint16) *dw { w.b = binary.LittleEndian.AppendUint16(w.b, v); return w }
func (w *dw) u32(v uint32) *dw { w.b = binary.LittleEndian.AppendUint32(w.b, v); return w }
func (w *dw) u64(v uint64) *dw { w.b = binary.LittleEndian.AppendUint64(w.b, v); return w }
func (w *dw) str(s string) *dw { w.b = append(append(w.b, s...), 0); return w }
func (w *dw) uleb(v uint64) *dw {
	for {
		c := uint8(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		w.b = append(w.b, c)
		if v == 0 {
			return w
		}
	}
}

// abbrevDecl is one abbreviation: code, tag, children and (attr, form) pairs.
type abbrevDecl struct {
	code     uint64
	tag      uint64
	children bool
	attrs    [][2]uint64
}

// abbrevTable encodes an abbreviation table.
func abbrevTable(decls ...abbrevDecl) []byte {
	var w dw
	for _, a := range decls {
		w.uleb(a.code).uleb(a.tag)
		if a.children {
			w.u8(1)
		} else {
			w.u8(0)
		}
		for _, p := range a.attrs {
			w.uleb(p[0]).uleb(p[1])
		}
		w.uleb(0).uleb(0)
	}
	w.uleb(0)
	return w.b
}

// unit4 wraps body (the entries) in a 32-bit DWARF 4 compile unit header
// with 8-byte addresses; typeSig, when not nil, makes it a .debug_types
// header with that signature and type offset.
func unit4(abbrevOff uint32, body []byte, typeSig *[2]uint64) []byte {
	var h dw
	h.u16(4).u32(abbrevOff).u8(8)
	if typeSig != nil {
		h.u64(typeSig[0]).u32(uint32(typeSig[1]))
	}
	var w dw
	w.u32(uint32(len(h.b) + len(body)))
	return append(append(w.b, h.b...), body...)
}

// Tags, attributes and forms used by the synthetic files.
const (
	tagCU      = 0x11
	tagSub     = 0x2e
	tagParam   = 0x05
	tagBase    = 0x24
	tagStruct  = 0x13
	tagTypeU   = 0x41
	tagInlined = 0x1d
	atSibling  = 0x01
	atName     = 0x03
	atType     = 0x49
	atOrigin   = 0x31
	atExternal = 0x3f
	atLowPC    = 0x11
)

func mustNew(t testing.TB, b []byte) *Data {
	t.Helper()
	d, err := New(bytes.NewReader(b), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEmptyUnit is the regression test for a unit with a header and no
// entries (as padding between units can be): its root-entry pass and
// Extract used to run on into the next unit, so the empty unit took the
// next unit's name and Extract reported the next unit's functions twice.
func TestEmptyUnit(t *testing.T) {
	ab := abbrevTable(
		abbrevDecl{1, tagCU, true, [][2]uint64{{atName, uint64(FormString)}}},
		abbrevDecl{2, tagSub, false, [][2]uint64{{atName, uint64(FormString)}, {atExternal, uint64(FormFlagPresent)}}},
	)
	var body dw
	body.uleb(1).str("b.c").uleb(2).str("f").uleb(0)
	info := append(unit4(0, nil, nil), unit4(0, body.b, nil)...)
	d := mustNew(t, buildELF(section{name: ".debug_info", data: info}, section{name: ".debug_abbrev", data: ab}))
	var names []string
	for _, u := range d.Units() {
		names = append(names, u.Name)
	}
	if diff := cmp.Diff([]string{"", "b.c"}, names); diff != "" {
		t.Errorf("unit names (-want +got):\n%s", diff)
	}
	for _, c := range []int{1, 2} {
		got := eventLines(t, d, &ExtractOptions{Concurrency: c})
		want := []string{"== ", "== b.c", "definition f"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Concurrency %d: events (-want +got):\n%s", c, diff)
		}
	}
	// A Reader, unlike the unit walks, goes on into the next unit.
	r := d.Reader(nil)
	if err := r.SeekUnit(0); err != nil {
		t.Fatal(err)
	}
	if e, err := r.Next(); err != nil || e == nil || e.Offset != d.Units()[1].EntryOffset {
		t.Errorf("Next after SeekUnit(0) = %v, %v; want the root of unit 1", e, err)
	}
}

// TestTypesRefAddr is the regression test for DW_FORM_ref_addr in a
// .debug_types unit: it is an offset in .debug_info (DWARF 4, section
// 7.5.4), but the reader marked it with TypesBit as if it pointed into
// .debug_types, so it resolved to the wrong entry or to none.
func TestTypesRefAddr(t *testing.T) {
	ab := abbrevTable(
		abbrevDecl{1, tagCU, true, [][2]uint64{{atName, uint64(FormString)}}},
		abbrevDecl{2, tagBase, false, [][2]uint64{{atName, uint64(FormString)}}},
		abbrevDecl{3, tagTypeU, true, nil},
		abbrevDecl{4, tagStruct, false, [][2]uint64{{atName, uint64(FormString)}, {atType, uint64(FormRefAddr)}}},
	)
	var body dw
	body.uleb(1).str("a.c").uleb(2).str("int").uleb(0)
	const intOff uint64 = 11 + 1 + 4 // unit header, then the root entry: code and "a.c\0"
	var tb dw
	tb.uleb(3).uleb(4).str("s").u32(uint32(intOff)).uleb(0)
	const typeOff uint64 = 23 + 1 // .debug_types header, then the type_unit entry's code
	types := unit4(0, tb.b, &[2]uint64{0x1234, typeOff})
	d := mustNew(t, buildELF(
		section{name: ".debug_info", data: unit4(0, body.b, nil)},
		section{name: ".debug_abbrev", data: ab},
		section{name: ".debug_types", data: types}))

	u, ok := d.TypeUnit(0x1234)
	if !ok {
		t.Fatal("type unit 0x1234 not found")
	}
	if u.TypeOffset != typeOff|TypesBit {
		t.Fatalf("TypeOffset = %#x, want %#x", u.TypeOffset, typeOff|TypesBit)
	}
	s, err := d.EntryAt(u.TypeOffset)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Field(atType)
	if s.Tag != tagStruct || f == nil || f.Val != intOff {
		t.Fatalf("type entry = %+v, want a struct whose DW_AT_type is .debug_info offset %#x", s, intOff)
	}
	base, err := d.EntryAt(f.Val)
	if err != nil {
		t.Fatal(err)
	}
	if name := base.Field(atName); base.Tag != tagBase || name == nil || name.Str() != "int" {
		t.Errorf("DW_AT_type resolves to %+v, want the base type int", base)
	}
}

// TestRefPastUnit is the regression test for unit-relative references
// past the end of their unit: DW_FORM_ref1/2/4/8/udata can only name
// entries of their own unit, but the reader added any value to the unit's
// offset, so such a reference silently named an entry of the next unit
// (here, Extract reported g, of unit 1, inlined into f, of unit 0). It is
// now a bad-reference error at the attribute.
func TestRefPastUnit(t *testing.T) {
	ab := abbrevTable(
		abbrevDecl{1, tagCU, true, [][2]uint64{{atName, uint64(FormString)}}},
		abbrevDecl{2, tagSub, true, [][2]uint64{{atName, uint64(FormString)}, {atExternal, uint64(FormFlagPresent)}}},
		abbrevDecl{3, tagInlined, false, [][2]uint64{{atOrigin, uint64(FormRef4)}}},
		abbrevDecl{4, tagSub, false, [][2]uint64{{atName, uint64(FormString)}, {atExternal, uint64(FormFlagPresent)}}},
	)
	// Unit 0 (26 bytes): root at 11, f at 16, the inlined subroutine at 19.
	// Unit 1 at 26: root at 37, g at 42.
	const g = 42
	var b0, b1 dw
	b0.uleb(1).str("a.c").uleb(2).str("f").uleb(3).u32(g).uleb(0).uleb(0)
	b1.uleb(1).str("b.c").uleb(4).str("g").uleb(0)
	info := append(unit4(0, b0.b, nil), unit4(0, b1.b, nil)...)
	d := mustNew(t, buildELF(section{name: ".debug_info", data: info}, section{name: ".debug_abbrev", data: ab}))
	if e, err := d.EntryAt(g); err != nil || e.Field(atName).Str() != "g" {
		t.Fatalf("the file is not laid out as planned: %v %v", e, err)
	}
	const at = 20 // the inlined subroutine's DW_AT_abstract_origin
	var last error
	for _, err := range d.Reader(nil).All() {
		last = err
	}
	if !isFormatError(last, ErrBadReference) || last.(*FormatError).Offset != at {
		t.Errorf("Reader: %v, want a bad reference at %#x", last, at)
	}
	for _, c := range []int{1, 2} {
		var events []string
		err := d.Extract(&ExtractOptions{Concurrency: c}, func(cu *CompileUnit) error {
			for _, ev := range cu.Events {
				events = append(events, ev.Kind.String()+" "+cu.Funcs[ev.Func].Name)
			}
			return nil
		})
		if !isFormatError(err, ErrBadReference) || err.(*FormatError).Offset != at {
			t.Errorf("Concurrency %d: Extract: %v (events %v), want a bad reference at %#x", c, err, events, at)
		}
	}
}
