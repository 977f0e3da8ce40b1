package render

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// Schema names of the JSON documents. A reader must check the schema and
// refuse one it does not know; a later version that only adds fields
// keeps its name.
const (
	FunctionSchema = "kabi.function-report/v2"
	SurfaceSchema  = "kabi.surface-diff/v2"

	// Version 1 of the two documents wrote addresses as JSON numbers,
	// which readers whose numbers are float64 (JavaScript, jq) round
	// above 2^53, and wrote some keys as Go field names ("BuildID",
	// "Kind"). DecodeFunction and DecodeSurface still read it.
	functionSchemaV1 = "kabi.function-report/v1"
	surfaceSchemaV1  = "kabi.surface-diff/v1"
)

// jsonAddr is an address, written as a string of hex digits after "0x"
// ("0xffffffff81234560"): every bit survives a reader whose numbers are
// float64. It reads such a string, or a JSON number as version 1 wrote.
type jsonAddr uint64

func (a jsonAddr) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, "0x"+strconv.FormatUint(uint64(a), 16)), nil
}

func (a *jsonAddr) UnmarshalJSON(b []byte) error {
	var v uint64
	var err error
	if len(b) > 0 && b[0] == '"' {
		var str string
		if err = json.Unmarshal(b, &str); err == nil {
			hex, ok := strings.CutPrefix(str, "0x")
			if !ok {
				return fmt.Errorf("address %q: not 0x and hex digits", str)
			}
			v, err = strconv.ParseUint(hex, 16, 64)
		}
	} else {
		v, err = strconv.ParseUint(string(b), 10, 64)
	}
	if err != nil {
		return fmt.Errorf("address %s: %w", b, err)
	}
	*a = jsonAddr(v)
	return nil
}

func addrPtr(a uint64) *jsonAddr {
	j := jsonAddr(a)
	return &j
}

// JSON writes reports as JSON documents (one object, indented), with the
// schema name in a "schema" field. The function report holds every fact
// of every build, structured (types as trees, with their C text beside
// them), so that DecodeFunction gives back an equal report.
type JSON struct {
	// Compact writes one line instead of indented JSON.
	Compact bool
}

func (j JSON) encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if !j.Compact {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// Function writes a function report.
func (j JSON) Function(w io.Writer, r *diff.FunctionReport) error {
	return j.encode(w, toJSONReport(r))
}

// Surface writes a surface diff.
func (j JSON) Surface(w io.Writer, d *diff.SurfaceDiff) error {
	return j.encode(w, toJSONSurface(d))
}

type jsonReport struct {
	Schema string      `json:"schema"`
	Name   string      `json:"name"`
	Groups []jsonGroup `json:"groups"`
}

type jsonGroup struct {
	Name    string       `json:"name"`
	Pairing diff.Pairing `json:"pairing"`
	Status  []jsonStatus `json:"status"`
	Pairs   []jsonPair   `json:"pairs"`
}

type jsonStatus struct {
	Label     string        `json:"label"`
	Elsewhere string        `json:"elsewhere,omitempty"` // the earlier group that shows this build
	Issues    []kabi.Issue  `json:"issues"`
	Function  *jsonFunction `json:"function"` // null when absent
}

type jsonFunction struct {
	Name           string              `json:"name"`
	Demangled      string              `json:"demangled,omitempty"`
	Collision      kabi.Collision      `json:"collision"`
	Inline         kabi.InlineKind     `json:"inline"`
	Transformation bool                `json:"transformation"`
	Issues         []kabi.Issue        `json:"issues"`
	Signature      *jsonSignature      `json:"signature"`
	Instances      []jsonInstance      `json:"instances"`
	Symbols        []jsonSymbol        `json:"symbols"`
	Attach         *kabi.Attachability `json:"attach,omitempty"`
}

type jsonInstance struct {
	File           string         `json:"file"`
	Module         string         `json:"module,omitempty"` // the kernel module; absent for vmlinux
	Location       string         `json:"location"`
	Line           int            `json:"line"`
	LocationFile   string         `json:"location_file"`
	Address        *jsonAddr      `json:"address"`
	AddrFromSymbol bool           `json:"address_from_symbol,omitempty"`
	External       bool           `json:"external"`
	DeclaredInline bool           `json:"declared_inline"`
	Inlined        bool           `json:"inlined"`
	DeclaredOnly   bool           `json:"declared_only"`
	Assembler      bool           `json:"assembler,omitempty"`
	InlineCallers  []jsonCaller   `json:"inline_callers"`
	DirectCallers  []jsonCaller   `json:"direct_callers"`
	Signature      *jsonSignature `json:"signature"`
}

// jsonCaller is a kabi.Caller: the caller's file and function, then the
// site, its address, and whether the caller is the function itself.
// (Version 1 wrote "File" and "Function", which decoding matches too.)
type jsonCaller struct {
	File      string    `json:"file"`
	Function  string    `json:"function"`
	Site      string    `json:"site,omitempty"`
	SiteFile  string    `json:"site_file,omitempty"`
	SiteLine  int       `json:"site_line,omitempty"`
	Address   *jsonAddr `json:"address,omitempty"`
	Recursive bool      `json:"recursive,omitempty"`
}

func toJSONCallers(cs []kabi.Caller, f *kabi.Function) []jsonCaller {
	out := make([]jsonCaller, 0, len(cs))
	for _, c := range cs {
		j := jsonCaller{File: c.File, Function: c.Function, Site: c.Site.String(), SiteFile: c.Site.File, SiteLine: c.Site.Line,
			Recursive: c.Recursive(f)}
		if c.HasAddr {
			j.Address = addrPtr(c.Addr)
		}
		out = append(out, j)
	}
	return out
}

func fromJSONCallers(js []jsonCaller) ([]kabi.Caller, error) {
	if len(js) == 0 {
		return nil, nil
	}
	out := make([]kabi.Caller, 0, len(js))
	for _, j := range js {
		c := kabi.Caller{File: j.File, Function: j.Function, Site: kabi.Location{File: j.SiteFile, Line: j.SiteLine}}
		if j.Address != nil {
			c.Addr, c.HasAddr = uint64(*j.Address), true
		}
		out = append(out, c)
	}
	return out, nil
}

type jsonSymbol struct {
	Name       string        `json:"name"`
	Demangled  string        `json:"demangled,omitempty"`
	Address    jsonAddr      `json:"address"`
	Size       uint64        `json:"size"`
	Bind       string        `json:"bind"`
	Section    string        `json:"section"`
	Stem       string        `json:"stem"`
	Suffix     string        `json:"suffix"`
	Transforms []string      `json:"transforms"`
	Ftrace     bool          `json:"ftrace"`
	NoKprobe   kabi.NoKprobe `json:"no_kprobe,omitempty"`
	Module     string        `json:"module,omitempty"` // the kernel module; absent for vmlinux
}

type jsonSignature struct {
	Text       string      `json:"text"`
	Name       string      `json:"name"`
	Return     *jsonType   `json:"return"`
	Params     []jsonParam `json:"params"`
	Variadic   bool        `json:"variadic"`
	Prototyped bool        `json:"prototyped"`
	Assembler  bool        `json:"assembler,omitempty"`
	Clones     []jsonClone `json:"clones,omitempty"`
}

type jsonParam struct {
	Name string    `json:"name"`
	Type *jsonType `json:"type"`
	// For clone parameters only.
	State string `json:"state,omitempty"`
	Value *int64 `json:"value,omitempty"`
}

type jsonClone struct {
	Address *jsonAddr   `json:"address"`
	Params  []jsonParam `json:"params"`
}

type jsonType struct {
	Kind       string      `json:"kind"`
	Text       string      `json:"text"`
	Name       string      `json:"name,omitempty"`
	Qual       []string    `json:"qual,omitempty"`
	Elem       *jsonType   `json:"elem,omitempty"`
	Len        *int64      `json:"len,omitempty"`
	Params     []jsonParam `json:"params,omitempty"`
	Variadic   bool        `json:"variadic,omitempty"`
	Prototyped bool        `json:"prototyped,omitempty"`
}

type jsonPair struct {
	Old        string       `json:"old"`
	New        string       `json:"new"`
	OldPresent bool         `json:"old_present"`
	NewPresent bool         `json:"new_present"`
	Compared   bool         `json:"compared"`
	Changes    []jsonChange `json:"changes"`
	// StatusChanges: module, inline, collision, transformation, attachability.
	StatusChanges []diff.StatusChange `json:"status_changes,omitempty"`
}

type jsonChange struct {
	Kind     diff.ChangeKind `json:"kind"`
	Param    string          `json:"param,omitempty"`
	Old      *jsonType       `json:"old,omitempty"`
	New      *jsonType       `json:"new,omitempty"`
	OldOrder []string        `json:"old_order,omitempty"`
	NewOrder []string        `json:"new_order,omitempty"`
	Before   string          `json:"before"`
	After    string          `json:"after"`
}

var qualNames = []struct {
	q    kabi.Qualifiers
	name string
}{{kabi.Const, "const"}, {kabi.Volatile, "volatile"}, {kabi.Restrict, "restrict"}, {kabi.Atomic, "_Atomic"}}

// maxJSONDepth bounds type trees read from JSON.
const maxJSONDepth = 256

func toJSONType(t *kabi.Type) *jsonType {
	if t == nil {
		return nil
	}
	j := &jsonType{Kind: t.Kind.String(), Text: t.String(), Name: t.Name, Elem: toJSONType(t.Elem),
		Variadic: t.Variadic, Prototyped: t.Prototyped}
	for _, q := range qualNames {
		if t.Qual&q.q != 0 {
			j.Qual = append(j.Qual, q.name)
		}
	}
	if t.Kind == kabi.Array {
		n := t.Len
		j.Len = &n
	}
	for _, p := range t.Params {
		j.Params = append(j.Params, jsonParam{Name: p.Name, Type: toJSONType(p.Type)})
	}
	return j
}

func fromJSONType(j *jsonType, depth int) (*kabi.Type, error) {
	if j == nil {
		return nil, nil
	}
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("type nested deeper than %d", maxJSONDepth)
	}
	t := &kabi.Type{Name: j.Name, Variadic: j.Variadic, Prototyped: j.Prototyped}
	found := false
	for k := kabi.TypeKind(0); k < 32; k++ {
		if k.String() == j.Kind {
			t.Kind, found = k, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("unknown type kind %q", j.Kind)
	}
	for _, name := range j.Qual {
		ok := false
		for _, q := range qualNames {
			if q.name == name {
				t.Qual |= q.q
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown qualifier %q", name)
		}
	}
	if j.Len != nil {
		t.Len = *j.Len
	}
	var err error
	if t.Elem, err = fromJSONType(j.Elem, depth+1); err != nil {
		return nil, err
	}
	for _, p := range j.Params {
		pt, err := fromJSONType(p.Type, depth+1)
		if err != nil {
			return nil, err
		}
		t.Params = append(t.Params, kabi.Param{Name: p.Name, Type: pt})
	}
	return t, nil
}

func toJSONSignature(s *kabi.Signature) *jsonSignature {
	if s == nil {
		return nil
	}
	j := &jsonSignature{Text: s.String(), Name: s.Name, Return: toJSONType(s.Return), Variadic: s.Variadic,
		Prototyped: s.Prototyped, Assembler: s.Assembler, Params: []jsonParam{}}
	for _, p := range s.Params {
		j.Params = append(j.Params, jsonParam{Name: p.Name, Type: toJSONType(p.Type)})
	}
	for _, c := range s.Clones {
		jc := jsonClone{Params: []jsonParam{}}
		if c.HasAddr {
			jc.Address = addrPtr(c.Addr)
		}
		for _, p := range c.Params {
			jp := jsonParam{Name: p.Name, Type: toJSONType(p.Type), State: p.State.String()}
			if p.HasValue {
				v := p.Value
				jp.Value = &v
			}
			jc.Params = append(jc.Params, jp)
		}
		j.Clones = append(j.Clones, jc)
	}
	return j
}

func fromJSONSignature(j *jsonSignature) (*kabi.Signature, error) {
	if j == nil {
		return nil, nil
	}
	s := &kabi.Signature{Name: j.Name, Variadic: j.Variadic, Prototyped: j.Prototyped, Assembler: j.Assembler}
	var err error
	if s.Return, err = fromJSONType(j.Return, 0); err != nil {
		return nil, err
	}
	for _, p := range j.Params {
		t, err := fromJSONType(p.Type, 0)
		if err != nil {
			return nil, err
		}
		s.Params = append(s.Params, kabi.Param{Name: p.Name, Type: t})
	}
	for _, jc := range j.Clones {
		var c kabi.Clone
		if jc.Address != nil {
			c.Addr, c.HasAddr = uint64(*jc.Address), true
		}
		for _, p := range jc.Params {
			t, err := fromJSONType(p.Type, 0)
			if err != nil {
				return nil, err
			}
			cp := kabi.CloneParam{Param: kabi.Param{Name: p.Name, Type: t}}
			ok := false
			for st := kabi.ParamState(0); st < 8; st++ {
				if st.String() == p.State {
					cp.State, ok = st, true
				}
			}
			if !ok {
				return nil, fmt.Errorf("unknown parameter state %q", p.State)
			}
			if p.Value != nil {
				cp.Value, cp.HasValue = *p.Value, true
			}
			c.Params = append(c.Params, cp)
		}
		s.Clones = append(s.Clones, c)
	}
	return s, nil
}

func toJSONFunction(f *kabi.Function) *jsonFunction {
	if f == nil {
		return nil
	}
	j := &jsonFunction{Name: f.Name, Demangled: f.Demangled, Collision: f.Collision, Inline: f.Inline,
		Transformation: f.Transformation, Issues: orEmpty(f.Issues), Signature: toJSONSignature(f.Signature),
		Instances: []jsonInstance{}, Symbols: []jsonSymbol{}, Attach: &f.Attach}
	if !f.InstancesKnown() {
		j.Instances = nil // null: unknown, not none
	}
	for _, in := range f.Instances {
		ji := jsonInstance{File: in.File, Module: in.Module, Location: in.Location.String(), LocationFile: in.Location.File, Line: in.Location.Line,
			External: in.External, DeclaredInline: in.DeclaredInline, Inlined: in.Inlined, DeclaredOnly: in.DeclaredOnly,
			Assembler: in.Assembler, InlineCallers: toJSONCallers(in.InlineCallers, f), DirectCallers: toJSONCallers(in.DirectCallers, f),
			Signature: toJSONSignature(in.Signature)}
		if in.HasAddr {
			ji.Address = addrPtr(in.Address)
			ji.AddrFromSymbol = in.AddrFromSymbol
		}
		j.Instances = append(j.Instances, ji)
	}
	for _, s := range f.Symbols {
		j.Symbols = append(j.Symbols, jsonSymbol{Name: s.Name, Demangled: s.Demangled, Address: jsonAddr(s.Address), Size: s.Size,
			Bind: s.Bind.String(), Section: s.Section, Stem: s.Stem, Suffix: s.Suffix, Transforms: orEmpty(s.Transforms.Kinds()),
			Ftrace: s.Ftrace, NoKprobe: s.NoKprobe, Module: s.Module})
	}
	return j
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func fromJSONFunction(j *jsonFunction) (*kabi.Function, error) {
	if j == nil {
		return nil, nil
	}
	f := &kabi.Function{Name: j.Name, Demangled: j.Demangled, Collision: j.Collision, Inline: j.Inline,
		Transformation: j.Transformation, Issues: nilIfEmpty(j.Issues)}
	if j.Attach != nil {
		f.Attach = *j.Attach
	}
	var err error
	if f.Signature, err = fromJSONSignature(j.Signature); err != nil {
		return nil, err
	}
	for _, ji := range j.Instances {
		in := &kabi.Instance{File: ji.File, Module: ji.Module, Location: kabi.Location{File: ji.LocationFile, Line: ji.Line},
			External: ji.External, DeclaredInline: ji.DeclaredInline, Inlined: ji.Inlined, DeclaredOnly: ji.DeclaredOnly,
			Assembler: ji.Assembler}
		if in.InlineCallers, err = fromJSONCallers(ji.InlineCallers); err != nil {
			return nil, err
		}
		if in.DirectCallers, err = fromJSONCallers(ji.DirectCallers); err != nil {
			return nil, err
		}
		if ji.Address != nil {
			in.Address, in.HasAddr, in.AddrFromSymbol = uint64(*ji.Address), true, ji.AddrFromSymbol
		}
		if in.Signature, err = fromJSONSignature(ji.Signature); err != nil {
			return nil, err
		}
		// Keep one Signature value where the build shared it.
		if f.Signature != nil && in.Signature != nil && in.Signature.String() == f.Signature.String() && in.Signature.Equal(f.Signature) && len(in.Signature.Clones) == len(f.Signature.Clones) {
			in.Signature = f.Signature
		}
		f.Instances = append(f.Instances, in)
	}
	for _, js := range j.Symbols {
		s := &kabi.Symbol{Name: js.Name, Demangled: js.Demangled, Address: uint64(js.Address), Size: js.Size, Section: js.Section,
			Stem: js.Stem, Suffix: js.Suffix, Ftrace: js.Ftrace, NoKprobe: js.NoKprobe, Module: js.Module}
		ok := false
		for _, b := range []elf.SymBind{elf.STB_LOCAL, elf.STB_GLOBAL, elf.STB_WEAK} {
			if b.String() == js.Bind {
				s.Bind, ok = b, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("symbol %s: unknown binding %q", js.Name, js.Bind)
		}
		for _, k := range js.Transforms {
			t, err := transformOf(k)
			if err != nil {
				return nil, fmt.Errorf("symbol %s: %w", js.Name, err)
			}
			s.Transforms |= t
		}
		f.Symbols = append(f.Symbols, s)
	}
	return f, nil
}

func transformOf(name string) (kabi.Transform, error) {
	for t := kabi.Transform(1); t != 0; t <<= 1 {
		if k := t.Kinds(); len(k) == 1 && k[0] == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown transformation %q", name)
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func toJSONReport(r *diff.FunctionReport) *jsonReport {
	j := &jsonReport{Schema: FunctionSchema, Name: r.Name, Groups: []jsonGroup{}}
	for _, g := range r.Groups {
		jg := jsonGroup{Name: g.Name, Pairing: g.Pairing, Status: []jsonStatus{}, Pairs: []jsonPair{}}
		for _, s := range g.Status {
			jg.Status = append(jg.Status, jsonStatus{Label: s.Label, Elsewhere: s.Elsewhere, Issues: orEmpty(s.Issues()), Function: toJSONFunction(s.Function)})
		}
		for _, p := range g.Pairs {
			jg.Pairs = append(jg.Pairs, jsonPair{Old: p.Old, New: p.New, OldPresent: p.OldPresent, NewPresent: p.NewPresent,
				Compared: p.Compared, Changes: toJSONChanges(p.Changes), StatusChanges: p.StatusChanges})
		}
		j.Groups = append(j.Groups, jg)
	}
	return j
}

// DecodeFunction reads a function report written by JSON.Function, of
// this version or version 1.
func DecodeFunction(r io.Reader) (*diff.FunctionReport, error) {
	var j jsonReport
	if err := json.NewDecoder(r).Decode(&j); err != nil {
		return nil, fmt.Errorf("function report: %w", err)
	}
	if j.Schema != FunctionSchema && j.Schema != functionSchemaV1 {
		return nil, fmt.Errorf("function report: schema %q, want %q (or version 1)", j.Schema, FunctionSchema)
	}
	out := &diff.FunctionReport{Name: j.Name}
	for _, jg := range j.Groups {
		g := diff.GroupReport{Name: jg.Name, Pairing: jg.Pairing}
		for _, js := range jg.Status {
			f, err := fromJSONFunction(js.Function)
			if err != nil {
				return nil, fmt.Errorf("function report: %s in %s: %w", j.Name, js.Label, err)
			}
			g.Status = append(g.Status, diff.BuildStatus{Label: js.Label, Elsewhere: js.Elsewhere, Function: f})
		}
		for _, jp := range jg.Pairs {
			p := diff.PairReport{Old: jp.Old, New: jp.New, OldPresent: jp.OldPresent, NewPresent: jp.NewPresent, Compared: jp.Compared,
				StatusChanges: jp.StatusChanges}
			var err error
			if p.Changes, err = fromJSONChanges(jp.Changes); err != nil {
				return nil, fmt.Errorf("function report: %s: %w", j.Name, err)
			}
			g.Pairs = append(g.Pairs, p)
		}
		out.Groups = append(out.Groups, g)
	}
	return out, nil
}

type jsonSurface struct {
	Schema         string                `json:"schema"`
	Old            kabi.Metadata         `json:"old"`
	New            kabi.Metadata         `json:"new"`
	Common         int                   `json:"common"`
	Added          []string              `json:"added"`
	Removed        []string              `json:"removed"`
	Changed        []jsonFunctionChanges `json:"changed"`
	Kinds          []diff.KindCount      `json:"kinds"`
	Inline         []jsonTransition      `json:"inline"`
	Collision      []jsonTransition      `json:"collision"`
	Transformation []jsonTransition      `json:"transformation"`
	Moved          []jsonMoved           `json:"moved,omitempty"` // between vmlinux and modules
}

type jsonMoved struct {
	Name string `json:"name"`
	From string `json:"from"` // "vmlinux", "nf_conntrack", "vmlinux, kfx_mod"
	To   string `json:"to"`
}

type jsonFunctionChanges struct {
	Name    string       `json:"name"`
	Changes []jsonChange `json:"changes"`
}

type jsonTransition struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

func toJSONSurface(d *diff.SurfaceDiff) *jsonSurface {
	j := &jsonSurface{Schema: SurfaceSchema, Old: d.Old, New: d.New, Common: d.Common,
		Added: orEmpty(d.Added), Removed: orEmpty(d.Removed), Changed: []jsonFunctionChanges{}, Kinds: orEmpty(d.Kinds),
		Inline: transitionsJSON(d.Inline), Collision: transitionsJSON(d.Collision), Transformation: transitionsJSON(d.Transformation)}
	for _, fc := range d.Changed {
		j.Changed = append(j.Changed, jsonFunctionChanges{Name: fc.Name, Changes: toJSONChanges(fc.Changes)})
	}
	for _, m := range d.Moved {
		j.Moved = append(j.Moved, jsonMoved(m))
	}
	return j
}

// metadataV1 is kabi.Metadata as version 1 wrote it: keys are the Go
// field names.
type metadataV1 struct {
	File, Release, Version, Revision, Flavor, Arch, Compiler, Banner, BuildID string
	Package, PackageVersion                                                   string
}

// DecodeSurface reads a surface diff written by JSON.Surface, of this
// version or version 1.
func DecodeSurface(r io.Reader) (*diff.SurfaceDiff, error) {
	var raw json.RawMessage // the first document: kabi diff writes more after it
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("surface diff: %w", err)
	}
	var j jsonSurface
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("surface diff: %w", err)
	}
	switch j.Schema {
	case SurfaceSchema:
	case surfaceSchemaV1:
		var v1 struct{ Old, New metadataV1 }
		if err := json.Unmarshal(raw, &v1); err != nil {
			return nil, fmt.Errorf("surface diff: %w", err)
		}
		j.Old, j.New = kabi.Metadata(v1.Old), kabi.Metadata(v1.New)
	default:
		return nil, fmt.Errorf("surface diff: schema %q, want %q (or version 1)", j.Schema, SurfaceSchema)
	}
	d := &diff.SurfaceDiff{Old: j.Old, New: j.New, Common: j.Common, Added: nilIfEmpty(j.Added),
		Removed: nilIfEmpty(j.Removed), Kinds: nilIfEmpty(j.Kinds)}
	for _, fc := range j.Changed {
		cs, err := fromJSONChanges(fc.Changes)
		if err != nil {
			return nil, fmt.Errorf("surface diff: %s: %w", fc.Name, err)
		}
		d.Changed = append(d.Changed, diff.FunctionChanges{Name: fc.Name, Changes: cs})
	}
	for _, m := range j.Moved {
		d.Moved = append(d.Moved, diff.Moved(m))
	}
	var err error
	if d.Inline, err = transitionsFrom[kabi.InlineKind](j.Inline); err != nil {
		return nil, err
	}
	if d.Collision, err = transitionsFrom[kabi.Collision](j.Collision); err != nil {
		return nil, err
	}
	for _, t := range j.Transformation {
		if (t.From != "true" && t.From != "false") || (t.To != "true" && t.To != "false") {
			return nil, fmt.Errorf("surface diff: transformation transition %q → %q", t.From, t.To)
		}
		d.Transformation = append(d.Transformation, diff.Transition[bool]{From: t.From == "true", To: t.To == "true", Count: t.Count})
	}
	return d, nil
}

func transitionsFrom[T comparable, P interface {
	*T
	UnmarshalText([]byte) error
}](ts []jsonTransition) ([]diff.Transition[T], error) {
	var out []diff.Transition[T]
	for _, t := range ts {
		var from, to T
		if err := P(&from).UnmarshalText([]byte(t.From)); err != nil {
			return nil, fmt.Errorf("surface diff: %w", err)
		}
		if err := P(&to).UnmarshalText([]byte(t.To)); err != nil {
			return nil, fmt.Errorf("surface diff: %w", err)
		}
		out = append(out, diff.Transition[T]{From: from, To: to, Count: t.Count})
	}
	return out, nil
}

func toJSONChanges(cs []diff.Change) []jsonChange {
	out := []jsonChange{}
	for _, c := range cs {
		out = append(out, jsonChange{Kind: c.Kind, Param: c.Param, Old: toJSONType(c.Old), New: toJSONType(c.New),
			OldOrder: c.OldOrder, NewOrder: c.NewOrder, Before: c.Before(), After: c.After()})
	}
	return out
}

func fromJSONChanges(js []jsonChange) ([]diff.Change, error) {
	var out []diff.Change
	for _, jc := range js {
		c := diff.Change{Kind: jc.Kind, Param: jc.Param, OldOrder: jc.OldOrder, NewOrder: jc.NewOrder}
		var err error
		if c.Old, err = fromJSONType(jc.Old, 0); err != nil {
			return nil, err
		}
		if c.New, err = fromJSONType(jc.New, 0); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func transitionsJSON[T comparable](ts []diff.Transition[T]) []jsonTransition {
	out := []jsonTransition{}
	for _, t := range ts {
		out = append(out, jsonTransition{From: fmt.Sprint(t.From), To: fmt.Sprint(t.To), Count: t.Count})
	}
	return out
}
