package kabi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Function is every instance and symbol of one function name in a build
// (docs/rules.md §5).
type Function struct {
	// Name is the name kabi keys the function by: the linkage (symbol)
	// name where DWARF gives one, as it does for Rust and C++, else
	// DW_AT_name. It is the name a kprobe attaches to.
	Name string
	// Demangled is the readable form of a mangled Name, or "".
	Demangled string
	// Instances are the function's definitions in DWARF, in the order the
	// walk met them (docs/rules.md §1).
	Instances []*Instance
	// Symbols are the STT_FUNC symbols whose stem is Name, in symbol-table order.
	Symbols []*Symbol

	Collision      Collision
	Inline         InlineKind
	Transformation bool    // some symbol has a suffix
	Issues         []Issue // in the order of docs/rules.md §5

	// Signature is the external instance's signature, else the first
	// instance's that has one; nil when no instance has one.
	Signature *Signature

	// Attach says whether kprobe and fentry can attach by Name, and what
	// to attach to instead.
	Attach Attachability
}

// DisplayName is Demangled when there is one, else Name.
func (f *Function) DisplayName() string {
	if f.Demangled != "" {
		return f.Demangled
	}
	return f.Name
}

// Transforms is the union of the transformations of f's symbols.
func (f *Function) Transforms() Transform {
	var t Transform
	for _, s := range f.Symbols {
		t |= s.Transforms
	}
	return t
}

// An Instance is one definition of a function: all DWARF entries of one
// external name, or of one static function in one compile unit
// (docs/rules.md §1).
type Instance struct {
	// Module is the name of the kernel module that defines the instance,
	// or "" for vmlinux (see [Options].ModuleDir).
	Module string
	// File is the path of the compile unit that defines the instance,
	// relative to the source root (see [PathRule]); "" when DeclaredOnly.
	File string
	// Location is where the function is declared: DW_AT_decl_file and
	// DW_AT_decl_line, or File with no line when the entry has no
	// DW_AT_decl_file.
	Location Location
	// Address is the entry of the out-of-line definition where there is
	// one, else the first inline site's (HasAddr false when neither).
	Address uint64
	HasAddr bool
	// AddrFromSymbol says DWARF places the definition nowhere and Address
	// is that of the function's symbol, the only one of its plain name.
	AddrFromSymbol bool

	External       bool // DW_AT_external
	DeclaredInline bool // DW_AT_inline 2 or 3: declared inline
	Inlined        bool // DW_AT_inline 1 or 3: actually inlined somewhere

	// InlineCallers are the functions this one is inlined into, and
	// DirectCallers those that call it, one entry per site, in walk order.
	InlineCallers []Caller
	DirectCallers []Caller

	// DeclaredOnly marks a function that DWARF only declares (an
	// assembly entry point, say): it has no File, Location or Address.
	DeclaredOnly bool

	// Assembler marks an instance defined in assembly whose assembler
	// wrote debug info (gas: a subprogram per routine, with no
	// prototype). Its Signature is a C declaration's where a C unit
	// declares it, else one without a prototype.
	Assembler bool

	// Signature is the instance's C prototype from DWARF: its definition's,
	// else an out-of-line copy's source prototype, else a declaration's;
	// nil when DWARF has none. Clones lists the out-of-line copies whose
	// own parameters differ from it.
	Signature *Signature
}

// A Location is a source position: "mm/vmalloc.c:2877".
type Location struct {
	File string
	Line int // 0 when unknown
}

// String is "FILE:LINE", or "FILE" without a line, or "" for no location.
func (l Location) String() string {
	if l.Line == 0 {
		return l.File
	}
	return l.File + ":" + strconv.Itoa(l.Line)
}

// A Caller is one site where a function is inlined or called: the
// function it is in, the compile unit, and where DWARF places the site.
// One caller function with two sites gives two Callers that differ in
// Site or Addr.
type Caller struct {
	File     string // the compile unit's path
	Function string // the caller's name, as Function.Name
	// Site is the source position of the call: DW_AT_call_file and
	// DW_AT_call_line, which compilers give for inlined calls. Zero when
	// DWARF gives none (direct call sites usually have none).
	Site Location
	// Addr is the site's address: for an inlined call the first address
	// of the inlined code (DW_AT_low_pc, DW_AT_entry_pc or the first
	// range), for a direct call the return address just past the call
	// instruction (DW_AT_call_return_pc, or a GNU call site's
	// DW_AT_low_pc). HasAddr is false when DWARF gives none.
	Addr    uint64
	HasAddr bool
}

// String is "FILE:FUNCTION", as the reference page lists callers.
func (c Caller) String() string { return c.File + ":" + c.Function }

// SiteString is String with the site where there is one:
// "kernel/relay.c:relay_open_buf at kernel/relay.c:171 (ffffffff811c2e1b)".
func (c Caller) SiteString() string {
	s := c.String()
	if c.Site.File != "" {
		s += " at " + c.Site.String()
	}
	if c.HasAddr {
		s += " (" + strconv.FormatUint(c.Addr, 16) + ")"
	}
	return s
}

// Recursive reports whether c is f itself. gcc inlines copies of a
// function into its own out-of-line body (a recursive call, or a split-off
// part inlined back); DWARF then lists the function as its own inline
// caller. The reference Markdown lists such callers, as DepSurf did;
// kabi's other formats mark them and leave them out of caller lists.
func (c Caller) Recursive(f *Function) bool { return c.Function == f.Name }

// Collision says how a function's instances relate (docs/rules.md §5).
type Collision uint8

// The collision kinds. The zero value, CollisionUnknown, is that of a
// build whose source cannot tell: a running kernel's BTF and kallsyms say
// nothing of where functions are defined.
const (
	CollisionUnknown      Collision = iota
	UniqueGlobal                    // one external instance
	UniqueStatic                    // one static instance
	StaticDuplication               // several instances, all at one location (a header's static inline)
	StaticStaticCollision           // several static instances at different locations
	StaticGlobalCollision           // several instances at different locations, one external
)

var collisionNames = [...]string{"Unknown", "Unique Global", "Unique Static", "Static Duplication", "Static-Static Collision", "Static-Global Collision"}

// String is the reference text: "Unique Global", "Static-Static Collision", ...
// and "Unknown".
func (c Collision) String() string {
	if int(c) < len(collisionNames) {
		return collisionNames[c]
	}
	return fmt.Sprintf("Collision(%d)", uint8(c))
}

// Collisions lists the collision kinds in order.
func Collisions() []Collision {
	return []Collision{UniqueGlobal, UniqueStatic, StaticDuplication, StaticStaticCollision, StaticGlobalCollision}
}

// InlineKind says whether a function survives as a symbol (docs/rules.md §5).
type InlineKind uint8

// The inline kinds. The zero value, InlineUnknown, is that of a build
// whose source has no inline information: a running kernel (BTF and
// kallsyms). Such a function has no Instances either: its definitions'
// files, locations and callers are unknown, not absent.
const (
	InlineUnknown   InlineKind = iota
	InlineNo                   // has a symbol and is never inlined
	InlineSelective            // has a symbol, but some instance is inlined somewhere
	InlineFull                 // has no symbol at all
)

var inlineNames = [...]string{"Unknown", "No", "Selective", "Full"}

// String is the reference text: "No", "Selective" or "Full", and
// "Unknown".
func (k InlineKind) String() string {
	if int(k) < len(inlineNames) {
		return inlineNames[k]
	}
	return fmt.Sprintf("InlineKind(%d)", uint8(k))
}

// InlineKinds lists the inline kinds in order.
func InlineKinds() []InlineKind { return []InlineKind{InlineNo, InlineSelective, InlineFull} }

// An Issue is something that makes a function harder to trace.
type Issue uint8

// The issues, in the order a function lists them.
const (
	IssueDuplicate       Issue = iota + 1 // Static Duplication
	IssueCollision                        // Static-Static or Static-Global Collision
	IssueFullInline                       // InlineFull
	IssueSelectiveInline                  // InlineSelective
	IssueTransformation                   // a symbol has a suffix
	IssueAbsent                           // the build lacks the function (set by comparisons)
)

var issueNames = [...]string{"", "Duplicate", "Collision", "Full Inline", "Selective Inline", "Transformation", "Absent"}

// String is the reference text: "Duplicate", "Full Inline", ...
func (i Issue) String() string {
	if int(i) < len(issueNames) && i != 0 {
		return issueNames[i]
	}
	return fmt.Sprintf("Issue(%d)", uint8(i))
}

// classify sets f's collision, inline kind, transformation and issues from
// its instances and symbols.
func (f *Function) classify() {
	switch n := len(f.Instances); {
	case n == 1 && f.Instances[0].External:
		f.Collision = UniqueGlobal
	case n == 1:
		f.Collision = UniqueStatic
	default:
		same, static := true, true
		for _, in := range f.Instances {
			same = same && in.Location == f.Instances[0].Location
			static = static && !in.External
		}
		switch {
		case same:
			f.Collision = StaticDuplication
		case static:
			f.Collision = StaticStaticCollision
		default:
			f.Collision = StaticGlobalCollision
		}
	}
	f.Inline = InlineNo
	if len(f.Symbols) == 0 {
		f.Inline = InlineFull
	} else {
		for _, in := range f.Instances {
			if in.Inlined {
				f.Inline = InlineSelective
				break
			}
		}
	}
	f.Transformation = false
	for _, s := range f.Symbols {
		if s.Suffix != "" {
			f.Transformation = true
			break
		}
	}
	f.Issues = f.Issues[:0]
	switch f.Collision {
	case StaticDuplication:
		f.Issues = append(f.Issues, IssueDuplicate)
	case StaticStaticCollision, StaticGlobalCollision:
		f.Issues = append(f.Issues, IssueCollision)
	}
	switch f.Inline {
	case InlineFull:
		f.Issues = append(f.Issues, IssueFullInline)
	case InlineSelective:
		f.Issues = append(f.Issues, IssueSelectiveInline)
	}
	if f.Transformation {
		f.Issues = append(f.Issues, IssueTransformation)
	}
	if len(f.Issues) == 0 {
		f.Issues = nil
	}
}

// MarshalText gives the reference text.
func (c Collision) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// MarshalText gives the reference text.
func (k InlineKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// MarshalText gives the reference text.
func (i Issue) MarshalText() ([]byte, error) { return []byte(i.String()), nil }

// MarshalJSON encodes f as one object of `kabi dump`; see [Function.AppendJSON].
func (f *Function) MarshalJSON() ([]byte, error) { return f.AppendJSON(nil), nil }

// AppendJSON appends f as one JSON object, the line of `kabi dump`:
//
//	{"kind":"function","name","collision","inline","transformation","signature","issues":[],
//	 "instances":[{"file","location","address","external","declared_inline",
//	   "inlined","inline_callers":[CALLER],"direct_callers":[CALLER],"signature"}],
//	 "symbols":[{"name","address","size","bind","section","ftrace","no_kprobe"}],
//	 "attach":{"kprobe","kprobe_reason","fentry","fentry_reason","btf","clones":[],"callers"}}
//
// Instances are null when they are unknown (InlineUnknown: a running
// kernel).
// Addresses are hex strings, "0xffffffff81234560" (a JSON number above
// 2^53 loses its low bits in JavaScript and jq), null when an instance
// has none; an instance whose address is its symbol's adds
// "address_from_symbol":true. The kinds are the reference texts. A CALLER is one site:
// {"caller":"FILE:FUNCTION","site":"FILE:LINE","address":"0x…"}, the
// site "" and the address null where DWARF gives none, with
// "recursive":true when the caller is the function itself.
// A signature is "" where DWARF gives none.
func (f *Function) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":"function","name":`...)
	b = appendJSONString(b, f.Name)
	b = append(b, `,"collision":`...)
	b = appendJSONString(b, f.Collision.String())
	b = append(b, `,"inline":`...)
	b = appendJSONString(b, f.Inline.String())
	b = append(b, `,"transformation":`...)
	b = strconv.AppendBool(b, f.Transformation)
	b = append(b, `,"signature":`...)
	sigAt := len(b)
	b = appendJSONSignature(b, f.Signature)
	sigEnd := len(b)
	b = append(b, `,"issues":[`...)
	for i, is := range f.Issues {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, is.String())
	}
	b = append(b, `],"instances":`...)
	if !f.InstancesKnown() {
		b = append(b, `null`...) // unknown, not none
	} else {
		b = append(b, '[')
	}
	for i, in := range f.Instances {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"file":`...)
		b = appendJSONString(b, in.File)
		if in.Module != "" {
			b = append(b, `,"module":`...)
			b = appendJSONString(b, in.Module)
		}
		b = append(b, `,"location":"`...)
		b = appendJSONText(b, in.Location.File)
		if in.Location.Line != 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(in.Location.Line), 10)
		}
		b = append(b, `","address":`...)
		if in.HasAddr {
			b = appendJSONAddr(b, in.Address)
			if in.AddrFromSymbol {
				b = append(b, `,"address_from_symbol":true`...)
			}
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"external":`...)
		b = strconv.AppendBool(b, in.External)
		b = append(b, `,"declared_inline":`...)
		b = strconv.AppendBool(b, in.DeclaredInline)
		b = append(b, `,"inlined":`...)
		b = strconv.AppendBool(b, in.Inlined)
		b = append(b, `,"inline_callers":`...)
		b = appendJSONCallers(b, in.InlineCallers, f)
		b = append(b, `,"direct_callers":`...)
		b = appendJSONCallers(b, in.DirectCallers, f)
		b = append(b, `,"signature":`...)
		if in.Signature == f.Signature {
			b = append(b, b[sigAt:sigEnd]...) // usually the function's own: written once
		} else {
			b = appendJSONSignature(b, in.Signature)
		}
		b = append(b, '}')
	}
	if f.InstancesKnown() {
		b = append(b, ']')
	}
	b = append(b, `,"symbols":[`...)
	for i, s := range f.Symbols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONString(b, s.Name)
		b = append(b, `,"address":`...)
		b = appendJSONAddr(b, s.Address)
		b = append(b, `,"size":`...)
		b = strconv.AppendUint(b, s.Size, 10)
		b = append(b, `,"bind":`...)
		b = appendJSONString(b, s.Bind.String())
		b = append(b, `,"section":`...)
		b = appendJSONString(b, s.Section)
		b = append(b, `,"ftrace":`...)
		b = strconv.AppendBool(b, s.Ftrace)
		b = append(b, `,"no_kprobe":`...)
		b = appendJSONString(b, s.NoKprobe.String())
		if s.Module != "" {
			b = append(b, `,"module":`...)
			b = appendJSONString(b, s.Module)
		}
		b = append(b, '}')
	}
	b = append(b, `],"attach":`...)
	b = f.Attach.appendJSON(b)
	return append(b, '}')
}

// appendJSONAddr appends an address as a JSON string of lower-case hex
// with "0x" before it: a string, so that readers whose numbers are
// float64 (JavaScript, jq) keep every bit of a kernel address.
func appendJSONAddr(b []byte, a uint64) []byte {
	b = append(b, `"0x`...)
	b = strconv.AppendUint(b, a, 16)
	return append(b, '"')
}

// appendJSONCallers appends a caller list: per site an object with the
// caller as "FILE:FUNCTION", the site's "FILE:LINE" ("" for none), its
// address as a hex string (null for none), and "recursive" when the
// caller is f itself.
func appendJSONCallers(b []byte, cs []Caller, f *Function) []byte {
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"caller":"`...)
		b = appendJSONText(b, c.File)
		b = append(b, ':')
		b = appendJSONText(b, c.Function)
		b = append(b, `","site":"`...)
		if c.Site.File != "" {
			b = appendJSONText(b, c.Site.File)
			if c.Site.Line != 0 {
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(c.Site.Line), 10)
			}
		}
		b = append(b, `","address":`...)
		if c.HasAddr {
			b = appendJSONAddr(b, c.Addr)
		} else {
			b = append(b, "null"...)
		}
		if c.Recursive(f) {
			b = append(b, `,"recursive":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONText(b, s)
	return append(b, '"')
}

// appendJSONStrings appends ss as a JSON array of strings.
func appendJSONStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONText appends s escaped for a JSON string, as encoding/json
// does without HTML escaping; invalid UTF-8 becomes U+FFFD.
func appendJSONText(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\\ufffd"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// appendJSONSignature appends the signature's text as a JSON string, ""
// for none.
func appendJSONSignature(b []byte, s *Signature) []byte {
	if s == nil {
		return append(b, `""`...)
	}
	b = append(b, '"')
	start := len(b)
	b = s.AppendText(b)
	for _, c := range b[start:] {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			// Rare: escape it the slow way.
			text := string(b[start:])
			return appendJSONString(b[:start-1], text)
		}
	}
	return append(b, '"')
}

// Modules names the objects of the kernel that hold f: "" for vmlinux,
// else a module's name, each once, in the order of f's instances, then of
// its symbols (a function known only from its symbols, such as a running
// kernel's). It is empty for a function that neither has.
func (f *Function) Modules() []string {
	var out []string
	add := func(m string) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, in := range f.Instances {
		add(in.Module)
	}
	for _, s := range f.Symbols {
		add(s.Module)
	}
	return out
}

// ModulesText is Modules as one text: "vmlinux" for vmlinux, and the
// names joined with ", ": "nf_conntrack", "vmlinux, kfx_mod".
func (f *Function) ModulesText() string {
	ms := f.Modules()
	for i, m := range ms {
		if m == "" {
			ms[i] = "vmlinux"
		}
	}
	return strings.Join(ms, ", ")
}

// InModule reports whether some instance or symbol of f is a module's.
func (f *Function) InModule() bool {
	for _, m := range f.Modules() {
		if m != "" {
			return true
		}
	}
	return false
}

// InstancesKnown reports whether the build could say where f is defined:
// false for a source without DWARF (a running kernel's BTF, InlineUnknown),
// where no Instances means unknown, not none.
func (f *Function) InstancesKnown() bool {
	return f.Inline != InlineUnknown || len(f.Instances) > 0
}
