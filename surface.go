package kabi

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
)

// surface turns dwarfx's per-unit function events into instances
// (docs/rules.md §1). It is fed one unit at a time, in unit order, from one
// goroutine. Strings reaching it from dwarfx point into the DWARF sections;
// everything it keeps is interned, so the sections can be dropped after.
type surface struct {
	d    *dwarfx.Data
	rule PathRule
	pool *stringPool // copies of the signatures' names, for a module's DWARF (nil: Data.Keep)

	modules []string // by acc.mod: "" (vmlinux), then the modules merged in (see merge)
	// knownDecl, for a module, names the external functions whose
	// declarations need no prototype (vmlinux defines them, with one).
	knownDecl map[string]struct{}
	// keep, when not nil, says which functions (by key name) the surface
	// holds (see Options.Functions); the others get no instance, no
	// signature and no call sites.
	keep func(name string) bool

	strs      map[string]string
	unitPath  []int32 // per unit, its path's index in files; -1 until computed
	unitKeys  []int32 // per unit, its key for static instances (see unitKey); -1 until computed
	unitKeyOf map[string]int32
	files     []string
	fileIdx   map[string]int32
	paths     map[pathKey]int32 // a line-table file, by identity, -> files index

	fns    map[string]int32    // name -> function
	names  []string            // function names, by function index
	ext    []int32             // function -> its external instance, or -1
	kept   [][maxShared]sigRef // function -> the distinct signatures its instances got (see share)
	static map[staticKey]int32 // static (name, location, unit source) -> instance

	insts   chunks[acc]
	sigTab  sigStore // the instances' signatures (acc.sig)
	declOff []uint64 // by instance, during the walk: a declaration entry, for the prototype of a function no unit defines
	recs    chunks[callRec]
	callers chunks[callerName]

	sigs *dwarfSigs // converts declarations' prototypes after the walk
	// tt, in the kernel's (vmlinux's) surface, holds the types of the
	// signatures it keeps (see typeTable); base, in a module's, is
	// vmlinux's, which its converters read.
	tt   *typeTable
	base *typeTable
	// Idle converters for prepareSignatures, one per worker at most. Not
	// a sync.Pool: a pool outlives the surface by a garbage collection or
	// two, and a converter holds the whole DWARF data.
	convMu sync.Mutex
	convs  []*dwarfSigs

	// Type definitions (see typedefs_dwarf.go).
	claims      typeClaims
	typeVars    map[Ref]*typeVariants
	typeOrder   []Ref
	typedefVars map[string]*typeVariants
	keySeed     maphash.Seed // of the types' content hashes
	// modTypes, for a module read with its vmlinux, keeps its definitions
	// for the kernel's merge (see modtypes.go).
	modTypes *moduleTypes

	// Per-unit scratch, indexed like CompileUnit.Funcs.
	instOf   []int32
	callerOf []int32
	// Per-unit scratch: a line-table file index -> files index (unknown
	// until computed, dropped when the table has no such file).
	callFile []int32
	lines    *dwarfx.LineTable
	linesOK  bool
}

// pathKey identifies a line-table file by where its strings live: the
// line tables are cached by dwarfx, so the same file of the same unit
// always comes back with the same string data. Equal strings at different
// places only cost another cache entry.
type pathKey struct {
	dir, name, compDir *byte
	ldir, lname, lcomp int32
}

// newPathKey is the key of file f of a unit compiled in compDir.
func newPathKey(f *dwarfx.FileEntry, compDir string) pathKey {
	return pathKey{unsafe.StringData(f.Dir), unsafe.StringData(f.Name), unsafe.StringData(compDir),
		int32(len(f.Dir)), int32(len(f.Name)), int32(len(compDir))}
}

type staticKey struct {
	fn, file, line, unit int32
}

// acc accumulates one instance. Its fields are ordered so that it packs
// into 48 bytes, without pointers (its signature is in surface.sigTab): a
// whole kernel holds close to a million, kept through the read of its
// modules. (A declaration's offset, needed only during one surface's walk,
// is kept beside them: see surface.declOff.)
type acc struct {
	fn             int32
	mod            int32 // index in surface.modules
	file           int32 // CU path, index in files; -1 none
	locFile        int32 // declaration file, index in files; -1 none
	line           int32
	nInline        int32
	nDirect        int32
	sig            sigRef
	addrFrom       uint8 // 0 none, addrInline, addrDefinition
	sigRank        uint8 // sigUnknown, sigDeclaration, sigCopy, sigDefinition
	external       bool
	declaredInline bool
	inlined        bool
	defined        bool // seen as a definition, concrete copy or inline site
	assembler      bool // defined in an assembler's unit
	addr           uint64
}

const (
	addrInline = 1 + iota
	addrDefinition
)

const (
	sigUnknown = 1 + iota // an entry without a prototype (assembler)
	sigDeclaration
	sigCopy
	sigDefinition
)

// callerName is a caller of call sites: its unit's path and its name, as
// Caller.File and Caller.Function.
type callerName struct{ file, function string }

// callRec is one inline or call site, in walk order: 24 bytes, for the
// millions a whole kernel keeps through the read of its modules.
type callRec struct {
	inst int32
	who  uint32 // the caller's index in surface.callers, with siteDirect and siteHasAddr
	file int32  // the site's file, index in files; -1 none
	line int32
	addr uint64
}

// The bits of callRec.who. A surface holds fewer than 1<<30 callers
// (each takes 32 bytes of callerName).
const (
	siteDirect  = 1 << 30 // a direct call, not an inline site
	siteHasAddr = 1 << 31 // addr is the site's
	siteCaller  = siteDirect - 1
)

func (r *callRec) caller() int32 { return int32(r.who & siteCaller) }
func (r *callRec) direct() bool  { return r.who&siteDirect != 0 }
func (r *callRec) hasAddr() bool { return r.who&siteHasAddr != 0 }

// setCaller makes c the record's caller.
func (r *callRec) setCaller(c int32) {
	if uint32(c) > siteCaller {
		panic("kabi: a surface with 1<<30 callers") // 32 GiB of them: unreachable
	}
	r.who = r.who&^siteCaller | uint32(c)
}

const (
	unknown = -2 // instOf/callerOf: not computed yet
	dropped = -1 // no instance (nameless, or __compiletime_assert_*)
)

func newSurface(d *dwarfx.Data, rule PathRule, pool *stringPool, keep func(string) bool, lk *surfaceLookups) *surface {
	units := d.Units()
	// Size the tables from .debug_info: a kernel has about one function
	// name per 2 KiB of it, one instance per kilobyte and one source file
	// per 4 KiB (up to a few thousand). A module's tables start small: a
	// whole kernel makes thousands of surfaces.
	size := infoSize(d)
	nfiles := int(min(size/4096, 1<<12))
	s := &surface{
		d: d, rule: rule, pool: pool, keep: keep, modules: []string{""},
		unitPath: make([]int32, len(units)),
	}
	if pool == nil {
		s.tt = newTypeTable(nil) // vmlinux's surface: a module's has a pool
	}
	s.sigs = newDWARFSigs(d, s.pool, nil)
	s.claims.m = make(map[dwarfx.TypeKey]int32)
	s.typeVars = make(map[Ref]*typeVariants)
	s.typedefVars = make(map[string]*typeVariants)
	s.keySeed = maphash.MakeSeed()
	for i := range s.unitPath {
		s.unitPath[i] = -1
	}
	if keep != nil {
		size = 0 // a surface that keeps a few functions grows its tables as they come
	}
	names := int(min(size/2048, 1<<22))
	s.names = make([]string, 0, names)
	s.ext = make([]int32, 0, names)
	if lk != nil {
		s.strs, s.fileIdx, s.paths, s.fns, s.static, s.kept = lk.strs, lk.fileIdx, lk.paths, lk.fns, lk.static, lk.kept[:0]
		if pool != nil && len(pool.m) == 0 && lk.pool != nil {
			pool.m = lk.pool
		}
		return s
	}
	s.strs = make(map[string]string, min(nfiles/4, 1<<10))
	s.fileIdx = make(map[string]int32, nfiles)
	s.paths = make(map[pathKey]int32, nfiles)
	s.fns = make(map[string]int32, names)
	s.kept = make([][maxShared]sigRef, 0, names)
	s.static = make(map[staticKey]int32, names*2)
	return s
}

// infoSize is the size of d's .debug_info, as far as its units say.
func infoSize(d *dwarfx.Data) uint64 {
	if n := d.InfoUnits(); n > 0 {
		return d.Units()[n-1].End
	}
	return 0
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

// file returns the index of path p in s.files.
func (s *surface) file(p string) int32 {
	if i, ok := s.fileIdx[p]; ok {
		return i
	}
	p = strings.Clone(p)
	s.files = append(s.files, p)
	i := int32(len(s.files) - 1)
	s.fileIdx[p] = i
	return i
}

// pathOfUnit is the normalized DW_AT_name of unit i, as an index in files.
func (s *surface) pathOfUnit(i int) int32 {
	if s.unitPath[i] < 0 {
		u := &s.d.Units()[i]
		s.unitPath[i] = s.file(s.rule(cleanPath(u.Name), u.CompDir))
	}
	return s.unitPath[i]
}

// unitKey identifies unit i's source for keying static instances: its
// DW_AT_name and DW_AT_comp_dir as written. Two units that clean to one
// path but are different sources (arm64's vhe/../vgic-v3-sr.c and
// nvhe/../vgic-v3-sr.c) get two keys; the units clang's ThinLTO emits for
// code imported from a module, named as that module, share its key.
func (s *surface) unitKey(i int) int32 {
	if s.unitKeys == nil {
		s.unitKeys = make([]int32, len(s.unitPath))
		for j := range s.unitKeys {
			s.unitKeys[j] = -1
		}
		s.unitKeyOf = make(map[string]int32)
	}
	if s.unitKeys[i] < 0 {
		u := &s.d.Units()[i]
		raw := u.CompDir + "\x00" + u.Name
		k, ok := s.unitKeyOf[raw]
		if !ok {
			k = int32(len(s.unitKeyOf))
			s.unitKeyOf[strings.Clone(raw)] = k
		}
		s.unitKeys[i] = k
	}
	return s.unitKeys[i]
}

// location is the declaration location of f: a files index and a line.
func (s *surface) location(f *dwarfx.Func) (int32, int32) {
	if !f.HasFile {
		return s.pathOfUnit(f.Unit), 0
	}
	return s.pathOf(&f.File, s.d.Units()[f.Unit].CompDir), int32(min(f.Line, 1<<31-1))
}

// pathOf returns the files index of line-table file f of a unit compiled
// in compDir.
func (s *surface) pathOf(f *dwarfx.FileEntry, compDir string) int32 {
	k := newPathKey(f, compDir)
	p, ok := s.paths[k]
	if !ok {
		p = s.file(s.rule(cleanPath(f.Path()), compDir))
		s.paths[k] = p
	}
	return p
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
	fn, ok := s.fns[name]
	if !ok {
		if s.keep != nil && !s.keep(name) {
			s.instOf[fi] = dropped
			return dropped
		}
		name = strings.Clone(name)
		fn = int32(len(s.names))
		s.fns[name] = fn
		s.names = append(s.names, name)
		s.ext = append(s.ext, -1)
		s.kept = append(s.kept, [maxShared]sigRef{})
	}
	var idx int32
	if f.External {
		idx = s.ext[fn]
		if idx < 0 {
			idx = s.newInst(acc{fn: fn, external: true, file: -1, locFile: -1})
			s.ext[fn] = idx
		}
	} else {
		file, line := s.location(f)
		k := staticKey{fn, file, line, s.unitKey(f.Unit)}
		i, ok := s.static[k]
		if !ok {
			i = s.newInst(acc{fn: fn, file: -1, locFile: file, line: line})
			s.static[k] = i
		}
		idx = i
	}
	s.instOf[fi] = idx
	return idx
}

func (s *surface) newInst(a acc) int32 {
	s.declOff = append(s.declOff, 0)
	return s.insts.add(a)
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
	fn, ok := s.fns[name]
	var n string
	if ok {
		n = s.names[fn]
	} else {
		n = s.intern(name)
	}
	v := s.callers.add(callerName{file: unitPath, function: n})
	s.callerOf[fi] = v
	return v
}

// signature keeps the signature of a subprogram event when it ranks above
// the instance's current one: a definition, then an out-of-line copy (its
// source prototype is the definition's), then a declaration, then an
// entry without a prototype (gas writes one per assembler routine, where
// a C declaration elsewhere has the real prototype). It also collects the
// clone view of every out-of-line copy.
func (s *surface) signature(a *acc, ev *dwarfx.Event, sig *Signature) {
	rank := uint8(sigDeclaration)
	switch ev.Kind {
	case dwarfx.Definition:
		rank = sigDefinition
	case dwarfx.ConcreteCopy:
		rank = sigCopy
	}
	if rank <= a.sigRank && ev.Kind != dwarfx.ConcreteCopy {
		return
	}
	if !sig.Known() {
		rank = sigUnknown
	}
	// Signatures may be shared (see share): clones go to copies.
	switch {
	case rank > a.sigRank:
		r := s.share(a.fn, sig)
		if old := s.sigTab.at(a.sig); old != nil && len(old.Clones) > 0 {
			n := s.sigTab.at(r)
			s.forget(a.fn, r)
			r = s.sigTab.add(withClones(n, old.Clones, n.Clones))
		}
		s.setSig(a, r)
		a.sigRank = rank
	case len(sig.Clones) > 0:
		old := s.sigTab.at(a.sig)
		s.setSig(a, s.sigTab.add(withClones(old, old.Clones, sig.Clones)))
	}
}

// setSig makes r the signature of a, forgetting a's own (see forget).
func (s *surface) setSig(a *acc, r sigRef) {
	if a.sig != r {
		s.forget(a.fn, a.sig)
	}
	a.sig = r
}

// forget lets the collector take the signature r of function fn, which
// an instance no longer holds: unless it is one of the function's kept
// signatures, which others may share, no other instance holds it (share
// adds a new one for each of its callers when it keeps none).
func (s *surface) forget(fn int32, r sigRef) {
	if r <= 0 {
		return
	}
	for _, k := range s.kept[fn] {
		if k == r {
			return
		}
	}
	s.sigTab.forget(r)
}

// share returns the signature that an earlier instance of function fn
// got if it is the same as sig, else sig, held in s.sigTab. A kernel
// defines a header's static functions in unit after unit, each instance
// with a signature of its own: sharing as the walk meets them halves the
// signatures a Build holds, lets the copies die young, and a printer that
// meets a signature again (the same pointer) copies its text instead of
// writing it anew.
func (s *surface) share(fn int32, sig *Signature) sigRef {
	if len(sig.Clones) > 0 {
		return s.sigTab.add(sig)
	}
	k := &s.kept[fn]
	slot := -1
	for i, o := range k {
		if o == 0 {
			slot = i
			break
		}
		if s.sigTab.sameAs(o, sig) {
			return o
		}
	}
	if s.tt != nil {
		s.tt.canonSig(sig)
	}
	var r sigRef
	if slot >= 0 {
		r = s.sigTab.keep(sig)
		k[slot] = r
	} else {
		r = s.sigTab.add(sig)
	}
	return r
}

// prepareSignatures converts a unit's prototypes into signatures, in the
// worker that decoded the unit (dwarfx.ExtractOptions.Prepare): the
// result, in event order, goes to cu.Prepared. Its converters,
// one per worker at a time, belong to this surface and its DWARF.
func (s *surface) prepareSignatures(cu *dwarfx.CompileUnit) error {
	if len(cu.Protos) == 0 && len(cu.Types) == 0 {
		return nil
	}
	conv := s.converter()
	defer s.release(conv)
	p := &prepared{types: s.prepareTypes(conv, cu)}
	cu.Prepared = p
	if len(cu.Protos) == 0 {
		return nil
	}
	n := 0
	for _, p := range cu.Protos {
		if p != nil {
			n++
		}
	}
	out := make([]eventSig, 0, n)
	for i, pr := range cu.Protos {
		if pr == nil {
			continue
		}
		ev := &cu.Events[i]
		f := &cu.Funcs[ev.Func]
		if s.keep != nil && !s.keep(keyName(f)) {
			continue // no instance will take it
		}
		name := f.Name // the source name, also for Rust and C++, whose key is the linkage name
		if name == "" {
			name = keyName(f)
		}
		out = append(out, eventSig{int32(i), conv.signature(cu.Unit, name, pr, ev.Addr, ev.HasAddr)})
	}
	p.sigs = out
	return nil
}

// eventSig is the signature of the event at index ev of a unit's Events.
type eventSig struct {
	ev  int32
	sig *Signature
}

// drop forgets the DWARF data, so that the sections can be freed while
// the functions are built.
func (s *surface) drop() {
	s.d, s.sigs, s.convs, s.base, s.declOff = nil, nil, nil, nil, nil
	s.claims.m = nil
}

// dropLookups forgets the lookup tables of the walk (and of merging
// modules), so that they can be freed while the functions are made:
// functions needs only the accumulated instances, callers, names and
// files.
func (s *surface) dropLookups() {
	s.strs, s.fileIdx, s.paths, s.fns, s.static, s.kept, s.tt = nil, nil, nil, nil, nil, nil, nil
	s.unitPath, s.instOf, s.callerOf = nil, nil, nil
}

// converter returns an idle converter, or a new one.
func (s *surface) converter() *dwarfSigs {
	s.convMu.Lock()
	defer s.convMu.Unlock()
	if n := len(s.convs); n > 0 {
		c := s.convs[n-1]
		s.convs = s.convs[:n-1]
		return c
	}
	return newDWARFSigs(s.d, s.pool, s.base)
}

// release makes a converter idle, its unit's types forgotten.
func (s *surface) release(c *dwarfSigs) {
	c.reset()
	s.convMu.Lock()
	s.convs = append(s.convs, c)
	s.convMu.Unlock()
}

// declarationSignatures gives the instances that no definition or copy
// gave a prototype the prototype of a declaration of theirs (the walk
// leaves declarations undecoded: see ExtractOptions.SkipDeclarationPrototypes).
func (s *surface) declarationSignatures() error {
	var todo []int32
	for i, a := range s.insts.all {
		if s.declOff[i] != 0 && a.sigRank < sigDeclaration {
			if _, ok := s.knownDecl[s.names[a.fn]]; ok && a.external && !a.defined {
				continue
			}
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// In section order, so that each unit's abbreviations are compiled once.
	slices.SortFunc(todo, func(x, y int32) int { return cmp.Compare(s.declOff[x], s.declOff[y]) })
	td := s.d.NewTypeDecoder()
	defer td.Release() // its tables' memory goes to the next module's
	var trimmed uint64
	for _, i := range todo {
		a, off := s.insts.at(i), s.declOff[i]
		if off-trimmed >= 16<<20 {
			s.d.Trim() // keep the pages read few (see dwarfx.Data.Trim)
			trimmed = off
		}
		u, ok := s.d.UnitAt(off)
		if !ok {
			continue
		}
		p, err := td.Prototype(off)
		if err != nil {
			return err
		}
		s.sigs.reset()
		r := s.share(a.fn, s.sigs.signature(u, s.names[a.fn], p, 0, false))
		sig := s.sigTab.at(r)
		if sig.Known() || a.sig == 0 {
			if old := s.sigTab.at(a.sig); old != nil && len(old.Clones) > 0 {
				s.forget(a.fn, r)
				r = s.sigTab.add(withClones(sig, old.Clones, nil))
			}
			s.setSig(a, r)
			a.sigRank = sigDeclaration
		} else {
			s.forget(a.fn, r)
		}
	}
	return nil
}

// unit adds the events of one compile unit.
func (s *surface) unit(cu *dwarfx.CompileUnit) {
	n := len(cu.Funcs)
	s.instOf = slices.Grow(s.instOf[:0], n)[:n]
	s.callerOf = slices.Grow(s.callerOf[:0], n)[:n]
	for i := range n {
		s.instOf[i], s.callerOf[i] = unknown, unknown
	}
	s.callFile = s.callFile[:0]
	s.lines, s.linesOK = nil, false
	var sigs []eventSig
	if p, ok := cu.Prepared.(*prepared); ok {
		sigs = p.sigs
		s.mergeTypes(cu, p.types)
	}
	if cu.Unit.Kind == dwarfx.UnitTypeUnit {
		return // type definitions only
	}
	hereIdx := s.pathOfUnit(cu.Unit.Index)
	here := s.files[hereIdx]
	for i := range cu.Events {
		ev := &cu.Events[i]
		in := s.inst(cu, ev.Func)
		if in < 0 {
			continue
		}
		a := s.insts.at(in)
		f := &cu.Funcs[ev.Func]
		for len(sigs) > 0 && int(sigs[0].ev) < i {
			sigs = sigs[1:] // an event without an instance
		}
		if len(sigs) > 0 && int(sigs[0].ev) == i {
			s.signature(a, ev, sigs[0].sig)
			sigs = sigs[1:]
		} else if ev.Kind == dwarfx.Declaration && s.declOff[in] == 0 {
			s.declOff[in] = ev.Offset // its prototype is decoded at the end if nothing better comes
		}
		switch ev.Kind {
		case dwarfx.Definition, dwarfx.ConcreteCopy:
			a.assembler = a.assembler || cu.Unit.Language == langMipsAssembler
			if !a.defined || a.file < 0 {
				a.file = hereIdx
				if a.external {
					a.locFile, a.line = s.location(f)
				}
			}
			a.defined = true
			a.declaredInline = a.declaredInline || f.Inline == 2 || f.Inline == 3
			a.inlined = a.inlined || f.Inline == 1 || f.Inline == 3
			if ev.HasAddr && a.addrFrom < addrDefinition {
				a.addr, a.addrFrom = ev.Addr, addrDefinition
			}
		case dwarfx.Inlined:
			c := s.caller(cu, ev.Caller, here)
			rec := s.site(cu, ev, in, c)
			if !a.defined {
				// An inline site of a function whose definition lives
				// in another unit not yet seen (LTO): place it there.
				a.file = s.pathOfUnit(f.Unit)
				if a.external {
					a.locFile, a.line = s.location(f)
				}
				a.defined = true
			}
			if ev.HasAddr && a.addrFrom == 0 {
				a.addr, a.addrFrom = ev.Addr, addrInline
			}
			if c >= 0 {
				s.recs.add(rec)
				a.nInline++
			}
		case dwarfx.Call:
			if c := s.caller(cu, ev.Caller, here); c >= 0 {
				rec := s.site(cu, ev, in, c)
				rec.who |= siteDirect
				s.recs.add(rec)
				a.nDirect++
			}
		}
	}
}

// site returns the record of an inline or call site event of instance in
// by caller c: its address, and its file and line where DWARF gives them.
func (s *surface) site(cu *dwarfx.CompileUnit, ev *dwarfx.Event, in, c int32) callRec {
	r := callRec{inst: in, file: -1, addr: ev.Addr}
	if c >= 0 {
		r.setCaller(c)
	}
	if ev.HasAddr {
		r.who |= siteHasAddr
	}
	if !ev.HasCallFile {
		return r
	}
	i := int(ev.CallFile)
	if i >= len(s.callFile) {
		if i >= 1<<16 {
			return r // no unit names that many files: leave it out
		}
		for len(s.callFile) <= i {
			s.callFile = append(s.callFile, unknown)
		}
	}
	if s.callFile[i] == unknown {
		s.callFile[i] = dropped
		if !s.linesOK {
			s.linesOK = true
			s.lines, _ = s.d.LineTable(cu.Unit) // a bad table was reported for the declarations' files already, or has no files
		}
		if s.lines != nil {
			if fe, ok := s.lines.File(uint64(ev.CallFile)); ok {
				s.callFile[i] = s.file(s.rule(cleanPath(fe.Path()), cu.Unit.CompDir))
			}
		}
	}
	if f := s.callFile[i]; f >= 0 {
		r.file, r.line = f, int32(min(ev.CallLine, 1<<31-1))
	}
	return r
}

// functions builds the functions, in name order, with their instances.
// It consumes the instance, call-site and caller tables: each chunk is
// dropped once read, so that a whole kernel's tables need not stay beside
// the Build made from them. Its passes run on GOMAXPROCS goroutines.
func (s *surface) functions() []*Function {
	return s.functionsOn(runtime.GOMAXPROCS(0))
}

// functionsOn is functions on the given number of goroutines; the result
// does not depend on it.
func (s *surface) functionsOn(workers int) []*Function {
	workers = max(workers, 1)
	s.sigTab.materialize()
	// The name order is sorted beside the instances.
	var order []int32
	sorted := make(chan struct{})
	go func() {
		defer close(sorted)
		order = nameOrder(s.names)
	}()
	count := make([]int32, len(s.names))
	for _, a := range s.insts.all {
		count[a.fn]++
	}
	n := s.insts.len()
	start := make([]int32, len(s.names))
	o := int32(0)
	for fn, c := range count {
		start[fn] = o
		o += c
	}

	// Instances: made in blocks of instBlock (instance i is
	// blocks[i/instBlock][i%instBlock]), then grouped by name in ptrs.
	blocks := make([][]Instance, (n+instBlock-1)/instBlock)
	sites := make([][2]int32, n) // each instance's inline and direct call sites
	parallel(workers, len(blocks), func(k int) {
		lo := k * instBlock
		block := make([]Instance, min(instBlock, n-lo))
		blocks[k] = block
		for j := range block {
			a := s.insts.at(int32(lo + j))
			s.instance(&block[j], a)
			sites[lo+j] = [2]int32{a.nInline, a.nDirect}
		}
	})
	ptrs := make([]*Instance, n)
	fill := start // consumed: start[fn] is where fn's instances end after this loop
	i := 0
	for k, c := range s.insts.c {
		for j := range c {
			fn := c[j].fn
			ptrs[fill[fn]] = &blocks[i/instBlock][i%instBlock]
			fill[fn]++
			i++
		}
		s.insts.c[k] = nil
	}
	s.insts = chunks[acc]{}

	s.callersOn(workers, blocks, sites)
	s.recs, s.callers = chunks[callRec]{}, chunks[callerName]{}

	<-sorted
	fns := make([]*Function, len(order))
	var block []Function
	for i, fn := range order {
		if len(block) == 0 {
			block = make([]Function, min(funcBlock, len(order)-i))
		}
		f := &block[0]
		block = block[1:]
		fns[i] = f
		end := fill[fn]
		f.Name = s.names[fn]
		if d := demangled(f.Name); d != "" {
			f.Demangled = d
		}
		f.Instances = ptrs[end-count[fn] : end : end]
	}
	return fns
}

// nameOrder returns the indexes of names in the names' byte order. The
// names are sorted by their first eight bytes as a number first, with a
// radix sort (a kernel has about a million names, which a comparison
// sort took a quarter of a second over), then each run of names that
// share that number is sorted by the whole names.
func nameOrder(names []string) []int32 {
	a := make([]keyed, len(names))
	for i, n := range names {
		a[i] = keyed{key: prefixKey(n), i: int32(i)}
	}
	if len(a) < radixMin {
		slices.SortFunc(a, func(x, y keyed) int { return cmp.Compare(x.key, y.key) })
	} else {
		// Least significant byte first; a byte that every key has the
		// same needs no pass.
		var count [8][256]int32
		for _, k := range a {
			for d := range 8 {
				count[d][byte(k.key>>(8*d))]++
			}
		}
		b := make([]keyed, len(a))
		for d := range 8 {
			c := &count[d]
			if c[byte(a[0].key>>(8*d))] == int32(len(a)) {
				continue
			}
			o := int32(0)
			for v := range c {
				c[v], o = o, o+c[v]
			}
			for _, k := range a {
				v := byte(k.key >> (8 * d))
				b[c[v]] = k
				c[v]++
			}
			a, b = b, a
		}
	}
	// Equal keys leave the order to the rest of the names: "ab" and
	// "ab\x00" have the same key.
	sortTies(a, names, 0)
	order := make([]int32, len(names))
	for i, k := range a {
		order[i] = k.i
	}
	return order
}

// keyed is a name's index in the names nameOrder sorts, with the key of
// its 8 bytes from some depth (see prefixKey).
type keyed struct {
	key   uint64
	i     int32
	short bool // (in sortTies) the name ends within the key's bytes
}

// sortTies sorts each run of a whose names' bytes from d on have the
// same key (and the same bytes before d) by the rest of the names: a
// name that ends within the key's 8 bytes comes first (shorter first,
// as the key pads it with zeros), then the others by the key of their
// next 8 bytes, and so on.
func sortTies(a []keyed, names []string, d int) {
	for lo := 0; lo < len(a); {
		hi := lo + 1
		for hi < len(a) && a[hi].key == a[lo].key {
			hi++
		}
		if hi-lo > 1 {
			run, e := a[lo:hi], d+8
			for j := range run {
				n := names[run[j].i]
				if run[j].short = len(n) <= e; !run[j].short {
					run[j].key = prefixKey(n[e:])
				}
			}
			slices.SortFunc(run, func(x, y keyed) int {
				sx, sy := x.short, y.short
				switch {
				case sx && sy:
					return cmp.Compare(len(names[x.i]), len(names[y.i]))
				case sx != sy:
					if sx {
						return -1
					}
					return 1
				}
				return cmp.Compare(x.key, y.key)
			})
			k := 0
			for k < len(run) && run[k].short {
				k++
			}
			sortTies(run[k:], names, e)
		}
		lo = hi
	}
}

// radixMin is the fewest names nameOrder radix-sorts; fewer are sorted
// by comparison.
const radixMin = 1 << 10

// prefixKey is the first eight bytes of n as a big-endian number, padded
// with zeros: keys order as their names' first eight bytes do.
func prefixKey(n string) uint64 {
	var b [8]byte
	copy(b[:], n)
	return binary.BigEndian.Uint64(b[:])
}

// instance fills in, a zero Instance, from a.
func (s *surface) instance(in *Instance, a *acc) {
	// Field by field: a zero field is left as it is, and no pointer is
	// written twice.
	in.Address, in.HasAddr = a.addr, a.addrFrom != 0
	in.External, in.DeclaredInline, in.Inlined = a.external, a.declaredInline, a.inlined
	in.DeclaredOnly, in.Assembler = !a.defined, a.assembler
	if a.sig != 0 {
		in.Signature = s.sigTab.at(a.sig)
	}
	if a.mod != 0 {
		in.Module = s.modules[a.mod]
	}
	if a.defined {
		if a.file >= 0 {
			in.File = s.files[a.file]
		}
		if a.locFile >= 0 {
			in.Location.File = s.files[a.locFile]
			in.Location.Line = int(a.line)
		}
	}
}

// The functions, instances and callers of a Build are allocated in blocks of at
// most 32 KiB, the largest objects the runtime takes from the spans of
// its size classes: the read of a whole kernel leaves its heap near the
// memory limit with its free pages scattered, which blocks of this size
// fill, where larger ones (spans of their own) need pages never used or
// given back to the system, so that the runtime gives back others to
// stay under the limit and the system faults them in again.
const (
	funcBlock   = 32 << 10 / int(unsafe.Sizeof(Function{}))
	instBlock   = 32 << 10 / int(unsafe.Sizeof(Instance{}))
	callerBlock = 32 << 10 / int(unsafe.Sizeof(Caller{}))
	// callerRun is the most callers of one instance carved from a
	// block: an instance with more has its own, so that a block loses
	// less than callerRun of its callerBlock at its end.
	callerRun = callerBlock / 16
)

// callersOn fills in the instances' callers, from the call-site records,
// in their order. The instances are dealt to the workers in runs of 64
// (instance i goes to worker i/64 mod workers), so that the workers go
// through the records at about the same pace: each reads every record and
// takes those of its instances, and a record chunk is dropped once every
// worker has read it.
func (s *surface) callersOn(workers int, blocks [][]Instance, sites [][2]int32) {
	workers = max(1, min(workers, s.recs.len()/chunkLen))
	recs := s.recs.c
	left := make([]atomic.Int32, len(recs)) // workers yet to read each chunk
	for k := range left {
		left[k].Store(int32(workers))
	}
	parallel(workers, workers, func(w int) {
		var blk []Caller
		for k := range recs {
			for j := range recs[k] {
				r := &recs[k][j]
				if int(r.inst>>6)%workers != w {
					continue
				}
				in := &blocks[int(r.inst)/instBlock][int(r.inst)%instBlock]
				if cap(in.InlineCallers) == 0 && cap(in.DirectCallers) == 0 {
					// The instance's first site: carve its callers.
					ni, nd := int(sites[r.inst][0]), int(sites[r.inst][1])
					var room []Caller
					if n := ni + nd; n > callerRun {
						room = make([]Caller, n)
					} else {
						if len(blk) < n {
							blk = make([]Caller, callerBlock)
						}
						room, blk = blk[:n:n], blk[n:]
					}
					if ni > 0 {
						in.InlineCallers = room[:0:ni]
					}
					if nd > 0 {
						in.DirectCallers = room[ni : ni : ni+nd]
					}
				}
				var c *Caller
				if r.direct() {
					in.DirectCallers = in.DirectCallers[:len(in.DirectCallers)+1]
					c = &in.DirectCallers[len(in.DirectCallers)-1]
				} else {
					in.InlineCallers = in.InlineCallers[:len(in.InlineCallers)+1]
					c = &in.InlineCallers[len(in.InlineCallers)-1]
				}
				cn := s.callers.at(r.caller())
				c.File, c.Function = cn.file, cn.function
				c.Addr, c.HasAddr = r.addr, r.hasAddr()
				if r.file >= 0 {
					c.Site.File, c.Site.Line = s.files[r.file], int(r.line)
				}
			}
			if left[k].Add(-1) == 0 {
				recs[k] = nil
			}
		}
	})
}

// parallel calls f(i) for every i in [0, n) on up to workers goroutines,
// and returns when all calls have. A panic in a call is raised again in
// the caller's goroutine (where New's firewall recovers it), once the
// others are done.
func parallel(workers, n int, f func(i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		fault any
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					if fault == nil {
						fault = p
					}
					mu.Unlock()
					next.Store(int64(n)) // the others stop at their next call
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
	if fault != nil {
		panic(fault)
	}
}
