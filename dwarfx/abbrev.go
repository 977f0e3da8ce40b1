package dwarfx

import (
	"debug/dwarf"
	"fmt"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// wantFunc says whether an attribute of an entry with the given tag is
// decoded; attributes not wanted are skipped by size. nil wants everything.
type wantFunc func(tag dwarf.Tag, attr dwarf.Attr) bool

var wantAll wantFunc

// views are the want functions of readers that share compiled tables. A
// table compiled for them holds one plan per view: a reader decodes with
// its own, so that readers wanting different attributes of the same
// unit (the extraction walk and the type decoder) compile it once.
type views struct {
	want [2]wantFunc
	n    int       // views in use: 1 or 2
	memo *wantMemo // what wants answered, made on first use
	// static, when not nil, holds the answers for the tags and
	// attributes of the standard's ranges, shared by every walk whose
	// views want the same (see extractViews).
	static *wantTable
}

// A wantTable holds the views that want each tag and attribute below
// wantTags and wantAttrs (DWARF 5's, with room).
type wantTable [wantTags][wantAttrs]uint8

const (
	wantTags  = 0x50
	wantAttrs = 0x90
)

// fillTable answers every tag and attribute of t.
func (vs *views) fillTable(t *wantTable) {
	for tag := range wantTags {
		for attr := range wantAttrs {
			t[tag][attr] = vs.ask(dwarf.Tag(tag), dwarf.Attr(attr))
		}
	}
}

// A wantMemo remembers, by tag and attribute, which views want them: a
// kernel's every unit has an abbreviation table of its own, and asking
// the want functions for every attribute of every table cost more than
// looking their answers up.
type wantMemo [wantMemoSize]struct {
	key  uint32 // tag<<16 | attr
	bits uint8  // the views that want it, | wantKnown; 0: empty
}

const (
	wantMemoBits = 10
	wantMemoSize = 1 << wantMemoBits
	wantKnown    = 0x80
)

// wants returns the views (bit v for view v) that decode attr of an entry
// with the given tag.
func (vs *views) wants(tag dwarf.Tag, attr dwarf.Attr) uint8 {
	if vs.static != nil && tag < wantTags && attr < wantAttrs {
		return vs.static[tag][attr]
	}
	if tag >= 1<<16 || attr >= 1<<16 {
		return vs.ask(tag, attr)
	}
	if vs.memo == nil {
		vs.memo = new(wantMemo)
	}
	key := uint32(tag)<<16 | uint32(attr)
	e := &vs.memo[(key*0x9e3779b1)>>(32-wantMemoBits)]
	if e.bits != 0 && e.key == key {
		return e.bits &^ wantKnown
	}
	bits := vs.ask(tag, attr)
	e.key, e.bits = key, bits|wantKnown
	return bits
}

// ask asks the want functions.
func (vs *views) ask(tag dwarf.Tag, attr dwarf.Attr) uint8 {
	var bits uint8
	for v := range vs.n {
		if w := vs.want[v]; w == nil || w(tag, attr) {
			bits |= 1 << v
		}
	}
	return bits
}

// oneView is the views of a reader that shares its tables with no other.
func oneView(want wantFunc) *views { return &views{want: [2]wantFunc{want}, n: 1} }

// attrOp is one step of a decode plan.
type attrOp struct {
	attr     dwarf.Attr
	form     Form
	size     int32 // encoded size when fixed, sizeVar when it depends on the data, sizeBad for an unknown form
	want     uint8 // the views (bit v for view v) that decode it into Entry.Fields
	sibling  bool  // DW_AT_sibling: always decoded, for SkipChildren
	implicit int64 // DW_FORM_implicit_const value
}

const (
	sizeVar = -1
	sizeBad = -2
)

// abbrev is a compiled abbreviation: the plan for decoding entries using it.
type abbrev struct {
	tag      dwarf.Tag
	children bool
	ops      []attrOp
	fixed    [2]int32 // per view: the total size when no op needs decoding and all are fixed, else -1
	defined  bool

	first, end int32 // where compileTable has the ops, until it sets ops
}

// table is a compiled abbreviation table for one unit format.
type table struct {
	dense  []abbrev // dense[code] for small codes (dense[0] unused)
	sparse map[uint64]*abbrev
}

func (t *table) lookup(code uint64) *abbrev {
	if code < uint64(len(t.dense)) {
		if a := &t.dense[code]; a.defined {
			return a
		}
		return nil
	}
	return t.sparse[code]
}

// tableKey identifies a compiled table: the same bytes compile differently
// for different address and offset sizes.
type tableKey struct {
	off      uint64
	addrSize int8
	format64 bool
	v2       bool
}

// fixedSize returns the encoded size of form in unit u, sizeVar or sizeBad.
func fixedSize(form Form, u *Unit) int32 {
	switch form {
	case FormAddr:
		return int32(u.AddrSize)
	case FormData1, FormRef1, FormFlag, FormStrx1, FormAddrx1:
		return 1
	case FormData2, FormRef2, FormStrx2, FormAddrx2:
		return 2
	case FormStrx3, FormAddrx3:
		return 3
	case FormData4, FormRef4, FormStrx4, FormAddrx4, FormRefSup4:
		return 4
	case FormData8, FormRef8, FormRefSig8, FormRefSup8:
		return 8
	case FormData16:
		return 16
	case FormStrp, FormLineStrp, FormSecOffset, FormStrpSup, FormGNURefAlt, FormGNUStrpAlt:
		return int32(u.offSize())
	case FormRefAddr:
		if u.Version == 2 {
			return int32(u.AddrSize)
		}
		return int32(u.offSize())
	case FormFlagPresent, FormImplicitConst:
		return 0
	case FormString, FormBlock, FormBlock1, FormBlock2, FormBlock4, FormExprloc, FormSdata, FormUdata,
		FormRefUdata, FormStrx, FormAddrx, FormLoclistx, FormRnglistx, FormIndirect,
		FormGNUAddrIndex, FormGNUStrIndex:
		return sizeVar
	}
	return sizeBad
}

// formSizes are fixedSize's results for the forms below len(formSizes) in
// one unit, looked up once per table instead of once per attribute.
type formSizes [0x2d]int32

func (s *formSizes) fill(u *Unit) {
	for f := range s {
		s[f] = fixedSize(Form(f), u)
	}
}

// of returns fixedSize(form, u).
func (s *formSizes) of(form Form, u *Unit) int32 {
	if uint64(form) < uint64(len(s)) {
		return s[form]
	}
	return fixedSize(form, u)
}

// compileTable parses the abbreviation table at u.AbbrevOffset and compiles
// a decode plan for each abbreviation, in every view of vs, in memory
// taken from room (nil: allocated). The table is read once: its plans and
// abbreviations go to scratch lists the room keeps, then to where lookups
// find them.
func (d *Data) compileTable(u *Unit, vs *views, room *tableRoom) (*table, error) {
	b := d.newDecoder(d.abbrev, ".debug_abbrev")
	b.off = int(u.AbbrevOffset)
	var ops []attrOp
	var scratch []abbrev
	var codes []uint64 // of scratch
	if room != nil {
		ops, scratch, codes = room.scratchOps[:0], room.scratch[:0], room.codes[:0]
	}
	var sizes formSizes
	sizes.fill(u)
	var maxCode uint64
	for {
		start := b.off
		code := b.uleb()
		if b.err != nil {
			return nil, b.err
		}
		if code == 0 {
			break
		}
		maxCode = max(maxCode, code)
		tag := dwarf.Tag(b.uleb())
		a := abbrev{tag: tag, children: b.u8() != 0, defined: true}
		first := len(ops)
		var fixed [2]int32 // per view: what fixedPlan gives (TestCompileTableErrors checks it)
		for {
			attr := dwarf.Attr(b.uleb())
			at := b.off
			form := Form(b.uleb())
			if b.err != nil {
				return nil, b.err
			}
			if attr == 0 && form == 0 {
				break
			}
			size := sizes.of(form, u)
			if size == sizeBad && form != FormIndirect {
				return nil, d.badForm(u, form, at, code, tag, attr)
			}
			op := attrOp{attr: attr, form: form, size: size}
			if form == FormImplicitConst {
				op.implicit = b.sleb()
			}
			if len(ops)-first >= 1<<12 {
				return nil, d.sectionErr(".debug_abbrev", uint64(start), ErrMalformed, "abbreviation with too many attributes")
			}
			op.sibling = attr == dwarf.AttrSibling
			op.want = vs.wants(tag, attr)
			for v := range vs.n {
				if op.want&(1<<v) != 0 || op.sibling || op.size < 0 {
					fixed[v] = -1
				} else if fixed[v] >= 0 {
					fixed[v] += op.size
				}
			}
			ops = append(ops, op)
		}
		a.fixed = fixed                                // 0 for a view not in vs
		a.first, a.end = int32(first), int32(len(ops)) // the ops' place until ops stops growing
		scratch = append(scratch, a)
		codes = append(codes, code)
	}
	if room != nil {
		room.scratchOps, room.scratch, room.codes = ops, scratch, codes // keep what they grew to
		ops = append(room.ops(len(ops))[:0], ops...)
	}
	t := &table{}
	var all []abbrev // with sparse codes: in table order
	if maxCode < uint64(2*len(scratch)+64) {
		t.dense = room.abbrevs(int(maxCode) + 1)
	} else {
		all = make([]abbrev, 0, len(scratch))
		t.sparse = make(map[uint64]*abbrev, len(scratch))
	}
	for i := range scratch {
		a, code := scratch[i], codes[i]
		a.ops = ops[a.first:a.end:a.end]
		if t.dense != nil {
			if t.dense[code].defined {
				return nil, d.dupAbbrev(u, code)
			}
			t.dense[code] = a
			continue
		}
		if t.sparse[code] != nil {
			return nil, d.dupAbbrev(u, code)
		}
		all = append(all, a) // within its capacity: the pointers stay good
		t.sparse[code] = &all[len(all)-1]
	}
	return t, nil
}

func (d *Data) dupAbbrev(u *Unit, code uint64) error {
	return d.sectionErr(".debug_abbrev", u.AbbrevOffset, ErrMalformed, fmt.Sprintf("abbreviation code %d defined twice", code))
}

// fixedPlan returns the size of an entry whose plan is ops, when the view
// selected by mask decodes none of them and all have a fixed size; else -1.
func fixedPlan(ops []attrOp, mask uint8) int32 {
	n := int32(0)
	for _, op := range ops {
		if op.want&mask != 0 || op.sibling || op.size < 0 {
			return -1
		}
		n += op.size
	}
	return n
}

// rootTable compiles only the abbreviation that u's root entry uses, with
// every attribute wanted: reading a unit's root attributes needs no more,
// and a kernel's every unit has a table of its own.
//
// The table is made in sc, whose memory the next call reuses.
func (d *Data) rootTable(u *Unit, sc *rootScratch) (*table, error) {
	data, sec := d.sectionFor(u.inTypes())
	eb := d.newDecoder(data, sec)
	eb.off, eb.end = int(u.EntryOffset&^TypesBit), int(u.End&^TypesBit)
	code := eb.uleb()
	if eb.err != nil {
		return nil, eb.err
	}
	b := d.newDecoder(d.abbrev, ".debug_abbrev")
	b.off = int(u.AbbrevOffset)
	for {
		start := b.off
		c := b.uleb()
		if b.err != nil {
			return nil, b.err
		}
		if c == 0 {
			sc.t = table{} // the entry's decoding reports the unknown code
			return &sc.t, nil
		}
		a := abbrev{tag: dwarf.Tag(b.uleb()), children: b.u8() != 0, defined: true, ops: sc.ops[:0]}
		for n := 0; ; n++ {
			attr := dwarf.Attr(b.uleb())
			at := b.off
			form := Form(b.uleb())
			if b.err != nil {
				return nil, b.err
			}
			if attr == 0 && form == 0 {
				break
			}
			if err := d.checkForm(u, form, at, c, a.tag, attr); err != nil {
				return nil, err
			}
			op := attrOp{attr: attr, form: form, size: fixedSize(form, u), want: 0xff, sibling: attr == dwarf.AttrSibling}
			if form == FormImplicitConst {
				op.implicit = b.sleb()
			}
			if n >= 1<<12 {
				return nil, d.sectionErr(".debug_abbrev", uint64(start), ErrMalformed, "abbreviation with too many attributes")
			}
			if c == code {
				a.ops = append(a.ops, op)
			}
		}
		if c == code {
			if len(a.ops) > 0 {
				a.fixed = [2]int32{-1, -1}
			}
			sc.ops = a.ops[:0] // keep what it grew to
			a.ops = a.ops[:len(a.ops):len(a.ops)]
			sc.a = a
			if sc.t.sparse == nil {
				sc.t.sparse = make(map[uint64]*abbrev, 1)
			}
			clear(sc.t.sparse)
			sc.t.sparse[code] = &sc.a
			return &sc.t, nil
		}
	}
}

// rootScratch is the memory of rootTable's tables: every unit of a
// kernel has a table of its own, and parsing the units made one each.
type rootScratch struct {
	t   table
	a   abbrev
	ops []attrOp
}

// checkForm checks the form of an attribute specification of the
// abbreviation table of u, at offset at of .debug_abbrev: a form no DWARF
// version defines means the table is corrupt, and is reported there, not
// at the first entry that uses it. A form in the vendor range that this
// package does not know is unsupported instead.
func (d *Data) checkForm(u *Unit, form Form, at int, code uint64, tag dwarf.Tag, attr dwarf.Attr) error {
	if form == FormIndirect || fixedSize(form, u) != sizeBad {
		return nil
	}
	return d.badForm(u, form, at, code, tag, attr)
}

// badForm is the error of checkForm for a form it does not accept.
func (d *Data) badForm(u *Unit, form Form, at int, code uint64, tag dwarf.Tag, attr dwarf.Attr) error {
	what := fmt.Sprintf("abbreviation %d (%v) gives %v the form %#x", code, tag, attr, uint64(form))
	if form >= 0x1f00 && form <= 0x1fff {
		return d.sectionErr(".debug_abbrev", uint64(at), ErrUnsupported,
			fmt.Sprintf("the abbreviation table at %#x uses a vendor form this reader does not know: %s", u.AbbrevOffset, what))
	}
	return d.sectionErr(".debug_abbrev", uint64(at), ErrMalformed,
		fmt.Sprintf("the abbreviation table at %#x is corrupt: %s, which no DWARF version defines", u.AbbrevOffset, what))
}

// A tableRoom is memory for compiled tables that a walk takes and gives
// to the next walk once it ends (see keep), its tables dropped by then:
// a kernel's modules are read one walk each, and compiling each module's
// tables into memory of their own allocated a tenth of what the whole
// read allocated. A table that does not fit in what is left of the room
// is allocated, so a long walk (vmlinux's) uses the room once and then
// allocates, freeing tables as it drops them.
type tableRoom struct {
	abbrev  []abbrev
	op      []attrOp
	na, nop int // what is handed out: abbrev[:na], op[:nop]

	scratchOps []attrOp // compileTable's, between tables
	scratch    []abbrev
	codes      []uint64
}

// Room sizes: what the tables of a big module take.
const (
	roomAbbrevs = 1 << 12
	roomOps     = 1 << 14
)

// tableRooms holds the rooms walks and decoders gave on: as many as
// run at once on a machine of a few cores.
var tableRooms = freelist.List[*tableRoom]{Max: 16}

func newTableRoom() *tableRoom {
	if r := reusedTableRoom(); r != nil {
		return r
	}
	return &tableRoom{abbrev: make([]abbrev, roomAbbrevs), op: make([]attrOp, roomOps)}
}

// reusedTableRoom returns a room a walk or decoder gave on, or nil when
// there is none: a decoder, which may compile little and never be
// released, takes a room only where one waits, and allocates none.
func reusedTableRoom() *tableRoom {
	r, _ := tableRooms.Get()
	return r
}

// abbrevs returns n zeroed abbreviations.
func (r *tableRoom) abbrevs(n int) []abbrev {
	if r == nil {
		return make([]abbrev, n)
	}
	return carve(r.abbrev, &r.na, n)
}

// ops returns n zeroed ops.
func (r *tableRoom) ops(n int) []attrOp {
	if r == nil {
		return make([]attrOp, n)
	}
	return carve(r.op, &r.nop, n)
}

// carve returns the n elements of room after the *used taken so far, and
// takes them; where fewer are left, n new ones.
func carve[T any](room []T, used *int, n int) []T {
	if *used+n > len(room) {
		return make([]T, n)
	}
	s := room[*used : *used+n : *used+n]
	*used += n
	return s
}

// keep gives the room to the next walk: no table compiled in it is used
// any more.
func (r *tableRoom) keep() {
	clear(r.abbrev[:r.na])
	clear(r.op[:r.nop])
	r.na, r.nop = 0, 0
	tableRooms.Put(r)
}
