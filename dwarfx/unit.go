package dwarfx

import (
	"debug/dwarf"
	"fmt"
)

// TypesBit is set in the offsets of entries that live in the DWARF 4
// .debug_types section, so that one uint64 names any entry of the file.
// Offsets in .debug_info have it clear.
const TypesBit = 1 << 63

// A Unit is one unit header and the attributes of its root entry.
type Unit struct {
	Index        int      // position in Data.Units
	Offset       uint64   // offset of the unit header (TypesBit set in .debug_types)
	End          uint64   // offset just past the unit
	EntryOffset  uint64   // offset of the root entry
	Version      int      // 2 to 5
	Kind         UnitKind // unit type
	AddrSize     int      // size of an address, 4 or 8 (or 2)
	Format64     bool     // 64-bit DWARF (8-byte offsets)
	AbbrevOffset uint64   // offset of the abbreviation table in .debug_abbrev
	Signature    uint64   // type signature (type units)
	TypeOffset   uint64   // offset of the type entry (type units)
	DWOID        uint64   // skeleton and split units

	// From the root entry.
	Tag      dwarf.Tag // DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_type_unit, ...
	Name     string    // DW_AT_name
	CompDir  string    // DW_AT_comp_dir
	Producer string    // DW_AT_producer
	Language uint64    // DW_AT_language
	LowPC    uint64    // DW_AT_low_pc

	stmtList       uint64
	hasStmtList    bool
	strOffsetsBase uint64
	addrBase       uint64
	rnglistsBase   uint64
}

// offSize is the size of a section offset in this unit.
func (u *Unit) offSize() int {
	if u.Format64 {
		return 8
	}
	return 4
}

// inTypes reports whether the unit lives in .debug_types.
func (u *Unit) inTypes() bool { return u.Offset&TypesBit != 0 }

// Units returns the units of the file: those of .debug_info in section
// order, then those of .debug_types. The slice must not be modified.
func (d *Data) Units() []Unit { return d.units }

// InfoUnits returns the number of units in .debug_info; they come first in Units.
func (d *Data) InfoUnits() int { return d.nInfo }

// TypeUnit returns the type unit with the given signature (DW_FORM_ref_sig8).
func (d *Data) TypeUnit(sig uint64) (*Unit, bool) {
	i, ok := d.sigs[sig]
	if !ok {
		return nil, false
	}
	return &d.units[i], true
}

// UnitAt returns the unit that contains the section offset off (TypesBit
// set for .debug_types).
func (d *Data) UnitAt(off uint64) (*Unit, bool) {
	units := d.units[:d.nInfo]
	if off&TypesBit != 0 {
		units = d.units[d.nInfo:]
	}
	lo, hi := 0, len(units)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if units[m].End <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(units) && units[lo].EntryOffset <= off && off < units[lo].End {
		return &units[lo], true
	}
	return nil, false
}

// sectionFor returns the section bytes and name for offsets of a unit.
func (d *Data) sectionFor(types bool) ([]byte, string) {
	if types {
		return d.types, ".debug_types"
	}
	return d.info, ".debug_info"
}

func (d *Data) parseUnits() error {
	if err := d.parseUnitHeaders(false); err != nil {
		return err
	}
	d.nInfo = len(d.units)
	if len(d.types) > 0 {
		if err := d.parseUnitHeaders(true); err != nil {
			return err
		}
	}
	trim := d.fmap.every(trimEvery)
	r := d.newReader(wantAll) // one for every unit's root entry
	var sc rootScratch
	for i := range d.units {
		if err := d.readRoot(r, &sc, &d.units[i]); err != nil {
			return err
		}
		trim(d.units[i].End)
		u := &d.units[i]
		if u.Kind == UnitTypeUnit || u.Kind == UnitSplitType {
			if d.sigs == nil {
				d.sigs = make(map[uint64]int)
			}
			if _, dup := d.sigs[u.Signature]; !dup {
				d.sigs[u.Signature] = i
			}
		}
	}
	return nil
}

func (d *Data) parseUnitHeaders(types bool) error {
	data, sec := d.sectionFor(types)
	var bias uint64
	if types {
		bias = TypesBit
	}
	b := d.newDecoder(data, sec)
	trim := d.fmap.every(trimEvery)
	for b.off < len(data) && b.err == nil {
		start := b.off
		trim(uint64(start))
		u := Unit{Index: len(d.units), Offset: uint64(start) | bias}
		length := uint64(b.u32())
		if length >= 0xfffffff0 {
			if length != 0xffffffff {
				return d.sectionErr(sec, uint64(start), ErrMalformed, fmt.Sprintf("reserved unit length %#x", length))
			}
			u.Format64 = true
			length = b.u64()
		}
		if b.err != nil {
			return b.err
		}
		if length > uint64(len(data)-b.off) {
			return d.sectionErr(sec, uint64(start), ErrTruncated, fmt.Sprintf("unit length %#x runs past the end of the section", length))
		}
		end := b.off + int(length)
		b.end = end
		u.End = uint64(end) | bias
		u.Version = int(b.u16())
		if b.err == nil && (u.Version < 2 || u.Version > 5 || (types && u.Version != 4)) {
			return d.sectionErr(sec, uint64(start), ErrUnsupported, fmt.Sprintf("unit version %d", u.Version))
		}
		off := func() uint64 {
			if u.Format64 {
				return b.u64()
			}
			return uint64(b.u32())
		}
		if u.Version >= 5 {
			u.Kind = UnitKind(b.u8())
			u.AddrSize = int(b.u8())
			u.AbbrevOffset = off()
			switch u.Kind {
			case UnitCompile, UnitPartial:
			case UnitTypeUnit, UnitSplitType:
				u.Signature = b.u64()
				u.TypeOffset = off()
			case UnitSkeleton, UnitSplitCompile:
				u.DWOID = b.u64()
			default:
				if b.err == nil {
					return d.sectionErr(sec, uint64(start), ErrUnsupported, fmt.Sprintf("unit type %#x", uint8(u.Kind)))
				}
			}
		} else {
			u.Kind = UnitCompile
			u.AbbrevOffset = off()
			u.AddrSize = int(b.u8())
			if types {
				u.Kind = UnitTypeUnit
				u.Signature = b.u64()
				u.TypeOffset = off()
			}
		}
		if b.err != nil {
			return b.err
		}
		if u.AddrSize != 2 && u.AddrSize != 4 && u.AddrSize != 8 {
			return d.sectionErr(sec, uint64(start), ErrUnsupported, fmt.Sprintf("address size %d", u.AddrSize))
		}
		if u.AbbrevOffset >= uint64(len(d.abbrev)) {
			return d.sectionErr(sec, uint64(start), ErrBadReference, fmt.Sprintf("abbreviation offset %#x is outside .debug_abbrev", u.AbbrevOffset))
		}
		if u.TypeOffset != 0 {
			if u.TypeOffset >= length {
				return d.sectionErr(sec, uint64(start), ErrBadReference, fmt.Sprintf("type offset %#x is outside its unit", u.TypeOffset))
			}
			u.TypeOffset = (uint64(start) + u.TypeOffset) | bias
		}
		u.EntryOffset = uint64(b.off) | bias
		d.units = append(d.units, u)
		b.off = end
		b.end = len(data)
	}
	return b.err
}

// offsetForm reports whether a unit's base attribute (DW_AT_str_offsets_base,
// DW_AT_addr_base, DW_AT_rnglists_base) of form f gives a section offset:
// DW_FORM_sec_offset as DWARF 5 says, the constant forms, and the GNU
// section-offset forms. A base of another form (a reference, a string) is
// ignored, as debug/dwarf ignores it. DWARF 5's bases count in units of
// version 5 only, as there.
func offsetForm(f Form) bool {
	switch f {
	case FormSecOffset, FormData1, FormData2, FormData4, FormData8, FormSdata, FormUdata, FormImplicitConst,
		FormGNURefAlt, FormGNUStrpAlt:
		return true
	}
	return false
}

// newDecoder returns a decoder over a whole section whose errors name it.
func (d *Data) newDecoder(data []byte, sec string) decoder {
	return decoder{data: data, end: len(data), big: d.big, sec: sec, d: d}
}

// readRoot decodes the unit's root entry for the attributes that later
// decoding depends on (string and address bases) and for its names.
// r is a reader of every attribute that readRoot may reuse, sc the memory
// of the root entry's table.
func (d *Data) readRoot(r *Reader, sc *rootScratch, u *Unit) error {
	clear(r.tables) // the last unit's root table, in sc
	r.ui, r.u, r.tab, r.err = -1, nil, nil, nil
	r.limit = u.Index + 1 // an empty unit has no root entry: do not read the next unit's
	if u.EntryOffset < u.End {
		t, err := d.rootTable(u, sc)
		if err != nil {
			return err
		}
		r.tables[r.tableKey(u)] = t
	}
	// The bases must be known before strx and addrx forms can be resolved,
	// and they may follow such forms in the root entry: read them first.
	r.noResolve = true
	if err := r.seekUnit(u.Index); err != nil {
		return err
	}
	e, err := r.next()
	if err != nil {
		return err
	}
	if e == nil || e.Tag == 0 {
		return nil
	}
	for _, f := range e.Fields {
		if !offsetForm(f.Form) {
			continue // a base is a section offset; debug/dwarf ignores one of another form too
		}
		switch f.Attr {
		case dwarf.AttrStrOffsetsBase:
			if u.Version >= 5 {
				u.strOffsetsBase = f.Val
			}
		case dwarf.AttrAddrBase:
			if u.Version >= 5 {
				u.addrBase = f.Val
			}
		case AttrGNUAddrBase:
			u.addrBase = f.Val
		case dwarf.AttrRnglistsBase:
			if u.Version >= 5 {
				u.rnglistsBase = f.Val
			}
		}
	}
	r.noResolve = false
	if err := r.seekUnit(u.Index); err != nil {
		return err
	}
	if e, err = r.next(); err != nil {
		return err
	}
	u.Tag = e.Tag
	if u.Version < 5 && e.Tag == dwarf.TagPartialUnit {
		u.Kind = UnitPartial
	}
	for _, f := range e.Fields {
		switch f.Attr {
		case dwarf.AttrName:
			u.Name = f.Str()
		case dwarf.AttrCompDir:
			u.CompDir = f.Str()
		case dwarf.AttrProducer:
			u.Producer = f.Str()
		case dwarf.AttrLanguage:
			u.Language = f.Val
		case dwarf.AttrLowpc:
			u.LowPC = f.Val
		case dwarf.AttrStmtList:
			u.stmtList, u.hasStmtList = f.Val, true
		}
	}
	return nil
}
