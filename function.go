package kabi

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// A Function is every instance and symbol of one function name in a build
// (surface-rules §3).
type Function struct {
	// Name is the name kabi keys the function by: the linkage (symbol)
	// name where DWARF gives one, as it does for Rust and C++, else
	// DW_AT_name. It is the name a kprobe attaches to.
	Name string
	// Demangled is the readable form of a mangled Name, or "".
	Demangled string
	// Instances are the function's definitions in DWARF, in the order the
	// walk met them (surface-rules §1).
	Instances []*Instance
	// Symbols are the STT_FUNC symbols whose stem is Name, in symbol-table order.
	Symbols []*Symbol

	Collision      Collision
	Inline         InlineKind
	Transformation bool    // some symbol has a suffix
	Issues         []Issue // in the order of surface-rules §3
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
// (surface-rules §1).
type Instance struct {
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

// A Caller is a function that inlines or calls another, with the compile
// unit the site is in.
type Caller struct {
	File     string // the compile unit's path
	Function string // the caller's name, as Function.Name
}

// String is "FILE:FUNCTION", as the reference page lists callers.
func (c Caller) String() string { return c.File + ":" + c.Function }

// Collision says how a function's instances relate (surface-rules §3).
type Collision uint8

// The collision kinds.
const (
	UniqueGlobal          Collision = iota + 1 // one external instance
	UniqueStatic                               // one static instance
	StaticDuplication                          // several instances, all at one location (a header's static inline)
	StaticStaticCollision                      // several static instances at different locations
	StaticGlobalCollision                      // several instances at different locations, one external
)

var collisionNames = [...]string{"", "Unique Global", "Unique Static", "Static Duplication", "Static-Static Collision", "Static-Global Collision"}

// String is the reference text: "Unique Global", "Static-Static Collision", ...
func (c Collision) String() string {
	if int(c) < len(collisionNames) && c != 0 {
		return collisionNames[c]
	}
	return fmt.Sprintf("Collision(%d)", uint8(c))
}

// Collisions lists the collision kinds in order.
func Collisions() []Collision {
	return []Collision{UniqueGlobal, UniqueStatic, StaticDuplication, StaticStaticCollision, StaticGlobalCollision}
}

// InlineKind says whether a function survives as a symbol (surface-rules §3).
type InlineKind uint8

// The inline kinds.
const (
	InlineNo        InlineKind = iota + 1 // has a symbol and is never inlined
	InlineSelective                       // has a symbol, but some instance is inlined somewhere
	InlineFull                            // has no symbol at all
)

var inlineNames = [...]string{"", "No", "Selective", "Full"}

// String is the reference text: "No", "Selective" or "Full".
func (k InlineKind) String() string {
	if int(k) < len(inlineNames) && k != 0 {
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

// MarshalJSON encodes f as one object of `kabi dump`:
//
//	{"name","collision","inline","transformation","signature","issues":[],
//	 "instances":[{"file","location","address","external","declared_inline",
//	   "inlined","inline_callers":[],"direct_callers":[],"signature"}],
//	 "symbols":[{"name","address","size","bind","section"}]}
//
// Addresses are numbers (null when an instance has none), callers are
// "FILE:FUNCTION" strings, and the kinds are the reference texts.
// Signatures are empty until kabi derives them.
func (f *Function) MarshalJSON() ([]byte, error) {
	type jsonInstance struct {
		File           string   `json:"file"`
		Location       string   `json:"location"`
		Address        *uint64  `json:"address"`
		External       bool     `json:"external"`
		DeclaredInline bool     `json:"declared_inline"`
		Inlined        bool     `json:"inlined"`
		InlineCallers  []string `json:"inline_callers"`
		DirectCallers  []string `json:"direct_callers"`
		Signature      string   `json:"signature"`
	}
	type jsonSymbol struct {
		Name    string `json:"name"`
		Address uint64 `json:"address"`
		Size    uint64 `json:"size"`
		Bind    string `json:"bind"`
		Section string `json:"section"`
	}
	type jsonFunction struct {
		Name           string         `json:"name"`
		Collision      Collision      `json:"collision"`
		Inline         InlineKind     `json:"inline"`
		Transformation bool           `json:"transformation"`
		Signature      string         `json:"signature"`
		Issues         []Issue        `json:"issues"`
		Instances      []jsonInstance `json:"instances"`
		Symbols        []jsonSymbol   `json:"symbols"`
	}
	callers := func(cs []Caller) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.String()
		}
		return out
	}
	j := jsonFunction{
		Name: f.Name, Collision: f.Collision, Inline: f.Inline, Transformation: f.Transformation,
		Issues: f.Issues, Instances: make([]jsonInstance, len(f.Instances)), Symbols: make([]jsonSymbol, len(f.Symbols)),
	}
	if j.Issues == nil {
		j.Issues = []Issue{}
	}
	for i, in := range f.Instances {
		ji := jsonInstance{
			File: in.File, Location: in.Location.String(), External: in.External,
			DeclaredInline: in.DeclaredInline, Inlined: in.Inlined,
			InlineCallers: callers(in.InlineCallers), DirectCallers: callers(in.DirectCallers),
		}
		if in.HasAddr {
			a := in.Address
			ji.Address = &a
		}
		j.Instances[i] = ji
	}
	for i, s := range f.Symbols {
		j.Symbols[i] = jsonSymbol{Name: s.Name, Address: s.Address, Size: s.Size, Bind: s.Bind.String(), Section: s.Section}
	}
	return json.Marshal(j)
}
