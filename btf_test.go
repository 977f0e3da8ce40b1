package kabi

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// rawBTF marshals BTF FUNCs into a raw .BTF blob.
func rawBTF(t testing.TB, funcs ...*btf.Func) []byte {
	t.Helper()
	types := make([]btf.Type, len(funcs))
	for i, f := range funcs {
		types[i] = f
	}
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// sampleBTF is a BTF blob with functions of every declarator shape.
func sampleBTF(t testing.TB) []byte {
	intT := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	void := &btf.Void{}
	handler := &btf.Pointer{Target: &btf.FuncProto{Return: void, Params: []btf.FuncParam{{Type: intT}}}}
	cstr := &btf.Pointer{Target: &btf.Const{Type: char}}
	page := &btf.Struct{Name: "page", Size: 8}
	raw := rawBTF(t,
		&btf.Func{Name: "printk", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: intT, Params: []btf.FuncParam{
			{Name: "fmt", Type: cstr}, {Type: void}}}},
		&btf.Func{Name: "signal", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: handler, Params: []btf.FuncParam{
			{Name: "sig", Type: intT}, {Name: "func", Type: handler}}}},
		&btf.Func{Name: "init", Linkage: btf.StaticFunc, Type: &btf.FuncProto{Return: void}},
		&btf.Func{Name: "parse", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: intT, Params: []btf.FuncParam{
			{Name: "argv", Type: &btf.Pointer{Target: &btf.Const{Type: cstr}}},
			{Name: "m", Type: &btf.Pointer{Target: &btf.Array{Type: intT, Index: intT, Nelems: 4}}},
			{Name: "u", Type: &btf.Pointer{Target: &btf.TypeTag{Value: "user", Type: &btf.Volatile{Type: page}}}},
			{Name: "s", Type: &btf.Typedef{Name: "size_t", Type: &btf.Int{Name: "long unsigned int", Size: 8}}},
			{Name: "f", Type: &btf.Pointer{Target: &btf.Fwd{Name: "file", Kind: btf.FwdStruct}}},
			{Name: "k", Type: &btf.Union{Name: "key", Size: 8}},
			{Name: "e", Type: &btf.Enum{Name: "state", Size: 4}},
		}}},
	)
	return raw
}

func TestBTFSignatures(t *testing.T) {
	raw := sampleBTF(t)
	funcs, err := BTFSignaturesFrom(bytes.NewReader(raw), "raw")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"int printk(const char *fmt, ...);",
		"void (*signal(int sig, void (*func)(int)))(int);",
		"void init(void);",
		"int parse(const char *const *argv, int (*m)[4], volatile struct page *u, size_t s, struct file *f, union key k, enum state e);",
	}
	if len(funcs) != len(want) {
		t.Fatalf("got %d funcs, want %d", len(funcs), len(want))
	}
	for i, w := range want {
		if got := funcs[i].Signature.String(); got != w {
			t.Errorf("got  %s\nwant %s", got, w)
		}
	}
	if funcs[2].Linkage != "static" || funcs[0].Linkage != "global" {
		t.Errorf("linkages %q, %q", funcs[2].Linkage, funcs[0].Linkage)
	}
}

func TestBTFErrors(t *testing.T) {
	// The fixtures have DWARF but no .BTF.
	path := filepath.Join("testdata", "x86_64-dwarf5.elf")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no fixtures in testdata/")
	}
	if _, err := BTFSignatures(path); !errors.Is(err, ErrNoBTF) {
		t.Errorf("BTFSignatures(fixture) = %v, want ErrNoBTF", err)
	}
	if _, err := CheckBTF(path); !errors.Is(err, ErrNoBTF) {
		t.Errorf("CheckBTF(fixture) = %v, want ErrNoBTF", err)
	}
	// Garbage is neither ELF nor raw BTF.
	if _, err := BTFSignaturesFrom(strings.NewReader("not BTF at all, not even close"), "junk"); err == nil || errors.Is(err, ErrNoBTF) {
		t.Errorf("junk: err = %v", err)
	}
	// A truncated blob.
	raw := rawBTF(t, &btf.Func{Name: "f", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: &btf.Void{}}})
	for n := range len(raw) {
		if _, err := BTFSignaturesFrom(bytes.NewReader(raw[:n]), "cut"); err == nil {
			t.Errorf("BTF cut at %d of %d bytes: no error", n, len(raw))
		}
	}
}

func TestCompareBTF(t *testing.T) {
	intT, long := base("int"), base("long int")
	sig := func(name string, ret *Type, params ...Param) Signature {
		return Signature{Name: name, Return: ret, Params: params, Prototyped: true}
	}
	btfFuncs := []BTFFunc{
		{Signature: sig("same", intT, Param{"a", intT})},
		{Signature: sig("dup", intT, Param{"b", long})}, // BTF kept the second static
		{Signature: sig("ret", long)},
		{Signature: sig("count", intT, Param{"a", intT})},
		{Signature: sig("pname", intT, Param{"x", intT})},
		{Signature: sig("ptype", intT, Param{"a", long})},
		{Signature: sig("gone", intT)},
		{Signature: sig("asm", void)},
		{Signature: sig("asmargs", void, Param{"", intT})},
		{Signature: sig("asmdecl", void)},
		{Signature: sig("flex", intT, Param{"m", ptr(arr(intT, 0))})},
	}
	d := func(ss ...Signature) *funcSigs {
		f := &funcSigs{}
		for i := range ss {
			f.all = append(f.all, &ss[i])
		}
		return f
	}
	gas := Signature{Name: "asm", Return: &Type{Kind: Unspecified}, Assembler: true}
	gas2 := Signature{Name: "asmargs", Return: &Type{Kind: Unspecified}, Assembler: true}
	decl := sig("asmdecl", ptr(void), Param{"", intT})
	dwarf := map[string]*funcSigs{
		"same":    d(sig("same", intT, Param{"a", intT})),
		"dup":     d(sig("dup", intT, Param{"a", intT}), sig("dup", intT, Param{"b", long})),
		"ret":     d(sig("ret", intT)),
		"count":   d(sig("count", intT)),
		"pname":   d(sig("pname", intT, Param{"y", intT})),
		"ptype":   d(sig("ptype", intT, Param{"a", intT})),
		"asm":     d(gas),
		"asmargs": d(gas2),
		"asmdecl": {all: []*Signature{&decl}, external: &decl, asm: true},
		"flex":    d(sig("flex", intT, Param{"m", ptr(arr(intT, -1))})),
	}
	r := compareBTF(btfFuncs, dwarf)
	// asm: gas wrote no prototype, BTF void asm(void): agree as far as
	// BTF can say. asmargs: BTF claims a parameter DWARF does not know.
	if r.Funcs != 11 || r.Names != 11 || r.Agree != 2 || r.Unprototyped != 1 || r.Assembler != 2 || r.Compared != 7 {
		t.Errorf("report %+v", r)
	}
	want := map[string]MismatchClass{
		"dup": OtherInstance, "ret": ReturnDiffers, "count": ParamCount, "pname": ParamName,
		"ptype": ParamType, "gone": NoDWARF, "asmargs": NoPrototype, "asmdecl": AsmPrototype,
	}
	for _, m := range r.Mismatches {
		if want[m.Name] != m.Class {
			t.Errorf("%s: class %q, want %q", m.Name, m.Class, want[m.Name])
		}
		delete(want, m.Name)
	}
	if len(want) > 0 {
		t.Errorf("no mismatch reported for %v", want)
	}
	if got := r.Agreement(); got != 3.0/11 {
		t.Errorf("Agreement = %v", got)
	}
	if got := r.ComparedAgreement(); got != 2.0/7 {
		t.Errorf("ComparedAgreement = %v", got)
	}
}

// TestKernelBTF compares the BTF of a real kernel with its DWARF
// (KABI_VMLINUX, a Debian vmlinux with DWARF and .BTF).
func TestKernelBTF(t *testing.T) {
	path := os.Getenv("KABI_VMLINUX")
	if path == "" {
		t.Skip("KABI_VMLINUX is not set")
	}
	r, err := CheckBTF(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BTF FUNCs %d, names %d, compared %d, agree %d (%.4f%% of compared), unprototyped %d, assembler routines not compared %d: %.4f%% of all agree",
		r.Funcs, r.Names, r.Compared, r.Agree, 100*r.ComparedAgreement(), r.Unprototyped, r.Assembler, 100*r.Agreement())
	classes := r.Classes()
	for _, c := range sortedClasses(classes) {
		t.Logf("%s: %d", c, classes[c])
		n := 0
		for _, m := range r.Mismatches {
			if m.Class != c || n == 3 {
				continue
			}
			n++
			t.Logf("    BTF   %s", m.BTF.String())
			if m.DWARF != nil {
				t.Logf("    DWARF %s", m.DWARF.String())
			}
		}
	}
	if r.Names < 10000 {
		t.Errorf("only %d BTF functions", r.Names)
	}
	if got := r.ComparedAgreement(); got < 0.999 {
		t.Errorf("agreement %.4f%% of compared BTF functions, want at least 99.9%%", 100*got)
	}
	if got := r.Agreement(); got < 0.999 {
		t.Errorf("agreement %.4f%% of all BTF functions, want at least 99.9%%", 100*got)
	}
	// Assembler routines with a C declaration are the only kind not
	// compared; keep them few.
	if r.Assembler > r.Names/1000 {
		t.Errorf("%d assembler routines not compared", r.Assembler)
	}

	b, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sigs := buildSignatures(b)
	const vmap = "void *vmap(struct page **pages, unsigned int count, long unsigned int flags, pgprot_t prot);"
	if fs := sigs["vmap"]; fs == nil {
		t.Error("vmap: no signature")
	} else if got := fs.main().String(); got != vmap {
		t.Errorf("vmap:\n got %s\nwant %s", got, vmap)
	}
}

// FuzzBTF feeds BTF blobs to BTFSignaturesFrom with the panic firewall
// off, and prints every signature it returns.
func FuzzBTF(f *testing.F) {
	f.Add(sampleBTF(f))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzcount.Count("FuzzBTF")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		funcs, err := BTFSignaturesFrom(bytes.NewReader(raw), "fuzz")
		if err != nil {
			return
		}
		for _, fn := range funcs {
			_ = fn.Signature.String()
		}
		// The types, as OpenRunning reads them from the same bytes.
		btfRaw, err := btfBytes(bytes.NewReader(raw), "fuzz")
		if err != nil {
			return
		}
		spec, err := loadBTFSpec(btfRaw, "fuzz", nil)
		if err != nil {
			return
		}
		defs, err := btfTypeDefs(&btfConv{types: map[btf.Type]*Type{}}, spec, "fuzz")
		if err != nil {
			return
		}
		for _, d := range defs {
			for _, m := range d.Members {
				_ = m.Decl()
			}
		}
		tds, err := btfTypedefs(&btfConv{types: map[btf.Type]*Type{}}, spec, "fuzz")
		if err != nil {
			return
		}
		for _, td := range tds {
			_ = Declare(td.Type, td.Name)
		}
		if _, err := runningHooks(spec, nil, nil, "amd64", "fuzz"); err != nil {
			return
		}
	})
}
