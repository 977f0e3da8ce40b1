package kabi

import (
	"debug/dwarf"
	"fmt"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
)

// The hooks of a build (tracepoints, LSM hooks) are read from its data as
// the kernel lays it out, so the few kernel structs involved are read
// with the build's own DWARF layout: member offsets and sizes from the
// build, never assumed. This file finds those structs without a second
// walk of the DWARF: each is looked up among the top-level entries of the
// compile units that must define it (the kernel source file that uses
// it), and, for the trace event structs only, if none does among the
// top-level entries of every unit. The hooks are read while the walk
// runs, before the build's types (Build.Type) exist, and also for a
// build read with Options.NoTypes: hence this small reader of a few
// structs rather than the types model.

// A structLayout is one struct as the build's DWARF lays it out.
type structLayout struct {
	Name    string
	Size    int64
	Members []memberLayout // in declaration order; members of anonymous struct and union members are flattened in
	byName  map[string]int
}

// A memberLayout is one member of a struct.
type memberLayout struct {
	Name   string
	Offset uint64
	Size   int64 // the byte size of its type; -1 when unknown
}

// member returns the named member.
func (l *structLayout) member(name string) (memberLayout, bool) {
	if l == nil {
		return memberLayout{}, false
	}
	i, ok := l.byName[name]
	if !ok {
		return memberLayout{}, false
	}
	return l.Members[i], true
}

// A layoutWant asks for one struct, and where it is defined.
type layoutWant struct {
	name  string
	units []string // compile unit names (as DW_AT_name ends) that define it
	// anywhere: when no unit of units defines it, look in every unit (at
	// their top level only; a kernel walk's worth of skipping).
	anywhere bool
}

// layoutFinder reads struct layouts and enumerator values from the DWARF
// of a build.
type layoutFinder struct {
	d       *dwarfx.Data
	ptrSize int
	r       *dwarfx.Reader // top-level scans
	td      *dwarfx.TypeDecoder
	// Enumerators wanted, and the values found.
	enumWant map[string]bool
	enums    map[string]int64
}

func newLayoutFinder(d *dwarfx.Data, ptrSize int) *layoutFinder {
	return &layoutFinder{d: d, ptrSize: ptrSize, enums: map[string]int64{}, enumWant: map[string]bool{}}
}

// maxLayoutMembers bounds the members of one struct, flattened.
const maxLayoutMembers = 1 << 14

// find returns the layouts of the wanted structs found, by name. A struct
// that no unit defines is missing from the result.
func (f *layoutFinder) find(wants []layoutWant) (map[string]*structLayout, error) {
	out := map[string]*structLayout{}
	want := map[string]bool{}
	for _, w := range wants {
		want[w.name] = true
	}
	units := f.d.Units()
	tried := map[int]bool{}
	scan := func(i int) error {
		if tried[i] {
			return nil
		}
		tried[i] = true
		return f.scanUnit(i, want, out)
	}
	for _, w := range wants {
		if out[w.name] != nil {
			continue
		}
		for i := 0; i < f.d.InfoUnits() && i < len(units); i++ {
			for _, u := range w.units {
				if unitIs(units[i].Name, u) {
					if err := scan(i); err != nil {
						return out, err
					}
				}
			}
			if out[w.name] != nil {
				break
			}
		}
	}
	for _, w := range wants {
		if out[w.name] != nil || !w.anywhere {
			continue
		}
		// Not where it should be: every unit, top level only.
		for i := 0; i < f.d.InfoUnits() && i < len(units) && out[w.name] == nil; i++ {
			if err := scan(i); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// unitIs reports whether a unit's DW_AT_name is the source file path
// ("kernel/trace/trace_events.c", also when absolute).
func unitIs(name, path string) bool {
	return name == path || strings.HasSuffix(name, "/"+path)
}

var layoutAttrs = []dwarf.Attr{dwarf.AttrName, dwarf.AttrByteSize, dwarf.AttrDeclaration,
	dwarf.AttrDataMemberLoc, dwarf.AttrType, dwarf.AttrConstValue, dwarf.AttrSibling, dwarf.AttrSignature}

// scanUnit looks for the wanted structs and enumerators among the
// top-level entries of unit i.
func (f *layoutFinder) scanUnit(i int, want map[string]bool, out map[string]*structLayout) error {
	if f.r == nil {
		f.r = f.d.Reader(&dwarfx.ReaderOptions{Attrs: layoutAttrs})
	}
	r := f.r
	if err := r.SeekUnit(i); err != nil {
		return err
	}
	root, err := r.Next()
	if err != nil || root == nil || !root.Children {
		return err
	}
	var defs []uint64
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e == nil || e.Tag == 0 {
			break
		}
		switch e.Tag {
		case dwarf.TagStructType:
			if fl := e.Field(dwarf.AttrName); fl != nil && want[fl.Str()] && out[fl.Str()] == nil &&
				e.Field(dwarf.AttrDeclaration) == nil && e.Children {
				defs = append(defs, e.Offset)
			}
		case dwarf.TagEnumerationType:
			if len(f.enumWant) > 0 && e.Children {
				if err := f.enumerators(r); err != nil {
					return err
				}
				continue
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	for _, off := range defs {
		l, err := f.layout(off, 0)
		if err != nil {
			return err
		}
		if out[l.Name] == nil {
			out[l.Name] = l
		}
	}
	return nil
}

// enumerators reads the enumerators of the enum the reader is in.
func (f *layoutFinder) enumerators(r *dwarfx.Reader) error {
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e == nil || e.Tag == 0 {
			return nil
		}
		if e.Tag == dwarf.TagEnumerator {
			if n := e.Field(dwarf.AttrName); n != nil && f.enumWant[n.Str()] {
				if v := e.Field(dwarf.AttrConstValue); v != nil && len(v.Data) == 0 {
					f.enums[strings.Clone(n.Str())] = int64(v.Val)
				}
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
}

// layout decodes the struct or union at off, anonymous members flattened.
func (f *layoutFinder) layout(off uint64, depth int) (*structLayout, error) {
	if depth > 8 {
		return nil, fmt.Errorf("%w: anonymous members nested too deeply at %#x", dwarfx.ErrMalformed, off)
	}
	r := f.d.Reader(&dwarfx.ReaderOptions{Attrs: layoutAttrs})
	if err := r.Seek(off); err != nil {
		return nil, err
	}
	e, err := r.Next()
	if err != nil {
		return nil, err
	}
	if e == nil || (e.Tag != dwarf.TagStructType && e.Tag != dwarf.TagUnionType) {
		return nil, fmt.Errorf("%w: %#x is not a struct or union", dwarfx.ErrBadReference, off)
	}
	l := &structLayout{Size: -1, byName: map[string]int{}}
	if n := e.Field(dwarf.AttrName); n != nil {
		l.Name = strings.Clone(n.Str())
	}
	if s := e.Field(dwarf.AttrByteSize); s != nil {
		l.Size = int64(s.Val)
	}
	if !e.Children {
		return l, nil
	}
	type raw struct {
		name   string
		off    uint64
		typ    uint64
		hasTyp bool
	}
	var ms []raw
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil || e.Tag == 0 {
			break
		}
		if e.Tag == dwarf.TagMember {
			m := raw{}
			if n := e.Field(dwarf.AttrName); n != nil {
				m.name = strings.Clone(n.Str())
			}
			if loc := e.Field(dwarf.AttrDataMemberLoc); loc != nil {
				v, ok := memberOffset(loc)
				if !ok {
					return nil, fmt.Errorf("%w: member %q at %#x: unsupported location", dwarfx.ErrMalformed, m.name, e.Offset)
				}
				m.off = v
			}
			if t := e.Field(dwarf.AttrType); t != nil && t.IsRef() {
				m.typ, m.hasTyp = t.Val, true
			}
			ms = append(ms, m)
			if len(ms) > maxLayoutMembers {
				return nil, fmt.Errorf("%w: struct at %#x has too many members", dwarfx.ErrMalformed, off)
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	for _, m := range ms {
		size := int64(-1)
		if m.hasTyp {
			size = f.size(m.typ)
		}
		if m.name == "" && m.hasTyp {
			inner, err := f.anonymous(m.typ, depth)
			if err != nil {
				return nil, err
			}
			if inner != nil {
				for _, im := range inner.Members {
					l.add(memberLayout{Name: im.Name, Offset: m.off + im.Offset, Size: im.Size})
				}
				continue
			}
		}
		l.add(memberLayout{Name: m.name, Offset: m.off, Size: size})
	}
	return l, nil
}

func (l *structLayout) add(m memberLayout) {
	if len(l.Members) >= maxLayoutMembers {
		return
	}
	if _, dup := l.byName[m.Name]; !dup && m.Name != "" {
		l.byName[m.Name] = len(l.Members)
	}
	l.Members = append(l.Members, m)
}

// anonymous returns the layout of an anonymous member's struct or union
// type, or nil when the type is something else.
func (f *layoutFinder) anonymous(off uint64, depth int) (*structLayout, error) {
	t, err := f.typeDecoder().Type(off)
	if err != nil || t == nil {
		return nil, err
	}
	if t.Kind != dwarfx.TypeStruct && t.Kind != dwarfx.TypeUnion {
		return nil, nil
	}
	return f.layout(off, depth+1)
}

func (f *layoutFinder) typeDecoder() *dwarfx.TypeDecoder {
	if f.td == nil {
		f.td = f.d.NewTypeDecoder()
	}
	return f.td
}

// size is the byte size of the type at off, through typedefs and
// qualifiers; -1 when unknown.
func (f *layoutFinder) size(off uint64) int64 {
	td := f.typeDecoder()
	for range 32 {
		t, err := td.Type(off)
		if err != nil || t == nil {
			return -1
		}
		switch t.Kind {
		case dwarfx.TypePointer:
			if t.Size > 0 {
				return t.Size
			}
			return int64(f.ptrSize)
		case dwarfx.TypeTypedef:
			if t.Target == 0 {
				return -1
			}
			off = t.Target
		case dwarfx.TypeConst, dwarfx.TypeVolatile, dwarfx.TypeRestrict, dwarfx.TypeAtomic:
			if t.Elem == nil {
				return -1
			}
			if t.Elem.Size >= 0 && t.Elem.Kind != dwarfx.TypeTypedef {
				return t.Elem.Size
			}
			off = t.Elem.Offset
		case dwarfx.TypeArray:
			return -1
		default:
			return t.Size
		}
	}
	return -1
}

// memberOffset reads DW_AT_data_member_location: a constant, or (DWARF 2
// and 3) an expression DW_OP_plus_uconst N or DW_OP_constu N.
func memberOffset(f *dwarfx.Field) (uint64, bool) {
	if len(f.Data) == 0 {
		switch f.Form {
		case dwarfx.FormBlock, dwarfx.FormBlock1, dwarfx.FormBlock2, dwarfx.FormBlock4, dwarfx.FormExprloc:
			return 0, false
		}
		return f.Val, true
	}
	b := f.Data
	if b[0] != 0x23 && b[0] != 0x10 { // DW_OP_plus_uconst, DW_OP_constu
		return 0, false
	}
	var v uint64
	var shift uint
	for i := 1; i < len(b); i++ {
		if shift >= 64 {
			return 0, false
		}
		v |= uint64(b[i]&0x7f) << shift
		shift += 7
		if b[i]&0x80 == 0 {
			return v, i == len(b)-1
		}
	}
	return 0, false
}
