package kabi

import (
	"encoding/binary"
	"slices"
	"unsafe"
)

// Signatures may be shared between instances (see surface.share), so
// they are never changed once made: withClones copies.

// maxShared bounds the distinct signatures of one function that
// surface.share compares a new one with.
const maxShared = 4

// withClones returns a copy of s whose clones are first followed by then.
func withClones(s *Signature, first, then []Clone) *Signature {
	n := *s
	n.Clones = make([]Clone, 0, len(first)+len(then))
	n.Clones = append(append(n.Clones, first...), then...)
	return &n
}

// sameSignature reports whether a and b, neither with clones, are the
// same signature, from the same kind of entry: by their keys when both
// have one (see Signature.keep), else by name and Equal.
func sameSignature(a, b *Signature) bool {
	if a == b {
		return true
	}
	if a.Assembler != b.Assembler {
		return false
	}
	if _, ka, ok := a.cachedText(); ok {
		if _, kb, ok := b.cachedText(); ok {
			return ka == kb
		}
	}
	return a.Name == b.Name && a.Equal(b)
}

// A typeTable holds one Type for each distinct type (equal in every
// field, their parts the table's own), so that the types of a Build's
// signatures are shared however many units and modules spell them: a
// kernel's signatures name a few tens of thousands of distinct types,
// where every unit converts its own. Types are never changed once made,
// so sharing them changes no value.
//
// vmlinux's table is filled as its walk keeps signatures (see share),
// then frozen: the modules' converters read it concurrently (see
// dwarfSigs.mk), and the table the merge fills with the modules' other
// types has it as its base.
type typeTable struct {
	base  *typeTable            // read-only, consulted first; nil for vmlinux's
	types map[typeKey]*Type     // the types but function types
	funcs map[string]*Type      // function types, by funcKey
	sigs  map[string]*Signature // a frozen table's: vmlinux's kept signatures by key (see freezeTypes)
	buf   []byte                // scratch for funcKey, for the table's own writer
}

// typeKey is a type other than a function type, its parts by identity.
type typeKey struct {
	elem *Type
	name string
	n    int64
	kind TypeKind
	qual Qualifiers
}

func newTypeTable(base *typeTable) *typeTable {
	return &typeTable{base: base, types: make(map[typeKey]*Type), funcs: make(map[string]*Type)}
}

// funcKey appends the key of function type v to buf: its flags, and its
// return and parameter types by identity (a table keeps the types its
// keys name alive, so an address is not reused while it is a key).
func funcKey(buf []byte, v *Type) []byte {
	var fl byte
	if v.Variadic {
		fl |= 1
	}
	if v.Prototyped {
		fl |= 2
	}
	buf = append(buf, fl, byte(v.Qual))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(uintptr(unsafe.Pointer(v.Elem))))
	for _, p := range v.Params {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(uintptr(unsafe.Pointer(p.Type))))
		buf = binary.AppendUvarint(buf, uint64(len(p.Name)))
		buf = append(buf, p.Name...)
	}
	return buf
}

// find returns the table's type equal to v, whose parts are compared by
// identity, or nil; buf is the caller's scratch. Safe for concurrent use
// on a table no one writes.
func (tt *typeTable) find(v *Type, buf *[]byte) *Type {
	if v.Kind == Func {
		*buf = funcKey((*buf)[:0], v)
		for t := tt; t != nil; t = t.base {
			if r, ok := t.funcs[string(*buf)]; ok {
				return r
			}
		}
		return nil
	}
	k := typeKey{elem: v.Elem, name: v.Name, n: v.Len, kind: v.Kind, qual: v.Qual}
	for t := tt; t != nil; t = t.base {
		if r, ok := t.types[k]; ok {
			return r
		}
	}
	return nil
}

// canon returns the table's type equal to t, adding t (or a copy whose
// parts are the table's) when the table has none.
func (tt *typeTable) canon(t *Type, depth int) *Type {
	if t == nil {
		return nil
	}
	if r := tt.find(t, &tt.buf); r != nil {
		return r
	}
	if depth > maxTypeNesting {
		return t
	}
	n := t
	if e := tt.canon(t.Elem, depth+1); e != t.Elem {
		cp := *t
		cp.Elem = e
		n = &cp
	}
	cloned := false
	for i, p := range t.Params {
		c := tt.canon(p.Type, depth+1)
		if c == p.Type {
			continue
		}
		if n == t {
			cp := *t
			n = &cp
		}
		if !cloned {
			n.Params, cloned = slices.Clone(t.Params), true
		}
		n.Params[i].Type = c
	}
	if n != t {
		if r := tt.find(n, &tt.buf); r != nil {
			return r
		}
	}
	if n.Kind == Func {
		tt.buf = funcKey(tt.buf[:0], n)
		tt.funcs[string(tt.buf)] = n
	} else {
		tt.types[typeKey{elem: n.Elem, name: n.Name, n: n.Len, kind: n.Kind, qual: n.Qual}] = n
	}
	return n
}

// canonSig gives sig, about to be kept, the table's types, in place:
// their values are the same. (Its names are parts of its key: see
// dwarfSigs.signature.)
func (tt *typeTable) canonSig(sig *Signature) {
	based := false
	if sig.text.self == sig {
		if sig.text.frozen {
			return // vmlinux's, which modules' converters read
		}
		based = sig.text.based
	}
	if !based {
		if r := tt.canon(sig.Return, 0); r != sig.Return {
			sig.Return = r
		}
		for i := range sig.Params {
			p := &sig.Params[i]
			if r := tt.canon(p.Type, 0); r != p.Type {
				p.Type = r
			}
		}
	}
}

// freezeTypes makes s's table (vmlinux's) read-only, with its kept
// signatures by key, for the modules' converters, and gives s a table
// for the modules' types over it. It returns the frozen table (nil when s
// has none).
func (s *surface) freezeTypes() *typeTable {
	base := s.tt
	if base == nil {
		return nil
	}
	base.sigs = make(map[string]*Signature, len(s.kept))
	for i := range s.kept {
		for _, r := range s.kept[i] {
			if r == 0 {
				break
			}
			sig := s.sigTab.at(r)
			if _, key, ok := sig.cachedText(); ok && len(sig.Clones) == 0 {
				if _, dup := base.sigs[key]; !dup {
					base.sigs[key] = sig
					sig.text.frozen = true
				}
			}
		}
	}
	s.tt = newTypeTable(base)
	return base
}

// A sigRef is an instance's signature in its surface's sigStore: 0 for
// none, i > 0 for the signature held as a pointer at ptr[i-1], i < 0 for
// the staged one at staged[-i-1].
type sigRef int32

// A sigStore holds the signatures of a surface's instances, so that an
// instance (acc) holds none of their pointers. The kernel's surface,
// which the modules are merged into (see addModules), stages the module
// signatures it keeps: a staged signature is records without pointers,
// its key in the store's pages and its types by index, until the Build
// is made (see materialize). A whole kernel keeps about a million
// signatures through the read of its modules, which the collector
// otherwise marks, object by object and pointer by pointer, at each of
// its dozen collections there.
//
// A staged signature is read (at) only once the store is materialized:
// a surface's modules are added once (addModules), and its Build is made
// after that (functionsOn materializes first); at panics on a staged ref
// before then, which the panic firewall reports as a bug.
type sigStore struct {
	ptr chunks[*Signature] // by ref-1
	// stage, once set, has share stage the signatures that a module's
	// walk made (see stageable).
	stage  bool
	staged chunks[stagedSig]
	params chunks[stagedParam] // the staged signatures' parameters, each's in a run
	pages  strPages            // the staged keys, and names that are not parts of them
	types  interned[*Type]     // the staged signatures' types
	done   []*Signature        // by -ref-1, once materialized
}

// A strRef is a string in a sigStore's pages.
type strRef struct{ page, off, len int32 }

type stagedSig struct {
	key, name  strRef
	n          int32 // the declaration's length in key
	ret        int32 // index in types, -1 for nil
	first, num int32 // the parameters, params[first:first+num]
	flags      uint8
}

const (
	stagedVariadic = 1 << iota
	stagedPrototyped
	stagedAssembler
	stagedBased
)

type stagedParam struct {
	name strRef
	typ  int32 // index in types, -1 for nil
}

// stagePage is the size of a sigStore page.
const stagePage = 1 << 20

// add holds sig as a pointer and returns its reference.
func (st *sigStore) add(sig *Signature) sigRef {
	return sigRef(st.ptr.add(sig) + 1)
}

// at returns the signature of r: nil for 0; a staged one only once
// materialized.
func (st *sigStore) at(r sigRef) *Signature {
	switch {
	case r > 0:
		return *st.ptr.at(int32(r - 1))
	case r < 0:
		return st.done[-r-1]
	}
	return nil
}

// forget drops the pointer of r, which no instance holds any longer (nor
// a surface's kept signatures), so that the collector can take it.
func (st *sigStore) forget(r sigRef) {
	if r > 0 {
		*st.ptr.at(int32(r - 1)) = nil
	}
}

// stageable reports whether sig, about to be kept, is staged: a module's
// signature with its key (see Signature.cachedText), which is all
// sameSignature compares, and without clones.
func (st *sigStore) stageable(sig *Signature) bool {
	if !st.stage || len(sig.Clones) > 0 || sig.text.self != sig || sig.text.key == "" || sig.text.frozen {
		return false
	}
	return true
}

// keep holds sig, staged if stageable, and returns its reference. sig is
// not used after: a staged signature is made again by materialize.
func (st *sigStore) keep(sig *Signature) sigRef {
	if !st.stageable(sig) {
		return st.add(sig)
	}
	key := sig.text.key
	ss := stagedSig{n: sig.text.n, ret: st.types.index(sig.Return), first: int32(st.params.len()), num: int32(len(sig.Params))}
	ss.key = st.str(key, "", strRef{})
	ss.name = st.str(sig.Name, key, ss.key)
	if sig.Variadic {
		ss.flags |= stagedVariadic
	}
	if sig.Prototyped {
		ss.flags |= stagedPrototyped
	}
	if sig.Assembler {
		ss.flags |= stagedAssembler
	}
	if sig.text.based {
		ss.flags |= stagedBased
	}
	for _, p := range sig.Params {
		st.params.add(stagedParam{name: st.str(p.Name, key, ss.key), typ: st.types.index(p.Type)})
	}
	return sigRef(-st.staged.add(ss) - 1)
}

// str returns v in the store's pages (see strPages.add).
func (st *sigStore) str(v, orig string, in strRef) strRef { return st.pages.add(v, orig, in) }

// string returns the string r (see strPages.string).
func (st *sigStore) string(r strRef) string { return st.pages.string(r) }

// strPages holds strings, without pointers, in pages of stagePage
// bytes (or one of its own, for a longer string).
type strPages [][]byte

// add returns v in the pages: as the part of in, a copy there of orig,
// that holds v when v is a part of orig, else copied.
func (ps *strPages) add(v, orig string, in strRef) strRef {
	if v == "" {
		return strRef{}
	}
	if orig != "" {
		base := uintptr(unsafe.Pointer(unsafe.StringData(orig)))
		if p := uintptr(unsafe.Pointer(unsafe.StringData(v))); p >= base && p-base+uintptr(len(v)) <= uintptr(len(orig)) {
			return strRef{in.page, in.off + int32(p-base), int32(len(v))}
		}
	}
	pages := *ps
	n := len(pages) - 1
	if n < 0 || cap(pages[n])-len(pages[n]) < len(v) {
		pages = append(pages, make([]byte, 0, max(stagePage, len(v))))
		n++
	}
	off := len(pages[n])
	pages[n] = append(pages[n], v...)
	*ps = pages
	return strRef{int32(n), int32(off), int32(len(v))}
}

// string returns the string r, which shares the page's memory (a page is
// never written again where it holds a string).
func (ps strPages) string(r strRef) string {
	if r.len == 0 {
		return ""
	}
	return unsafe.String(&ps[r.page][r.off], int(r.len))
}

// An interned is a set of values, each known by its index: the index of
// the zero value is -1.
type interned[T comparable] struct {
	vals []T
	idx  map[T]int32
}

// index returns the index of v, adding it.
func (in *interned[T]) index(v T) int32 {
	var zero T
	if v == zero {
		return -1
	}
	if in.idx == nil {
		in.idx = make(map[T]int32)
	}
	i, ok := in.idx[v]
	if !ok {
		i = int32(len(in.vals))
		in.vals = append(in.vals, v)
		in.idx[v] = i
	}
	return i
}

// at returns the value of index i.
func (in *interned[T]) at(i int32) T {
	if i < 0 {
		var zero T
		return zero
	}
	return in.vals[i]
}

// sameAs reports whether the signature of r, one of a function's kept,
// is the same as sig (see sameSignature).
func (st *sigStore) sameAs(r sigRef, sig *Signature) bool {
	if r > 0 {
		return sameSignature(*st.ptr.at(int32(r - 1)), sig)
	}
	ss := st.staged.at(int32(-r - 1))
	if ss.flags&stagedAssembler != 0 != sig.Assembler {
		return false
	}
	if _, key, ok := sig.cachedText(); ok {
		return st.string(ss.key) == key
	}
	return sameSignature(st.build(ss), sig) // rare: Debian 6.1's whole kernel, read, never comes here
}

// build returns a new Signature of the staged ss.
func (st *sigStore) build(ss *stagedSig) *Signature {
	s := newSignature(int(ss.num))
	*s = Signature{Name: st.string(ss.name), Return: st.types.at(ss.ret), Params: s.Params,
		Variadic: ss.flags&stagedVariadic != 0, Prototyped: ss.flags&stagedPrototyped != 0, Assembler: ss.flags&stagedAssembler != 0}
	for i := range ss.num {
		p := st.params.at(ss.first + i)
		s.Params[i] = Param{Name: st.string(p.name), Type: st.types.at(p.typ)}
	}
	s.text = sigText{key: st.string(ss.key), n: ss.n, based: ss.flags&stagedBased != 0, self: s}
	return s
}

// A sigStaging is a test's say in how a whole kernel's read holds the
// signatures of its modules (Options.sigs), to compare the Builds read
// both ways: staged (see sigStore), as when there is none, or, with
// unstaged set, as pointers. The read sets staged to the number of
// staged signatures it made (see materialize).
type sigStaging struct {
	unstaged bool
	staged   int
}

// materialize makes the staged signatures, once, for the Build: at
// returns them after. The records are dropped.
func (st *sigStore) materialize() {
	st.stage = false // what is kept from now on is held as a pointer: done is final
	if st.staged.len() == 0 || st.done != nil {
		return
	}
	st.done = make([]*Signature, st.staged.len())
	for i, ss := range st.staged.all {
		st.done[i] = st.build(ss)
	}
	st.staged, st.params = chunks[stagedSig]{}, chunks[stagedParam]{}
	st.types = interned[*Type]{}
}
