package dwarfx

import (
	"debug/dwarf"
	"fmt"
	"iter"
	"runtime/debug"
)

// An Entry is one debugging information entry. A null entry (the end of a
// list of children) has Tag 0 and no fields.
type Entry struct {
	Offset   uint64 // section offset (TypesBit set in .debug_types)
	Tag      dwarf.Tag
	Children bool
	Fields   []Field
}

// A Field is one decoded attribute. Val holds addresses (addrx resolved),
// constants (sdata sign-extended), flags (0 or 1), references (as section
// offsets: unit-relative forms resolved, ref_sig8 the signature), section
// offsets and string offsets. Data holds blocks, expressions, data16 and the
// bytes of strings (strp, strx and line_strp resolved), without the NUL.
// Data aliases the section: it is valid, and must not be modified, for as
// long as it is reachable.
type Field struct {
	Attr dwarf.Attr
	Form Form
	Val  uint64
	Data []byte
}

// Str returns the field's string value without copying. The string points
// into a section; Data.Keep gives one that is cheap to hold for long.
func (f *Field) Str() string { return bytesString(f.Data) }

// IsString reports whether the field has a string form.
func (f *Field) IsString() bool {
	switch f.Form {
	case FormString, FormStrp, FormLineStrp, FormStrx, FormStrx1, FormStrx2, FormStrx3, FormStrx4,
		FormGNUStrIndex, FormStrpSup, FormGNUStrpAlt:
		return true
	}
	return false
}

// IsRef reports whether the field is a reference to an entry of this file
// (not ref_sig8, nor a supplementary-file reference).
func (f *Field) IsRef() bool {
	switch f.Form {
	case FormRef1, FormRef2, FormRef4, FormRef8, FormRefUdata, FormRefAddr:
		return true
	}
	return false
}

// Field returns the entry's field for attr, or nil.
func (e *Entry) Field(attr dwarf.Attr) *Field {
	for i := range e.Fields {
		if e.Fields[i].Attr == attr {
			return &e.Fields[i]
		}
	}
	return nil
}

// Val returns the Val of the entry's field for attr.
func (e *Entry) Val(attr dwarf.Attr) (uint64, bool) {
	if f := e.Field(attr); f != nil {
		return f.Val, true
	}
	return 0, false
}

// ReaderOptions configures a Reader. The zero value decodes every attribute.
type ReaderOptions struct {
	// Attrs, when not empty, lists the only attributes to decode; the rest
	// are skipped by size without being looked at.
	Attrs []dwarf.Attr
}

// A Reader walks entries in section order. Next reuses one Entry, so a
// steady-state walk allocates nothing per entry. A Reader is not safe for
// concurrent use; make one per goroutine.
type Reader struct {
	d         *Data
	views     *views // of every reader sharing tables
	view      uint8  // this reader's
	tables    map[tableKey]*table
	room      *tableRoom // where tables are compiled, or nil (see tableRoom)
	ui        int        // current unit, -1 before the first
	u         *Unit
	tab       *table
	b         decoder
	bias      uint64
	e         Entry
	last      uint64 // offset of the last entry returned
	children  bool   // the last entry had children
	sibling   uint64 // its DW_AT_sibling, 0 if none
	err       error
	noResolve bool // leave strx and addrx as indexes (root-entry pre-pass)
	limit     int  // last unit index + 1 that Next may advance into
	// defNames leaves the DW_AT_name of struct, union, enum, class and
	// typedef entries unread where it is in .debug_str or
	// .debug_line_str: the field's Val is its offset there and its Data
	// empty, the rest of the section its capacity (a value read has none
	// past its end), its offset checked as when it is read (see
	// extractor.defName).
	// The extraction walk reads the names of the definitions that are
	// not declarations only: the units of a kernel's modules declare
	// types (struct page;) about 1.6 million times, and each name read
	// is a cache miss in a section of hundreds of MB.
	defNames bool
	lazyStr  bool // the value being decoded is such a name
}

// Reader returns a reader positioned before the first entry of the first unit.
func (d *Data) Reader(opts *ReaderOptions) *Reader {
	var want wantFunc
	if opts != nil && len(opts.Attrs) > 0 {
		var set attrSet
		for _, a := range opts.Attrs {
			set.add(a)
		}
		want = func(_ dwarf.Tag, a dwarf.Attr) bool { return set.has(a) }
	}
	return d.newReader(want)
}

func (d *Data) newReader(want wantFunc) *Reader {
	return &Reader{d: d, views: oneView(want), ui: -1, tables: make(map[tableKey]*table), limit: len(d.units)}
}

// newSharing returns a reader that shares r's compiled tables, decoding
// with view v of r.views. Both must be used from one goroutine.
func (r *Reader) newSharing(v uint8) *Reader {
	n := r.d.newReader(nil)
	n.views, n.view, n.tables, n.room = r.views, v, r.tables, r.room
	return n
}

// attrSet is a bit set of attribute codes; codes past its range are kept in a map.
type attrSet struct {
	bits [0x4000 / 64]uint64
	big  map[dwarf.Attr]bool
}

func (s *attrSet) add(a dwarf.Attr) {
	if a < 0x4000 {
		s.bits[a/64] |= 1 << (a % 64)
		return
	}
	if s.big == nil {
		s.big = make(map[dwarf.Attr]bool)
	}
	s.big[a] = true
}

func (s *attrSet) has(a dwarf.Attr) bool {
	if a < 0x4000 {
		return s.bits[a/64]&(1<<(a%64)) != 0
	}
	return s.big[a]
}

// Unit returns the unit of the last entry returned, or nil.
func (r *Reader) Unit() *Unit { return r.u }

// Err returns the first error the reader met.
func (r *Reader) Err() error { return r.err }

// tableKey is the key of u's compiled table in r.tables.
func (r *Reader) tableKey(u *Unit) tableKey {
	return tableKey{off: u.AbbrevOffset, addrSize: int8(u.AddrSize), format64: u.Format64, v2: u.Version == 2}
}

func (r *Reader) table(u *Unit) (*table, error) {
	k := r.tableKey(u)
	if t, ok := r.tables[k]; ok {
		return t, nil
	}
	t, err := r.d.compileTable(u, r.views, r.room)
	if err != nil {
		return nil, err
	}
	if len(r.tables) >= maxTables {
		// A kernel has a table per unit, and a walk needs little more
		// than the current unit's: do not keep them all.
		clear(r.tables)
	}
	r.tables[k] = t
	return t, nil
}

// maxTables bounds the compiled tables a reader (and those sharing its
// tables) keeps.
const maxTables = 32

// seekUnit positions the reader at the root entry of unit i.
func (r *Reader) seekUnit(i int) error {
	u := &r.d.units[i]
	tab, err := r.table(u)
	if err != nil {
		r.err = err
		return err
	}
	data, sec := r.d.sectionFor(u.inTypes())
	r.b = r.d.newDecoder(data, sec)
	r.bias = u.Offset & TypesBit
	r.b.off = int(u.EntryOffset &^ TypesBit)
	r.b.end = int(u.End &^ TypesBit)
	r.ui, r.u, r.tab = i, u, tab
	r.children = false
	return nil
}

// SeekUnit positions the reader at the root entry of unit i.
func (r *Reader) SeekUnit(i int) error {
	r.err = nil
	if i < 0 || i >= len(r.d.units) {
		r.err = fmt.Errorf("%s: unit index %d out of range [0, %d)", r.d.name, i, len(r.d.units))
		return r.err
	}
	return r.seekUnit(i)
}

// Seek positions the reader at the entry at offset off, which must lie
// within a unit (a unit header's offset means its root entry). Next then
// goes on through the rest of that unit and the following units.
func (r *Reader) Seek(off uint64) (err error) {
	defer recoverBug(r.d.name, &err, debug.SetPanicOnFault(true))
	r.err = nil
	u, ok := r.d.UnitAt(off)
	if !ok {
		for i := range r.d.units {
			if r.d.units[i].Offset == off {
				return r.seekUnit(i)
			}
		}
		_, sec := r.d.sectionFor(off&TypesBit != 0)
		r.err = r.d.sectionErr(sec, off&^TypesBit, ErrBadReference, "offset is not inside any unit")
		return r.err
	}
	if err := r.seekUnit(u.Index); err != nil {
		return err
	}
	r.b.off = int(off &^ TypesBit)
	return nil
}

// Next returns the next entry, moving into the next unit at the end of one.
// It returns nil, nil after the last unit. The returned Entry, its Fields
// and their Data are reused or invalidated by the next call; copy what you
// keep (strings from Field.Str stay valid).
func (r *Reader) Next() (e *Entry, err error) {
	defer recoverBug(r.d.name, &err, debug.SetPanicOnFault(true))
	return r.next()
}

func (r *Reader) next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	for r.ui < 0 || r.b.off >= r.b.end {
		if r.ui+1 >= r.limit {
			r.children = false
			return nil, nil
		}
		if err := r.seekUnit(r.ui + 1); err != nil {
			return nil, err
		}
	}
	e := &r.e
	if err := r.decode(e); err != nil {
		r.err = err
		return nil, err
	}
	return e, nil
}

// decode reads the entry at the read position into e.
func (r *Reader) decode(e *Entry) error {
	b := &r.b
	start := b.off
	e.Offset = uint64(start) | r.bias
	r.last = e.Offset
	code := b.uleb()
	e.Fields = e.Fields[:0]
	r.children, r.sibling = false, 0
	if code == 0 {
		e.Tag, e.Children = 0, false
		return b.err
	}
	a := r.tab.lookup(code)
	if a == nil {
		if b.err != nil {
			return b.err
		}
		return r.d.sectionErr(b.sec, uint64(start), ErrUnknownAbbrev,
			fmt.Sprintf("code %d not in the table at .debug_abbrev offset %#x", code, r.u.AbbrevOffset))
	}
	e.Tag, e.Children = a.tag, a.children
	r.children = a.children
	if n := a.fixed[r.view]; n >= 0 {
		b.skip(uint64(n))
		return b.err
	}
	lazyName := r.defNames && defKind(a.tag) != 0 // see defNames
	for i := range a.ops {
		op := &a.ops[i]
		want := op.want&(1<<r.view) != 0
		if !want && !op.sibling {
			if op.size >= 0 {
				b.skip(uint64(op.size))
			} else if err := r.skipForm(op.form, 0); err != nil {
				return err
			}
			continue
		}
		if !want { // DW_AT_sibling, for SkipChildren only
			f := Field{Attr: op.attr, Form: op.form}
			if err := r.value(&f, op.form, op.implicit, 0); err != nil {
				return err
			}
			r.sibling = f.Val
			continue
		}
		// Decoded in place: copying a Field into the slice cost a bulk
		// write barrier per field while the collector runs.
		n := len(e.Fields)
		if n < cap(e.Fields) {
			e.Fields = e.Fields[:n+1]
		} else {
			e.Fields = append(e.Fields, Field{})
		}
		f := &e.Fields[n]
		f.Attr, f.Form, f.Val = op.attr, op.form, 0
		if f.Data != nil {
			f.Data = nil
		}
		r.lazyStr = lazyName && op.attr == dwarf.AttrName
		err := r.value(f, op.form, op.implicit, 0)
		r.lazyStr = false
		if err != nil {
			e.Fields = e.Fields[:n]
			return err
		}
		if op.sibling {
			r.sibling = f.Val
		}
	}
	return b.err
}

// offset reads a section offset of the unit's size.
func (r *Reader) offset() uint64 {
	if r.u.Format64 {
		return r.b.u64()
	}
	return uint64(r.b.u32())
}

const maxIndirect = 4

// value decodes one value of the given form into f.
func (r *Reader) value(f *Field, form Form, implicit int64, depth int) error {
	b := &r.b
	u := r.u
	at := b.off
	switch form {
	case FormAddr:
		f.Val = b.sized(u.AddrSize)
	case FormAddrx, FormGNUAddrIndex:
		return r.addrx(f, b.uleb(), at)
	case FormAddrx1:
		return r.addrx(f, uint64(b.u8()), at)
	case FormAddrx2:
		return r.addrx(f, uint64(b.u16()), at)
	case FormAddrx3:
		return r.addrx(f, uint64(b.u24()), at)
	case FormAddrx4:
		return r.addrx(f, uint64(b.u32()), at)
	case FormBlock1:
		f.Data = b.bytes(uint64(b.u8()))
	case FormBlock2:
		f.Data = b.bytes(uint64(b.u16()))
	case FormBlock4:
		f.Data = b.bytes(uint64(b.u32()))
	case FormBlock, FormExprloc:
		f.Data = b.bytes(b.uleb())
	case FormData1, FormFlag:
		f.Val = uint64(b.u8())
	case FormData2:
		f.Val = uint64(b.u16())
	case FormData4:
		f.Val = uint64(b.u32())
	case FormData8:
		f.Val = b.u64()
	case FormData16:
		f.Data = b.bytes(16)
	case FormSdata:
		f.Val = uint64(b.sleb())
	case FormUdata, FormLoclistx, FormRnglistx:
		f.Val = b.uleb()
	case FormFlagPresent:
		f.Val = 1
	case FormImplicitConst:
		f.Val = uint64(implicit)
	case FormString:
		f.Data = b.cstring()
	case FormStrp:
		return r.str(f, r.offset(), r.d.str, ".debug_str", at)
	case FormLineStrp:
		return r.str(f, r.offset(), r.d.lineStr, ".debug_line_str", at)
	case FormStrpSup, FormGNUStrpAlt:
		f.Val = r.offset() // in a supplementary file: not resolved
	case FormStrx, FormGNUStrIndex:
		return r.strx(f, b.uleb(), at)
	case FormStrx1:
		return r.strx(f, uint64(b.u8()), at)
	case FormStrx2:
		return r.strx(f, uint64(b.u16()), at)
	case FormStrx3:
		return r.strx(f, uint64(b.u24()), at)
	case FormStrx4:
		return r.strx(f, uint64(b.u32()), at)
	case FormRef1:
		f.Val = r.unitRef(uint64(b.u8()), at)
	case FormRef2:
		f.Val = r.unitRef(uint64(b.u16()), at)
	case FormRef4:
		f.Val = r.unitRef(uint64(b.u32()), at)
	case FormRef8:
		f.Val = r.unitRef(b.u64(), at)
	case FormRefUdata:
		f.Val = r.unitRef(b.uleb(), at)
	case FormRefAddr:
		// An offset in .debug_info, also from a .debug_types unit.
		if u.Version == 2 {
			f.Val = b.sized(u.AddrSize)
		} else {
			f.Val = r.offset()
		}
	case FormRefSig8, FormRefSup8:
		f.Val = b.u64()
	case FormRefSup4:
		f.Val = uint64(b.u32())
	case FormGNURefAlt, FormSecOffset:
		f.Val = r.offset()
	case FormIndirect:
		if depth >= maxIndirect {
			return r.d.sectionErr(b.sec, uint64(at), ErrMalformed, "DW_FORM_indirect nested too deeply")
		}
		nf := Form(b.uleb())
		if b.err != nil {
			return b.err
		}
		f.Form = nf
		if nf == FormImplicitConst {
			return r.d.sectionErr(b.sec, uint64(at), ErrMalformed, "DW_FORM_indirect names DW_FORM_implicit_const")
		}
		return r.value(f, nf, 0, depth+1)
	default:
		return r.d.sectionErr(b.sec, uint64(at), ErrUnsupported, fmt.Sprintf("unknown attribute form %#x", uint16(form)))
	}
	return b.err
}

// unitRef turns a unit-relative reference into a section offset. The
// unit-relative forms can only name entries of their own unit, so a value
// past its end is an error rather than a reference into the next unit.
func (r *Reader) unitRef(v uint64, at int) uint64 {
	if size := r.u.End - r.u.Offset; v > size && r.b.err == nil {
		r.b.setErr(ErrBadReference, fmt.Sprintf("unit-relative reference %#x is past the end of its unit (size %#x)", v, size))
		r.b.err.(*FormatError).Offset = uint64(at)
	}
	return (r.u.Offset &^ TypesBit) + v | r.bias
}

func (r *Reader) str(f *Field, off uint64, sec []byte, name string, at int) error {
	f.Val = off
	if r.b.err != nil {
		return r.b.err
	}
	if r.lazyStr && off < uint64(len(sec)) && sec[len(sec)-1] == 0 {
		f.Data = sec[off:off] // terminated: see defNames
		return nil
	}
	s, ok := cstringAt(sec, int(min(off, uint64(len(sec)))))
	if !ok {
		return r.d.sectionErr(r.b.sec, uint64(at), ErrBadReference,
			fmt.Sprintf("string offset %#x is outside %s (size %#x) or unterminated", off, name, len(sec)))
	}
	f.Data = s
	return nil
}

func (r *Reader) strx(f *Field, idx uint64, at int) error {
	if r.b.err != nil || r.noResolve {
		f.Val = idx
		return r.b.err
	}
	size := uint64(r.u.offSize())
	pos := r.u.strOffsetsBase + idx*size
	if idx > uint64(len(r.d.strOffsets)) || pos+size > uint64(len(r.d.strOffsets)) || pos < r.u.strOffsetsBase {
		return r.d.sectionErr(r.b.sec, uint64(at), ErrBadReference,
			fmt.Sprintf("string index %d is outside .debug_str_offsets (base %#x)", idx, r.u.strOffsetsBase))
	}
	sb := decoder{data: r.d.strOffsets, off: int(pos), end: len(r.d.strOffsets), big: r.d.big, sec: ".debug_str_offsets", d: r.d}
	return r.str(f, sb.sized(int(size)), r.d.str, ".debug_str", at)
}

func (r *Reader) addrx(f *Field, idx uint64, at int) error {
	if r.b.err != nil || r.noResolve {
		f.Val = idx
		return r.b.err
	}
	size := uint64(r.u.AddrSize)
	pos := r.u.addrBase + idx*size
	if idx > uint64(len(r.d.addr)) || pos+size > uint64(len(r.d.addr)) || pos < r.u.addrBase {
		return r.d.sectionErr(r.b.sec, uint64(at), ErrBadReference,
			fmt.Sprintf("address index %d is outside .debug_addr (base %#x)", idx, r.u.addrBase))
	}
	ab := decoder{data: r.d.addr, off: int(pos), end: len(r.d.addr), big: r.d.big, sec: ".debug_addr", d: r.d}
	f.Val = ab.sized(int(size))
	return nil
}

// skipForm moves past a value of a variable-size form.
func (r *Reader) skipForm(form Form, depth int) error {
	b := &r.b
	switch form {
	case FormBlock1:
		b.skip(uint64(b.u8()))
	case FormBlock2:
		b.skip(uint64(b.u16()))
	case FormBlock4:
		b.skip(uint64(b.u32()))
	case FormBlock, FormExprloc:
		b.skip(b.uleb())
	case FormSdata, FormUdata, FormRefUdata, FormStrx, FormAddrx, FormLoclistx, FormRnglistx,
		FormGNUAddrIndex, FormGNUStrIndex:
		b.skipLEB()
	case FormString:
		b.cstring()
	case FormIndirect:
		at := b.off
		if depth >= maxIndirect {
			return r.d.sectionErr(b.sec, uint64(at), ErrMalformed, "DW_FORM_indirect nested too deeply")
		}
		nf := Form(b.uleb())
		if b.err != nil {
			return b.err
		}
		if nf == FormImplicitConst {
			return r.d.sectionErr(b.sec, uint64(at), ErrMalformed, "DW_FORM_indirect names DW_FORM_implicit_const")
		}
		if s := fixedSize(nf, r.u); s >= 0 {
			b.skip(uint64(s))
		} else {
			return r.skipForm(nf, depth+1)
		}
	default:
		return r.d.sectionErr(b.sec, uint64(b.off), ErrUnsupported, fmt.Sprintf("unknown attribute form %#x", uint16(form)))
	}
	return b.err
}

// SkipChildren skips the children of the last entry returned by Next, using
// its DW_AT_sibling when it points forward within the unit, else by walking
// them. It is a no-op when that entry had no children.
func (r *Reader) SkipChildren() {
	defer recoverBug(r.d.name, &r.err, debug.SetPanicOnFault(true))
	if r.err != nil || !r.children {
		return
	}
	r.children = false
	if s := r.sibling; s > r.last && s&TypesBit == r.bias && s&^TypesBit <= uint64(r.b.end) {
		r.b.off = int(s &^ TypesBit)
		return
	}
	depth := 1
	for depth > 0 && r.b.off < r.b.end {
		if err := r.skipEntry(&depth); err != nil {
			r.err = err
			return
		}
	}
}

// skipEntry moves past one entry without decoding its fields, adjusting depth.
func (r *Reader) skipEntry(depth *int) error {
	b := &r.b
	start := b.off
	code := b.uleb()
	if code == 0 {
		*depth--
		return b.err
	}
	a := r.tab.lookup(code)
	if a == nil {
		if b.err != nil {
			return b.err
		}
		return r.d.sectionErr(b.sec, uint64(start), ErrUnknownAbbrev, fmt.Sprintf("code %d", code))
	}
	if a.children {
		*depth++
	}
	for i := range a.ops {
		op := &a.ops[i]
		if op.size >= 0 {
			b.skip(uint64(op.size))
		} else if err := r.skipForm(op.form, 0); err != nil {
			return err
		}
	}
	return b.err
}

// All returns an iterator over the remaining entries. It stops after the
// first error, which it yields.
func (r *Reader) All() iter.Seq2[*Entry, error] {
	return func(yield func(*Entry, error) bool) {
		for {
			e, err := r.Next()
			if err != nil {
				yield(nil, err)
				return
			}
			if e == nil || !yield(e, nil) {
				return
			}
		}
	}
}

// EntryAt decodes the entry at offset off into a new Entry.
func (d *Data) EntryAt(off uint64) (e *Entry, err error) {
	defer recoverBug(d.name, &err, debug.SetPanicOnFault(true))
	r := d.newReader(nil)
	if err := r.Seek(off); err != nil {
		return nil, err
	}
	e, err = r.next()
	if err != nil {
		return nil, err
	}
	if e == nil {
		_, sec := d.sectionFor(off&TypesBit != 0)
		return nil, d.sectionErr(sec, off&^TypesBit, ErrBadReference, "no entry at offset")
	}
	return e, nil
}
