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
		for _, sig := range s.kept[i] {
			if sig == nil {
				break
			}
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
