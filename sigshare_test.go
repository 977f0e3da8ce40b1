package kabi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
)

func TestShareSignatures(t *testing.T) {
	intT := func() *Type { return &Type{Kind: Base, Name: "int"} }
	sig := func(name string, params ...string) *Signature {
		s := &Signature{Name: name, Return: intT(), Prototyped: true}
		for _, p := range params {
			s.Params = append(s.Params, Param{Name: p, Type: &Type{Kind: Pointer, Elem: intT()}})
		}
		return s
	}
	a, b, c := sig("f", "x"), sig("f", "x"), sig("f", "y")
	asm := sig("f", "x")
	asm.Assembler = true
	clone := sig("f", "x")
	clone.Clones = []Clone{{Params: []CloneParam{{Param: clone.Params[0], State: Constant}}}}
	d := sig("f", "y")
	// Instances of one function get a, b, c, asm, clone, d in turn.
	sf := &surface{kept: make([][maxShared]sigRef, 1)}
	var got []*Signature
	for _, s := range []*Signature{a, b, c, asm, clone, d} {
		got = append(got, sf.sigTab.at(sf.share(0, s)))
	}
	if got[0] != a || got[1] != a {
		t.Errorf("equal signatures not shared: %p %p, want %p", got[0], got[1], a)
	}
	if got[2] != c || got[5] != c {
		t.Errorf("f(y) instances: %p %p, want %p", got[2], got[5], c)
	}
	if got[3] != asm || got[4] != clone {
		t.Errorf("an assembler's or a clone's signature was replaced")
	}
	if got[0].String() != "int f(int *x);" || got[2].String() != "int f(int *y);" {
		t.Errorf("signatures changed: %s, %s", got[0], got[2])
	}
	// Past maxShared distinct ones, a new one is kept as it is.
	for i := range maxShared + 1 {
		n := sig("f", fmt.Sprintf("p%d", i))
		if g := sf.sigTab.at(sf.share(0, n)); g != n {
			t.Errorf("distinct signature %d replaced by %s", i, g)
		}
	}
}

// TestSignatureText checks the declaration a signature keeps from where
// it was made: it is what the signature prints, a changed copy prints
// anew, and keys tell apart types that print alike.
func TestSignatureText(t *testing.T) {
	named := func(k TypeKind) *Type { return &Type{Kind: k, Name: "u32"} }
	mk := func(k TypeKind) *Signature {
		s := &Signature{Name: "f", Return: &Type{Kind: Void}, Prototyped: true,
			Params: []Param{{Name: "x", Type: named(k)}, {Name: "p", Type: &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}}}}}
		s.keep(nil)
		return s
	}
	base, typedef := mk(Base), mk(Typedef)
	const want = "void f(u32 x, struct page *p);"
	if d, _, ok := base.cachedText(); !ok || d != want || base.String() != want || string(base.AppendText([]byte("> "))) != "> "+want {
		t.Fatalf("kept text %q (%v), String %q", d, ok, base.String())
	}
	if sameSignature(base, typedef) || !sameSignature(base, mk(Base)) {
		t.Errorf("keys: a base type and a typedef of one name alike, or two equal signatures not")
	}
	// Names that DWARF may spell with spaces: `a b c` either way.
	spaced := func(tn, pn string) *Signature {
		s := &Signature{Name: "f", Return: &Type{Kind: Void}, Params: []Param{{Name: pn, Type: &Type{Kind: Base, Name: tn}}}}
		s.keep(nil)
		return s
	}
	if x, y := spaced("a", "b c"), spaced("a b", "c"); x.String() != y.String() || sameSignature(x, y) {
		t.Errorf("%s and %s: the same key", x, y)
	}
	cp := *base
	cp.Params = cp.Params[1:]
	cp.Name = "g"
	if got := cp.String(); got != "void g(struct page *p);" {
		t.Errorf("a changed copy prints %q", got)
	}
	cp = *base
	cp.Variadic = true
	if got := cp.String(); got != "void f(u32 x, struct page *p, ...);" {
		t.Errorf("a changed copy prints %q", got)
	}
}

// TestTypeTable: a table gives equal types one pointer, keeps types that
// differ in any field apart, and reads its base first without adding to it.
func TestTypeTable(t *testing.T) {
	// Each variant is built anew on every call: distinct pointers.
	variants := []func() *Type{
		func() *Type { return &Type{Kind: Base, Name: "u32"} },
		func() *Type { return &Type{Kind: Typedef, Name: "u32"} },
		func() *Type { return &Type{Kind: Base, Name: "u32", Qual: Const} },
		func() *Type { return &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}} },
		func() *Type { return &Type{Kind: Pointer, Elem: &Type{Kind: Union, Name: "page"}} },
		func() *Type { return &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page", Qual: Const}} },
		func() *Type { return &Type{Kind: Pointer, Qual: Const, Elem: &Type{Kind: Struct, Name: "page"}} },
		func() *Type { return &Type{Kind: Array, Len: 4, Elem: &Type{Kind: Base, Name: "char"}} },
		func() *Type { return &Type{Kind: Array, Len: -1, Elem: &Type{Kind: Base, Name: "char"}} },
		func() *Type {
			return &Type{Kind: Func, Elem: &Type{Kind: Void}, Prototyped: true,
				Params: []Param{{Type: &Type{Kind: Pointer, Elem: &Type{Kind: Void}}}, {Type: &Type{Kind: Base, Name: "int"}}}}
		},
		func() *Type {
			return &Type{Kind: Func, Elem: &Type{Kind: Void}, Prototyped: true, Variadic: true,
				Params: []Param{{Type: &Type{Kind: Pointer, Elem: &Type{Kind: Void}}}, {Type: &Type{Kind: Base, Name: "int"}}}}
		},
		func() *Type {
			return &Type{Kind: Func, Elem: &Type{Kind: Void}, Prototyped: true,
				Params: []Param{{Name: "p", Type: &Type{Kind: Pointer, Elem: &Type{Kind: Void}}}, {Type: &Type{Kind: Base, Name: "int"}}}}
		},
		func() *Type {
			return &Type{Kind: Func, Elem: &Type{Kind: Void}, Prototyped: true,
				Params: []Param{{Type: &Type{Kind: Pointer, Elem: &Type{Kind: Void}}}}}
		},
		func() *Type { return &Type{Kind: Func, Elem: &Type{Kind: Base, Name: "int"}} },
	}
	base := newTypeTable(nil)
	// The base holds the even variants; the table over it gets them all.
	var inBase []*Type
	for i := 0; i < len(variants); i += 2 {
		inBase = append(inBase, base.canon(variants[i](), 0))
	}
	nBase := len(base.types) + len(base.funcs)
	tt := newTypeTable(base)
	got := make([]*Type, len(variants))
	for i, v := range variants {
		want := v()
		got[i] = tt.canon(v(), 0)
		if !sameType(got[i], want) {
			t.Errorf("variant %d: canon gives %s, want %s", i, got[i], want)
		}
		if again := tt.canon(v(), 0); again != got[i] {
			t.Errorf("variant %d: two equal types, two pointers", i)
		}
		if i%2 == 0 && got[i] != inBase[i/2] {
			t.Errorf("variant %d: not the base's", i)
		}
		if r := tt.find(v(), &tt.buf); r != nil && i > 0 && (v().Elem != nil || len(v().Params) > 0) {
			t.Errorf("variant %d: found with parts that are not the table's", i)
		}
	}
	for i := range got {
		for j := range i {
			if got[i] == got[j] {
				t.Errorf("variants %d and %d share a pointer: %s", i, j, got[i])
			}
		}
	}
	if n := len(base.types) + len(base.funcs); n != nBase {
		t.Errorf("the base grew from %d to %d types", nBase, n)
	}
}

// sameType compares every field of two types, parameter names too.
func sameType(a, b *Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Name != b.Name || a.Qual != b.Qual || a.Len != b.Len || a.Variadic != b.Variadic ||
		a.Prototyped != b.Prototyped || len(a.Params) != len(b.Params) || !sameType(a.Elem, b.Elem) {
		return false
	}
	for i := range a.Params {
		if a.Params[i].Name != b.Params[i].Name || !sameType(a.Params[i].Type, b.Params[i].Type) {
			return false
		}
	}
	return true
}

// TestCanonSig: a kept signature gets the table's types in place, and
// prints and keys as before.
func TestCanonSig(t *testing.T) {
	mk := func(pname string) *Signature {
		s := &Signature{Name: strings.Clone("f"), Return: &Type{Kind: Base, Name: "int"}, Prototyped: true,
			Params: []Param{{Name: strings.Clone(pname), Type: &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}}}}}
		s.keep(nil)
		return s
	}
	base := newTypeTable(nil)
	v := mk("p")
	base.canonSig(v)
	sf := &surface{tt: base}
	sf.kept = [][maxShared]sigRef{{sf.sigTab.add(v)}}
	if sf.freezeTypes() != base || sf.tt.base != base {
		t.Fatalf("freezeTypes: no table over vmlinux's")
	}
	tt := sf.tt
	a, b := mk("p"), mk("p")
	decl, key, _ := a.cachedText()
	tt.canonSig(a)
	tt.canonSig(b)
	if a.Return != v.Return || a.Params[0].Type != v.Params[0].Type || b.Params[0].Type != v.Params[0].Type {
		t.Errorf("the types are not the base's")
	}
	if d, k, ok := a.cachedText(); !ok || d != decl || k != key || a.String() != "int f(struct page *p);" {
		t.Errorf("text changed: %q", d)
	}
	// vmlinux's signatures, which modules' converters read, are left alone.
	if base.sigs[key] != v {
		t.Fatalf("freezeTypes: vmlinux's signature is not found by its key")
	}
	vRet := v.Return
	tt.base = newTypeTable(nil) // a table without vmlinux's types would give v others
	tt.canon(&Type{Kind: Base, Name: "int"}, 0)
	tt.canonSig(v)
	if v.Return != vRet {
		t.Errorf("a base signature was changed")
	}
}

// TestModulesShareVmlinux: a module's signatures use vmlinux's types
// and, where vmlinux has the same one, its signature.
func TestModulesShareVmlinux(t *testing.T) {
	b := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", nil)
	vmTypes := map[string]*Type{} // by kind and text
	var walk func(ty *Type, visit func(*Type))
	walk = func(ty *Type, visit func(*Type)) {
		if ty == nil {
			return
		}
		visit(ty)
		walk(ty.Elem, visit)
		for _, p := range ty.Params {
			walk(p.Type, visit)
		}
	}
	each := func(s *Signature, visit func(*Type)) {
		walk(s.Return, visit)
		for _, p := range s.Params {
			walk(p.Type, visit)
		}
	}
	keyOf := func(ty *Type) string { return fmt.Sprintf("%d %d %q %s", ty.Kind, ty.Qual, ty.Name, ty) }
	vmSigs := map[string]*Signature{}
	for f := range b.Functions() {
		for _, in := range f.Instances {
			if in.Module == "" && in.Signature != nil && len(in.Signature.Clones) == 0 {
				vmSigs[in.Signature.String()] = in.Signature
				each(in.Signature, func(ty *Type) { vmTypes[keyOf(ty)] = ty })
			}
		}
	}
	shared, sharedSigs := 0, 0
	for f := range b.Functions() {
		for _, in := range f.Instances {
			s := in.Signature
			if in.Module == "" || s == nil || len(s.Clones) > 0 {
				continue
			}
			if v, ok := vmSigs[s.String()]; ok && v.Assembler == s.Assembler {
				if v != s {
					t.Errorf("%s in %s: vmlinux's equal signature not shared", s, in.Module)
				}
				sharedSigs++
			}
			each(s, func(ty *Type) {
				if v, ok := vmTypes[keyOf(ty)]; ok && sameType(v, ty) {
					if v != ty {
						t.Errorf("%s in %s: type %s is not vmlinux's", s, in.Module, ty)
					}
					shared++
				}
			})
		}
	}
	if shared == 0 {
		t.Errorf("no module type is also vmlinux's: the test shows nothing")
	}
	// Every type of a kept signature (but clones') is the kernel's one
	// of its value, whichever units and modules spell it.
	one := map[string]*Type{}
	multi := 0
	for f := range b.Functions() {
		for _, in := range f.Instances {
			if in.Signature == nil || len(in.Signature.Clones) > 0 {
				continue
			}
			each(in.Signature, func(ty *Type) {
				k := keyOf(ty)
				if o, ok := one[k]; !ok {
					one[k] = ty
				} else if sameType(o, ty) {
					multi++
					if o != ty {
						t.Errorf("%s: two pointers for type %s", in.Signature, ty)
					}
				}
			})
		}
	}
	if multi == 0 {
		t.Errorf("no type is used twice: the test shows nothing")
	}
	t.Logf("%d module types and %d signatures are vmlinux's", shared, sharedSigs)
}

// TestConverterBase: a module's converter takes the base table's types
// and signatures, makes the others, and says which signatures have only
// the base's types (the merge leaves their types alone).
func TestConverterBase(t *testing.T) {
	dInt := &dwarfx.Type{Kind: dwarfx.TypeBase, Name: "int"}
	dPage := &dwarfx.Type{Kind: dwarfx.TypePointer, Elem: &dwarfx.Type{Kind: dwarfx.TypeStruct, Name: "page"}}
	dLocal := &dwarfx.Type{Kind: dwarfx.TypePointer, Elem: &dwarfx.Type{Kind: dwarfx.TypeStruct, Name: "kfx_req"}}
	dCb := &dwarfx.Type{Kind: dwarfx.TypePointer, Elem: &dwarfx.Type{Kind: dwarfx.TypeFunc, Elem: dInt, Prototyped: true,
		Params: []*dwarfx.Type{dPage, {Kind: dwarfx.TypeConst, Elem: dInt}}}}
	proto := func(params ...*dwarfx.Type) *dwarfx.Prototype {
		p := &dwarfx.Prototype{Return: dInt, Prototyped: true}
		for i, pt := range params {
			p.Params = append(p.Params, dwarfx.Param{Name: fmt.Sprintf("a%d", i), Type: pt})
		}
		return p
	}
	// vmlinux: g(struct page *, callback) is kept and frozen.
	vm := newDWARFSigs(nil, newStringPool(), nil)
	sf := &surface{tt: newTypeTable(nil), kept: make([][maxShared]sigRef, 2), names: []string{"g", "f"}}
	g := sf.sigTab.at(sf.share(0, vm.signature(nil, "g", proto(dPage, dCb), 0, false)))
	base := sf.freezeTypes()
	mod := newDWARFSigs(nil, newStringPool(), base)
	if got := mod.signature(nil, "g", proto(dPage, dCb), 0, false); got != g {
		t.Errorf("vmlinux's signature %s not taken: got %s", g, got)
	}
	mod.reset()
	h := mod.signature(nil, "h", proto(dCb, dPage), 0, false)
	if !h.text.based || h.Params[0].Type != g.Params[1].Type || h.Params[1].Type != g.Params[0].Type || h.Return != g.Return {
		t.Errorf("%s: not vmlinux's types (based %v)", h, h.text.based)
	}
	mod.reset()
	f := mod.signature(nil, "f", proto(dPage, dLocal), 0, false)
	if f.text.based || f.Params[0].Type != g.Params[0].Type {
		t.Errorf("%s: based %v, or struct page * not vmlinux's", f, f.text.based)
	}
	if f.String() != "int f(struct page *a0, struct kfx_req *a1);" || h.String() != "int h(int (*a0)(struct page *, const int), struct page *a1);" {
		t.Errorf("signatures %s, %s", f, h)
	}
	// The names are parts of the key, as the declaration writes them.
	for _, s := range []*Signature{f, h} {
		_, key, _ := s.cachedText()
		in := func(v string) bool {
			k, p := uintptr(unsafe.Pointer(unsafe.StringData(key))), uintptr(unsafe.Pointer(unsafe.StringData(v)))
			return p >= k && p+uintptr(len(v)) <= k+uintptr(len(key))
		}
		if !in(s.Name) || !in(s.Params[0].Name) || !in(s.Params[1].Name) {
			t.Errorf("%s: its names are not parts of its key", s)
		}
	}
	// The merge puts f's own types in the kernel's table, and gives them
	// to another module's equal signature.
	sf.share(1, f)
	local := f.Params[1].Type
	if sf.tt.find(local, &sf.tt.buf) != local {
		t.Errorf("the merge did not keep %s's type %s", f, local)
	}
	other := newDWARFSigs(nil, newStringPool(), base)
	f2 := other.signature(nil, "f", proto(dPage, dLocal), 0, false)
	other.reset()
	if f2.Params[1].Type == local {
		t.Fatalf("two modules' converters share a local type")
	}
	if got := sf.sigTab.at(sf.share(1, f2)); got != f {
		t.Errorf("another module's f: %p, want %p", got, f)
	}
	k := other.signature(nil, "k", proto(dLocal), 0, false)
	sf.names = append(sf.names, "k")
	sf.kept = append(sf.kept, [maxShared]sigRef{})
	if sf.sigTab.at(sf.share(2, k)) != k || k.Params[0].Type != local {
		t.Errorf("%s: its type is not the kernel's", k)
	}
}

// TestDeclNames: appendDecl writes what Declare writes of the function
// type, named, with names set or not, and the names at the offsets it
// gives.
func TestDeclNames(t *testing.T) {
	page := &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}}
	cb := &Type{Kind: Pointer, Elem: &Type{Kind: Func, Elem: &Type{Kind: Base, Name: "int"}, Prototyped: true, Params: []Param{{Type: page}}}}
	arr := &Type{Kind: Pointer, Elem: &Type{Kind: Array, Len: 4, Elem: &Type{Kind: Base, Name: "char", Qual: Const}}}
	retFn := &Type{Kind: Pointer, Elem: &Type{Kind: Func, Elem: &Type{Kind: Void}, Prototyped: true}}
	for _, s := range []*Signature{
		{Name: "f", Return: &Type{Kind: Void}, Prototyped: true},
		{Name: "f", Return: &Type{Kind: Void}},
		{Name: "f", Return: nil, Variadic: true, Prototyped: true},
		{Name: "g", Return: retFn, Prototyped: true, Variadic: true, Params: []Param{{Name: "fmt", Type: arr}, {Name: "", Type: page}}},
		{Name: "h", Return: page, Prototyped: true, Params: []Param{{Name: "cb", Type: cb}, {Name: "p", Type: &Type{Kind: Pointer, Qual: Const, Elem: page}}}},
		{Name: "k", Return: &Type{Kind: Base, Name: "int"}, Params: []Param{{Name: "x", Type: &Type{Kind: Array, Len: -1, Elem: &Type{Kind: Base, Name: "int"}}}}},
	} {
		var offs []int32
		b := s.appendDecl([]byte("> "), &offs)
		want := Declare(s.Type(), s.Name) + ";"
		if string(b) != "> "+want || string(s.appendDecl(nil, nil)) != want {
			t.Errorf("appendDecl %q and %q, want %q", b, s.appendDecl(nil, nil), want)
		}
		names := []string{s.Name}
		for _, p := range s.Params {
			names = append(names, p.Name)
		}
		if len(offs) != len(names) {
			t.Fatalf("%s: %d offsets for %d names", s, len(offs), len(names))
		}
		for i, n := range names {
			if got := string(b[offs[i] : int(offs[i])+len(n)]); got != n {
				t.Errorf("%s: name %d at %d is %q, want %q", s, i, offs[i], got, n)
			}
		}
	}
}

// TestNewSignature: a new signature has n parameters, its own, with no
// room to grow into another's.
func TestNewSignature(t *testing.T) {
	for n := range 7 {
		a, b := newSignature(n), newSignature(n)
		if len(a.Params) != n || cap(a.Params) != n {
			t.Errorf("%d parameters: len %d cap %d", n, len(a.Params), cap(a.Params))
		}
		for i := range a.Params {
			a.Params[i].Name = "a"
			b.Params[i].Name = "b"
		}
		for i := range a.Params {
			if a.Params[i].Name != "a" {
				t.Errorf("%d parameters: two signatures share their parameters", n)
			}
		}
		if n > 0 {
			c := append(a.Params, Param{Name: "x"})
			c[0].Name = "c"
			if a.Params[0].Name != "a" {
				t.Errorf("%d parameters: appending to Params wrote into the signature's", n)
			}
		}
	}
}

// TestSigStoreStaged: a staged signature is made again with the same
// fields, types (the same pointers), key and declaration, its names parts
// of its key; it is the same as an equal signature (by key and Assembler)
// and not as another; one that cannot be staged is held as it is.
func TestSigStoreStaged(t *testing.T) {
	page := &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}}
	intT := &Type{Kind: Base, Name: "int"}
	conv := newDWARFSigs(nil, newStringPool(), nil)
	dInt := &dwarfx.Type{Kind: dwarfx.TypeBase, Name: "int"}
	dPage := &dwarfx.Type{Kind: dwarfx.TypePointer, Elem: &dwarfx.Type{Kind: dwarfx.TypeStruct, Name: "page"}}
	made := conv.signature(nil, "f", &dwarfx.Prototype{Return: dInt, Prototyped: true, Variadic: true,
		Params: []dwarfx.Param{{Name: "pg", Type: dPage}, {Name: "", Type: dInt}, {Name: "n", Type: dInt}}}, 0, false)
	conv.reset()
	asm := &Signature{Name: "g", Return: intT, Prototyped: true, Assembler: true, Params: []Param{{Name: "p", Type: page}}}
	asm.keep(nil)
	noKey := &Signature{Name: "h", Return: intT, Params: []Param{{Name: "q", Type: page}}}
	clone := &Signature{Name: "c", Return: intT, Clones: []Clone{{Addr: 1}}}
	clone.keep(nil)
	frozen := &Signature{Name: "v", Return: intT}
	frozen.keep(nil)
	frozen.text.frozen = true

	st := &sigStore{stage: true}
	var refs []sigRef
	for _, s := range []*Signature{made, asm, noKey, clone, frozen} {
		refs = append(refs, st.keep(s))
	}
	for i, want := range []bool{true, true, false, false, false} {
		if staged := refs[i] < 0; staged != want {
			t.Errorf("signature %d: staged %v, want %v", i, staged, want)
		}
	}
	if !st.sameAs(refs[0], made) || st.sameAs(refs[1], made) || st.sameAs(refs[0], asm) {
		t.Errorf("sameAs: a staged signature is not told from another")
	}
	same := *asm
	same.Assembler = false
	same.keep(nil)
	if st.sameAs(refs[1], &same) {
		t.Errorf("sameAs: a staged assembler's signature is the same as a C one")
	}
	st.materialize()
	for i, want := range []*Signature{made, asm, noKey, clone, frozen} {
		got := st.at(refs[i])
		if refs[i] > 0 {
			if got != want {
				t.Errorf("signature %d: not held as it is", i)
			}
			continue
		}
		if got == want || got.String() != want.String() || got.Name != want.Name || got.Variadic != want.Variadic ||
			got.Prototyped != want.Prototyped || got.Assembler != want.Assembler || got.Return != want.Return ||
			len(got.Params) != len(want.Params) || got.text.based != want.text.based {
			t.Errorf("signature %d: made again as %+v, want %+v", i, got, want)
			continue
		}
		for j := range got.Params {
			if got.Params[j] != want.Params[j] {
				t.Errorf("signature %d parameter %d: %+v, want %+v", i, j, got.Params[j], want.Params[j])
			}
		}
		gd, gk, ok := got.cachedText()
		wd, wk, _ := want.cachedText()
		if !ok || gd != wd || gk != wk {
			t.Errorf("signature %d: text %q %q, want %q %q", i, gd, gk, wd, wk)
		}
		if want != made {
			continue // keep copies the names: they are copied to the store
		}
		k := uintptr(unsafe.Pointer(unsafe.StringData(gk)))
		for _, v := range append([]string{got.Name}, got.Params[0].Name, got.Params[len(got.Params)-1].Name) {
			if p := uintptr(unsafe.Pointer(unsafe.StringData(v))); p < k || p+uintptr(len(v)) > k+uintptr(len(gk)) {
				t.Errorf("signature %d: name %q is not a part of its key", i, v)
			}
		}
	}
}

// TestSigStoreSameKeyless: a signature without a key is the same as a
// staged one when their names are and they are Equal (a nil return and
// Void alike), and not when any one part differs.
func TestSigStoreSameKeyless(t *testing.T) {
	page := &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}}
	intT := &Type{Kind: Base, Name: "int"}
	f := &Signature{Name: "f", Return: intT, Prototyped: true, Variadic: true,
		Params: []Param{{Name: "pg", Type: page}, {Name: "", Type: intT}, {Name: "n", Type: intT}}}
	f.keep(nil)
	v := &Signature{Name: "v", Prototyped: true}
	v.keep(nil)
	st := &sigStore{stage: true}
	rf, rv := st.keep(f), st.keep(v)
	if rf >= 0 || rv >= 0 {
		t.Fatal("not staged")
	}
	// like returns a copy of f without its key, changed by change.
	like := func(change func(s *Signature)) *Signature {
		s := &Signature{Name: f.Name, Return: f.Return, Prototyped: f.Prototyped, Variadic: f.Variadic, Params: slices.Clone(f.Params)}
		change(s)
		return s
	}
	for _, c := range []struct {
		why  string
		r    sigRef
		sig  *Signature
		want bool
	}{
		{"equal", rf, like(func(*Signature) {}), true},
		{"equal types, not the same pointers", rf, like(func(s *Signature) { s.Params[0].Type = &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}} }), true},
		{"a nil return and void", rv, &Signature{Name: "v", Return: &Type{Kind: Void}, Prototyped: true}, true},
		{"another name", rf, like(func(s *Signature) { s.Name = "g" }), false},
		{"not variadic", rf, like(func(s *Signature) { s.Variadic = false }), false},
		{"not prototyped", rf, like(func(s *Signature) { s.Prototyped = false }), false},
		{"assembler", rf, like(func(s *Signature) { s.Assembler = true }), false},
		{"another return", rf, like(func(s *Signature) { s.Return = page }), false},
		{"a parameter fewer", rf, like(func(s *Signature) { s.Params = s.Params[:2] }), false},
		{"another parameter name", rf, like(func(s *Signature) { s.Params[1].Name = "x" }), false},
		{"another parameter type", rf, like(func(s *Signature) { s.Params[2].Type = page }), false},
		{"void and int", rv, &Signature{Name: "v", Return: intT, Prototyped: true}, false},
	} {
		if _, _, ok := c.sig.cachedText(); ok {
			t.Fatalf("%s: the signature has a key", c.why)
		}
		if got := st.sameAs(c.r, c.sig); got != c.want {
			t.Errorf("%s: sameAs %v, want %v", c.why, got, c.want)
		}
		if made := st.build(st.staged.at(int32(-c.r - 1))); sameSignature(made, c.sig) != c.want {
			t.Errorf("%s: the made signature is not what sameAs says", c.why)
		}
	}
}

// TestStagedModuleSignatures reads the fixture kernel with its modules
// with the module signatures staged and not: the Builds' signatures are
// equal, instance by instance, and shared by the same instances.
func TestStagedModuleSignatures(t *testing.T) {
	read := func(stage bool) (*Build, int) {
		t.Helper()
		sigs := &sigStaging{unstaged: !stage}
		b, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: "testdata/modules/6.1.99-1-amd64", sigs: sigs})
		if err != nil {
			t.Fatal(err)
		}
		return b, sigs.staged
	}
	want, n := read(false)
	if n != 0 {
		t.Fatalf("a read that stages nothing made %d staged signatures", n)
	}
	got, n := read(true)
	if n == 0 {
		t.Fatal("the fixture's module signatures were not staged: nothing is compared")
	}
	var ws, gs []*Instance
	for f := range want.Functions() {
		ws = append(ws, f.Instances...)
	}
	for f := range got.Functions() {
		gs = append(gs, f.Instances...)
	}
	if len(ws) != len(gs) {
		t.Fatalf("%d instances, want %d", len(gs), len(ws))
	}
	modSigs := 0
	firstW, firstG := map[*Signature]int{}, map[*Signature]int{}
	for i := range ws {
		w, g := ws[i].Signature, gs[i].Signature
		if (w == nil) != (g == nil) {
			t.Fatalf("instance %d (%s): signature %v, want %v", i, ws[i].Module, g, w)
		}
		if w == nil {
			continue
		}
		if ws[i].Module != "" {
			modSigs++
		}
		wd, wk, wok := w.cachedText()
		gd, gk, gok := g.cachedText()
		if w.String() != g.String() || !w.Equal(g) || w.Name != g.Name || w.Assembler != g.Assembler || len(w.Clones) != len(g.Clones) ||
			wok != gok || wd != gd || wk != gk {
			t.Errorf("instance %d (%s %s): signature %s, want %s", i, ws[i].Module, w.Name, g, w)
		}
		for j := range w.Params {
			if w.Params[j].Name != g.Params[j].Name {
				t.Errorf("instance %d: parameter %d named %q, want %q", i, j, g.Params[j].Name, w.Params[j].Name)
			}
		}
		fw, okw := firstW[w]
		fg, okg := firstG[g]
		if okw != okg || fw != fg {
			t.Errorf("instance %d (%s): shares its signature with instance %d, want %d", i, w, fg, fw)
		}
		if !okw {
			firstW[w], firstG[g] = i, i
		}
	}
	if modSigs == 0 {
		t.Fatalf("the fixture modules have no signatures")
	}
}
