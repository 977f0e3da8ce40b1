package kabi

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"

	"github.com/cilium/ebpf/btf"
	"github.com/kabi-dev/kabi/dwarfx"
)

var (
	// ErrNoBTF means the file has no .BTF section.
	ErrNoBTF = errors.New("no BTF")
	// ErrSplitBTF means the BTF extends another's, as a kernel module's
	// extends its vmlinux's: read it with [ModuleBTFSignatures].
	ErrSplitBTF = errors.New("split BTF")
)

// A BTFFunc is a function as a build's BTF describes it.
type BTFFunc struct {
	Signature Signature
	Linkage   string // "static", "global" or "extern"
}

// BTFSignatures returns the signature of every BTF FUNC in the .BTF
// section of the ELF file at path, in BTF order. It is how kabi gives
// signatures for a build that has BTF but no DWARF. A name can appear
// more than once (static functions of one name in different files).
func BTFSignatures(path string) ([]BTFFunc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return BTFSignaturesFrom(f, path)
}

// BTFSignaturesFrom is BTFSignatures reading from r (an ELF file, or raw
// BTF such as /sys/kernel/btf/vmlinux); name is used in errors. What r is
// is decided from its first bytes, before anything else is read. Split
// BTF (a kernel module's, which extends vmlinux's) is an error wrapping
// [ErrSplitBTF]: read it with [ModuleBTFSignatures].
func BTFSignaturesFrom(r io.ReaderAt, name string) (funcs []BTFFunc, err error) {
	defer recoverSignatures(name, &err)
	raw, err := btfBytes(r, name)
	if err != nil {
		return nil, err
	}
	fns, err := loadBTFFuncs(raw, name)
	if err != nil {
		return nil, err
	}
	return btfSignatures(fns, name)
}

// ModuleBTFSignatures is [BTFSignaturesFrom] for the split BTF of a kernel
// module (a .ko file, or raw BTF such as /sys/kernel/btf/ext4), whose
// types extend those of its vmlinux: base is that vmlinux (an ELF file or
// raw BTF, such as /sys/kernel/btf/vmlinux), baseName its name in errors.
// It returns the module's own functions.
func ModuleBTFSignatures(r io.ReaderAt, name string, base io.ReaderAt, baseName string) (funcs []BTFFunc, err error) {
	defer recoverSignatures(name, &err)
	baseRaw, err := btfBytes(base, baseName)
	if err != nil {
		return nil, err
	}
	baseSpec, err := loadBTFSpec(baseRaw, baseName, nil)
	if err != nil {
		return nil, err
	}
	raw, err := btfBytes(r, name)
	if err != nil {
		return nil, err
	}
	fns, err := loadSplitBTFFuncs(raw, name, baseSpec)
	if err != nil {
		return nil, err
	}
	return btfSignatures(fns, name)
}

func btfSignatures(fns []*btf.Func, name string) ([]BTFFunc, error) {
	var funcs []BTFFunc
	conv := btfConv{types: make(map[btf.Type]*Type)}
	for _, fn := range fns {
		s, err := conv.signature(fn)
		if err != nil {
			return nil, fmt.Errorf("%s: BTF FUNC %s: %w", name, fn.Name, err)
		}
		funcs = append(funcs, BTFFunc{Signature: s, Linkage: linkageName(fn.Linkage)})
	}
	return funcs, nil
}

// loadBTFSpec parses raw BTF with github.com/cilium/ebpf/btf, as split
// BTF over base when base is not nil. That library panics on some
// malformed input (its string table and header decoding trust offsets),
// so a panic in it is always turned into an error here, also while
// fuzzing: the fuzzers look for kabi's bugs, and for hostile BTF the
// answer must be an error.
func loadBTFSpec(raw []byte, name string, base *btf.Spec) (spec *btf.Spec, err error) {
	defer func() {
		if p := recover(); p != nil {
			spec, err = nil, fmt.Errorf("%s: malformed BTF (the BTF reader failed: %v)", name, p)
		}
	}()
	if base == nil && isSplitBTF(raw) {
		return nil, fmt.Errorf("%s: %w: its string table does not start empty, as the BTF of a kernel module, which extends its vmlinux's, does; read it with the vmlinux as its base (ModuleBTFSignatures, kabi btfcheck -base VMLINUX)", name, ErrSplitBTF)
	}
	if base != nil {
		spec, err = btf.LoadSplitSpecFromReader(bytes.NewReader(raw), base)
	} else {
		spec, err = btf.LoadSpecFromReader(bytes.NewReader(raw))
	}
	if err != nil {
		if errors.Is(err, btf.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", name, ErrNoBTF)
		}
		return nil, fmt.Errorf("%s: reading BTF: %w", name, err)
	}
	return spec, nil
}

// loadBTFFuncs returns the FUNCs of raw standalone BTF (see loadBTFSpec).
func loadBTFFuncs(raw []byte, name string) ([]*btf.Func, error) {
	return loadSplitBTFFuncs(raw, name, nil)
}

// loadSplitBTFFuncs returns the FUNCs of raw BTF, split BTF over base when
// base is not nil (see loadBTFSpec).
func loadSplitBTFFuncs(raw []byte, name string, base *btf.Spec) ([]*btf.Func, error) {
	spec, err := loadBTFSpec(raw, name, base)
	if err != nil {
		return nil, err
	}
	return specFuncs(spec, name)
}

// specFuncs returns the FUNCs of a loaded BTF spec.
func specFuncs(spec *btf.Spec, name string) (fns []*btf.Func, err error) {
	defer func() {
		if p := recover(); p != nil {
			fns, err = nil, fmt.Errorf("%s: malformed BTF (the BTF reader failed: %v)", name, p)
		}
	}()
	for t, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("%s: reading BTF: %w", name, err)
		}
		if fn, ok := t.(*btf.Func); ok {
			fns = append(fns, fn)
		}
	}
	return fns, nil
}

// isSplitBTF reports whether raw BTF (its header checked) is split BTF:
// the string table of standalone BTF starts with the empty string, that
// of split BTF continues its base's.
func isSplitBTF(raw []byte) bool {
	bo := btfOrder(raw)
	hdr := uint64(bo.Uint32(raw[4:]))
	off := hdr + uint64(bo.Uint32(raw[16:]))
	return bo.Uint32(raw[20:]) > 0 && off < uint64(len(raw)) && raw[off] != 0
}

func linkageName(l btf.FuncLinkage) string {
	switch l {
	case btf.StaticFunc:
		return "static"
	case btf.GlobalFunc:
		return "global"
	case btf.ExternFunc:
		return "extern"
	}
	return fmt.Sprintf("linkage(%d)", int(l))
}

// maxBTF bounds raw BTF; a kernel's is a few MiB.
const maxBTF = 1 << 30

// btfMagic starts raw BTF, in the byte order of the data.
const btfMagic = 0xeb9f

// btfOrder is the byte order of raw BTF, from its magic, or nil.
func btfOrder(raw []byte) binary.ByteOrder {
	switch {
	case len(raw) < 2:
		return nil
	case binary.LittleEndian.Uint16(raw) == btfMagic:
		return binary.LittleEndian
	case binary.BigEndian.Uint16(raw) == btfMagic:
		return binary.BigEndian
	}
	return nil
}

// btfBytes returns the raw BTF in r: the .BTF section of an ELF file, or r
// itself when it starts with the BTF magic, with its header checked. What
// r is is decided from its first bytes, before anything else is read:
// raw BTF is read to the end its header gives, nothing past it; any other
// file is named for what it is (see openELF). The BTF library trusts the
// header's lengths and offsets; a lying one made it slice out of bounds.
func btfBytes(r io.ReaderAt, name string) ([]byte, error) {
	var head [24]byte
	n, _ := r.ReadAt(head[:], 0)
	var raw []byte
	if bo := btfOrder(head[:n]); bo != nil {
		if n < len(head) {
			return nil, fmt.Errorf("%s: BTF: %d bytes are too short for a header", name, n)
		}
		hdr := uint64(bo.Uint32(head[4:]))
		end := hdr + max(uint64(bo.Uint32(head[8:]))+uint64(bo.Uint32(head[12:])), uint64(bo.Uint32(head[16:]))+uint64(bo.Uint32(head[20:])))
		if end > maxBTF {
			return nil, fmt.Errorf("%s: BTF: its header describes %d bytes, more than the %d kabi reads", name, end, maxBTF)
		}
		if size := inputSize(r); size >= 0 && uint64(size) < end {
			return nil, fmt.Errorf("%s: %w: BTF: the file has %d bytes, but its header describes %d", name, ErrTruncated, size, end)
		}
		// Read in pieces, so that a lying header on a reader of unknown
		// size allocates no more than the data there is.
		b, err := io.ReadAll(io.NewSectionReader(r, 0, int64(end)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if uint64(len(b)) < end {
			return nil, fmt.Errorf("%s: %w: BTF: the file has %d bytes, but its header describes %d", name, ErrTruncated, len(b), end)
		}
		raw = b
	} else {
		ef, err := openELF(r, name)
		if err != nil {
			return nil, err
		}
		s := ef.Section(".BTF")
		if s == nil {
			return nil, fmt.Errorf("%s: %w", name, ErrNoBTF)
		}
		if err := dwarfx.FileBudget(inputSize(r), 0).TakeSection(s); err != nil {
			return nil, fmt.Errorf("%s: reading .BTF: %w", name, err)
		}
		if raw, err = s.Data(); err != nil {
			return nil, fmt.Errorf("%s: reading .BTF: %w", name, err)
		}
	}
	if err := checkBTFHeader(raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return raw, nil
}

// checkBTFHeader checks that the header of raw BTF (struct btf_header)
// describes sections that lie within it.
func checkBTFHeader(raw []byte) error {
	const size = 24
	if len(raw) < size {
		return fmt.Errorf("BTF: %d bytes are too short for a header", len(raw))
	}
	var bo binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint16(raw) == 0xeb9f:
		bo = binary.LittleEndian
	case binary.BigEndian.Uint16(raw) == 0xeb9f:
		bo = binary.BigEndian
	default:
		return fmt.Errorf("BTF: bad magic %#x", raw[:2])
	}
	hdr := uint64(bo.Uint32(raw[4:]))
	if hdr < size || hdr > uint64(len(raw)) {
		return fmt.Errorf("BTF: header length %d outside the %d bytes", hdr, len(raw))
	}
	body := uint64(len(raw)) - hdr
	for _, sec := range []struct {
		what     string
		off, len uint64
	}{
		{"types", uint64(bo.Uint32(raw[8:])), uint64(bo.Uint32(raw[12:]))},
		{"strings", uint64(bo.Uint32(raw[16:])), uint64(bo.Uint32(raw[20:]))},
	} {
		if sec.off > body || sec.len > body-sec.off {
			return fmt.Errorf("BTF: %s at %d+%d outside the %d bytes after the header", sec.what, sec.off, sec.len, body)
		}
	}
	return nil
}

// recoverSignatures turns a panic in a parser of untrusted input into an
// error that says it is a bug.
func recoverSignatures(file string, err *error) {
	if !panicFirewall {
		return
	}
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: internal error in kabi (a bug, please report it): %v\n%s", file, p, debug.Stack())
	}
}

// SignatureOfBTF converts a BTF function (a kernel's, or an eBPF
// object's extern) to a Signature by the rules of [BTFSignatures]: type
// tags are dropped, a last unnamed void parameter means `...`.
func SignatureOfBTF(fn *btf.Func) (*Signature, error) {
	c := btfConv{types: map[btf.Type]*Type{}}
	s, err := c.signature(fn)
	if err != nil {
		return nil, fmt.Errorf("BTF function %s: %w", fn.Name, err)
	}
	return &s, nil
}

// TypeOfBTF converts a BTF type (a member's, a parameter's) to a Type by
// the rules of [SignatureOfBTF]. It fails on BTF kinds C types do not
// have (DATASEC, VAR, a FUNC).
func TypeOfBTF(t btf.Type) (*Type, error) {
	c := btfConv{types: map[btf.Type]*Type{}}
	return c.conv(t, 0)
}

// btfConv converts BTF types, sharing converted types.
type btfConv struct {
	types map[btf.Type]*Type
	anon  map[btf.Type]*TypeDef // anonDef's: nil while one is being converted
}

func (c *btfConv) signature(fn *btf.Func) (Signature, error) {
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		return Signature{}, fmt.Errorf("type is %T, not a FUNC_PROTO", fn.Type)
	}
	ft, err := c.conv(proto, 0)
	if err != nil {
		return Signature{}, err
	}
	return Signature{Name: fn.Name, Return: ft.Elem, Params: ft.Params, Variadic: ft.Variadic, Prototyped: true}, nil
}

// conv converts a BTF type. BTF has no K&R functions: every FUNC_PROTO is
// prototyped, and a last parameter with no name and type void means
// `...`. Type tags (btf_type_tag, such as __user) are not C qualifiers
// and DWARF from gcc does not carry them: they are dropped.
func (c *btfConv) conv(t btf.Type, depth int) (*Type, error) {
	if r, ok := c.types[t]; ok {
		return r, nil
	}
	if depth > maxTypeNesting {
		return nil, errors.New("BTF types nested too deeply (a cycle?)")
	}
	var r *Type
	var err error
	elem := func(e btf.Type) *Type {
		if err != nil {
			return nil
		}
		var x *Type
		x, err = c.conv(e, depth+1)
		return x
	}
	switch t := t.(type) {
	case *btf.Void:
		r = &Type{Kind: Void}
	case *btf.Int:
		r = &Type{Kind: Base, Name: t.Name}
	case *btf.Float:
		r = &Type{Kind: Base, Name: t.Name}
	case *btf.Pointer:
		r = &Type{Kind: Pointer, Elem: elem(t.Target)}
	case *btf.Array:
		r = &Type{Kind: Array, Elem: elem(t.Type), Len: int64(t.Nelems)}
	case *btf.Struct:
		r = &Type{Kind: Struct, Name: t.Name}
	case *btf.Union:
		r = &Type{Kind: Union, Name: t.Name}
	case *btf.Enum:
		r = &Type{Kind: Enum, Name: t.Name}
	case *btf.Fwd:
		switch t.Kind {
		case btf.FwdUnion:
			r = &Type{Kind: Union, Name: t.Name}
		default:
			r = &Type{Kind: Struct, Name: t.Name}
		}
	case *btf.Typedef:
		r = &Type{Kind: Typedef, Name: t.Name}
	case *btf.Const:
		if e := elem(t.Type); e != nil {
			r = qualify(e, Const)
		}
	case *btf.Volatile:
		if e := elem(t.Type); e != nil {
			r = qualify(e, Volatile)
		}
	case *btf.Restrict:
		if e := elem(t.Type); e != nil {
			r = qualify(e, Restrict)
		}
	case *btf.TypeTag:
		r = elem(t.Type)
	case *btf.FuncProto:
		r = &Type{Kind: Func, Elem: elem(t.Return), Prototyped: true}
		params := t.Params
		if n := len(params); n > 0 && params[n-1].Name == "" {
			if _, void := params[n-1].Type.(*btf.Void); void {
				r.Variadic = true
				params = params[:n-1]
			}
		}
		if len(params) > 0 {
			r.Params = make([]Param, len(params))
			for i, p := range params {
				r.Params[i] = Param{Name: p.Name, Type: elem(p.Type)}
			}
		}
	default:
		return nil, fmt.Errorf("BTF %T in a function prototype", t)
	}
	if err != nil {
		return nil, err
	}
	c.types[t] = r
	return r, nil
}

// A BTFReport compares a build's BTF function prototypes with the
// signatures kabi derives from its DWARF.
type BTFReport struct {
	Funcs int // BTF FUNC entries
	Names int // distinct names among them
	// Unprototyped counts the names of assembler routines that DWARF
	// gives no prototype (gas writes a subprogram without parameters or
	// return type; kabi prints `void f();`) and that BTF writes as
	// `void f(void)`: BTF has no form for an unknown prototype, and
	// pahole writes this one from that same entry. They agree as far as
	// BTF can say, and count in Agreement, not in Agree.
	Unprototyped int
	// Assembler counts the names of assembler routines that BTF writes as
	// `void f(void)` where DWARF also has the C declaration, which kabi
	// uses (AsmPrototype), or where DWARF has no prototype and BTF
	// another (NoPrototype): BTF does not know these prototypes, so they
	// are not compared.
	Assembler int
	Compared  int // names compared: with a DWARF prototype, not assembler routines
	Agree     int // names whose BTF prototype (any FUNC of the name) equals the DWARF signature
	// Mismatches lists each name that disagrees, or has no DWARF
	// signature, in BTF order.
	Mismatches []BTFMismatch
}

// Agreement is Agree plus Unprototyped over Names: the share of BTF
// functions whose DWARF signature is the same, as far as BTF can say.
// Assembler routines with a C declaration, which BTF writes as
// `void f(void)`, count against it.
func (r *BTFReport) Agreement() float64 {
	if r.Names == 0 {
		return 1
	}
	return float64(r.Agree+r.Unprototyped) / float64(r.Names)
}

// ComparedAgreement is Agree over Compared: the share of BTF functions
// that have a DWARF signature and are not assembler routines whose
// signature is the same.
func (r *BTFReport) ComparedAgreement() float64 {
	if r.Compared == 0 {
		return 1
	}
	return float64(r.Agree) / float64(r.Compared)
}

// Classes counts mismatches by class.
func (r *BTFReport) Classes() map[MismatchClass]int {
	m := make(map[MismatchClass]int)
	for _, x := range r.Mismatches {
		m[x.Class]++
	}
	return m
}

// MismatchClass says how a BTF prototype and a DWARF signature differ.
type MismatchClass string

const (
	NoDWARF       MismatchClass = "no DWARF signature"                   // BTF has the function, DWARF has no instance of it
	NoPrototype   MismatchClass = "assembler routine"                    // DWARF has only an assembler's entry, without a prototype, and BTF something else than void f(void) (see Unprototyped)
	AsmPrototype  MismatchClass = "assembler routine with a C prototype" // BTF writes void f(void) from the assembler's entry; DWARF also has the C declaration, which kabi uses
	OtherInstance MismatchClass = "another instance agrees"              // the function's signature (external, else first instance) differs, another instance's does not (BTF kept one of several statics)
	ReturnDiffers MismatchClass = "return type"                          // only the return type differs
	ParamCount    MismatchClass = "parameter count"                      // a different number of parameters
	ParamName     MismatchClass = "parameter name"                       // same types, a name differs
	ParamType     MismatchClass = "parameter type"                       // a parameter type differs
	VariadicDiff  MismatchClass = "variadic or prototype"                // `...` or `(void)` against `()`
	Unknown       MismatchClass = "differs in the printed form"          // equal structure is printed differently (a bug)
)

// A BTFMismatch is one function whose BTF and DWARF signatures differ.
type BTFMismatch struct {
	Name  string
	Class MismatchClass
	BTF   Signature
	DWARF *Signature // nil for NoDWARF
}

// CheckBTF compares every BTF FUNC of the ELF file at path with the
// signature derived from its DWARF: the external instance's, else the
// first instance's in walk order. It returns an error wrapping ErrNoBTF
// when the file has no .BTF section.
func CheckBTF(path string) (*BTFReport, error) {
	funcs, err := BTFSignatures(path)
	if err != nil {
		return nil, err
	}
	b, err := Open(path, nil)
	if err != nil {
		return nil, err
	}
	return CompareBTF(b, funcs), nil
}

// CompareBTF compares the BTF functions of a build (from BTFSignatures)
// with the signatures kabi derived from its DWARF.
func CompareBTF(b *Build, funcs []BTFFunc) *BTFReport {
	return compareBTF(funcs, buildSignatures(b))
}

// compareBTF builds the report. A name agrees when any of its BTF FUNCs
// equals the function's DWARF signature.
func compareBTF(funcs []BTFFunc, sigs map[string]*funcSigs) *BTFReport {
	r := &BTFReport{Funcs: len(funcs)}
	byName := make(map[string][]int)
	var order []string
	for i := range funcs {
		n := funcs[i].Signature.Name
		if _, ok := byName[n]; !ok {
			order = append(order, n)
		}
		byName[n] = append(byName[n], i)
	}
	r.Names = len(order)
	for _, n := range order {
		fs := sigs[n]
		idx := byName[n]
		if fs == nil {
			r.Mismatches = append(r.Mismatches, BTFMismatch{Name: n, Class: NoDWARF, BTF: funcs[idx[0]].Signature})
			continue
		}
		main := fs.main()
		if !main.Known() {
			if btfVoidVoid(funcs, idx) {
				r.Unprototyped++
				continue
			}
			r.Assembler++
			r.Mismatches = append(r.Mismatches, BTFMismatch{Name: n, Class: NoPrototype, BTF: funcs[idx[0]].Signature, DWARF: main})
			continue
		}
		agree := false
		for _, i := range idx {
			if main.equal(&funcs[i].Signature, true) {
				agree = true
				break
			}
		}
		if agree {
			r.Agree++
			r.Compared++
			continue
		}
		b := funcs[idx[0]].Signature
		if fs.asm && btfVoidVoid(funcs, idx) {
			r.Assembler++
			r.Mismatches = append(r.Mismatches, BTFMismatch{Name: n, Class: AsmPrototype, BTF: b, DWARF: main})
			continue
		}
		r.Compared++
		m := BTFMismatch{Name: n, BTF: b, DWARF: main}
		for _, other := range fs.all {
			for _, i := range idx {
				if other.equal(&funcs[i].Signature, true) {
					m.Class = OtherInstance
				}
			}
		}
		if m.Class == "" {
			m.Class = classify(&b, main)
		}
		r.Mismatches = append(r.Mismatches, m)
	}
	return r
}

// btfVoidVoid reports whether the BTF FUNCs of one name, at idx, are all
// `void f(void)`: what pahole writes for an assembler routine.
func btfVoidVoid(funcs []BTFFunc, idx []int) bool {
	for _, i := range idx {
		s := &funcs[i].Signature
		if len(s.Params) > 0 || s.Variadic || s.retType().Kind != Void {
			return false
		}
	}
	return true
}

func classify(b, d *Signature) MismatchClass {
	switch {
	case b.Variadic != d.Variadic || b.Prototyped != d.Prototyped:
		return VariadicDiff
	case len(b.Params) != len(d.Params):
		return ParamCount
	}
	for i := range b.Params {
		if !b.Params[i].Type.Equal(d.Params[i].Type) {
			return ParamType
		}
	}
	if !b.retType().Equal(d.retType()) {
		return ReturnDiffers
	}
	for i := range b.Params {
		if b.Params[i].Name != d.Params[i].Name {
			return ParamName
		}
	}
	return Unknown
}

// sortedClasses returns the classes of m by falling count.
func sortedClasses(m map[MismatchClass]int) []MismatchClass {
	cs := make([]MismatchClass, 0, len(m))
	for c := range m {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b MismatchClass) int {
		if d := cmp.Compare(m[b], m[a]); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	return cs
}
