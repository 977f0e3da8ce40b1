package kabi

import (
	"fmt"
	"sort"
	"sync"

	"github.com/kabi-dev/kabi/internal/index"
)

// The typedefs sections of an index file. The first, the head: a flag
// (1: the build was read with types, 0: without, Options.NoTypes; then
// there is no other), the number of chunks, and per chunk the kind and
// name of its first definition and its number of definitions. The
// second: the number of typedefs and each in name order: name, type,
// locations, modules (count, then names), and 1 and the definition of an
// anonymous type, or 0. Then the chunks, the named definitions in
// Types(0) order, a chunk holding one kind and every variant of a name:
//
//	kind, name, size, flags (1: Unsigned), the locations (count, then
//	file and line each), the modules (count, then names), the members (count, then per member: name, type
//	(a reference into the type table), bit offset, bit size, and 1 and
//	its anonymous definition written the same way without locations, or
//	0), the values (count, then name and value each)

// Bits of a definition's flags.
const defUnsigned = 1

// maxDefNesting bounds anonymous definitions nested in one another in an
// index (C code nests a handful).
const maxDefNesting = 32

// defChunk is the fewest definitions in a chunk of the typedefs but the
// last of a kind (a chunk holds one kind, and ends only where a name
// does, so that a name's variants share one).
const defChunk = 64

func (w *indexWriter) typeDefs(b *Build) ([][]byte, error) {
	var head index.Enc
	t := b.typeTable()
	if t == nil {
		head.Byte(0)
		return [][]byte{head.B}, nil
	}
	head.Byte(1)
	var chunks []index.Enc
	var counts []int
	for i, d := range t.defs {
		if len(chunks) == 0 || d.Kind != t.defs[i-1].Kind || counts[len(counts)-1] >= defChunk && d.Ref() != t.defs[i-1].Ref() {
			if len(chunks) > 0 {
				chunks[len(chunks)-1].B = w.seal(chunks[len(chunks)-1].B)
			}
			w.section()
			chunks = append(chunks, index.Enc{})
			counts = append(counts, 0)
		}
		if err := w.typeDef(&chunks[len(chunks)-1], d, true, 0); err != nil {
			return nil, fmt.Errorf("%s %s: %w", d.Kind, d.Name, err)
		}
		counts[len(counts)-1]++
	}
	if len(chunks) > 0 {
		chunks[len(chunks)-1].B = w.seal(chunks[len(chunks)-1].B)
	}
	head.Uvarint(uint64(len(chunks)))
	at := 0
	for k := range chunks {
		d := t.defs[at]
		head.Byte(byte(d.Kind))
		head.String(d.Name)
		head.Uvarint(uint64(counts[k]))
		at += counts[k]
	}
	var e index.Enc
	w.section()
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
		w.modules(&e, a.Modules)
		if a.Def == nil {
			e.Byte(0)
			continue
		}
		e.Byte(1)
		if err := w.typeDef(&e, a.Def, false, 1); err != nil {
			return nil, fmt.Errorf("typedef %s: %w", a.Name, err)
		}
	}
	out := [][]byte{head.B, w.seal(e.B)}
	for _, c := range chunks {
		out = append(out, c.B)
	}
	return out, nil
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
		w.modules(e, d.Modules)
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

// modules writes the modules of a definition or typedef.
func (w *indexWriter) modules(e *index.Enc, mods []string) {
	e.Uvarint(uint64(len(mods)))
	for _, m := range mods {
		e.Uvarint(w.str(m))
	}
}

// modules reads what indexWriter.modules wrote: names of modules, none
// empty.
func (d *sdec) modules(what string) []string {
	n := d.Count(1)
	if n == 0 {
		return nil
	}
	mods := make([]string, n)
	for i := range mods {
		if mods[i] = d.str(); mods[i] == "" && d.Err() == nil {
			d.Fail("%s: module %d has no name", what, i)
		}
	}
	return mods
}

// A defDirectory is the head of the typedefs sections: whether the build
// has types, and per chunk its first definition and its size.
type defDirectory struct {
	has    bool
	first  []Ref
	count  []int
	chunks []defChunkState
}

type defChunkState struct {
	once sync.Once
	defs []*TypeDef
	err  error
}

// head decodes the typedefs head, once.
func (x *indexed) head() (*defDirectory, error) {
	x.headOnce.Do(func() {
		defer recoverBug(x.name, &x.headErr)
		x.defHead, x.headErr = x.decodeDefHead()
		if x.headErr != nil {
			x.defHead = nil
			x.fail(x.headErr)
		}
	})
	return x.defHead, x.headErr
}

func (x *indexed) decodeDefHead() (*defDirectory, error) {
	data, err := x.file.Section(x.defSec[0])
	if err != nil {
		return nil, err
	}
	d := index.NewDec(data, x.name, "typedefs")
	h := &defDirectory{}
	switch d.Byte() {
	case 0:
		if len(x.defSec) != 1 {
			d.Fail("%d typedefs sections for a build without types", len(x.defSec))
		}
		return h, d.Done()
	case 1:
		h.has = true
	default:
		d.Fail("bad types flag")
	}
	n := d.Count(3)
	if d.Err() == nil && n != len(x.defSec)-2 {
		d.Fail("%d chunks of definitions, the directory has %d", n, len(x.defSec)-2)
	}
	for i := 0; i < n && d.Err() == nil; i++ {
		r := Ref{Kind: Kind(d.Byte()), Name: d.String()}
		c := d.Int(1 << 24)
		if r.Kind != KindStruct && r.Kind != KindUnion && r.Kind != KindEnum || c == 0 {
			d.Fail("chunk %d: %s of %d definitions", i, r, c)
		}
		if i > 0 {
			p := h.first[i-1]
			if p.Kind > r.Kind || p.Kind == r.Kind && p.Name >= r.Name {
				d.Fail("chunks out of order: %s after %s", r, p)
			}
		}
		h.first = append(h.first, r)
		h.count = append(h.count, c)
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	h.chunks = make([]defChunkState, n)
	return h, nil
}

// defChunk decodes chunk k of the definitions, once.
func (x *indexed) defChunk(h *defDirectory, k int) ([]*TypeDef, error) {
	c := &h.chunks[k]
	c.once.Do(func() {
		defer recoverBug(x.name, &c.err)
		c.defs, c.err = x.decodeDefChunk(h, k)
		if c.err != nil {
			c.defs = nil
			x.fail(c.err)
		}
	})
	return c.defs, c.err
}

func (x *indexed) decodeDefChunk(h *defDirectory, k int) ([]*TypeDef, error) {
	if err := x.loadTypes(); err != nil {
		return nil, err
	}
	data, err := x.file.Section(x.defSec[2+k])
	if err != nil {
		return nil, err
	}
	d := newSdec(data, x.name, fmt.Sprintf("typedefs %d", k))
	n := h.count[k]
	if n > len(data)/6 {
		d.Fail("%d definitions cannot fit in %d bytes", n, len(data))
		return nil, d.Err()
	}
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
		var p Ref
		if i > 0 {
			p = defs[i-1].Ref()
		} else if t.Ref() != h.first[k] {
			d.Fail("the chunk starts with %s, the head says %s", t.Ref(), h.first[k])
			break
		}
		if t.Kind != h.first[k].Kind || i > 0 && p.Name > t.Name {
			d.Fail("definitions out of order: %s %s after %s", t.Kind, t.Name, p)
			break
		}
		if k+1 < len(h.first) {
			if nx := h.first[k+1]; t.Kind > nx.Kind || t.Kind == nx.Kind && t.Name >= nx.Name {
				d.Fail("%s is not before the next chunk's %s", t.Ref(), nx)
				break
			}
		}
		defs = append(defs, t)
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	return defs, nil
}

// typeVariants returns the definitions of kind and name from the one
// chunk that holds them, without decoding the others.
func (x *indexed) typeVariants(kind Kind, name string) ([]*TypeDef, error) {
	h, err := x.head()
	if err != nil || !h.has {
		return nil, err
	}
	r := Ref{kind, name}
	k := sort.Search(len(h.first), func(k int) bool {
		f := h.first[k]
		return f.Kind > r.Kind || f.Kind == r.Kind && f.Name > r.Name
	}) - 1
	if k < 0 {
		return nil, nil
	}
	defs, err := x.defChunk(h, k)
	if err != nil {
		return nil, err
	}
	var out []*TypeDef
	for _, d := range defs {
		if d.Kind == kind && d.Name == name {
			out = append(out, d)
		}
	}
	return out, nil
}

// typeLen is the number of definitions of kind (0: every kind), from
// the head.
func (x *indexed) typeLen(kind Kind) int {
	h, err := x.head()
	if err != nil {
		return 0
	}
	n := 0
	for k, r := range h.first {
		if kind == 0 || r.Kind == kind {
			n += h.count[k]
		}
	}
	return n
}

// typeTable returns the types of an indexed build, decoding them all on
// first use; nil when the build was indexed without types or they could
// not be decoded (Build.Err says why).
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

func (x *indexed) decodeTypeDefs() (*types, error) {
	h, err := x.head()
	if err != nil {
		return nil, err
	}
	if !h.has {
		return nil, nil
	}
	if err := x.loadTypes(); err != nil {
		return nil, err
	}
	var defs []*TypeDef
	for k := range h.chunks {
		c, err := x.defChunk(h, k)
		if err != nil {
			return nil, err
		}
		defs = append(defs, c...)
	}
	data, err := x.file.Section(x.defSec[1])
	if err != nil {
		return nil, err
	}
	d := newSdec(data, x.name, "typedefs")
	na := d.Count(4)
	aliases := make([]*Alias, 0, na)
	for i := 0; i < na && d.Err() == nil; i++ {
		a := &Alias{Name: d.str(), Type: x.typ(d)}
		if nl := d.Count(2); nl > 0 {
			a.Locations = make([]Location, nl)
			for j := range a.Locations {
				a.Locations[j] = Location{File: d.str(), Line: int(d.Varint())}
			}
		}
		a.Modules = d.modules("typedef")
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

func (x *indexed) typeDef(d *sdec, named bool, depth int) *TypeDef {
	str := d.str
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
		t.Modules = d.modules(t.Name)
	}
	if nm := d.Count(5); nm > 0 {
		t.Members = make([]Member, nm)
		for i := range t.Members {
			m := &t.Members[i]
			m.Name = str()
			m.Type = x.typ(d)
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
