package kabi

import "testing"

func base(name string) *Type              { return &Type{Kind: Base, Name: name} }
func ptr(t *Type) *Type                   { return &Type{Kind: Pointer, Elem: t} }
func arr(t *Type, n int64) *Type          { return &Type{Kind: Array, Elem: t, Len: n} }
func tdef(name string) *Type              { return &Type{Kind: Typedef, Name: name} }
func q(t *Type, qs Qualifiers) *Type      { n := *t; n.Qual |= qs; return &n }
func fn(ret *Type, params ...*Type) *Type { return proto(ret, true, false, params...) }

func proto(ret *Type, prototyped, variadic bool, params ...*Type) *Type {
	f := &Type{Kind: Func, Elem: ret, Prototyped: prototyped, Variadic: variadic}
	for _, p := range params {
		f.Params = append(f.Params, Param{Type: p})
	}
	return f
}

var void = &Type{Kind: Void}

func TestDeclare(t *testing.T) {
	intT, charT := base("int"), base("char")
	for _, tc := range []struct {
		t    *Type
		name string
		want string
	}{
		{intT, "x", "int x"},
		{ptr(void), "", "void *"},
		{ptr(ptr(&Type{Kind: Struct, Name: "page"})), "pages", "struct page **pages"},
		{ptr(q(ptr(q(charT, Const)), Const)), "argv", "const char *const *argv"},
		{q(ptr(charT), Const), "", "char *const"},
		{q(ptr(charT), Const|Volatile), "p", "char *const volatile p"},
		{ptr(q(base("unsigned int"), Const|Volatile)), "reg", "const volatile unsigned int *reg"},
		{q(ptr(void), Restrict), "dst", "void *restrict dst"},
		{ptr(fn(intT, ptr(void), intT)), "cb", "int (*cb)(void *, int)"},
		{ptr(fn(intT, ptr(void), intT)), "", "int (*)(void *, int)"},
		{ptr(arr(intT, 4)), "m", "int (*m)[4]"},
		{arr(ptr(charT), 4), "argv", "char *argv[4]"},
		{arr(arr(intT, 3), 4), "a", "int a[4][3]"}, // 4 arrays of 3,
		{arr(intT, -1), "a", "int a[]"},
		{q(ptr(arr(q(&Type{Kind: Struct, Name: "l"}, Const), -1)), Const), "layers", "const struct l (*const layers)[]"},
		{fn(ptr(fn(void, intT)), intT, ptr(fn(void, intT))), "signal", "void (*signal(int, void (*)(int)))(int)"},
		{ptr(fn(ptr(arr(intT, 2)))), "f", "int (*(*f)(void))[2]"},
		{fn(intT), "f", "int f(void)"},
		{proto(intT, false, false), "f", "int f()"},
		{proto(intT, true, true, q(ptr(q(charT, Const)), 0)), "printk", "int printk(const char *, ...)"},
		{proto(intT, true, true), "f", "int f(...)"},
		{&Type{Kind: Union, Name: "k"}, "key", "union k key"},
		{&Type{Kind: Enum, Name: "s"}, "", "enum s"},
		{&Type{Kind: Struct}, "anon", "struct {...} anon"},
		{q(tdef("pgprot_t"), Const), "prot", "const pgprot_t prot"},
		{q(void, Const), "", "const void"},
		{nil, "f", "void f"},
	} {
		if got := Declare(tc.t, tc.name); got != tc.want {
			t.Errorf("Declare(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSignatureString(t *testing.T) {
	intT := base("int")
	s := Signature{
		Name:   "signal",
		Return: ptr(fn(void, intT)),
		Params: []Param{{"sig", intT}, {"func", ptr(fn(void, intT))}},
		// Prototyped, so an empty list would print (void).
		Prototyped: true,
	}
	if got, want := s.String(), "void (*signal(int sig, void (*func)(int)))(int);"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	vmap := Signature{Name: "vmap", Return: ptr(void), Prototyped: true, Params: []Param{
		{"pages", ptr(ptr(&Type{Kind: Struct, Name: "page"}))},
		{"count", base("unsigned int")},
		{"flags", base("long unsigned int")},
		{"prot", tdef("pgprot_t")},
	}}
	if got, want := vmap.String(), "void *vmap(struct page **pages, unsigned int count, long unsigned int flags, pgprot_t prot);"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&Signature{Name: "f"}).String(), "void f();"; got != want {
		t.Errorf("zero signature: got %q, want %q", got, want)
	}
}

func TestTypeEqual(t *testing.T) {
	intT := base("int")
	ul := base("long unsigned int")
	for _, tc := range []struct {
		why  string
		a, b *Type
		want bool
	}{
		{"same base", base("int"), base("int"), true},
		{"typedef is not its target", tdef("size_t"), ul, false},
		{"two typedefs", tdef("size_t"), tdef("__kernel_size_t"), false},
		{"const matters", q(intT, Const), intT, false},
		{"qualifier set, not order", q(q(intT, Const), Volatile), q(q(intT, Volatile), Const), true},
		{"pointer const vs pointee const", q(ptr(base("char")), Const), ptr(q(base("char"), Const)), false},
		{"struct vs union of one name", &Type{Kind: Struct, Name: "a"}, &Type{Kind: Union, Name: "a"}, false},
		{"array length", arr(intT, 4), arr(intT, 5), false},
		{"unknown length", arr(intT, -1), arr(intT, 0), false},
		{"function parameter names do not matter", &Type{Kind: Func, Elem: intT, Prototyped: true, Params: []Param{{"a", intT}}},
			&Type{Kind: Func, Elem: intT, Prototyped: true, Params: []Param{{"b", intT}}}, true},
		{"variadic", proto(intT, true, true, intT), proto(intT, true, false, intT), false},
		{"(void) vs ()", proto(intT, true, false), proto(intT, false, false), false},
		{"parameter count", fn(intT, intT), fn(intT, intT, intT), false},
		{"return type", fn(intT), fn(ul), false},
		{"deep equal", ptr(fn(ptr(arr(intT, 2)), ptr(void))), ptr(fn(ptr(arr(intT, 2)), ptr(void))), true},
		{"void vs nil", void, nil, false},
	} {
		if got := tc.a.Equal(tc.b); got != tc.want {
			t.Errorf("%s: Equal = %v, want %v", tc.why, got, tc.want)
		}
		if got := tc.b.Equal(tc.a); got != tc.want {
			t.Errorf("%s (swapped): Equal = %v, want %v", tc.why, got, tc.want)
		}
	}
	// BTF writes [] as [0]; only the BTF comparison lets them match.
	if !typeEqual(arr(intT, -1), arr(intT, 0), true, 0) || typeEqual(arr(intT, 4), arr(intT, 0), true, 0) {
		t.Error("BTF array comparison")
	}
}

func TestSignatureEqual(t *testing.T) {
	intT := base("int")
	a := Signature{Name: "f", Return: intT, Prototyped: true, Params: []Param{{"x", intT}}}
	b := a
	b.Name = "g"
	if !a.Equal(&b) {
		t.Error("names of functions should not matter")
	}
	b.Params = []Param{{"y", intT}}
	if a.Equal(&b) {
		t.Error("parameter names matter in a signature")
	}
	b.Params = []Param{{"x", q(intT, Const)}}
	if a.Equal(&b) {
		t.Error("parameter types matter")
	}
	c := Signature{Name: "f", Prototyped: true, Params: a.Params}
	d := Signature{Name: "f", Return: void, Prototyped: true, Params: a.Params}
	if !c.Equal(&d) {
		t.Error("a nil Return is void")
	}
}
