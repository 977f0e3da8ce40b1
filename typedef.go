package kabi

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strconv"
)

// A TypeDef is a struct, union or enum type as a build defines it: its
// size and its members (a struct's or union's) or values (an enum's).
//
// A kernel defines each type again in every compile unit that uses it;
// a Build keeps one TypeDef per distinct definition. Where one name has
// several different definitions (a private struct foo in two files),
// the Build keeps each, a variant, with the places it comes from (see
// [Build.TypeVariants]). To keep reading a kernel cheap, the walk tells
// definitions apart first by kind, name, size and declaration place
// (file and line): two units whose definitions from one place and of one
// size differ in their members (a header compiled under different macros)
// count as one, the first unit's. TypeDefs are values to read: they are
// shared and must not be changed.
type TypeDef struct {
	Kind Kind   // KindStruct, KindUnion or KindEnum
	Name string // the tag; empty for an anonymous type (see Member.Def)
	Size int64  // in bytes; -1 when DWARF does not say
	// Members are a struct's or union's data members in declaration
	// order; an anonymous struct or union member has an empty Name and
	// its type's definition in Def.
	Members []Member
	// Values are an enum's values in declaration order. Unsigned says
	// they are unsigned (read Value as a uint64): the enum's underlying
	// type is.
	Values   []EnumValue
	Unsigned bool
	// Locations are where the definition is written (file and line), one
	// per distinct place whose definition has these contents, in the order
	// the walk met them; empty for an anonymous type.
	Locations []Location
	// Modules, in a Build of a whole kernel (see [Options].ModuleDir), are
	// the modules that define the type with these contents, in module
	// path order, when vmlinux does not: empty for a type of vmlinux
	// (whichever modules also define it, as a header's types are defined
	// again in every module that includes it) and for a Build of vmlinux
	// alone.
	Modules []string
}

// A Member is one data member of a struct or union.
type Member struct {
	Name string // empty for an anonymous struct or union member
	Type *Type  // as a signature prints it: typedef names and struct tags, not expanded
	// BitOffset is the member's offset in bits from the start of the type
	// that holds it (for a member of an anonymous member's Def, from the
	// start of that anonymous type); -1 when DWARF gives it as an
	// expression kabi does not evaluate. 0 for every union member.
	BitOffset int64
	// BitSize is a bitfield's width in bits, 0 when the member is not a
	// bitfield.
	BitSize int64
	// Def is the definition of the member's type when that type is an
	// anonymous struct, union or enum (also when qualified, or the
	// element of an array or the target of a pointer): such types have no
	// name to look up.
	Def *TypeDef
}

// Offset is the member's offset in whole bytes (that of the byte holding
// its first bit, for a bitfield).
func (m *Member) Offset() int64 {
	if m.BitOffset < 0 {
		return -1
	}
	return m.BitOffset / 8
}

// Decl writes the member as C declares it: `char buf[128]`,
// `unsigned int secureexec:1`, `struct {...} u` for an anonymous member
// type (its members are in Def).
func (m *Member) Decl() string {
	s := Declare(m.Type, m.Name)
	if m.BitSize > 0 {
		s += ":" + strconv.FormatInt(m.BitSize, 10)
	}
	return s
}

// An EnumValue is one value of an enum.
type EnumValue struct {
	Name  string
	Value int64 // the bits of the value: a uint64 when the enum is Unsigned
}

// ValueString writes v's value in decimal, as the enum's signedness says.
func (t *TypeDef) ValueString(v EnumValue) string {
	if t.Unsigned {
		return strconv.FormatUint(uint64(v.Value), 10)
	}
	return strconv.FormatInt(v.Value, 10)
}

// Ref is the reference naming t (kind and name).
func (t *TypeDef) Ref() Ref { return Ref{Kind: t.Kind, Name: t.Name} }

// A Field is a member reached by name from a struct or union, through
// its anonymous members (see [TypeDef.Field]).
type Field struct {
	Member Member
	// BitOffset is the offset in bits from the start of the type asked
	// (the Member's own offset plus those of the anonymous members on the
	// way); -1 when one of them is unknown.
	BitOffset int64
	// Path are the indices in Members of each level: of the anonymous
	// members passed through, then of the member itself (as CO-RE writes
	// an access, without the leading 0).
	Path []int
}

// Field returns the member named name of a struct or union, looking
// through anonymous struct and union members as C and CO-RE do: a
// member of an anonymous union inside t is a field of t.
func (t *TypeDef) Field(name string) (Field, bool) {
	if name == "" {
		return Field{}, false
	}
	return t.field(name, 0)
}

func (t *TypeDef) field(name string, depth int) (Field, bool) {
	if depth > maxTypeNesting {
		return Field{}, false
	}
	for i := range t.Members {
		m := &t.Members[i]
		if m.Name == name {
			return Field{Member: *m, BitOffset: m.BitOffset, Path: []int{i}}, true
		}
	}
	for i := range t.Members {
		m := &t.Members[i]
		if m.Name != "" || m.Def == nil || m.Def.Kind == KindEnum || m.Type == nil ||
			(m.Type.Kind != Struct && m.Type.Kind != Union) {
			continue
		}
		f, ok := m.Def.field(name, depth+1)
		if !ok {
			continue
		}
		if f.BitOffset >= 0 && m.BitOffset >= 0 {
			f.BitOffset += m.BitOffset
		} else {
			f.BitOffset = -1
		}
		f.Path = append([]int{i}, f.Path...)
		return f, true
	}
	return Field{}, false
}

// Equal reports whether t and u define the same type: the same kind,
// name, size and signedness, and members (names, types, offsets, bit
// sizes, anonymous definitions) or values (names and values) in order.
// Locations are not compared.
func (t *TypeDef) Equal(u *TypeDef) bool { return typeDefEqual(t, u, 0) }

func typeDefEqual(t, u *TypeDef, depth int) bool {
	if t == u {
		return true
	}
	if t == nil || u == nil || depth > maxTypeNesting {
		return false
	}
	if t.Kind != u.Kind || t.Name != u.Name || t.Size != u.Size || t.Unsigned != u.Unsigned ||
		len(t.Members) != len(u.Members) || !slices.Equal(t.Values, u.Values) {
		return false
	}
	for i := range t.Members {
		a, b := &t.Members[i], &u.Members[i]
		if a.Name != b.Name || a.BitOffset != b.BitOffset || a.BitSize != b.BitSize ||
			!a.Type.Equal(b.Type) || !typeDefEqual(a.Def, b.Def, depth+1) {
			return false
		}
	}
	return true
}

// types is the type definitions of a build.
type types struct {
	defs      []*TypeDef  // by kind (Kinds order), then name; a name's variants in walk order
	first     map[Ref]int // index in defs of each name's first variant
	typedefs  []*Alias    // in name order
	typedefOf map[string]*Alias
}

func newTypes(defs []*TypeDef) *types {
	slices.SortStableFunc(defs, func(a, b *TypeDef) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	t := &types{defs: defs, first: make(map[Ref]int, len(defs))}
	for i, d := range defs {
		if _, ok := t.first[d.Ref()]; !ok {
			t.first[d.Ref()] = i
		}
	}
	return t
}

// typeTable returns the build's types; nil when it has none.
func (b *Build) typeTable() *types {
	if b.ix != nil {
		return b.ix.typeTable()
	}
	return b.types
}

// Type returns the definition of the struct, union or enum named name
// (kind is KindStruct, KindUnion or KindEnum); with variants, the first
// the walk met (see [Build.TypeVariants]).
func (b *Build) Type(kind Kind, name string) (*TypeDef, bool) {
	if b.ix != nil {
		if v, _ := b.ix.typeVariants(kind, name); len(v) > 0 {
			return v[0], true
		}
		return nil, false
	}
	t := b.typeTable()
	if t == nil {
		return nil, false
	}
	i, ok := t.first[Ref{kind, name}]
	if !ok {
		return nil, false
	}
	return t.defs[i], true
}

// TypeVariants returns every definition of the type named name, in the
// order the walk met them: one for most types, more where different
// definitions share a name (each with its Locations).
func (b *Build) TypeVariants(kind Kind, name string) []*TypeDef {
	if b.ix != nil {
		v, _ := b.ix.typeVariants(kind, name)
		return v
	}
	t := b.typeTable()
	if t == nil {
		return nil
	}
	i, ok := t.first[Ref{kind, name}]
	if !ok {
		return nil
	}
	j := i + 1
	for j < len(t.defs) && t.defs[j].Kind == kind && t.defs[j].Name == name {
		j++
	}
	return slices.Clip(t.defs[i:j])
}

// Types yields the named type definitions of one kind (KindStruct,
// KindUnion or KindEnum) in name order, a name's variants one after the
// other; kind 0 yields every kind, in [Kinds] order.
func (b *Build) Types(kind Kind) iter.Seq[*TypeDef] {
	return func(yield func(*TypeDef) bool) {
		t := b.typeTable()
		if t == nil {
			return
		}
		lo, hi := 0, len(t.defs)
		if kind != 0 {
			lo, _ = slices.BinarySearchFunc(t.defs, kind, func(d *TypeDef, k Kind) int { return cmp.Compare(d.Kind, k) })
			hi, _ = slices.BinarySearchFunc(t.defs, kind+1, func(d *TypeDef, k Kind) int { return cmp.Compare(d.Kind, k) })
		}
		for _, d := range t.defs[lo:hi] {
			if !yield(d) {
				return
			}
		}
	}
}

// TypeLen is the number of named type definitions of a kind (0: of every
// kind), variants counted.
func (b *Build) TypeLen(kind Kind) int {
	if b.ix != nil {
		return b.ix.typeLen(kind)
	}
	n := 0
	for range b.Types(kind) {
		n++
	}
	return n
}

// LookupType is Type for a reference, with an error for a miss that
// wraps [ErrNotFound] and names the build.
func (b *Build) LookupType(r Ref) (*TypeDef, error) {
	switch r.Kind {
	case KindStruct, KindUnion, KindEnum:
	default:
		return nil, fmt.Errorf("%s: %q is not a type reference", b.Meta.File, r)
	}
	if b.ix != nil {
		if _, err := b.ix.typeVariants(r.Kind, r.Name); err != nil {
			return nil, err
		}
	}
	if d, ok := b.Type(r.Kind, r.Name); ok {
		return d, nil
	}
	return nil, &refNotFound{b.Meta.File, r}
}

// refNotFound is the miss of LookupType and LookupHook: it is an
// ErrNotFound.
type refNotFound struct {
	file string
	ref  Ref
}

func (e *refNotFound) Error() string {
	return fmt.Sprintf("%s: no such %s: %q", e.file, e.ref.Kind.noun(), e.ref.Name)
}

func (e *refNotFound) Is(target error) bool { return target == ErrNotFound }

// An Alias is a typedef name of a build and the type it stands for.
type Alias struct {
	Name string
	// Type is the type the name stands for, as signatures print it: a
	// typedef of a typedef names the next one (see [Build.Resolve]).
	Type *Type
	// Def is Type's definition when it is an anonymous struct, union or
	// enum (typedef struct { int counter; } atomic_t), reachable only here.
	Def *TypeDef
	// Locations are where the typedef is written.
	Locations []Location
	// Modules are the modules that define the typedef when vmlinux does
	// not, as for [TypeDef].Modules.
	Modules []string
}

func (t *types) setTypedefs(tds []*Alias) {
	t.typedefs = tds
	t.typedefOf = make(map[string]*Alias, len(tds))
	for _, d := range tds {
		t.typedefOf[d.Name] = d
	}
}

// Typedef returns the typedef named name. Where different typedefs share
// the name (in different files), it is the first the walk met.
func (b *Build) Typedef(name string) (*Alias, bool) {
	t := b.typeTable()
	if t == nil {
		return nil, false
	}
	d, ok := t.typedefOf[name]
	return d, ok
}

// Typedefs yields the build's typedefs in name order.
func (b *Build) Typedefs() iter.Seq[*Alias] {
	return func(yield func(*Alias) bool) {
		t := b.typeTable()
		if t == nil {
			return
		}
		for _, d := range t.typedefs {
			if !yield(d) {
				return
			}
		}
	}
}

// Resolve follows typedef names from t to the type they stand for, as a
// CO-RE relocation does, and returns it with its definition when it is a
// struct, union or enum the build defines (named, or the anonymous type
// of a typedef); def is nil for other types, and when a name on the way is
// not in the build (then the last type reached is returned). Qualifiers
// are kept on the type returned.
func (b *Build) Resolve(t *Type) (res *Type, def *TypeDef) {
	for i := 0; t != nil && i < maxTypeNesting; i++ {
		switch t.Kind {
		case Typedef:
			td, ok := b.Typedef(t.Name)
			if !ok || td.Type == nil {
				return t, nil
			}
			if td.Def != nil {
				return td.Type, td.Def
			}
			t = td.Type
		case Struct, Union, Enum:
			k := map[TypeKind]Kind{Struct: KindStruct, Union: KindUnion, Enum: KindEnum}[t.Kind]
			d, _ := b.Type(k, t.Name)
			return t, d
		default:
			return t, nil
		}
	}
	return t, nil
}
