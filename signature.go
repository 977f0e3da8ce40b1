package kabi

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
)

// A Signature is a function's C prototype: `void *vmap(struct page
// **pages, unsigned int count, long unsigned int flags, pgprot_t prot);`.
//
// kabi derives it from DWARF; a build's BTF gives the same form (see
// CheckBTF). String prints it by the rules of the surface: base types keep
// their DWARF names, struct/union/enum tags and typedef names are written
// as declared, pointers bind to the name, and declarators are correct C
// (DepSurf, which printed BTF, differed: see docs/signatures.md).
//
// The signatures of a Build are values to read: equal ones may be shared
// by several instances, and they must not be changed (change a copy).
type Signature struct {
	Name       string
	Return     *Type // never nil; Kind Void for void
	Params     []Param
	Variadic   bool // ends in `, ...`
	Prototyped bool // false for a K&R definition `f()`; true prints an empty list as `(void)`
	// Assembler says the signature comes from an assembler's debug info
	// (gas writes one subprogram per routine), which has no prototype.
	Assembler bool
	// Clones are the out-of-line copies whose own DWARF parameters differ
	// from the source prototype (gcc .constprop and .isra clones), in walk
	// order. Empty when every copy takes the parameters as declared.
	Clones []Clone

	text sigText // set for the signatures of a Build read from DWARF
}

// A sigText is a signature's declaration and key, written where the
// signature was made, in the worker that decoded its unit (where its
// types are still in the cache). It holds for the Signature it was
// written for, not for a copy of the value, whose fields may have been
// changed: a copy writes its declaration anew.
type sigText struct {
	key string // the declaration String returns, a NUL, then the kinds of its types (see appendKinds)
	n   int32  // the declaration's length in key
	// based says that the signature's types are all vmlinux's (see
	// dwarfSigs.base); frozen, that it is one of vmlinux's signatures
	// that modules' converters read (see freezeTypes).
	based, frozen bool
	self          *Signature
}

// cachedText returns the declaration and key of s, if s has them.
func (s *Signature) cachedText() (decl, key string, ok bool) {
	if s.text.self != s || s.text.key == "" {
		return "", "", false
	}
	return s.text.key[:s.text.n], s.text.key, true
}

// keep writes s's declaration and key once, with buf as scratch space,
// which it returns. Two signatures with the same key and Assembler flag
// are Equal and have the same name: the declaration fixes names,
// qualifiers, declarators and lists, and the kinds and name lengths tell
// apart what prints alike (a base type and a typedef of one name, void
// and an unnamed unspecified type, names with spaces in them).
func (s *Signature) keep(buf []byte) []byte {
	buf, n, _ := s.appendKey(buf[:0], nil)
	s.text = sigText{key: string(buf), n: int32(n), self: s}
	return buf
}

// appendKey appends the key keep writes and returns the declaration's
// length in it, and offs with the offsets in buf of the names written
// (see appendDecl).
func (s *Signature) appendKey(buf []byte, offs []int32) ([]byte, int, []int32) {
	start := len(buf)
	buf = s.appendDecl(buf, &offs)
	n := len(buf) - start
	buf = append(buf, 0)
	buf = binary.AppendUvarint(buf, uint64(len(s.Name)))
	buf = appendKinds(buf, s.Return, 0)
	for _, p := range s.Params {
		buf = binary.AppendUvarint(buf, uint64(len(p.Name)))
		buf = appendKinds(buf, p.Type, 0)
	}
	return buf, n, offs
}

// appendKinds appends the kind and the name's length of t and of every
// type it is made of, in a fixed order.
func appendKinds(b []byte, t *Type, depth int) []byte {
	if t == nil || depth > maxTypeNesting {
		return append(b, 0xff)
	}
	b = append(b, byte(t.Kind))
	b = binary.AppendUvarint(b, uint64(len(t.Name)))
	switch t.Kind {
	case Pointer, Array:
		b = appendKinds(b, t.Elem, depth+1)
	case Func:
		b = appendKinds(b, t.Elem, depth+1)
		for _, p := range t.Params {
			b = appendKinds(b, p.Type, depth+1)
		}
		b = append(b, 0xfe)
	}
	return b
}

// String returns the declaration, ending in `;`.
func (s *Signature) String() string {
	if d, _, ok := s.cachedText(); ok {
		return d
	}
	return string(s.appendDecl(nil, nil))
}

// AppendText appends the declaration String returns.
func (s *Signature) AppendText(b []byte) []byte {
	if d, _, ok := s.cachedText(); ok {
		return append(b, d...)
	}
	return s.appendDecl(b, nil)
}

// appendDecl writes the declaration. With names set, it appends to
// *names the offsets in b at which it writes the function's name, then
// each parameter's: a signature's names are kept as parts of its
// declaration.
func (s *Signature) appendDecl(b []byte, names *[]int32) []byte {
	// The signature is a function type declaring s.Name (see Type).
	ret := s.Return
	if ret == nil {
		ret = &voidType
	}
	b = appendPrefix(b, ret, false, 1)
	if names != nil {
		*names = append(*names, int32(len(b)))
	}
	b = append(b, s.Name...)
	b = append(b, '(')
	b = appendParams(b, s.Params, s.Variadic, s.Prototyped, 0, names)
	b = append(b, ')')
	b = appendSuffix(b, ret, 1)
	return append(b, ';')
}

// Type returns the signature as a function type (parameter names kept).
func (s *Signature) Type() *Type {
	ret := s.Return
	if ret == nil {
		ret = &Type{Kind: Void}
	}
	return &Type{Kind: Func, Elem: ret, Params: s.Params, Variadic: s.Variadic, Prototyped: s.Prototyped}
}

// Equal reports whether s and o declare the same prototype: the same
// return type, parameter names and types in order, variadicity and
// prototype-ness. Function names and clones are not compared.
func (s *Signature) Equal(o *Signature) bool { return s.equal(o, false) }

// equal compares s and o; with btf set, o comes from BTF (see typeEqual).
func (s *Signature) equal(o *Signature, btf bool) bool {
	if s == nil || o == nil {
		return s == o
	}
	if s.Variadic != o.Variadic || s.Prototyped != o.Prototyped || len(s.Params) != len(o.Params) {
		return false
	}
	if !typeEqual(s.retType(), o.retType(), btf, 0) {
		return false
	}
	for i := range s.Params {
		if s.Params[i].Name != o.Params[i].Name || !typeEqual(s.Params[i].Type, o.Params[i].Type, btf, 0) {
			return false
		}
	}
	return true
}

// Known reports whether the signature says anything: false for what an
// assembler writes for a routine (gas: a subprogram with no parameter
// information and, from DWARF 3 on, an unspecified return type), printed
// `void f();`.
func (s *Signature) Known() bool {
	if s.Prototyped || len(s.Params) > 0 {
		return true
	}
	return !s.Assembler && (s.Return == nil || s.Return.Kind != Unspecified)
}

func (s *Signature) retType() *Type {
	if s.Return == nil {
		return &Type{Kind: Void}
	}
	return s.Return
}

// A Clone is what an out-of-line copy's own DWARF says about its
// parameters, where that differs from the source prototype. gcc's clones
// keep a DW_TAG_formal_parameter for every source parameter but no longer
// receive some: a .constprop clone has them as constants, an .isra clone
// computes them from other, unnamed values its callers pass. A kprobe on
// such a copy does not see the arguments the source prototype promises.
type Clone struct {
	Addr    uint64 // the copy's low_pc (entry_pc), when HasAddr
	HasAddr bool
	Params  []CloneParam // in the copy's entry order
}

// ParamState says how an out-of-line copy receives a parameter.
type ParamState uint8

const (
	Passed   ParamState = iota // received as declared
	Constant                   // not received: the copy has the value built in (DW_AT_const_value)
	Derived                    // not received: dropped, or replaced by unnamed pieces of it (IPA-SRA); its value is the caller's argument (DW_OP_GNU_parameter_ref)
	Added                      // received, but not in the source prototype (artificial or unknown)
)

func (s ParamState) String() string {
	switch s {
	case Passed:
		return "passed"
	case Constant:
		return "constant"
	case Derived:
		return "derived"
	case Added:
		return "added"
	}
	return "ParamState(" + strconv.Itoa(int(s)) + ")"
}

// A CloneParam is one parameter of an out-of-line copy.
type CloneParam struct {
	Param
	State    ParamState
	Value    int64 // the constant, for Constant
	HasValue bool
}

// String writes the copy's prototype as the copy receives its arguments,
// followed by a comment naming what it does not receive:
//
//	long unsigned int vm_scale(long unsigned int v); /* not passed: mode = 1, shift = 12 */
//	int vm_req_cost(); /* not passed: req (removed) */
//
// When a parameter was removed the copy may receive other, unnamed
// values in its place (IPA-SRA passes the fields it reads), so an empty
// list is written `()`, not `(void)`.
func (c *Clone) String(sig *Signature) string {
	var passed []Param
	var gone []string
	removed := false
	for _, p := range c.Params {
		switch p.State {
		case Passed, Added:
			passed = append(passed, p.Param)
		case Constant:
			if p.HasValue {
				gone = append(gone, p.Name+" = "+strconv.FormatInt(p.Value, 10))
			} else {
				gone = append(gone, p.Name+" (constant)")
			}
		case Derived:
			gone = append(gone, p.Name+" (removed)")
			removed = true
		}
	}
	s := Signature{Name: sig.Name, Return: sig.Return, Params: passed, Variadic: sig.Variadic, Prototyped: !removed}
	out := s.String()
	if len(gone) > 0 {
		out += " /* not passed: " + strings.Join(gone, ", ") + " */"
	}
	return out
}

// langMipsAssembler is DW_LANG_Mips_Assembler, which gas writes for any
// assembler source.
const langMipsAssembler = 0x8001

// dwarfSigs converts dwarfx prototypes into signatures, sharing the
// converted types of one compile unit. Not safe for concurrent use.
//
// With a base table (a module's converter: vmlinux's types and
// signatures, read-only while modules are read), a type or signature that
// vmlinux has is taken from it instead of being made: most of a module's
// types are vmlinux's, and so are the signatures of the header functions
// that it defines again.
type dwarfSigs struct {
	d      *dwarfx.Data
	pool   *stringPool // when not nil, names are copied into it (see name)
	base   *typeTable  // when not nil, consulted before a type or signature is made
	types  map[*dwarfx.Type]convType
	void   convType // the unit's void
	buf    []byte   // scratch for Signature.keep
	kbuf   []byte   // scratch for the base table's keys
	params []Param  // scratch for the parameters of the types being converted
	offs   []int32  // scratch for the names' offsets in a key
}

func newDWARFSigs(d *dwarfx.Data, pool *stringPool, base *typeTable) *dwarfSigs {
	return &dwarfSigs{d: d, pool: pool, base: base, types: make(map[*dwarfx.Type]convType)}
}

// name returns a name from DWARF that a Build may keep: dwarfx's strings
// point into the DWARF sections, and a Build must not keep .debug_info
// alive (see dwarfx.Data.Keep). With a pool (a module's DWARF, whose
// string section must not outlive its analysis either), every name is
// copied into the pool.
func (c *dwarfSigs) name(v string) string {
	if c.pool != nil {
		return c.pool.get(v)
	}
	return c.d.Keep(v)
}

// reset forgets the converted types (call it between compile units).
func (c *dwarfSigs) reset() { clear(c.types); c.void = convType{} }

// signature returns the signature of a function named name with
// prototype p, from an entry of unit u (the event's:
// for an assembler's unit, the signature is marked Assembler). For a
// concrete copy whose own parameters differ, the Clone is in Clones.
func (c *dwarfSigs) signature(u *dwarfx.Unit, name string, p *dwarfx.Prototype, addr uint64, hasAddr bool) *Signature {
	// The signature is first written in scratch, with the DWARF's names:
	// its key finds it in the base table, when vmlinux has it.
	start := len(c.params)
	ret, local := c.conv(p.Return, 0)
	for _, pa := range p.Params {
		t, l := c.conv(pa.Type, 0)
		local = local || l
		c.params = append(c.params, Param{Name: pa.Name, Type: t})
	}
	params := c.params[start:]
	defer func() { c.params = c.params[:start] }()
	tmp := Signature{Name: name, Return: ret, Params: params, Variadic: p.Variadic, Prototyped: p.Prototyped,
		Assembler: u != nil && u.Language == langMipsAssembler}
	var clones []Clone
	if p.IsCopy {
		if cl, ok := c.clone(p); ok {
			cl.Addr, cl.HasAddr = addr, hasAddr
			clones = []Clone{cl}
		}
	}
	var n int
	c.buf, n, c.offs = tmp.appendKey(c.buf[:0], c.offs[:0])
	if c.base != nil && clones == nil {
		if s, ok := c.base.sigs[string(c.buf)]; ok && s.Assembler == tmp.Assembler {
			return s
		}
	}
	// The names are kept as parts of the key, which holds them as the
	// declaration writes them.
	key := string(c.buf)
	part := func(i int, v string) string {
		if v == "" {
			return ""
		}
		o := int(c.offs[i])
		return key[o : o+len(v)]
	}
	s := newSignature(len(params))
	*s = Signature{Name: part(0, name), Return: tmp.Return, Params: s.Params, Variadic: tmp.Variadic, Prototyped: tmp.Prototyped,
		Assembler: tmp.Assembler, Clones: clones}
	for i, pa := range params {
		s.Params[i] = Param{Name: part(i+1, pa.Name), Type: pa.Type}
	}
	s.text = sigText{key: key, n: int32(n), based: c.base != nil && !local, self: s}
	return s
}

// newSignature returns a signature with n parameters (Params has length
// and capacity n). Up to four are allocated with the signature, in one
// object: a kernel keeps hundreds of thousands of signatures, most with
// few parameters.
func newSignature(n int) *Signature {
	switch n {
	case 0:
		return new(Signature)
	case 1:
		return signatureWith[[1]Param](n)
	case 2:
		return signatureWith[[2]Param](n)
	case 3:
		return signatureWith[[3]Param](n)
	case 4:
		return signatureWith[[4]Param](n)
	}
	return &Signature{Params: make([]Param, n)}
}

// signatureWith allocates a signature together with P, an array of n
// parameters, which its Params are.
func signatureWith[P any](n int) *Signature {
	x := new(struct {
		s Signature
		p P
	})
	x.s.Params = unsafe.Slice((*Param)(unsafe.Pointer(&x.p)), n)
	return &x.s
}

// clone compares a copy's own parameters with its source prototype and
// returns them when they differ.
func (c *dwarfSigs) clone(p *dwarfx.Prototype) (Clone, bool) {
	byName := make(map[string]int, len(p.Params))
	for i, pa := range p.Params {
		if pa.Name != "" {
			byName[pa.Name] = i
		}
	}
	cl := Clone{Params: make([]CloneParam, len(p.Copy))}
	differs := len(p.Copy) != len(p.Params)
	for i, pa := range p.Copy {
		cp := CloneParam{Param: Param{Name: c.name(pa.Name), Type: c.typ(pa.Type)}}
		j, known := byName[pa.Name]
		if pa.Name == "" {
			// An unnamed parameter is matched by position.
			j, known = i, i < len(p.Params) && p.Params[i].Name == ""
		}
		switch {
		case pa.Const:
			cp.State, cp.Value, cp.HasValue = Constant, pa.Value, true
		case pa.Derived:
			cp.State = Derived
		case !known || pa.Artificial:
			cp.State = Added
		}
		if cp.State != Passed || !known || j != i || !cp.Type.Equal(c.typ(p.Params[j].Type)) {
			differs = true
		}
		cl.Params[i] = cp
	}
	return cl, differs
}

// typ converts a DWARF type, normalizing qualifiers into Type.Qual.
func (c *dwarfSigs) typ(t *dwarfx.Type) *Type {
	r, _ := c.conv(t, 0)
	return r
}

// convType is a converted type; local says that the converter made it
// (it is not the base table's).
type convType struct {
	t     *Type
	local bool
}

// mk returns a type equal to v: the base table's, or a new one. With
// raw set, v's name is a string of the DWARF data, copied if kept.
func (c *dwarfSigs) mk(v *Type, raw bool) (*Type, bool) {
	if c.base != nil {
		if r := c.base.find(v, &c.kbuf); r != nil {
			return r, false
		}
	}
	r := new(Type)
	*r = *v
	if raw {
		r.Name = c.name(v.Name)
	}
	if len(v.Params) > 0 {
		r.Params = slices.Clone(v.Params)
	}
	return r, true
}

// conv converts t and says whether the result is local (see convType).
func (c *dwarfSigs) conv(t *dwarfx.Type, depth int) (*Type, bool) {
	if t == nil {
		if c.void.t == nil {
			c.void.t, c.void.local = c.mk(&Type{Kind: Void}, false)
		}
		return c.void.t, c.void.local
	}
	if r, ok := c.types[t]; ok {
		return r.t, r.local
	}
	if depth > maxTypeNesting {
		return &Type{Kind: Other, Name: "<too deep>"}, true
	}
	var r *Type
	var local bool
	switch t.Kind {
	case dwarfx.TypeConst, dwarfx.TypeVolatile, dwarfx.TypeRestrict, dwarfx.TypeAtomic:
		e, l := c.conv(t.Elem, depth+1)
		r, local = c.qualify(e, l, dwarfQual(t.Kind))
	case dwarfx.TypeBase:
		r, local = c.mk(&Type{Kind: Base, Name: t.Name}, true)
	case dwarfx.TypeTypedef:
		r, local = c.mk(&Type{Kind: Typedef, Name: t.Name}, true)
	case dwarfx.TypeStruct, dwarfx.TypeClass:
		r, local = c.mk(&Type{Kind: Struct, Name: t.Name}, true)
	case dwarfx.TypeUnion:
		r, local = c.mk(&Type{Kind: Union, Name: t.Name}, true)
	case dwarfx.TypeEnum:
		r, local = c.mk(&Type{Kind: Enum, Name: t.Name}, true)
	case dwarfx.TypeUnspecified:
		r, local = c.mk(&Type{Kind: Unspecified, Name: t.Name}, true)
	case dwarfx.TypePointer:
		e, _ := c.conv(t.Elem, depth+1)
		r, local = c.mk(&Type{Kind: Pointer, Elem: e}, false)
	case dwarfx.TypeArray:
		r, _ = c.conv(t.Elem, depth+1)
		dims := t.Dims
		if len(dims) == 0 {
			dims = []int64{-1}
		}
		for i := len(dims) - 1; i >= 0; i-- {
			r, local = c.mk(&Type{Kind: Array, Elem: r, Len: dims[i]}, false)
		}
	case dwarfx.TypeFunc:
		e, _ := c.conv(t.Elem, depth+1)
		v := Type{Kind: Func, Elem: e, Variadic: t.Variadic, Prototyped: t.Prototyped}
		// The parameters go on the scratch stack: converting one may
		// push and pop others' above them.
		start := len(c.params)
		for _, p := range t.Params {
			pt, _ := c.conv(p, depth+1)
			c.params = append(c.params, Param{Type: pt})
		}
		if len(t.Params) > 0 {
			v.Params = c.params[start:]
		}
		if !v.Prototyped && len(v.Params) == 0 {
			v.Variadic = false
		}
		r, local = c.mk(&v, false)
		c.params = c.params[:start]
	default:
		if t.Name == "" {
			r, local = c.mk(&Type{Kind: Other, Name: t.Tag.String()}, false)
		} else {
			r, local = c.mk(&Type{Kind: Other, Name: t.Name}, true)
		}
	}
	c.types[t] = convType{r, local}
	return r, local
}

// qualify returns t with the qualifiers q added (see the function
// qualify), the types it makes made by mk; local says whether t is local,
// as does the result's. A nil c makes new types.
func (c *dwarfSigs) qualify(t *Type, local bool, q Qualifiers) (*Type, bool) {
	if q == 0 || t.Qual&q == q || t.Kind == Func {
		return t, local
	}
	n := *t
	if t.Kind == Array {
		n.Elem, _ = c.qualify(t.Elem, local, q)
	} else {
		n.Qual |= q
	}
	if c == nil {
		r := new(Type)
		*r = n
		return r, true
	}
	return c.mk(&n, false)
}

func dwarfQual(k dwarfx.TypeKind) Qualifiers {
	switch k {
	case dwarfx.TypeConst:
		return Const
	case dwarfx.TypeVolatile:
		return Volatile
	case dwarfx.TypeRestrict:
		return Restrict
	}
	return Atomic
}

// qualify returns t with the qualifiers q added. A qualified array is an
// array of qualified elements; a qualified function type is meaningless
// in C and keeps none.
func qualify(t *Type, q Qualifiers) *Type {
	r, _ := (*dwarfSigs)(nil).qualify(t, false, q)
	return r
}
