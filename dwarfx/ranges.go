package dwarfx

import "fmt"

// A Range is an address range [Low, High).
type Range struct {
	Low, High uint64
}

// Ranges returns the address ranges of a DW_AT_ranges field of an entry of
// unit u: from .debug_rnglists (DWARF 5, sec_offset or rnglistx) or
// .debug_ranges (DWARF 2 to 4). Empty ranges are left out.
func (d *Data) Ranges(u *Unit, f *Field) ([]Range, error) {
	var out []Range
	err := d.walkRanges(u, f, func(lo, hi uint64) bool {
		out = append(out, Range{lo, hi})
		return true
	})
	return out, err
}

// maxRangeEntries bounds one range list, against lists that never end.
const maxRangeEntries = 1 << 20

// walkRanges calls fn with each non-empty range of the list f names until
// fn returns false.
func (d *Data) walkRanges(u *Unit, f *Field, fn func(lo, hi uint64) bool) error {
	if u.Version >= 5 {
		return d.walkRnglist(u, f, fn)
	}
	const sec = ".debug_ranges"
	if f.Val >= uint64(len(d.ranges)) {
		return d.sectionErr(sec, f.Val, ErrBadReference, fmt.Sprintf("range list offset %#x is outside the section (size %#x)", f.Val, len(d.ranges)))
	}
	b := d.newDecoder(d.ranges, sec)
	b.off = int(f.Val)
	base := u.LowPC
	maxAddr := ^uint64(0) >> (64 - 8*uint(u.AddrSize))
	for i := 0; i < maxRangeEntries; i++ {
		lo, hi := b.sized(u.AddrSize), b.sized(u.AddrSize)
		if b.err != nil {
			return b.err
		}
		switch {
		case lo == 0 && hi == 0:
			return nil
		case lo == maxAddr:
			base = hi
		case lo < hi:
			if !fn(base+lo, base+hi) {
				return nil
			}
		}
	}
	return d.sectionErr(sec, f.Val, ErrMalformed, "range list too long")
}

// Range list entry kinds (DW_RLE_*).
const (
	rleEndOfList    = 0
	rleBaseAddressx = 1
	rleStartxEndx   = 2
	rleStartxLength = 3
	rleOffsetPair   = 4
	rleBaseAddress  = 5
	rleStartEnd     = 6
	rleStartLength  = 7
)

func (d *Data) walkRnglist(u *Unit, f *Field, fn func(lo, hi uint64) bool) error {
	const sec = ".debug_rnglists"
	off := f.Val
	if f.Form == FormRnglistx {
		size := uint64(u.offSize())
		pos := u.rnglistsBase + off*size
		if off > uint64(len(d.rnglists)) || pos+size > uint64(len(d.rnglists)) {
			return d.sectionErr(sec, u.rnglistsBase, ErrBadReference, fmt.Sprintf("range list index %d is outside the section", off))
		}
		b := d.newDecoder(d.rnglists, sec)
		b.off = int(pos)
		off = u.rnglistsBase + b.sized(int(size))
	}
	if off >= uint64(len(d.rnglists)) {
		return d.sectionErr(sec, off, ErrBadReference, fmt.Sprintf("range list offset %#x is outside the section (size %#x)", off, len(d.rnglists)))
	}
	b := d.newDecoder(d.rnglists, sec)
	b.off = int(off)
	base := u.LowPC
	addrx := func(idx uint64) uint64 {
		r := Reader{d: d, u: u, b: b}
		var af Field
		if err := r.addrx(&af, idx, b.off); err != nil && b.err == nil {
			b.err = err
		}
		return af.Val
	}
	for i := 0; i < maxRangeEntries; i++ {
		var lo, hi uint64
		kind := b.u8()
		switch kind {
		case rleEndOfList:
			return b.err
		case rleBaseAddressx:
			base = addrx(b.uleb())
			continue
		case rleStartxEndx:
			lo = addrx(b.uleb())
			hi = addrx(b.uleb())
		case rleStartxLength:
			lo = addrx(b.uleb())
			hi = lo + b.uleb()
		case rleOffsetPair:
			lo, hi = base+b.uleb(), base+b.uleb()
		case rleBaseAddress:
			base = b.sized(u.AddrSize)
			continue
		case rleStartEnd:
			lo, hi = b.sized(u.AddrSize), b.sized(u.AddrSize)
		case rleStartLength:
			lo = b.sized(u.AddrSize)
			hi = lo + b.uleb()
		default:
			if b.err == nil {
				return d.sectionErr(sec, uint64(b.off-1), ErrMalformed, fmt.Sprintf("unknown range list entry kind %#x", kind))
			}
		}
		if b.err != nil {
			return b.err
		}
		if lo < hi && !fn(lo, hi) {
			return nil
		}
	}
	return d.sectionErr(sec, off, ErrMalformed, "range list too long")
}

// firstRangeStart returns the start of the first non-empty range of the
// DW_AT_ranges field f: the entry address of a function split into hot
// and cold parts.
func (d *Data) firstRangeStart(u *Unit, f *Field) (uint64, bool, error) {
	var start uint64
	found := false
	err := d.walkRanges(u, f, func(lo, _ uint64) bool {
		start, found = lo, true
		return false
	})
	return start, found, err
}
