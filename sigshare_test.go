package kabi

import (
	"fmt"
	"testing"
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
