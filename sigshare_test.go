package kabi

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
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
	sf := &surface{kept: make([][maxShared]*Signature, 1)}
	var got []*Signature
	for _, s := range []*Signature{a, b, c, asm, clone, d} {
		got = append(got, sf.share(0, s))
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
		if g := sf.share(0, n); g != n {
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

// TestCanonSig: a kept signature gets the table's types in place, prints
// and keys as before, and in the module phase takes the function's name
// string and shared parameter names.
func TestCanonSig(t *testing.T) {
	mk := func(pname string) *Signature {
		s := &Signature{Name: strings.Clone("f"), Return: &Type{Kind: Base, Name: "int"}, Prototyped: true,
			Params: []Param{{Name: strings.Clone(pname), Type: &Type{Kind: Pointer, Elem: &Type{Kind: Struct, Name: "page"}}}}}
		s.keep(nil)
		return s
	}
	base := newTypeTable(nil)
	v := mk("p")
	base.canonSig(v, "f")
	tt := newTypeTable(base)
	a, b := mk("p"), mk("p")
	decl, key, _ := a.cachedText()
	fn := "f"
	tt.canonSig(a, fn)
	tt.canonSig(b, fn)
	if a.Return != v.Return || a.Params[0].Type != v.Params[0].Type || b.Params[0].Type != v.Params[0].Type {
		t.Errorf("the types are not the base's")
	}
	if d, k, ok := a.cachedText(); !ok || d != decl || k != key || a.String() != "int f(struct page *p);" {
		t.Errorf("text changed: %q", d)
	}
	if unsafe.StringData(a.Name) != unsafe.StringData(fn) || unsafe.StringData(a.Params[0].Name) != unsafe.StringData(b.Params[0].Name) {
		t.Errorf("names not shared")
	}
	// vmlinux's signatures, which modules' converters read, are left alone.
	base.sigs = map[string]*Signature{key: v}
	vName := v.Name
	tt.canonSig(v, strings.Clone("f"))
	if unsafe.StringData(v.Name) != unsafe.StringData(vName) {
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
	t.Logf("%d module types and %d signatures are vmlinux's", shared, sharedSigs)
}
