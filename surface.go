package kabi

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
)

// surface turns dwarfx's per-unit function events into instances
// (surface-rules §1). It is fed one unit at a time, in unit order, from one
// goroutine. Strings reaching it from dwarfx point into the DWARF sections;
// everything it keeps is interned, so the sections can be dropped after.
type surface struct {
	d    *dwarfx.Data
	rule PathRule

	strs     map[string]string
	unitPath []string // per unit, "" until computed
	unitDone []bool
	paths    map[pathKey]string

	ext    map[string]int32    // external name -> instance
	static map[staticKey]int32 // static (name, location, unit path) -> instance
	fns    map[string]int32    // name -> function
	names  []string            // function names, by function index

	insts   []acc
	recs    []callRec
	callers []Caller

	// Per-unit scratch, indexed like CompileUnit.Funcs.
	instOf   []int32
	callerOf []int32
}

type pathKey struct{ dir, name, compDir string }

type staticKey struct {
	name string
	loc  Location
	unit string
}

// acc accumulates one instance.
type acc struct {
	fn             int32
	name           string
	file           string
	loc            Location
	addr           uint64
	addrFrom       uint8 // 0 none, addrInline, addrDefinition
	external       bool
	declaredInline bool
	inlined        bool
	defined        bool // seen as a definition, concrete copy or inline site
	codeNoAddr     bool // has out-of-line code whose entry DWARF does not give
	nInline        int32
	nDirect        int32
}

const (
	addrInline = 1 + iota
	addrDefinition
)

// callRec is one inline or call site, in walk order.
type callRec struct {
	inst   int32
	caller int32 // index in surface.callers
	direct bool
}

const (
	unknown = -2 // instOf/callerOf: not computed yet
	dropped = -1 // no instance (nameless, or __compiletime_assert_*)
)

func newSurface(d *dwarfx.Data, rule PathRule) *surface {
	n := len(d.Units())
	return &surface{
		d: d, rule: rule,
		strs:     make(map[string]string, 1<<16),
		unitPath: make([]string, n),
		unitDone: make([]bool, n),
		paths:    make(map[pathKey]string, 1<<14),
		ext:      make(map[string]int32, 1<<16),
		static:   make(map[staticKey]int32, 1<<17),
		fns:      make(map[string]int32, 1<<17),
	}
}

// intern returns a copy of s that owns its bytes, shared by equal strings.
func (s *surface) intern(v string) string {
	if v == "" {
		return ""
	}
	if w, ok := s.strs[v]; ok {
		return w
	}
	w := strings.Clone(v)
	s.strs[w] = w
	return w
}

// pathOfUnit is the normalized DW_AT_name of unit i.
func (s *surface) pathOfUnit(i int) string {
	if !s.unitDone[i] {
		u := &s.d.Units()[i]
		s.unitPath[i] = s.intern(s.rule(cleanPath(u.Name), u.CompDir))
		s.unitDone[i] = true
	}
	return s.unitPath[i]
}

// location is the declaration location of f.
func (s *surface) location(f *dwarfx.Func) Location {
	if !f.HasFile {
		return Location{File: s.pathOfUnit(f.Unit)}
	}
	compDir := s.d.Units()[f.Unit].CompDir
	k := pathKey{f.File.Dir, f.File.Name, compDir}
	p, ok := s.paths[k]
	if !ok {
		p = s.intern(s.rule(cleanPath(f.File.Path()), compDir))
		s.paths[pathKey{s.intern(k.dir), s.intern(k.name), s.intern(compDir)}] = p
	}
	return Location{File: p, Line: int(f.Line)}
}

// keyName is the name an instance of f is keyed by.
func keyName(f *dwarfx.Func) string {
	if f.LinkageName != "" {
		return f.LinkageName
	}
	return f.Name
}

// inst returns the instance of cu.Funcs[fi], creating it on first sight.
func (s *surface) inst(cu *dwarfx.CompileUnit, fi int32) int32 {
	if v := s.instOf[fi]; v != unknown {
		return v
	}
	f := &cu.Funcs[fi]
	name := keyName(f)
	if name == "" || strings.HasPrefix(name, "__compiletime_assert_") {
		s.instOf[fi] = dropped
		return dropped
	}
	var idx int32
	if f.External {
		i, ok := s.ext[name]
		if !ok {
			name = s.intern(name)
			i = s.newInst(name, true, Location{})
			s.ext[name] = i
		}
		idx = i
	} else {
		loc := s.location(f)
		k := staticKey{name, loc, s.pathOfUnit(f.Unit)}
		i, ok := s.static[k]
		if !ok {
			k.name = s.intern(name)
			i = s.newInst(k.name, false, loc)
			s.static[k] = i
		}
		idx = i
	}
	s.instOf[fi] = idx
	return idx
}

func (s *surface) newInst(name string, external bool, loc Location) int32 {
	fn, ok := s.fns[name]
	if !ok {
		fn = int32(len(s.names))
		s.fns[name] = fn
		s.names = append(s.names, name)
	}
	s.insts = append(s.insts, acc{fn: fn, name: name, external: external, loc: loc})
	return int32(len(s.insts) - 1)
}

// caller returns the index in s.callers of "unit:cu.Funcs[fi]".
func (s *surface) caller(cu *dwarfx.CompileUnit, fi int32, unitPath string) int32 {
	if fi < 0 {
		return dropped
	}
	if v := s.callerOf[fi]; v != unknown {
		return v
	}
	name := keyName(&cu.Funcs[fi])
	if name == "" {
		s.callerOf[fi] = dropped
		return dropped
	}
	s.callers = append(s.callers, Caller{File: unitPath, Function: s.intern(name)})
	v := int32(len(s.callers) - 1)
	s.callerOf[fi] = v
	return v
}

// unit adds the events of one compile unit.
func (s *surface) unit(cu *dwarfx.CompileUnit) {
	n := len(cu.Funcs)
	s.instOf = slices.Grow(s.instOf[:0], n)[:n]
	s.callerOf = slices.Grow(s.callerOf[:0], n)[:n]
	for i := range n {
		s.instOf[i], s.callerOf[i] = unknown, unknown
	}
	here := s.pathOfUnit(cu.Unit.Index)
	for i := range cu.Events {
		ev := &cu.Events[i]
		in := s.inst(cu, ev.Func)
		if in < 0 {
			continue
		}
		a := &s.insts[in]
		f := &cu.Funcs[ev.Func]
		switch ev.Kind {
		case dwarfx.Definition, dwarfx.ConcreteCopy:
			if !a.defined || a.file == "" {
				a.file = here
				if a.external {
					a.loc = s.location(f)
				}
			}
			a.defined = true
			a.declaredInline = a.declaredInline || f.Inline == 2 || f.Inline == 3
			a.inlined = a.inlined || f.Inline == 1 || f.Inline == 3
			if ev.HasAddr && a.addrFrom < addrDefinition {
				a.addr, a.addrFrom = ev.Addr, addrDefinition
			} else if !ev.HasAddr && (ev.Kind == dwarfx.ConcreteCopy || f.Inline == 0) {
				// Code described by DW_AT_ranges only (a hot/cold split).
				a.codeNoAddr = true
			}
		case dwarfx.Inlined:
			c := s.caller(cu, ev.Caller, here)
			if !a.defined {
				// An inline site of a function whose definition lives
				// in another unit not yet seen (LTO): place it there.
				a.file = s.pathOfUnit(f.Unit)
				if a.external {
					a.loc = s.location(f)
				}
				a.defined = true
			}
			if ev.HasAddr && a.addrFrom == 0 {
				a.addr, a.addrFrom = ev.Addr, addrInline
			}
			if c >= 0 {
				s.recs = append(s.recs, callRec{inst: in, caller: c})
				a.nInline++
			}
		case dwarfx.Call:
			if c := s.caller(cu, ev.Caller, here); c >= 0 {
				s.recs = append(s.recs, callRec{inst: in, caller: c, direct: true})
				a.nDirect++
			}
		}
	}
}

// functions builds the functions, in name order, with their instances,
// and lists the instances that have out-of-line code but no address for
// it in DWARF.
func (s *surface) functions() ([]Function, map[*Instance]bool) {
	// Callers: one backing array, carved per instance in walk order.
	callers := make([]Caller, len(s.recs))
	inst := make([]Instance, len(s.insts))
	var noAddr map[*Instance]bool
	off := 0
	for i := range s.insts {
		a := &s.insts[i]
		in := &inst[i]
		*in = Instance{
			File: a.file, Location: a.loc, Address: a.addr, HasAddr: a.addrFrom != 0,
			External: a.external, DeclaredInline: a.declaredInline, Inlined: a.inlined,
			DeclaredOnly: !a.defined,
		}
		if in.DeclaredOnly {
			in.File, in.Location = "", Location{}
		}
		if a.codeNoAddr && a.addrFrom != addrDefinition {
			if noAddr == nil {
				noAddr = make(map[*Instance]bool)
			}
			noAddr[in] = true
		}
		if a.nInline > 0 {
			in.InlineCallers = callers[off : off : off+int(a.nInline)]
			off += int(a.nInline)
		}
		if a.nDirect > 0 {
			in.DirectCallers = callers[off : off : off+int(a.nDirect)]
			off += int(a.nDirect)
		}
	}
	for _, r := range s.recs {
		in := &inst[r.inst]
		if r.direct {
			in.DirectCallers = append(in.DirectCallers, s.callers[r.caller])
		} else {
			in.InlineCallers = append(in.InlineCallers, s.callers[r.caller])
		}
	}

	// Functions: instances grouped by name, in walk order.
	count := make([]int32, len(s.names))
	for i := range s.insts {
		count[s.insts[i].fn]++
	}
	ptrs := make([]*Instance, len(inst))
	start := make([]int32, len(s.names))
	o := int32(0)
	for fn, c := range count {
		start[fn] = o
		o += c
	}
	fill := slices.Clone(start)
	for i := range s.insts {
		fn := s.insts[i].fn
		ptrs[fill[fn]] = &inst[i]
		fill[fn]++
	}
	order := make([]int32, len(s.names))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(s.names[a], s.names[b]) })
	fns := make([]Function, len(order))
	for i, fn := range order {
		fns[i] = Function{
			Name:      s.names[fn],
			Demangled: demangled(s.names[fn]),
			Instances: ptrs[start[fn] : start[fn]+count[fn] : start[fn]+count[fn]],
		}
	}
	return fns, noAddr
}
