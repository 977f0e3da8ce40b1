package kabi

import "testing"

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
	insts := []*Instance{{Signature: a}, {Signature: b}, {}, {Signature: c}, {Signature: asm}, {Signature: clone}, {Signature: d}}
	shareSignatures(insts)
	got := func(i int) *Signature { return insts[i].Signature }
	if got(0) != a || got(1) != a {
		t.Errorf("equal signatures not shared: %p %p, want %p", got(0), got(1), a)
	}
	if got(2) != nil {
		t.Errorf("an instance without a signature got %v", got(2))
	}
	if got(3) != c || got(6) != c {
		t.Errorf("f(y) instances: %p %p, want %p", got(3), got(6), c)
	}
	if got(4) != asm || got(5) != clone {
		t.Errorf("an assembler's or a clone's signature was replaced")
	}
	if got(0).String() != "int f(int *x);" || got(3).String() != "int f(int *y);" {
		t.Errorf("signatures changed: %s, %s", got(0), got(3))
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
	if sameText(base, typedef) || !sameText(base, mk(Base)) {
		t.Errorf("keys: a base type and a typedef of one name alike, or two equal signatures not")
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
