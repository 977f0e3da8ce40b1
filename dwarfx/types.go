package dwarfx

import (
	"debug/dwarf"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
)

// TypeKind says what a Type is.
type TypeKind uint8

const (
	TypeBase        TypeKind = iota + 1 // DW_TAG_base_type
	TypePointer                         // DW_TAG_pointer_type
	TypeConst                           // DW_TAG_const_type
	TypeVolatile                        // DW_TAG_volatile_type
	TypeRestrict                        // DW_TAG_restrict_type
	TypeAtomic                          // DW_TAG_atomic_type
	TypeTypedef                         // DW_TAG_typedef
	TypeStruct                          // DW_TAG_structure_type
	TypeUnion                           // DW_TAG_union_type
	TypeEnum                            // DW_TAG_enumeration_type
	TypeClass                           // DW_TAG_class_type
	TypeArray                           // DW_TAG_array_type
	TypeFunc                            // DW_TAG_subroutine_type
	TypeUnspecified                     // DW_TAG_unspecified_type (such as an assembler routine's "void")
	TypeOther                           // any other tag (C++ references, Rust variants, ...): Tag and Name only
)

var typeKindNames = [...]string{
	TypeBase: "base", TypePointer: "pointer", TypeConst: "const", TypeVolatile: "volatile",
	TypeRestrict: "restrict", TypeAtomic: "atomic", TypeTypedef: "typedef", TypeStruct: "struct",
	TypeUnion: "union", TypeEnum: "enum", TypeClass: "class", TypeArray: "array", TypeFunc: "func",
	TypeUnspecified: "unspecified", TypeOther: "other",
}

func (k TypeKind) String() string {
	if int(k) < len(typeKindNames) && typeKindNames[k] != "" {
		return typeKindNames[k]
	}
	return fmt.Sprintf("TypeKind(%d)", uint8(k))
}

// A Type is a DWARF type as a function prototype reaches it. A nil *Type
// is void (an entry without DW_AT_type). Types are immutable once returned
// and may be shared between prototypes.
//
// Only what a C declarator needs is decoded: struct, union, enum and class
// types carry their tag name, not their members, and a typedef carries its
// name and the offset of its target, which is not decoded.
type Type struct {
	Offset   uint64    // the type entry
	Kind     TypeKind  //
	Tag      dwarf.Tag // the entry's tag
	Name     string    // DW_AT_name: base, typedef, tagged and unspecified types (may be empty)
	Size     int64     // DW_AT_byte_size, -1 when absent
	Encoding uint8     // DW_AT_encoding of a base type
	// Elem is the pointed-to, qualified, element or return type; nil means
	// void. Unused for typedefs (see Target) and tagged types.
	Elem *Type
	// Target is the offset of a typedef's DW_AT_type, 0 when it has none.
	Target uint64
	// Dims are an array's dimensions, outermost first: the element count
	// of each DW_TAG_subrange_type (DW_AT_count, else upper minus lower
	// bound plus one), -1 when unknown (a flexible or variable-length array).
	Dims []int64
	// Params are a subroutine type's parameter types (nil entries are void,
	// which only malformed input has).
	Params     []*Type
	Variadic   bool // a DW_TAG_unspecified_parameters child
	Prototyped bool // DW_AT_prototyped

	nodes int // size of the type as a tree, for the expansion bound
}

// A Param is one formal parameter of a prototype.
type Param struct {
	Offset     uint64 // the DW_TAG_formal_parameter entry
	Name       string // DW_AT_name, through DW_AT_abstract_origin (may be empty)
	Type       *Type  // nil when the entry has no type (void: malformed) or it could not be found
	Artificial bool   // DW_AT_artificial
	// The following describe a parameter of an out-of-line copy (see
	// Prototype.Copy); they are false in a source prototype.
	Const bool  // DW_AT_const_value: the copy has the value built in, callers pass nothing
	Value int64 // the constant, when Const and it is an integer
	// Derived: every location of the parameter is computed from a caller's
	// value (DW_OP_GNU_parameter_ref), so callers do not pass it as such;
	// gcc's IPA-SRA replaces such a parameter with other, unnamed ones.
	Derived bool
}

// A Prototype is a function's signature as its DWARF states it.
type Prototype struct {
	Return     *Type // nil is void
	Params     []Param
	Variadic   bool // DW_TAG_unspecified_parameters in a prototyped function
	Prototyped bool // DW_AT_prototyped (false for K&R definitions, and for languages that do not set it)
	// Copy is set for an out-of-line concrete copy (a subprogram with
	// DW_AT_abstract_origin): its own formal parameters, in its entry
	// order, resolved through their origins. Return, Params, Variadic and
	// Prototyped are the origin's source prototype. A gcc clone
	// (.constprop, .isra) keeps parameters it no longer receives, marked
	// Const or Derived, and may list them in another order.
	Copy []Param
	// IsCopy says the prototype was asked for a concrete copy.
	IsCopy bool
}

// Bounds for hostile input.
const (
	maxTypeDepth = 256     // nesting of type references
	maxTypeNodes = 1 << 16 // size of one type or prototype written out as a tree
	maxArrayLen  = 1 << 48 // element count of one array dimension
	maxParams    = 1 << 12 // parameters of one function
)

// typesWant selects the attributes the type decoder reads, only on the
// tags it reads, so that a walk can share its plans cheaply.
func typesWant(tag dwarf.Tag, attr dwarf.Attr) bool {
	switch tag {
	case dwarf.TagBaseType:
		return attr == dwarf.AttrName || attr == dwarf.AttrByteSize || attr == dwarf.AttrEncoding
	case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType, dwarf.TagClassType:
		return attr == dwarf.AttrName || attr == dwarf.AttrByteSize || attr == dwarf.AttrSignature
	case dwarf.TagPointerType:
		return attr == dwarf.AttrName || attr == dwarf.AttrType || attr == dwarf.AttrByteSize
	case dwarf.TagConstType, dwarf.TagVolatileType, dwarf.TagRestrictType, tagAtomicType, dwarf.TagTypedef,
		dwarf.TagArrayType, dwarf.TagUnspecifiedType:
		return attr == dwarf.AttrName || attr == dwarf.AttrType
	case dwarf.TagSubrangeType:
		return attr == dwarf.AttrUpperBound || attr == dwarf.AttrCount || attr == dwarf.AttrLowerBound
	case dwarf.TagSubroutineType:
		return attr == dwarf.AttrType || attr == dwarf.AttrPrototyped
	case dwarf.TagSubprogram:
		switch attr {
		case dwarf.AttrType, dwarf.AttrPrototyped, dwarf.AttrAbstractOrigin, dwarf.AttrSpecification:
			return true
		}
	case dwarf.TagFormalParameter:
		switch attr {
		case dwarf.AttrName, dwarf.AttrType, dwarf.AttrAbstractOrigin, dwarf.AttrArtificial,
			dwarf.AttrConstValue, dwarf.AttrLocation:
			return true
		}
	case dwarf.TagUnspecifiedParameters, dwarf.TagCompileUnit, dwarf.TagPartialUnit, dwarf.TagTypeUnit:
		return false
	default:
		// Other type tags (C++ references, Rust variants, ...): name and
		// referenced type, as TypeOther shows them.
		return attr == dwarf.AttrName || attr == dwarf.AttrType
	}
	return false
}

// A TypeDecoder decodes types and prototypes on demand, caching them by
// entry offset. It is not safe for concurrent use: make one per goroutine.
// Types it returns stay valid after Reset.
type TypeDecoder struct {
	d      *Data
	r      *Reader
	types  map[uint64]*Type
	protos map[uint64]*Prototype
	peak   int         // the most entries either cache has held (a map keeps the room it grew to)
	refs   []uint64    // scratch stack of child references
	infos  []paramInfo // scratch stack of parameters being read

	// Results are carved from arenas (see recycle).
	typeArena  arena[Type]
	protoArena arena[Prototype]
	paramArena arena[Param]
	ptrArena   arena[*Type]
	defArena   arena[TypeDefinition]
	memArena   arena[Member]
	enumArena  arena[Enumerator]

	// Scratch stacks of the definitions being decoded (see definition).
	members []Member
	enums   []Enumerator
	pend    []pendingMember
}

// gnuUnit reports whether the entry at off is in a unit gcc wrote.
func (t *TypeDecoder) gnuUnit(off uint64) bool {
	u := t.r.u
	if u == nil || off < u.EntryOffset || off >= u.End {
		return false
	}
	return strings.HasPrefix(u.Producer, "GNU C")
}

// typesIgnore lists tags whose attributes the type decoder never reads
// (it may pass over such entries among a subprogram's children).
func typesIgnore(tag dwarf.Tag) bool {
	switch tag {
	case dwarf.TagVariable, dwarf.TagMember, dwarf.TagLexDwarfBlock, dwarf.TagInlinedSubroutine,
		TagCallSite, TagGNUCallSite, tagCallSiteParameter, tagGNUCallSiteParameter, dwarf.TagEnumerator,
		dwarf.TagLabel, dwarf.TagUnspecifiedParameters, dwarf.TagCompileUnit, dwarf.TagPartialUnit,
		dwarf.TagNamespace:
		return true
	}
	return false
}

const (
	tagCallSiteParameter    dwarf.Tag = 0x49
	tagGNUCallSiteParameter dwarf.Tag = 0x410a
)

// Cycles of references need no marker: a cycle of types exceeds
// maxTypeDepth and one of origins maxChain, and the first error ends the
// decoding without caching anything on the way.

// NewTypeDecoder returns a decoder for the types of d.
func (d *Data) NewTypeDecoder() *TypeDecoder {
	r := d.newReader(func(tag dwarf.Tag, attr dwarf.Attr) bool { return typesWant(tag, attr) || defWant(tag, attr) })
	r.room = reusedTableRoom() // nil: its tables are allocated as they are compiled
	return d.newTypeDecoder(r)
}

// Release hands the memory of the abbreviation tables the decoder has
// compiled on to the next decoder or walk, so that a program reading
// thousands of modules need not allocate it for each. The types and
// prototypes the decoder returned stay valid, and the decoder can still
// be used: it compiles again what it needs. A decoder never released is
// collected as usual.
func (t *TypeDecoder) Release() {
	if t.r.room == nil {
		return
	}
	room := t.r.room
	t.r.room, t.r.tables, t.r.tab = nil, make(map[tableKey]*table), nil
	t.r.ui, t.r.u = -1, nil // the next entry is read afresh (see Reader.Seek)
	room.keep()
}

// newTypeDecoder returns a decoder reading with r, whose plans must
// decode at least what typesWant selects.
func (d *Data) newTypeDecoder(r *Reader) *TypeDecoder {
	return &TypeDecoder{d: d, r: r, types: make(map[uint64]*Type), protos: make(map[uint64]*Prototype),
		typeArena: arena[Type]{size: 256}, protoArena: arena[Prototype]{size: 256},
		paramArena: arena[Param]{size: 512}, ptrArena: arena[*Type]{size: 512},
		defArena: arena[TypeDefinition]{size: 64}, memArena: arena[Member]{size: 1024}, enumArena: arena[Enumerator]{size: 1024}}
}

// Reset empties the caches, bounding their memory; a walk calls it
// between compile units.
func (t *TypeDecoder) Reset() {
	t.peak = max(t.peak, len(t.types), len(t.protos))
	clear(t.types)
	clear(t.protos)
}

// Type decodes the type entry at off.
func (t *TypeDecoder) Type(off uint64) (ty *Type, err error) {
	defer recoverBug(t.d.name, &err, debug.SetPanicOnFault(true))
	return t.typ(off, 0)
}

// Prototype returns the signature of the DW_TAG_subprogram entry at off:
// its return type, parameters and whether it is variadic, following
// DW_AT_abstract_origin and DW_AT_specification to the source prototype.
// For a concrete copy, Copy holds the copy's own parameters.
func (t *TypeDecoder) Prototype(off uint64) (p *Prototype, err error) {
	defer recoverBug(t.d.name, &err, debug.SetPanicOnFault(true))
	return t.prototype(off)
}

func (t *TypeDecoder) prototype(off uint64) (*Prototype, error) {
	return t.proto(off, 0)
}

func (t *TypeDecoder) errAt(off uint64, err error, msg string) error {
	_, sec := t.d.sectionFor(off&TypesBit != 0)
	return t.d.sectionErr(sec, off&^TypesBit, err, msg)
}

// entry positions the reader on the entry at off and decodes it.
func (t *TypeDecoder) entry(off, from uint64) (*Entry, error) {
	r := t.r
	if u := r.u; u != nil && r.err == nil && off >= u.EntryOffset && off < u.End {
		// Within the unit the reader is in (the common case): no lookup.
		r.b.off = int(off &^ TypesBit)
		r.children = false
	} else if err := r.Seek(off); err != nil {
		return nil, t.errAt(from, ErrBadReference, fmt.Sprintf("reference to %#x: %v", off, err))
	}
	e, err := r.next()
	if err != nil {
		return nil, err
	}
	if e == nil || e.Offset != off || e.Tag == 0 {
		return nil, t.errAt(from, ErrBadReference, fmt.Sprintf("reference to %#x names no entry", off))
	}
	return e, nil
}

// ref returns the entry a reference field names.
func (t *TypeDecoder) ref(f *Field, from uint64) (uint64, error) {
	switch {
	case f.IsRef():
		return f.Val, nil
	case f.Form == FormRefSig8:
		u, ok := t.d.TypeUnit(f.Val)
		if !ok || u.TypeOffset == 0 {
			return 0, t.errAt(from, ErrBadReference, fmt.Sprintf("no type unit with signature %#x", f.Val))
		}
		return u.TypeOffset, nil
	}
	return 0, t.errAt(from, ErrUnsupported, fmt.Sprintf("reference form %#x into another file", uint16(f.Form)))
}

func (t *TypeDecoder) newProto() *Prototype { return t.protoArena.one() }

// paramSlice returns a zeroed slice of n parameters with no spare capacity.
func (t *TypeDecoder) paramSlice(n int) []Param { return t.paramArena.take(n) }

func (t *TypeDecoder) typeSlice(n int) []*Type { return t.ptrArena.take(n) }

func (t *TypeDecoder) alloc() *Type { return t.typeArena.one() }

// recycle makes the decoder reuse the memory of its results once rewind
// is called, for a caller that drops them all by then.
func (t *TypeDecoder) recycle() {
	t.typeArena.recycle, t.protoArena.recycle, t.paramArena.recycle, t.ptrArena.recycle = true, true, true, true
	t.defArena.recycle, t.memArena.recycle, t.enumArena.recycle = true, true, true
}

// recycled holds recycling decoders whose walk has ended (see
// newRecycling): a kernel's modules are read one walk each, and a
// decoder's arenas allocated anew for each of 4,000 modules were a
// quarter of all the memory the read allocated.
var recycled sync.Pool

// Bounds on what a kept decoder keeps: the chunks of each arena, and
// the entries its caches held (a map keeps the room it grew to, and
// Reset, once a unit, clears all of it).
const (
	maxKeptChunks = 16
	maxKeptCache  = 1 << 12
)

// newRecycling returns a recycling decoder (see recycle) reading d with
// r, a kept one when there is one.
func (d *Data) newRecycling(r *Reader) *TypeDecoder {
	if t, ok := recycled.Get().(*TypeDecoder); ok {
		t.d, t.r = d, r
		return t
	}
	t := d.newTypeDecoder(r)
	t.recycle()
	return t
}

// keep gives a recycling decoder, whose results are no longer used, to
// the next walk's newRecycling.
func (t *TypeDecoder) keep() {
	if max(t.peak, len(t.types), len(t.protos)) > maxKeptCache {
		t.types, t.protos = make(map[uint64]*Type), make(map[uint64]*Prototype)
	}
	t.peak = 0
	t.Reset()
	t.typeArena.shrink(maxKeptChunks)
	t.protoArena.shrink(maxKeptChunks)
	t.paramArena.shrink(maxKeptChunks)
	t.ptrArena.shrink(maxKeptChunks)
	t.defArena.shrink(maxKeptChunks)
	t.memArena.shrink(maxKeptChunks)
	t.enumArena.shrink(maxKeptChunks)
	clear(t.members[:cap(t.members)])
	clear(t.enums[:cap(t.enums)])
	clear(t.infos[:cap(t.infos)])
	t.members, t.enums, t.pend, t.infos, t.refs = t.members[:0], t.enums[:0], t.pend[:0], t.infos[:0], t.refs[:0]
	t.d, t.r = nil, nil
	recycled.Put(t)
}

// rewind empties the caches, as Reset does, and, for a recycling
// decoder, makes the memory of every result it returned free again.
func (t *TypeDecoder) rewind() {
	t.Reset()
	t.typeArena.rewind()
	t.protoArena.rewind()
	t.paramArena.rewind()
	t.ptrArena.rewind()
	t.defArena.rewind()
	t.memArena.rewind()
	t.enumArena.rewind()
}

// typ decodes the type at off. depth counts the references followed.
func (t *TypeDecoder) typ(off uint64, depth int) (*Type, error) {
	if ty, ok := t.types[off]; ok {
		return ty, nil
	}
	if depth >= maxTypeDepth {
		return nil, t.errAt(off, ErrMalformed, "types nested too deeply")
	}
	e, err := t.entry(off, off)
	if err != nil {
		return nil, err
	}
	ty := Type{Offset: off, Tag: e.Tag, Size: -1, nodes: 1}
	var elem, sig uint64
	hasElem, hasSig := false, false
	for i := range e.Fields {
		f := &e.Fields[i]
		switch f.Attr {
		case dwarf.AttrName:
			ty.Name = f.Str()
		case dwarf.AttrType:
			if elem, err = t.ref(f, off); err != nil {
				return nil, err
			}
			hasElem = true
		case dwarf.AttrByteSize:
			ty.Size = int64(f.Val)
		case dwarf.AttrEncoding:
			ty.Encoding = uint8(f.Val)
		case dwarf.AttrPrototyped:
			ty.Prototyped = f.Val != 0
		case dwarf.AttrSignature:
			if sig, err = t.ref(f, off); err != nil {
				return nil, err
			}
			hasSig = true
		}
	}
	children := e.Children
	if hasSig && ty.Name == "" {
		// A declaration standing for a type unit's type (DW_AT_signature):
		// the name is there.
		se, err := t.entry(sig, off)
		if err != nil {
			return nil, err
		}
		if f := se.Field(dwarf.AttrName); f != nil {
			ty.Name = f.Str()
		}
		if se.Tag != ty.Tag {
			return nil, t.errAt(off, ErrMalformed, fmt.Sprintf("a %v entry names a %v in its type unit", ty.Tag, se.Tag))
		}
		children = false
	}
	switch e.Tag {
	case dwarf.TagBaseType:
		ty.Kind = TypeBase
	case dwarf.TagPointerType:
		ty.Kind = TypePointer
	case dwarf.TagConstType:
		ty.Kind = TypeConst
	case dwarf.TagVolatileType:
		ty.Kind = TypeVolatile
	case dwarf.TagRestrictType:
		ty.Kind = TypeRestrict
	case tagAtomicType:
		ty.Kind = TypeAtomic
	case dwarf.TagTypedef:
		ty.Kind = TypeTypedef
	case dwarf.TagStructType:
		ty.Kind = TypeStruct
	case dwarf.TagUnionType:
		ty.Kind = TypeUnion
	case dwarf.TagEnumerationType:
		ty.Kind = TypeEnum
	case dwarf.TagClassType:
		ty.Kind = TypeClass
	case dwarf.TagArrayType:
		ty.Kind = TypeArray
	case dwarf.TagSubroutineType:
		ty.Kind = TypeFunc
	case dwarf.TagUnspecifiedType:
		ty.Kind = TypeUnspecified
	default:
		ty.Kind = TypeOther
	}

	// Children first, while the reader is still on them.
	base := len(t.refs)
	defer func() { t.refs = t.refs[:base] }()
	if children && (ty.Kind == TypeArray || ty.Kind == TypeFunc) {
		if err := t.typeChildren(&ty); err != nil {
			return nil, err
		}
	}
	refs := t.refs[base:]

	add := func(c *Type) error {
		if c != nil {
			ty.nodes += c.nodes
		}
		if ty.nodes > maxTypeNodes {
			return t.errAt(off, ErrMalformed, "type too large when written out")
		}
		return nil
	}
	switch ty.Kind {
	case TypeTypedef:
		if hasElem {
			ty.Target = elem
		}
	case TypeStruct, TypeUnion, TypeEnum, TypeClass, TypeBase, TypeUnspecified, TypeOther:
	default:
		if hasElem {
			if ty.Elem, err = t.typ(elem, depth+1); err != nil {
				return nil, err
			}
			if err := add(ty.Elem); err != nil {
				return nil, err
			}
		}
		if ty.Kind == TypeFunc && len(refs) > 0 {
			ty.Params = t.typeSlice(len(refs))
			for i := range ty.Params {
				c, err := t.typ(t.refs[base+i], depth+1)
				if err != nil {
					return nil, err
				}
				ty.Params[i] = c
				if err := add(c); err != nil {
					return nil, err
				}
			}
		}
	}
	p := t.alloc()
	*p = ty
	t.types[off] = p
	return p, nil
}

const tagAtomicType dwarf.Tag = 0x47

// typeChildren reads the subranges of an array or the parameters of a
// subroutine type from the reader, which is on the first child. Parameter
// type references are pushed on t.refs.
func (t *TypeDecoder) typeChildren(ty *Type) error {
	r := t.r
	for {
		e, err := r.next()
		if err != nil {
			return err
		}
		if e == nil || e.Tag == 0 {
			return nil
		}
		switch {
		case ty.Kind == TypeArray && e.Tag == dwarf.TagSubrangeType:
			n, err := t.dim(e)
			if err != nil {
				return err
			}
			if len(ty.Dims) >= maxTypeDepth {
				return t.errAt(e.Offset, ErrMalformed, "too many array dimensions")
			}
			ty.Dims = append(ty.Dims, n)
		case ty.Kind == TypeFunc && e.Tag == dwarf.TagFormalParameter:
			f := e.Field(dwarf.AttrType)
			if f == nil {
				return t.errAt(e.Offset, ErrMalformed, "subroutine type parameter without a type")
			}
			off, err := t.ref(f, e.Offset)
			if err != nil {
				return err
			}
			if len(t.refs) >= maxParams*4 {
				return t.errAt(e.Offset, ErrMalformed, "too many parameters")
			}
			t.refs = append(t.refs, off)
		case ty.Kind == TypeFunc && e.Tag == dwarf.TagUnspecifiedParameters:
			ty.Variadic = true
		}
		if e.Children {
			r.SkipChildren()
			if r.err != nil {
				return r.err
			}
		}
	}
}

// dim returns the element count of a DW_TAG_subrange_type.
func (t *TypeDecoder) dim(e *Entry) (int64, error) {
	var lower int64
	var upper, count int64
	hasUpper, hasCount := false, false
	for i := range e.Fields {
		f := &e.Fields[i]
		v, ok := t.bound(f)
		if !ok {
			continue // an expression or reference: a variable-length bound
		}
		switch f.Attr {
		case dwarf.AttrLowerBound:
			lower = v
		case dwarf.AttrUpperBound:
			upper, hasUpper = v, true
		case dwarf.AttrCount:
			count, hasCount = v, true
		}
	}
	n := int64(-1)
	switch {
	case hasCount:
		n = count
	case hasUpper:
		if upper == -1 && lower == 0 {
			return 0, nil // gcc's zero-length array
		}
		if lower < -maxArrayLen || lower > maxArrayLen || upper < lower-1 || upper > maxArrayLen {
			return 0, t.errAt(e.Offset, ErrMalformed, fmt.Sprintf("array bounds [%d, %d]", lower, upper))
		}
		n = upper - lower + 1
	default:
		return -1, nil
	}
	if n < 0 || n > maxArrayLen {
		return 0, t.errAt(e.Offset, ErrMalformed, fmt.Sprintf("absurd array length %d", n))
	}
	return n, nil
}

// bound returns the value of a subrange bound. Fixed-size data forms
// carry no sign: gcc writes 255 as one byte 0xff, and the -1 upper bound
// of a zero-length array in the width of the target's sizetype. So
// data1 and data2 are unsigned, data4 is -1 when all ones on a target
// with 4-byte addresses (no array has 2^32 elements there), data8 and
// sdata are signed.
func (t *TypeDecoder) bound(f *Field) (int64, bool) {
	switch f.Form {
	case FormData1, FormData2, FormUdata:
		return int64(f.Val), int64(f.Val) >= 0
	case FormData4:
		if f.Val == 0xffffffff {
			if u := t.r.u; u != nil && u.AddrSize <= 4 {
				return -1, true
			}
		}
		return int64(f.Val), true
	case FormData8, FormSdata, FormImplicitConst:
		return int64(f.Val), true
	}
	return 0, false
}

// constValue returns the value of a constant-class field, taking
// fixed-size forms as signed (DW_AT_const_value of a signed parameter;
// an unsigned one may read negative).
func constValue(f *Field) (int64, bool) {
	switch f.Form {
	case FormData1:
		return int64(int8(f.Val)), true
	case FormData2:
		return int64(int16(f.Val)), true
	case FormData4:
		return int64(int32(f.Val)), true
	case FormData8, FormSdata, FormUdata, FormImplicitConst:
		return int64(f.Val), true
	}
	return 0, false
}

// proto decodes the prototype of the subprogram at off, reading its
// entry and children once. hop counts the origin and specification
// links followed. Prototypes of entries that are not concrete copies are
// cached.
func (t *TypeDecoder) proto(off uint64, hop int) (*Prototype, error) {
	if p, ok := t.protos[off]; ok {
		return p, nil
	}
	if hop > maxChain {
		return nil, t.errAt(off, ErrBadReference, "abstract origin / specification chain too long or circular")
	}
	e, err := t.entry(off, off)
	if err != nil {
		return nil, err
	}
	return t.protoFrom(e, hop, 0)
}

// protoOf is proto for a subprogram entry another reader has decoded
// (with at least typesWant's subprogram attributes), whose first child
// is at children: the entry is not decoded again.
func (t *TypeDecoder) protoOf(e *Entry, children uint64) (*Prototype, error) {
	if p, ok := t.protos[e.Offset]; ok {
		return p, nil
	}
	return t.protoFrom(e, 0, children)
}

// protoFrom decodes the prototype of subprogram e. Its children are read
// from children when not 0, else from the decoder's reader, which must
// have just returned e.
func (t *TypeDecoder) protoFrom(e *Entry, hop int, children uint64) (*Prototype, error) {
	off := e.Offset
	var err error
	if e.Tag != dwarf.TagSubprogram {
		return nil, t.errAt(off, ErrMalformed, fmt.Sprintf("prototype of a %v entry", e.Tag))
	}
	var next, ret uint64
	isCopy, hasRet, prototyped := false, false, false
	for i := range e.Fields {
		f := &e.Fields[i]
		switch f.Attr {
		case dwarf.AttrAbstractOrigin, dwarf.AttrSpecification:
			if next == 0 {
				if next, err = t.ref(f, off); err != nil {
					return nil, err
				}
				isCopy = f.Attr == dwarf.AttrAbstractOrigin
			}
		case dwarf.AttrType:
			if ret, err = t.ref(f, off); err != nil {
				return nil, err
			}
			hasRet = true
		case dwarf.AttrPrototyped:
			prototyped = f.Val != 0
		}
	}
	if e.Children && children != 0 {
		r := t.r
		if u := r.u; u != nil && r.err == nil && children >= u.EntryOffset && children < u.End {
			r.b.off = int(children &^ TypesBit)
			r.children = false
		} else if err := r.Seek(children); err != nil {
			return nil, err
		}
	}
	own, variadic, err := t.params(e.Children, isCopy)
	if err != nil {
		return nil, err
	}
	var origin *Prototype
	if next != 0 {
		if origin, err = t.proto(next, hop+1); err != nil {
			return nil, err
		}
	}
	if isCopy {
		// A concrete copy's source prototype is its origin's; its own
		// parameters are what the copy's DWARF says.
		p := t.newProto()
		*p = *origin
		p.Copy, p.IsCopy = own, true
		return p, nil
	}
	p := t.newProto()
	p.Params, p.Variadic, p.Prototyped = own, variadic, prototyped
	if hasRet {
		if p.Return, err = t.typ(ret, 0); err != nil {
			return nil, err
		}
	}
	if origin != nil {
		// A definition completing a declaration (DW_AT_specification):
		// what it does not say, the declaration does.
		if !hasRet {
			p.Return = origin.Return
		}
		p.Prototyped = p.Prototyped || origin.Prototyped
		if len(p.Params) == 0 && !p.Variadic {
			p.Params, p.Variadic = origin.Params, origin.Variadic
		}
	}
	if !p.Prototyped && len(p.Params) == 0 {
		p.Variadic = false // an unprototyped f(): gcc lists DW_TAG_unspecified_parameters
	}
	nodes := 1
	if p.Return != nil {
		nodes += p.Return.nodes
	}
	for _, pa := range p.Params {
		if pa.Type != nil {
			nodes += pa.Type.nodes
		}
	}
	if nodes > maxTypeNodes {
		return nil, t.errAt(off, ErrMalformed, "prototype too large when written out")
	}
	t.protos[off] = p
	return p, nil
}

// paramInfo is what the first pass over a subprogram's children keeps of
// one formal parameter.
type paramInfo struct {
	off, typ, origin uint64
	name             string
	hasType          bool
	artificial       bool
	isConst          bool
	value            int64
	derived          bool
}

// params reads the formal parameters among the children of the entry
// the reader has just returned (when it has children), then resolves
// their names and types. own marks a concrete copy's parameters, whose
// const values and locations matter.
func (t *TypeDecoder) params(children, own bool) ([]Param, bool, error) {
	if !children {
		return nil, false, nil
	}
	variadic, stop := false, false
	base := len(t.infos)
	defer func() { t.infos = t.infos[:base] }()
	r := t.r
	for {
		c, err := r.next()
		if err != nil {
			return nil, false, err
		}
		if c == nil || c.Tag == 0 {
			break
		}
		switch c.Tag {
		case dwarf.TagFormalParameter:
			if len(t.infos)-base >= maxParams {
				return nil, false, t.errAt(c.Offset, ErrMalformed, "too many parameters")
			}
			in := paramInfo{off: c.Offset}
			for i := range c.Fields {
				f := &c.Fields[i]
				switch f.Attr {
				case dwarf.AttrName:
					in.name = f.Str()
				case dwarf.AttrType:
					if in.typ, err = t.ref(f, c.Offset); err != nil {
						return nil, false, err
					}
					in.hasType = true
				case dwarf.AttrAbstractOrigin:
					if in.origin, err = t.ref(f, c.Offset); err != nil {
						return nil, false, err
					}
				case dwarf.AttrArtificial:
					in.artificial = f.Val != 0
				case dwarf.AttrConstValue:
					in.isConst = true
					in.value, _ = constValue(f)
				case dwarf.AttrLocation:
					if own {
						if in.derived, err = t.derivedLocation(f, c.Offset); err != nil {
							return nil, false, err
						}
					}
				}
			}
			t.infos = append(t.infos, in)
		case dwarf.TagUnspecifiedParameters:
			variadic = true
		case dwarf.TagTemplateTypeParameter, dwarf.TagTemplateValueParameter:
		default:
			// gcc writes the parameters, and unspecified parameters,
			// first: the body that follows is not read. Not so in a
			// concrete copy, where the parameters a clone dropped come
			// after the variables; and clang writes
			// DW_TAG_unspecified_parameters last.
			stop = !own && t.gnuUnit(c.Offset)
		}
		if stop {
			break
		}
		if c.Children {
			r.SkipChildren()
			if r.err != nil {
				return nil, false, r.err
			}
		}
	}
	n := len(t.infos) - base
	if n == 0 {
		return nil, variadic, nil
	}
	params := t.paramSlice(n)
	for i := range params {
		in := &t.infos[base+i]
		for hop := 0; in.origin != 0 && (in.name == "" || !in.hasType); hop++ {
			if hop > maxChain {
				return nil, false, t.errAt(in.off, ErrBadReference, "parameter origin chain too long")
			}
			oe, err := t.entry(in.origin, in.off)
			if err != nil {
				return nil, false, err
			}
			if oe.Tag != dwarf.TagFormalParameter {
				return nil, false, t.errAt(in.off, ErrMalformed, fmt.Sprintf("parameter origin is a %v entry", oe.Tag))
			}
			next := uint64(0)
			for j := range oe.Fields {
				f := &oe.Fields[j]
				switch f.Attr {
				case dwarf.AttrName:
					if in.name == "" {
						in.name = f.Str()
					}
				case dwarf.AttrType:
					if !in.hasType {
						if in.typ, err = t.ref(f, oe.Offset); err != nil {
							return nil, false, err
						}
						in.hasType = true
					}
				case dwarf.AttrArtificial:
					in.artificial = in.artificial || f.Val != 0
				case dwarf.AttrAbstractOrigin:
					if next, err = t.ref(f, oe.Offset); err != nil {
						return nil, false, err
					}
				}
			}
			in.origin = next
		}
		pa := Param{Offset: in.off, Name: in.name, Artificial: in.artificial}
		if own {
			pa.Const, pa.Value, pa.Derived = in.isConst, in.value, in.derived
		}
		if in.hasType {
			var err error
			if pa.Type, err = t.typ(in.typ, 0); err != nil {
				return nil, false, err
			}
		}
		params[i] = pa
	}
	return params, variadic, nil
}

const opGNUParameterRef = 0xfa

// derivedLocation reports whether every location of a parameter starts
// with DW_OP_GNU_parameter_ref: the value is not passed but computed from
// one of the caller's.
func (t *TypeDecoder) derivedLocation(f *Field, from uint64) (bool, error) {
	switch f.Form {
	case FormExprloc, FormBlock, FormBlock1, FormBlock2, FormBlock4:
		return len(f.Data) > 0 && f.Data[0] == opGNUParameterRef, nil
	case FormSecOffset, FormData4, FormData8:
		u, ok := t.d.UnitAt(from)
		if !ok {
			return false, nil
		}
		return t.d.locListAll(u, f.Val, func(expr []byte) bool { return len(expr) > 0 && expr[0] == opGNUParameterRef })
	}
	return false, nil // loclistx (split DWARF) is not read
}

// locListAll reports whether the location list at off for unit u is not
// empty and pred holds for every expression in it.
func (d *Data) locListAll(u *Unit, off uint64, pred func([]byte) bool) (bool, error) {
	n := 0
	if u.Version >= 5 {
		b := d.newDecoder(d.loclists, ".debug_loclists")
		if off >= uint64(len(d.loclists)) {
			return false, d.sectionErr(".debug_loclists", off, ErrBadReference, "location list offset outside the section")
		}
		b.off = int(off)
		for i := 0; b.err == nil; i++ {
			if i > 1<<16 {
				return false, d.sectionErr(".debug_loclists", off, ErrMalformed, "location list too long")
			}
			kind := b.u8()
			hasExpr := true
			switch kind {
			case 0: // DW_LLE_end_of_list
				return n > 0, b.err
			case 1: // base_addressx
				b.skipLEB()
				hasExpr = false
			case 2, 3, 4: // startx_endx, startx_length, offset_pair
				b.skipLEB()
				b.skipLEB()
			case 5: // default_location
			case 6: // base_address
				b.skip(uint64(u.AddrSize))
				hasExpr = false
			case 7: // start_end
				b.skip(2 * uint64(u.AddrSize))
			case 8: // start_length
				b.skip(uint64(u.AddrSize))
				b.skipLEB()
			default:
				return false, d.sectionErr(".debug_loclists", uint64(b.off), ErrMalformed, fmt.Sprintf("location list entry kind %#x", kind))
			}
			if hasExpr {
				expr := b.bytes(b.uleb())
				if b.err == nil {
					if !pred(expr) {
						return false, nil
					}
					n++
				}
			}
		}
		return false, b.err
	}
	b := d.newDecoder(d.loc, ".debug_loc")
	if off >= uint64(len(d.loc)) {
		return false, d.sectionErr(".debug_loc", off, ErrBadReference, "location list offset outside the section")
	}
	b.off = int(off)
	allOnes := uint64(1)<<(8*uint(u.AddrSize)) - 1
	if u.AddrSize == 8 {
		allOnes = ^uint64(0)
	}
	for i := 0; b.err == nil; i++ {
		if i > 1<<16 {
			return false, d.sectionErr(".debug_loc", off, ErrMalformed, "location list too long")
		}
		start, end := b.sized(u.AddrSize), b.sized(u.AddrSize)
		if start == 0 && end == 0 {
			return n > 0, b.err
		}
		if start == allOnes {
			continue // base address selection
		}
		expr := b.bytes(uint64(b.u16()))
		if b.err == nil {
			if !pred(expr) {
				return false, nil
			}
			n++
		}
	}
	return false, b.err
}
