package dwarfx

import (
	"debug/dwarf"
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// ExtractOptions configures Extract. The zero value is ready to use.
type ExtractOptions struct {
	// Concurrency is the number of compile units decoded at once;
	// 0 means GOMAXPROCS. The output does not depend on it.
	Concurrency int
	// Prototypes decodes the prototype of every subprogram event
	// (Definition, Declaration, ConcreteCopy) into CompileUnit.Protos, inside
	// the parallel workers. Off by default: it costs time.
	Prototypes bool
	// SkipDeclarationPrototypes, with Prototypes, leaves Declaration
	// events' prototypes nil. A kernel declares its external functions in
	// every unit that calls them (a third of its subprogram entries), and
	// a declaration's prototype matters only for a function no unit
	// defines: decode those few with TypeDecoder.Prototype.
	SkipDeclarationPrototypes bool
	// Prepare, when not nil, is called with each unit in the worker
	// goroutine that decoded it, before the unit reaches Extract's fn:
	// concurrently with other units' Prepare and with fn, in no set
	// order. It may set CompileUnit.Prepared, for work that need not wait
	// for the units before it. An error stops Extract, as fn's does, in
	// unit order.
	//
	// With Prepare, CompileUnit.Protos and everything they reach are valid
	// only until Prepare returns: Extract then sets Protos to nil and the
	// worker reuses their memory for the next unit's. Prepare is the place
	// to turn them into whatever outlives the unit.
	Prepare func(*CompileUnit) error
	// Types decodes the named struct, union, enum and class definitions
	// and the typedefs of every unit (at any depth: local types too) into
	// CompileUnit.Types, with the anonymous types of their members. With
	// Prepare, like Protos, they are valid only until Prepare returns.
	Types bool
	// WantType, with Types, is asked in the worker, before a definition
	// is decoded, whether to decode it; nil decodes every one. A kernel
	// defines its types again in every unit that uses them: a walk that
	// keeps one copy of each says no to the keys it has. unit is the
	// unit's index; calls come from several goroutines at once. A worker
	// asks once per key: after asking for unit i (whatever the answer), it
	// decodes no definition with that key in a unit after i, as a
	// WantType that keeps the first unit to claim each key would answer.
	WantType func(unit int, k *TypeKey) bool
	// Recycle lets Extract reuse a CompileUnit, with its Funcs and Events,
	// for a later unit once fn has returned it: fn must then keep neither
	// the unit nor those slices (the strings in Funcs stay valid as long
	// as the Data). It saves most of the walk's allocations.
	Recycle bool
}

// A Func is a function as DWARF names it: the entry reached by following
// DW_AT_abstract_origin and DW_AT_specification from a subprogram, inlined
// subroutine or call site, with the attributes gathered along that chain
// (the entry's own first).
type Func struct {
	Offset      uint64    // the entry at the end of the chain; identifies the Func
	Unit        int       // index in Data.Units of the unit holding Offset
	Name        string    // DW_AT_name
	LinkageName string    // DW_AT_linkage_name (mangled), if any
	External    bool      // DW_AT_external
	Declaration bool      // the entry at Offset is only a declaration
	Inline      uint8     // DW_AT_inline: 0 not inlined, 1 inlined, 2 declared not inlined, 3 declared inlined
	File        FileEntry // DW_AT_decl_file through the line table of Unit
	HasFile     bool
	Line        uint64 // DW_AT_decl_line
}

// EventKind says what an Event records.
type EventKind uint8

const (
	// Definition: a DW_TAG_subprogram that is neither a declaration nor a
	// concrete copy; it may be abstract (DW_AT_inline, no code) or have code.
	Definition EventKind = iota + 1
	// Declaration: a DW_TAG_subprogram with DW_AT_declaration.
	Declaration
	// ConcreteCopy: a DW_TAG_subprogram with DW_AT_abstract_origin, an
	// out-of-line copy of Func.
	ConcreteCopy
	// Inlined: a DW_TAG_inlined_subroutine of Func inside Caller.
	Inlined
	// Call: a DW_TAG_call_site or DW_TAG_GNU_call_site calling Func from Caller.
	Call
)

func (k EventKind) String() string {
	switch k {
	case Definition:
		return "definition"
	case Declaration:
		return "declaration"
	case ConcreteCopy:
		return "concrete-copy"
	case Inlined:
		return "inlined"
	case Call:
		return "call"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// An Event is one function-related entry of a compile unit.
type Event struct {
	Kind EventKind
	// HasCallFile is set when the entry has DW_AT_call_file: CallFile
	// indexes the unit's line-table files (see LineTable.File), and
	// CallLine is DW_AT_call_line (0 when absent). gcc and clang give them
	// on Inlined events: the source position of the inlined call.
	HasCallFile bool
	CallLine    uint32
	CallFile    uint32
	// Func indexes CompileUnit.Funcs: the function defined, declared,
	// copied, inlined or called.
	Func int32
	// Caller indexes CompileUnit.Funcs for Inlined and Call events: the
	// outermost function enclosing the entry. Calls and inlines inside a
	// concrete copy are attributed to the copy's origin. -1 when the
	// entry is not inside a function.
	Caller int32
	Offset uint64 // the entry that produced the event
	// Addr is DW_AT_low_pc, else an address-class DW_AT_entry_pc, else
	// the start of the first DW_AT_ranges range; for a Call, the return
	// address: DW_AT_call_return_pc, else the GNU call site's DW_AT_low_pc.
	Addr    uint64
	HasAddr bool
}

// A CompileUnit is the function events of one compile (or partial) unit,
// in entry order, and the functions they name. Funcs may include
// functions of other units (cross-unit references, as in LTO builds); their
// Unit field says so.
type CompileUnit struct {
	Unit   *Unit
	Funcs  []Func
	Events []Event
	// Protos is set when ExtractOptions.Prototypes is: Protos[i] is the
	// prototype (see TypeDecoder.Prototype) of Events[i] for Definition,
	// Declaration and ConcreteCopy events, nil for the others. With
	// ExtractOptions.Prepare, fn sees it nil (see there).
	Protos []*Prototype
	// Types is set when ExtractOptions.Types is: the unit's named type
	// definitions that WantType accepted, in entry order. With
	// ExtractOptions.Prepare, fn sees it nil (see there).
	Types []*TypeDefinition
	// Prepared is whatever ExtractOptions.Prepare put there.
	Prepared any
}

// Extract walks every compile and partial unit of .debug_info and calls fn
// with each unit's function events, in unit order (with
// ExtractOptions.Types, also each type unit, of .debug_info and
// .debug_types, holding type definitions only). Units are decoded in
// parallel, a bounded number ahead of fn. It descends only through
// compile units, namespaces, subprograms, lexical blocks and inlined
// subroutines; call sites are read but not descended into. If fn returns
// an error, Extract stops and returns it.
func (d *Data) Extract(opts *ExtractOptions, fn func(*CompileUnit) error) (err error) {
	defer recoverBug(d.name, &err, debug.SetPanicOnFault(true))
	workers := runtime.GOMAXPROCS(0)
	if opts != nil && opts.Concurrency > 0 {
		workers = opts.Concurrency
	}
	var o ExtractOptions
	if opts != nil {
		o = *opts
	}
	n := d.nInfo
	if o.Types {
		n = len(d.units) // and the type units of .debug_types
	}
	workers = max(1, min(workers, n))
	o.SkipDeclarationPrototypes = o.Prototypes && o.SkipDeclarationPrototypes
	var free chan *CompileUnit // units fn is done with, when recycled
	// filled is how far the walk filled the Funcs of each unit it
	// recycled (see keepUnits).
	var filled map[*CompileUnit]int
	if o.Recycle {
		free = make(chan *CompileUnit, 4*workers+1)
		filled = make(map[*CompileUnit]int)
		takeKeptUnits(free, filled)
		defer keepUnits(free, filled) // after the workers have ended (deferred below)
	}
	recycle := func(cu *CompileUnit) {
		if free != nil {
			filled[cu] = max(filled[cu], len(cu.Funcs))
			select {
			case free <- cu:
			default:
			}
		}
	}
	defer d.fmap.trim()
	trim := d.trimmer()
	if workers == 1 {
		w := newExtractor(d, &o, free)
		defer w.release()
		for i := 0; i < n; i++ {
			cu, err := w.run(i)
			if err != nil {
				return err
			}
			if cu != nil {
				if err := fn(cu); err != nil {
					return err
				}
				recycle(cu)
			}
			trim(i)
		}
		return nil
	}

	type result struct {
		cu  *CompileUnit
		err error
	}
	slots := make([]chan result, n)
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	window := make(chan struct{}, 4*workers) // units decoded ahead of fn
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newExtractor(d, &o, free)
			defer w.release()
			for {
				window <- struct{}{}
				i := int(next.Add(1) - 1)
				if i >= n || stop.Load() {
					select { // give back our own token, unless a drain took it
					case <-window:
					default:
					}
					return
				}
				var res result
				func() {
					defer recoverBug(d.name, &res.err, debug.SetPanicOnFault(true))
					res.cu, res.err = w.run(i)
				}()
				slots[i] <- res
			}
		}()
	}
	defer func() {
		stop.Store(true)
		// Unblock workers waiting on the window, then wait for them.
		go func() {
			for range window {
			}
		}()
		wg.Wait()
		close(window)
	}()
	for i := 0; i < n; i++ {
		res := <-slots[i]
		<-window
		if res.err != nil {
			return res.err
		}
		if res.cu != nil {
			if err := fn(res.cu); err != nil {
				return err
			}
			recycle(res.cu)
		}
		trim(i)
	}
	return nil
}

// keptUnits holds recycled units (ExtractOptions.Recycle) that a walk
// is done with, for the next walk: a kernel's modules are read one walk
// each, and each walk grew its first unit's Funcs and Events anew.
var keptUnits = freelist.List[*CompileUnit]{Max: maxKeptUnits}

// Bounds on the units kept, and on the room of those kept.
const (
	maxKeptUnits  = 8
	maxKeptFuncs  = 1 << 14
	maxKeptEvents = 1 << 16
)

// takeKeptUnits hands kept units to a walk's free list, with how far
// their Funcs are filled.
func takeKeptUnits(free chan *CompileUnit, filled map[*CompileUnit]int) {
	for len(free) < cap(free) {
		cu, ok := keptUnits.Get()
		if !ok {
			return
		}
		filled[cu] = len(cu.Funcs)
		free <- cu
	}
}

// keepUnits keeps what is left in a walk's free list once it has ended.
// Their Funcs are cleared: their strings lie in the walk's Data, which
// they must not keep alive. Only as far as the walk filled them, by
// filled: past it a unit's array was cleared when it was kept before, or
// is new (append grew it), and a walk of a small module kept units with
// room for large ones.
func keepUnits(free chan *CompileUnit, filled map[*CompileUnit]int) {
	for {
		var cu *CompileUnit
		select {
		case cu = <-free:
		default:
			return
		}
		if cap(cu.Funcs) > maxKeptFuncs || cap(cu.Events) > maxKeptEvents {
			continue
		}
		clear(cu.Funcs[:min(max(filled[cu], len(cu.Funcs)), cap(cu.Funcs))])
		*cu = CompileUnit{Funcs: cu.Funcs[:0], Events: cu.Events[:0]}
		keptUnits.Put(cu)
	}
}

// trimmer returns a function to call after unit i has been delivered: it
// trims the mapping whenever another trimEvery bytes of .debug_info have
// been, so that the pages read stay few, and forgets the line tables
// read so far (they are parsed again if needed: their strings lie in the
// sections, so they come back the same). Workers reading ahead read the
// pages they need again.
func (d *Data) trimmer() func(i int) {
	if d.fmap == nil || d.fmap.borrowed {
		return func(int) {}
	}
	var last uint64
	return func(i int) {
		if end := d.units[i].End; end-last >= trimEvery {
			last = end
			d.fmap.trim()
			d.forgetLines()
		}
	}
}

// CompileUnits returns an iterator over Extract's units. Iteration stops
// at the first error, which it yields.
func (d *Data) CompileUnits(opts *ExtractOptions) iter.Seq2[*CompileUnit, error] {
	return func(yield func(*CompileUnit, error) bool) {
		errStop := fmt.Errorf("stop")
		err := d.Extract(opts, func(cu *CompileUnit) error {
			if !yield(cu, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			yield(nil, err)
		}
	}
}

// extractWant selects the attributes the walk decodes.
func extractWant(tag dwarf.Tag, attr dwarf.Attr) bool {
	switch tag {
	case dwarf.TagSubprogram:
		switch attr {
		case dwarf.AttrName, dwarf.AttrLinkageName, attrMIPSLinkageName, dwarf.AttrExternal,
			dwarf.AttrDeclaration, dwarf.AttrInline, dwarf.AttrAbstractOrigin, dwarf.AttrSpecification,
			dwarf.AttrLowpc, dwarf.AttrEntrypc, dwarf.AttrRanges, dwarf.AttrDeclFile, dwarf.AttrDeclLine:
			return true
		}
	case dwarf.TagInlinedSubroutine:
		switch attr {
		case dwarf.AttrAbstractOrigin, dwarf.AttrLowpc, dwarf.AttrEntrypc, dwarf.AttrRanges,
			dwarf.AttrCallFile, dwarf.AttrCallLine:
			return true
		}
	case TagCallSite, TagGNUCallSite:
		switch attr {
		case AttrCallOrigin, dwarf.AttrAbstractOrigin, dwarf.AttrCallReturnPC, dwarf.AttrLowpc,
			dwarf.AttrCallFile, dwarf.AttrCallLine:
			return true
		}
	}
	return false
}

const attrMIPSLinkageName dwarf.Attr = 0x2007

// maxDepth bounds entry nesting and reference chains.
const (
	maxDepth = 1 << 12
	maxChain = 16
)

// extractor holds one worker's reusable state.
type extractor struct {
	d     *Data
	r     *Reader // the walk
	res   *Reader // random access for references
	index map[uint64]int32
	stack []int32
	cu    *CompileUnit
	types *TypeDecoder // nil unless prototypes or types are wanted
	// protos decodes prototypes; skipDecl leaves declarations without.
	protos, skipDecl bool
	defs             bool // decode type definitions
	wantType         func(int, *TypeKey) bool
	*typeMemo                   // with wantType
	key              TypeKey    // the one typeDef asks wantType about
	lt               *LineTable // of unit ltFor-1, for typeDef, once ltRead
	ltFor            int
	ltRead           bool
	prepare          func(*CompileUnit) error
	protoRoom        []*Prototype      // with prepare: the room of the last unit's Protos
	free             chan *CompileUnit // units to reuse (ExtractOptions.Recycle), or nil
}

func newExtractor(d *Data, o *ExtractOptions, free chan *CompileUnit) *extractor {
	x := &extractor{d: d, r: d.newReader(extractWant), index: make(map[uint64]int32), free: free,
		protos: o.Prototypes, skipDecl: o.SkipDeclarationPrototypes, defs: o.Types, wantType: o.WantType}
	x.r.room = newTableRoom() // the readers below share it, and it goes to the next walk: see release
	if x.wantType != nil {
		x.typeMemo = newTypeMemo()
		x.typeMemo.secs = [4][]byte{d.str, d.lineStr, d.info, d.types}
	}
	if x.protos || x.defs {
		// One compiled table per unit serves the walk and the type
		// decoder, each in its view.
		walk, dec := extractWant, typesView
		if x.protos {
			walk = extractProtoWant
		}
		if x.defs {
			w0 := walk
			walk = func(tag dwarf.Tag, attr dwarf.Attr) bool { return w0(tag, attr) || walkDefWant(tag, attr) }
			dec = defsView
		}
		x.r.views = &views{want: [2]wantFunc{walk, dec}, n: 2}
		x.r.views.static = extractViews(x.protos, x.defs, x.r.views)
		if o.Prepare != nil {
			x.types = d.newRecycling(x.r.newSharing(1)) // the prototypes die with Prepare: see run
		} else {
			x.types = d.newTypeDecoder(x.r.newSharing(1))
		}
	}
	x.prepare = o.Prepare
	x.res = x.r.newSharing(0) // references: the walk's plans
	x.r.defNames = x.defs     // the walk's own: typeDef reads the names (see defName)
	return x
}

// release gives the worker's memo to the next walk, emptied: its keys
// name places in this walk's sections; its room for compiled tables;
// and its type decoder, when the decoder's results died with Prepare.
func (x *extractor) release() {
	if x.r.room != nil {
		x.r.room.keep()
		x.r.room = nil
	}
	if x.prepare != nil && x.types != nil {
		x.types.keep()
		x.types = nil
	}
	x.releaseTypeMemo()
}

// The want tables of the walks' views, by prototypes and types wanted:
// made once, where each walk's views asked their functions again for
// every tag and attribute of its first tables (a kernel's modules are a
// walk each).
var extractTables [2][2]struct {
	once sync.Once
	t    wantTable
}

// extractViews returns the want table of a walk's views vs, which want
// prototypes and types as protos and defs say.
func extractViews(protos, defs bool, vs *views) *wantTable {
	e := &extractTables[b2i(protos)][b2i(defs)]
	e.once.Do(func() { vs.fillTable(&e.t) })
	return &e.t
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// typesView is what the type decoder reads, in the extraction's tables:
// typesWant, and nothing of the entries it only passes over.
func typesView(tag dwarf.Tag, attr dwarf.Attr) bool {
	return !typesIgnore(tag) && typesWant(tag, attr)
}

// extractProtoWant is extractWant plus what the type decoder needs of a
// subprogram, so that it can start from the walk's entry.
func extractProtoWant(tag dwarf.Tag, attr dwarf.Attr) bool {
	return extractWant(tag, attr) || tag == dwarf.TagSubprogram && (attr == dwarf.AttrType || attr == dwarf.AttrPrototyped)
}

// run extracts unit i and prepares it. The unit's prototypes are then
// dropped and their memory goes to the next unit's.
func (x *extractor) run(i int) (*CompileUnit, error) {
	cu, err := x.unit(i)
	if err != nil || cu == nil || x.prepare == nil {
		return cu, err
	}
	err = x.prepare(cu)
	if x.types != nil {
		x.protoRoom = cu.Protos[:0] // its room serves the next unit
		cu.Protos, cu.Types = nil, nil
		x.types.rewind()
	}
	return cu, err
}

// unit extracts unit i; it returns nil for units without functions
// (type units, unless type definitions are wanted).
func (x *extractor) unit(i int) (*CompileUnit, error) {
	u := &x.d.units[i]
	switch u.Kind {
	case UnitTypeUnit, UnitSplitType:
		if x.defs && u.Kind == UnitTypeUnit {
			return x.typeUnit(u)
		}
		return nil, nil
	case UnitSkeleton, UnitSplitCompile:
		return nil, x.d.sectionErr(".debug_info", u.Offset, ErrUnsupported, "split DWARF unit (the .dwo file is not read)")
	}
	clear(x.index)
	if x.types != nil {
		x.types.Reset()
	}
	var cu *CompileUnit
	select {
	case cu = <-x.free: // a nil channel is never ready
		*cu = CompileUnit{Unit: u, Funcs: cu.Funcs[:0], Events: cu.Events[:0]}
	default:
		cu = &CompileUnit{Unit: u}
	}
	x.cu = cu
	if x.protos && x.prepare != nil {
		x.cu.Protos = x.protoRoom // dropped after Prepare: see run
	}
	r := x.r
	r.limit = i + 1 // an empty unit has no root entry: do not walk the next unit's
	if err := r.seekUnit(i); err != nil {
		return nil, err
	}
	root, err := r.next()
	if err != nil {
		return nil, err
	}
	if root == nil || root.Tag == 0 || !root.Children {
		return x.cu, nil
	}
	x.stack = append(x.stack[:0], -1)
	for len(x.stack) > 0 {
		if r.b.off >= r.b.end {
			break // the unit ends without closing every list; tolerated, as debug/dwarf does
		}
		e, err := r.next()
		if err != nil {
			return nil, err
		}
		if e.Tag == 0 {
			x.stack = x.stack[:len(x.stack)-1]
			continue
		}
		caller := x.stack[len(x.stack)-1]
		descend := false
		switch e.Tag {
		case dwarf.TagSubprogram:
			fn, kind, err := x.subprogram(e)
			if err != nil {
				return nil, err
			}
			if kind != Declaration {
				descend = true
				if caller < 0 {
					caller = fn
				}
			}
		case dwarf.TagInlinedSubroutine:
			if f := e.Field(dwarf.AttrAbstractOrigin); f != nil && f.IsRef() {
				fn, err := x.resolve(f.Val, e.Offset)
				if err != nil {
					return nil, err
				}
				if fn >= 0 {
					if err := x.emit(Inlined, fn, caller, e); err != nil {
						return nil, err
					}
				}
			}
			descend = true
		case TagCallSite, TagGNUCallSite:
			f := e.Field(AttrCallOrigin)
			if f == nil {
				f = e.Field(dwarf.AttrAbstractOrigin)
			}
			if f != nil && f.IsRef() {
				fn, err := x.resolve(f.Val, e.Offset)
				if err != nil {
					return nil, err
				}
				if fn >= 0 {
					if err := x.emit(Call, fn, caller, e); err != nil {
						return nil, err
					}
				}
			}
		case dwarf.TagLexDwarfBlock, dwarf.TagNamespace:
			descend = true
		case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType, dwarf.TagClassType, dwarf.TagTypedef:
			if x.defs {
				if err := x.typeDef(e); err != nil {
					return nil, err
				}
			}
		}
		if e.Children {
			if descend {
				if len(x.stack) >= maxDepth {
					return nil, x.d.sectionErr(".debug_info", e.Offset, ErrMalformed, "entries nested too deeply")
				}
				x.stack = append(x.stack, caller)
			} else {
				r.SkipChildren()
				if r.err != nil {
					return nil, r.err
				}
			}
		}
	}
	return x.cu, nil
}

// subprogram records a DW_TAG_subprogram and returns its Func index and kind.
func (x *extractor) subprogram(e *Entry) (int32, EventKind, error) {
	if f := e.Field(dwarf.AttrAbstractOrigin); f != nil && f.IsRef() {
		fn, err := x.resolve(f.Val, e.Offset)
		if err != nil || fn < 0 {
			return fn, ConcreteCopy, err
		}
		return fn, ConcreteCopy, x.emit(ConcreteCopy, fn, -1, e)
	}
	kind := Definition
	if v, ok := e.Val(dwarf.AttrDeclaration); ok && v != 0 {
		kind = Declaration
	}
	fn, err := x.funcOf(e)
	if err != nil || fn < 0 {
		return fn, kind, err
	}
	return fn, kind, x.emit(kind, fn, -1, e)
}

// emit records an event. Its address is DW_AT_low_pc, else an
// address-class DW_AT_entry_pc, else the start of the first DW_AT_ranges
// range (functions split into hot and cold parts have only ranges).
func (x *extractor) emit(kind EventKind, fn, caller int32, e *Entry) error {
	ev := Event{Kind: kind, Func: fn, Caller: caller, Offset: e.Offset}
	if kind == Call || kind == Inlined {
		if f := e.Field(dwarf.AttrCallFile); f != nil {
			ev.CallFile, ev.HasCallFile = uint32(min(f.Val, 1<<32-1)), true
		}
		if v, ok := e.Val(dwarf.AttrCallLine); ok {
			ev.CallLine = uint32(min(v, 1<<32-1))
		}
	}
	if kind == Call {
		if f := e.Field(dwarf.AttrCallReturnPC); f != nil && isAddrForm(f.Form) {
			ev.Addr, ev.HasAddr = f.Val, true
		} else if f := e.Field(dwarf.AttrLowpc); f != nil && isAddrForm(f.Form) {
			ev.Addr, ev.HasAddr = f.Val, true
		}
	} else if kind != Declaration {
		if v, ok := e.Val(dwarf.AttrLowpc); ok {
			ev.Addr, ev.HasAddr = v, true
		} else if f := e.Field(dwarf.AttrEntrypc); f != nil && isAddrForm(f.Form) {
			ev.Addr, ev.HasAddr = f.Val, true
		} else if f := e.Field(dwarf.AttrRanges); f != nil {
			a, ok, err := x.d.firstRangeStart(x.cu.Unit, f)
			if err != nil {
				return err
			}
			ev.Addr, ev.HasAddr = a, ok
		}
	}
	var p *Prototype
	if x.protos && kind != Call && kind != Inlined && !(kind == Declaration && x.skipDecl) {
		// The type decoder has its own reader: the walk's position and e
		// are left alone.
		var err error
		if x.r.last == e.Offset {
			// e is the walk's entry: the reader is on its first child.
			p, err = x.types.protoOf(e, uint64(x.r.b.off)|x.r.bias)
		} else {
			p, err = x.types.prototype(e.Offset)
		}
		if err != nil {
			return err
		}
	}
	x.cu.Events = append(x.cu.Events, ev)
	if x.protos {
		x.cu.Protos = append(x.cu.Protos, p)
	}
	return nil
}

func isAddrForm(f Form) bool {
	switch f {
	case FormAddr, FormAddrx, FormAddrx1, FormAddrx2, FormAddrx3, FormAddrx4, FormGNUAddrIndex:
		return true
	}
	return false
}

// resolve returns the Func of the entry at off, or -1 when that entry is
// not a subprogram. from is the referring entry, for errors.
func (x *extractor) resolve(off, from uint64) (int32, error) {
	if i, ok := x.index[off]; ok {
		return i, nil
	}
	r := x.res
	if err := r.Seek(off); err != nil {
		return -1, x.d.sectionErr(".debug_info", from&^TypesBit, ErrBadReference, fmt.Sprintf("reference to %#x: %v", off, err))
	}
	e, err := r.next()
	if err != nil {
		return -1, err
	}
	if e == nil || e.Offset != off {
		return -1, x.d.sectionErr(".debug_info", from&^TypesBit, ErrBadReference, fmt.Sprintf("reference to %#x names no entry", off))
	}
	if e.Tag != dwarf.TagSubprogram {
		x.index[off] = -1
		return -1, nil
	}
	fn, err := x.funcOfWith(e, r)
	if err == nil {
		x.index[off] = fn
	}
	return fn, err
}

// funcOf returns the Func for a subprogram entry decoded by the walk.
func (x *extractor) funcOf(e *Entry) (int32, error) {
	if i, ok := x.index[e.Offset]; ok {
		return i, nil
	}
	fn, err := x.funcOfWith(e, x.res)
	if err == nil {
		x.index[e.Offset] = fn
	}
	return fn, err
}

// funcOfWith builds the Func of subprogram e, following its origin and
// specification chain with the random-access reader r (which may be the
// one that decoded e: e's fields are consumed before r moves).
func (x *extractor) funcOfWith(e *Entry, r *Reader) (int32, error) {
	var f Func
	var fileIdx uint64
	hasFile, hasInline := false, false
	fileUnit := -1
	for hop := 0; ; hop++ {
		u := x.cu.Unit // most chains stay in the unit being walked
		if e.Offset < u.EntryOffset || e.Offset >= u.End {
			u, _ = x.d.UnitAt(e.Offset)
		}
		var next uint64
		for i := range e.Fields {
			fl := &e.Fields[i]
			switch fl.Attr {
			case dwarf.AttrName:
				if f.Name == "" {
					f.Name = fl.Str()
				}
			case dwarf.AttrLinkageName, attrMIPSLinkageName:
				if f.LinkageName == "" {
					f.LinkageName = fl.Str()
				}
			case dwarf.AttrExternal:
				f.External = f.External || fl.Val != 0
			case dwarf.AttrInline:
				if !hasInline {
					f.Inline, hasInline = uint8(fl.Val), true
				}
			case dwarf.AttrDeclFile:
				if !hasFile && u != nil {
					fileIdx, hasFile, fileUnit = fl.Val, true, u.Index
				}
			case dwarf.AttrDeclLine:
				if f.Line == 0 {
					f.Line = fl.Val
				}
			case dwarf.AttrAbstractOrigin, dwarf.AttrSpecification:
				if fl.IsRef() && next == 0 {
					next = fl.Val
				}
			}
		}
		f.Offset = e.Offset
		if u != nil {
			f.Unit = u.Index
		}
		v, ok := e.Val(dwarf.AttrDeclaration)
		f.Declaration = ok && v != 0
		if next == 0 {
			break
		}
		if hop >= maxChain || next == e.Offset {
			return -1, x.d.sectionErr(".debug_info", e.Offset&^TypesBit, ErrBadReference, "abstract origin / specification chain too long or circular")
		}
		if i, ok := x.index[next]; ok && i >= 0 && hop == 0 && f.Name == "" && !hasFile && f.Line == 0 {
			// A plain link to a function already known: reuse it.
			return i, nil
		}
		if err := r.Seek(next); err != nil {
			return -1, x.d.sectionErr(".debug_info", e.Offset&^TypesBit, ErrBadReference, fmt.Sprintf("reference to %#x: %v", next, err))
		}
		ne, err := r.next()
		if err != nil {
			return -1, err
		}
		if ne == nil || ne.Offset != next {
			return -1, x.d.sectionErr(".debug_info", e.Offset&^TypesBit, ErrBadReference, fmt.Sprintf("reference to %#x names no entry", next))
		}
		if ne.Tag != dwarf.TagSubprogram {
			break
		}
		e = ne
	}
	if hasFile {
		lt, err := x.d.LineTable(&x.d.units[fileUnit])
		if err != nil {
			return -1, err
		}
		if lt != nil {
			f.File, f.HasFile = lt.File(fileIdx)
		}
	}
	if i, ok := x.index[f.Offset]; ok && i >= 0 && x.cu.Funcs[i] == f {
		return i, nil
	}
	x.cu.Funcs = append(x.cu.Funcs, f)
	i := int32(len(x.cu.Funcs) - 1)
	if _, ok := x.index[f.Offset]; !ok {
		x.index[f.Offset] = i
	}
	return i, nil
}
