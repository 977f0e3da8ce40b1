package kabi

import (
	"fmt"

	"github.com/kabi-dev/kabi/internal/index"
)

// The typedefs section of an index file: a flag (1: the build was read
// with types, 0: without, Options.NoTypes), the number of named
// definitions, then each in Types(0) order:
//
//	kind, name, size, flags (1: Unsigned), the locations (count, then
//	file and line each), the members (count, then per member: name, type
//	(a reference into the type table), bit offset, bit size, and 1 and
//	its anonymous definition written the same way without locations, or
//	0), the values (count, then name and value each); then the number
//	of typedefs and each in name order: name, type, locations, and 1 and
//	the definition of an anonymous type, or 0

// Bits of a definition's flags.
const defUnsigned = 1

// maxDefNesting bounds anonymous definitions nested in one another in an
// index (C code nests a handful).
const maxDefNesting = 32

func (w *indexWriter) typeDefs(b *Build) ([]byte, error) {
	var e index.Enc
	t := b.typeTable()
	if t == nil {
		e.Byte(0)
		return e.B, nil
	}
	e.Byte(1)
	e.Uvarint(uint64(len(t.defs)))
	for _, d := range t.defs {
		if err := w.typeDef(&e, d, true, 0); err != nil {
			return nil, fmt.Errorf("%s %s: %w", d.Kind, d.Name, err)
		}
	}
	e.Uvarint(uint64(len(t.typedefs)))
	for _, a := range t.typedefs {
		ty, err := w.typ(a.Type, 0)
		if err != nil {
			return nil, fmt.Errorf("typedef %s: %w", a.Name, err)
		}
		e.Uvarint(w.str(a.Name))
		e.Uvarint(ty)
		e.Uvarint(uint64(len(a.Locations)))
		for _, l := range a.Locations {
			e.Uvarint(w.str(l.File))
			e.Varint(int64(l.Line))
		}
		if a.Def == nil {
			e.Byte(0)
			continue
		}
		e.Byte(1)
		if err := w.typeDef(&e, a.Def, false, 1); err != nil {
			return nil, fmt.Errorf("typedef %s: %w", a.Name, err)
		}
	}
	return e.B, nil
}

func (w *indexWriter) typeDef(e *index.Enc, d *TypeDef, named bool, depth int) error {
	if depth > maxDefNesting {
		return fmt.Errorf("anonymous types nested more than %d deep", maxDefNesting)
	}
	e.Byte(byte(d.Kind))
	e.Uvarint(w.str(d.Name))
	e.Varint(d.Size)
	var fl byte
	if d.Unsigned {
		fl |= defUnsigned
	}
	e.Byte(fl)
	if named {
		e.Uvarint(uint64(len(d.Locations)))
		for _, l := range d.Locations {
			e.Uvarint(w.str(l.File))
			e.Varint(int64(l.Line))
		}
	}
	e.Uvarint(uint64(len(d.Members)))
	for i := range d.Members {
		m := &d.Members[i]
		t, err := w.typ(m.Type, 0)
		if err != nil {
			return err
		}
		e.Uvarint(w.str(m.Name))
		e.Uvarint(t)
		e.Varint(m.BitOffset)
		e.Varint(m.BitSize)
		if m.Def == nil {
			e.Byte(0)
			continue
		}
		e.Byte(1)
		if err := w.typeDef(e, m.Def, false, depth+1); err != nil {
			return err
		}
	}
	e.Uvarint(uint64(len(d.Values)))
	for _, v := range d.Values {
		e.Uvarint(w.str(v.Name))
		e.Varint(v.Value)
	}
	return nil
}

// typeTable returns the types of an indexed build, decoding them on
// first use; nil when the build was indexed without types or they could
// not be decoded (see typesErr).
func (x *indexed) typeTable() *types {
	x.defOnce.Do(func() {
		defer recoverBug(x.name, &x.defErr)
		x.defs, x.defErr = x.decodeTypeDefs()
		if x.defErr != nil {
			x.defs = nil
			x.fail(x.defErr)
		}
	})
	return x.defs
}

// typesErr is the error met decoding the types of an indexed build.
func (x *indexed) typesErr() error {
	x.typeTable()
	return x.defErr
}

func (x *indexed) decodeTypeDefs() (*types, error) {
	if err := x.loadTypes(); err != nil {
		return nil, err
	}
	d, err := x.section(index.KindTypeDefs)
	if err != nil {
		return nil, err
	}
	if d.Byte() == 0 {
		return nil, d.Done()
	}
	n := d.Count(6)
	defs := make([]*TypeDef, 0, n)
	for i := 0; i < n && d.Err() == nil; i++ {
		t := x.typeDef(d, true, 0)
		if d.Err() != nil {
			break
		}
		if t.Name == "" {
			d.Fail("definition %d has no name", i)
			break
		}
		if k := len(defs); k > 0 {
			p := defs[k-1]
			if p.Kind > t.Kind || p.Kind == t.Kind && p.Name > t.Name {
				d.Fail("definitions out of order: %s %s after %s %s", t.Kind, t.Name, p.Kind, p.Name)
				break
			}
		}
		defs = append(defs, t)
	}
	ns := len(x.offs) - 1
	na := d.Count(4)
	aliases := make([]*Alias, 0, na)
	for i := 0; i < na && d.Err() == nil; i++ {
		a := &Alias{Name: x.str(uint32(d.Ref(ns))), Type: x.types[d.Ref(len(x.types))]}
		if nl := d.Count(2); nl > 0 {
			a.Locations = make([]Location, nl)
			for j := range a.Locations {
				a.Locations[j] = Location{File: x.str(uint32(d.Ref(ns))), Line: int(d.Varint())}
			}
		}
		switch d.Byte() {
		case 0:
		case 1:
			a.Def = x.typeDef(d, false, 1)
		default:
			d.Fail("typedef %d: bad definition flag", i)
		}
		if d.Err() != nil {
			break
		}
		if a.Name == "" || len(aliases) > 0 && aliases[len(aliases)-1].Name >= a.Name {
			d.Fail("typedef %d: no name, or out of order", i)
			break
		}
		aliases = append(aliases, a)
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	t := newTypes(defs)
	t.setTypedefs(aliases)
	return t, nil
}

func (x *indexed) typeDef(d *index.Dec, named bool, depth int) *TypeDef {
	ns := len(x.offs) - 1
	str := func() string { return x.str(uint32(d.Ref(ns))) }
	if depth > maxDefNesting {
		d.Fail("anonymous types nested more than %d deep", maxDefNesting)
		return nil
	}
	t := &TypeDef{Kind: Kind(d.Byte()), Name: str(), Size: d.Varint()}
	if t.Kind != KindStruct && t.Kind != KindUnion && t.Kind != KindEnum {
		d.Fail("a definition of kind %d", t.Kind)
		return nil
	}
	fl := d.Byte()
	if fl&^defUnsigned != 0 {
		d.Fail("definition flags %#x", fl)
		return nil
	}
	t.Unsigned = fl&defUnsigned != 0
	if named {
		if nl := d.Count(2); nl > 0 {
			t.Locations = make([]Location, nl)
			for i := range t.Locations {
				t.Locations[i] = Location{File: str(), Line: int(d.Varint())}
			}
		}
	}
	if nm := d.Count(5); nm > 0 {
		t.Members = make([]Member, nm)
		for i := range t.Members {
			m := &t.Members[i]
			m.Name = str()
			m.Type = x.types[d.Ref(len(x.types))]
			m.BitOffset, m.BitSize = d.Varint(), d.Varint()
			switch d.Byte() {
			case 0:
			case 1:
				m.Def = x.typeDef(d, false, depth+1)
			default:
				d.Fail("member %d: bad anonymous-definition flag", i)
			}
			if d.Err() != nil {
				return nil
			}
			if m.Type == nil || m.BitSize < 0 || m.BitOffset < -1 {
				d.Fail("member %d of %s %s: type %v, bit offset %d, bit size %d", i, t.Kind, t.Name, m.Type, m.BitOffset, m.BitSize)
				return nil
			}
		}
	}
	if nv := d.Count(2); nv > 0 {
		t.Values = make([]EnumValue, nv)
		for i := range t.Values {
			t.Values[i] = EnumValue{Name: str(), Value: d.Varint()}
		}
	}
	return t
}
