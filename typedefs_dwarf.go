package kabi

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sync"

	"github.com/kabi-dev/kabi/dwarfx"
)

// The type definitions of a build, from the DWARF walk. A kernel defines
// a header's types again in every unit that includes it. The walk asks,
// before decoding a named definition, whether a unit before this one
// has claimed its key (kind, name, size, declaration file and line: see
// typeClaims), so that each is decoded about once; the worker converts
// it into a TypeDef with a key of its contents; the ordered merge
// (surface.unit) keeps the first definition of each key and, of one
// name, each distinct content as a variant with its locations.

// typeClaims says which unit first claimed each definition key: the
// lowest-numbered unit that asked. A unit decodes a definition only when
// no unit before it claimed the key, so the first unit (in unit order)
// with the key always decodes it, whatever the workers' timing: the
// merge, in unit order, then keeps that one, and the result does not
// depend on the number of workers.
type typeClaims struct {
	mu sync.Mutex
	m  map[dwarfx.TypeKey]int32
}

// want claims k for unit u, reporting whether the unit should decode it.
func (c *typeClaims) want(u int, k *dwarfx.TypeKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[*k]; ok && int(v) <= u {
		return int(v) == u
	}
	c.m[*k] = int32(u)
	return true
}

// owns reports whether unit u holds the claim of k, asked in the ordered
// merge. A later unit can ask before an earlier one (workers race) and
// decode a definition the earlier unit then claims and decodes too; by
// the time u is merged, every unit before it has asked, so the claim is
// the first unit's, and only its definition is kept: otherwise a header
// compiled two ways (fs/binfmt_elf.c and fs/compat_binfmt_elf.c, which
// includes it) would give a second variant, or not, as the timing goes.
// A key never claimed (a walk without WantType) is owned.
func (c *typeClaims) owns(u int, k *dwarfx.TypeKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[*k]
	return !ok || int(v) == u
}

// pendingDef is a definition converted in a worker, before the merge.
type pendingDef struct {
	def  *TypeDef
	td   *Alias // instead of def, for a typedef
	hash uint64 // of key
	key  []byte // of the contents, see appendPendingKey
	file dwarfx.FileEntry
	line int32
	has  bool // file is known
	// claim is the key the walk asked WantType with (see typeClaims.owns).
	claim dwarfx.TypeKey
}

// prepared is what a worker makes of a unit for the ordered merge.
type prepared struct {
	sigs  []eventSig
	types []pendingDef
}

// typeDef converts a DWARF definition, in the worker that decoded it.
func (c *dwarfSigs) typeDef(d *dwarfx.TypeDefinition, depth int) *TypeDef {
	t := &TypeDef{Name: c.name(d.Name), Size: d.Size, Unsigned: d.Unsigned}
	switch d.Kind {
	case dwarfx.TypeUnion:
		t.Kind = KindUnion
	case dwarfx.TypeEnum:
		t.Kind = KindEnum
	default:
		t.Kind = KindStruct
	}
	if len(d.Members) > 0 {
		t.Members = make([]Member, len(d.Members))
		for i := range d.Members {
			m := &d.Members[i]
			t.Members[i] = Member{Name: c.name(m.Name), Type: c.typ(m.Type), BitOffset: m.BitOffset, BitSize: m.BitSize}
			if m.Anon != nil && depth < maxTypeNesting {
				t.Members[i].Def = c.typeDef(m.Anon, depth+1)
			}
		}
	}
	if len(d.Enumerators) > 0 {
		t.Values = make([]EnumValue, len(d.Enumerators))
		for i, e := range d.Enumerators {
			t.Values[i] = EnumValue{Name: c.name(e.Name), Value: e.Value}
		}
	}
	return t
}

// appendDefKey appends a key of t's contents: two definitions with the
// same key are Equal.
func appendDefKey(b []byte, t *TypeDef, depth int) []byte {
	if t == nil || depth > maxTypeNesting {
		return append(b, 0xff)
	}
	b = append(b, byte(t.Kind))
	b = binary.AppendUvarint(b, uint64(len(t.Name)))
	b = append(b, t.Name...)
	b = binary.AppendVarint(b, t.Size)
	if t.Unsigned {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(t.Members)))
	for i := range t.Members {
		m := &t.Members[i]
		b = binary.AppendUvarint(b, uint64(len(m.Name)))
		b = append(b, m.Name...)
		b = append(appendDeclare(b, m.Type, "", 0, nil), 0)
		b = appendKinds(b, m.Type, 0)
		b = binary.AppendVarint(b, m.BitOffset)
		b = binary.AppendVarint(b, m.BitSize)
		if m.Def != nil {
			b = appendDefKey(append(b, 1), m.Def, depth+1)
		} else {
			b = append(b, 0)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(t.Values)))
	for _, v := range t.Values {
		b = binary.AppendUvarint(b, uint64(len(v.Name)))
		b = append(b, v.Name...)
		b = binary.AppendVarint(b, v.Value)
	}
	return b
}

// prepareTypes converts a unit's definitions with conv.
func (s *surface) prepareTypes(conv *dwarfSigs, cu *dwarfx.CompileUnit) []pendingDef {
	if len(cu.Types) == 0 {
		return nil
	}
	out := make([]pendingDef, len(cu.Types))
	// The keys are built once, here, in the worker's scratch, and kept in
	// one allocation for the merge to compare (see sameContents).
	conv.buf = conv.buf[:0]
	ends := make([]int, len(cu.Types))
	for i, d := range cu.Types {
		p := pendingDef{file: d.File, has: d.HasFile, line: int32(min(d.Line, 1<<31-1)),
			claim: dwarfx.TypeKey{Kind: d.Kind, Name: d.Name, Size: d.Size, File: d.File, Line: d.Line}}
		if d.Kind == dwarfx.TypeTypedef {
			p.td = &Alias{Name: conv.name(d.Name), Type: conv.typ(d.Target)}
			if d.Anon != nil {
				p.td.Def = conv.typeDef(d.Anon, 1)
			}
		} else {
			p.def = conv.typeDef(d, 0)
		}
		start := len(conv.buf)
		conv.buf = appendPendingKey(conv.buf, p.def, p.td)
		ends[i] = len(conv.buf)
		p.hash = maphash.Bytes(s.keySeed, conv.buf[start:])
		out[i] = p
	}
	keys := bytes.Clone(conv.buf)
	start := 0
	for i, end := range ends {
		out[i].key = keys[start:end:end]
		start = end
	}
	return out
}

// appendPendingKey appends the key of the contents of a definition, def,
// or of a typedef, td: two with the same key are Equal.
func appendPendingKey(b []byte, def *TypeDef, td *Alias) []byte {
	if td != nil {
		b = append(appendDeclare(b, td.Type, "", 0, nil), 0)
		return appendDefKey(appendKinds(b, td.Type, 0), td.Def, 0)
	}
	return appendDefKey(b, def, 0)
}

// typeVariants are the distinct definitions of one name met so far.
type typeVariants struct {
	defs   []*TypeDef // or tds, for a typedef's
	tds    []*Alias
	hashes []uint64 // of their keys (see appendPendingKey)
	keys   [][]byte // their keys, built on the first definition of equal hash (see sameContents)
}

// mergeTypes adds a unit's definitions, in unit order.
func (s *surface) mergeTypes(cu *dwarfx.CompileUnit, defs []pendingDef) {
	for i := range defs {
		p := &defs[i]
		if !s.claims.owns(cu.Unit.Index, &p.claim) {
			continue // an earlier unit's definition of the key is kept
		}
		loc := s.defLocation(cu, p)
		if mt := s.modTypes; mt != nil {
			// A module's: the kernel's merge joins it (see mergeModuleTypes).
			mt.defs = append(mt.defs, moduleDef{def: p.def, td: p.td, hash: p.hash, key: p.key, loc: loc, id: mt.kernelID(&p.claim)})
			continue
		}
		v, j, _ := s.variantOf(p)
		var locs *[]Location
		if p.td != nil {
			locs = &v.tds[j].Locations
		} else {
			locs = &v.defs[j].Locations
		}
		if loc != (Location{}) && !containsLocation(*locs, loc) {
			*locs = append(*locs, loc)
		}
	}
}

// variantOf returns the variants of the name of p (made on its first
// definition), the index among them of p's contents, and whether p was
// added as a new variant.
func (s *surface) variantOf(p *pendingDef) (*typeVariants, int, bool) {
	var v *typeVariants
	if p.td != nil {
		if v = s.typedefVars[p.td.Name]; v == nil {
			v = &typeVariants{}
			s.typedefVars[p.td.Name] = v
		}
	} else {
		r := p.def.Ref()
		if v = s.typeVars[r]; v == nil {
			v = &typeVariants{}
			s.typeVars[r] = v
			s.typeOrder = append(s.typeOrder, r)
		}
	}
	for j := range v.hashes {
		if s.sameContents(v, j, p) {
			return v, j, false
		}
	}
	v.defs = append(v.defs, p.def)
	v.tds = append(v.tds, p.td)
	v.hashes = append(v.hashes, p.hash)
	v.keys = append(v.keys, nil)
	return v, len(v.hashes) - 1, true
}

// defLocation is where p is written, as kabi shows it.
func (s *surface) defLocation(cu *dwarfx.CompileUnit, p *pendingDef) Location {
	if p.has {
		return Location{File: s.files[s.pathOf(&p.file, cu.Unit.CompDir)], Line: int(p.line)}
	}
	if cu.Unit.Kind != dwarfx.UnitTypeUnit {
		return Location{File: s.files[s.pathOfUnit(cu.Unit.Index)]}
	}
	return Location{}
}

// sameContents reports whether variant j of v has the contents of p: the
// keys are compared when the hashes are equal. A variant's key is built
// once, when first compared: most variants never are (a structure of one
// file), and those that are (a header's) are met again in many units.
func (s *surface) sameContents(v *typeVariants, j int, p *pendingDef) bool {
	if v.hashes[j] != p.hash {
		return false
	}
	if v.keys[j] == nil {
		v.keys[j] = appendPendingKey(nil, v.defs[j], v.tds[j])
	}
	return bytes.Equal(v.keys[j], p.key)
}

func containsLocation(locs []Location, l Location) bool {
	for _, x := range locs {
		if x == l {
			return true
		}
	}
	return false
}

// typeDefs returns every definition kept, for newTypes.
func (s *surface) typeDefs() []*TypeDef {
	var out []*TypeDef
	for _, r := range s.typeOrder {
		out = append(out, s.typeVars[r].defs...)
	}
	s.typeVars, s.typeOrder = nil, nil
	return out
}

// typedefs returns the typedefs kept, in name order: the first
// definition of each name.
func (s *surface) typedefs() []*Alias {
	out := make([]*Alias, 0, len(s.typedefVars))
	for _, v := range s.typedefVars {
		out = append(out, v.tds[0])
	}
	slices.SortFunc(out, func(a, b *Alias) int { return cmp.Compare(a.Name, b.Name) })
	s.typedefVars = nil
	return out
}
