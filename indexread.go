package kabi

import (
	"debug/elf"
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"
	"weak"

	"github.com/kabi-dev/kabi/internal/index"
)

// indexed is the state of a Build loaded from an index file: the file's
// header, directory and metadata, read when it is opened; everything
// else (string chunks, the name directory, blocks, unattached symbols,
// types, type definitions, hooks) is read, verified and decoded on first
// use, each once, so that a question about one name reads a few small
// sections of the file.
type indexed struct {
	file  *index.File
	name  string
	rules uint64 // the surface rules it was written under

	attach AttachSources
	modSrc map[string]AttachSources // per module

	n     int // functions
	nstr  int // strings, "" included
	nsyms int // symbols, attached or not

	strSec []int // the section of each string chunk
	strs   []stringChunk

	funcOnce sync.Once
	dir      []string // the name of every strChunk-th function
	demIdx   []int32  // the functions with a demangled name
	demRef   []uint32 // and those names
	funcErr  error

	demOnce sync.Once
	byDem   map[string]int32

	blockSec []int // the section of each block
	blocks   []indexBlock
	keptMu   sync.Mutex
	kept     [keptBlocks]*[blockLen]Function // the blocks decoded last, a ring
	keptNext int
	decoded  func(k int) // if not nil, called as block k is decoded (by tests)

	orphOnce sync.Once
	orphans  []Symbol // the unattached symbols, in symbol-table order
	orphPos  []int32  // their positions in the symbol table
	orphErr  error
	// orphByName indexes the unattached symbols by name for
	// Build.Symbol, on its first question about one.
	orphByName symbolIndex

	allOnce  sync.Once
	all      []*Symbol // every symbol in symbol-table order
	allOrphs []*Symbol
	allErr   error

	hookOnce sync.Once
	hooks    *hookSet

	typeOnce  sync.Once
	typeErr   error
	typeTab   *strTab  // the strings of the type records
	typeData  []byte   // the type records
	typeOffs  []uint32 // type i is typeData[typeOffs[i]:typeOffs[i+1]]
	typeMu    sync.Mutex
	types     []*Type // types[0] is nil; the others as they are decoded
	typeNodes []int32 // per decoded type, its size written out as a tree
	typeDepth []int32 // and its depth
	typeErrs  map[int]error

	defSec   []int // the typedefs sections: head, typedefs, chunks
	headOnce sync.Once
	defHead  *defDirectory
	headErr  error
	defOnce  sync.Once
	defs     *types // the struct, union and enum definitions (index_types.go)
	defErr   error

	errMu sync.Mutex
	err   error
}

type stringChunk struct {
	once sync.Once
	blob string   // the chunk's bytes
	offs []uint32 // its string k is blob[offs[k]:offs[k+1]]
	err  error
}

// sourcesOf is Build.ModuleAttachSources.
func (x *indexed) sourcesOf(module string) AttachSources {
	if module == "" {
		return x.attach
	}
	return x.modSrc[module]
}

// attachSourcesOf decodes the attach sources' bits.
func attachSourcesOf(src byte) AttachSources {
	return AttachSources{FtraceList: src&srcFtraceList != 0, KprobeBlacklist: src&srcKprobeBlacklist != 0, BTF: src&srcBTF != 0}
}

// An indexBlock is one block of functions, decoded when used. The
// Build holds only the keptBlocks decoded last (see indexed.block); the
// others are held weakly: while a caller holds one of a block's
// functions or symbols, the block is still there and is handed out
// again, the same values; once no one does, the collector reclaims it,
// and the block is decoded again when next asked for. So a walk over
// every function of many builds (a site, a diff) holds a few blocks of
// each, and a pointer a caller keeps stays the build's: a function's
// Symbols are those of Build.Symbols, and Function returns what it
// returned before.
type indexBlock struct {
	mu   sync.Mutex
	fns  weak.Pointer[[blockLen]Function] // the functions of the last decoding
	syms weak.Pointer[Symbol]             // the first of its nsym symbols
	nsym int
	pos  []int32 // the symbols' positions in the symbol table
	err  error   // a decoding error: the block is not decoded again
}

// keptBlocks is how many decoded blocks an index-backed Build holds
// besides those its callers hold: a walk in name order uses one block of
// each build at a time.
const keptBlocks = 4

// str returns string i.
func (x *indexed) str(i uint32) (string, error) {
	if i == 0 {
		return "", nil
	}
	c := int(i-1) / strChunk
	ch := &x.strs[c]
	ch.once.Do(func() {
		defer recoverBug(x.name, &ch.err)
		ch.err = x.decodeStrings(c, ch)
		if ch.err != nil {
			ch.blob, ch.offs = "", nil
			x.fail(ch.err)
		}
	})
	if ch.err != nil {
		return "", ch.err
	}
	k := int(i-1) % strChunk
	return ch.blob[ch.offs[k]:ch.offs[k+1]], nil
}

// A strTab is the string table of one section: string i (from 1) is
// blob[offs[i-1]:offs[i]]; 0 is "".
type strTab struct {
	blob string
	offs []uint32
}

// readTab reads the string table at the start of a section.
func readTab(d *index.Dec) *strTab {
	n := d.Count(1)
	t := &strTab{offs: make([]uint32, n+1)}
	if total, ok := readLengths(d, t.offs); ok {
		t.blob = string(d.Raw(int(total)))
	}
	return t
}

// readLengths reads len(offs)-1 string lengths into offs as end offsets
// (offs[0] stays 0) and returns their total; false, with d stopped, when
// they add up to more than the rest of the section. A length is checked
// before it is added, so a huge one cannot wrap the total around.
func readLengths(d *index.Dec, offs []uint32) (uint64, bool) {
	var total uint64
	for i := 1; i < len(offs); i++ {
		v := d.Uvarint()
		if v > uint64(d.Left())-total {
			d.Fail("strings longer than the section")
			return 0, false
		}
		total += v
		offs[i] = uint32(total)
	}
	return total, true
}

// An sdec decodes a section with a string table of its own.
type sdec struct {
	*index.Dec
	tab *strTab
}

// str reads a string reference.
func (d *sdec) str() string {
	i := d.Ref(len(d.tab.offs))
	if i == 0 || d.Err() != nil {
		return ""
	}
	return d.tab.blob[d.tab.offs[i-1]:d.tab.offs[i]]
}

// newSdec returns a decoder over a section that starts with its string
// table.
func newSdec(data []byte, file, section string) *sdec {
	d := index.NewDec(data, file, section)
	return &sdec{d, readTab(d)}
}

// fname returns the name of function i (string i+1).
func (x *indexed) fname(i int) (string, error) { return x.str(uint32(i + 1)) }

func (x *indexed) decodeStrings(c int, ch *stringChunk) error {
	data, err := x.file.Section(x.strSec[c])
	if err != nil {
		return err
	}
	d := index.NewDec(data, x.name, fmt.Sprintf("strings %d", c))
	n := min(strChunk, x.nstr-1-c*strChunk)
	ch.offs = make([]uint32, n+1)
	if total, ok := readLengths(d, ch.offs); ok && d.Err() == nil {
		if total != uint64(d.Left()) {
			d.Fail("the strings take %d bytes, the section has %d", total, d.Left())
		} else {
			ch.blob = string(d.Raw(int(total)))
		}
	}
	if err := d.Done(); err != nil {
		return err
	}
	// The function names (strings 1 to n) are sorted, and each chunk
	// agrees with the name directory.
	first := c * strChunk // the function of the chunk's first string
	if first >= x.n {
		return nil
	}
	if err := x.loadFuncs(); err != nil {
		return err
	}
	last := min(first+n, x.n) // functions first..last-1 are in this chunk
	name := func(i int) string { k := i - first; return ch.blob[ch.offs[k]:ch.offs[k+1]] }
	bad := func(msg string, args ...any) error {
		return &index.FormatError{File: x.name, Section: fmt.Sprintf("strings %d", c), Err: index.ErrCorrupt, Msg: fmt.Sprintf(msg, args...)}
	}
	if name(first) != x.dir[c] {
		return bad("function %d is %q, the name directory says %q", first, name(first), x.dir[c])
	}
	for i := first + 1; i < last; i++ {
		if name(i-1) >= name(i) {
			return bad("function names out of order at %d", i)
		}
	}
	if c+1 < len(x.dir) && name(last-1) >= x.dir[c+1] {
		return bad("function %d (%q) is not before the next chunk's first", last-1, name(last-1))
	}
	return nil
}

// fail records the first lazy decoding error.
func (x *indexed) fail(err error) {
	x.errMu.Lock()
	if x.err == nil {
		x.err = err
	}
	x.errMu.Unlock()
}

func (x *indexed) firstErr() error {
	x.errMu.Lock()
	defer x.errMu.Unlock()
	return x.err
}

// sections returns the sections of kind k.
func (x *indexed) sections(k index.Kind) []int {
	var out []int
	for i, s := range x.file.Sections {
		if s.Kind == k {
			out = append(out, i)
		}
	}
	return out
}

// section decodes the only section of kind k.
func (x *indexed) section(k index.Kind) (*index.Dec, error) {
	found := x.sections(k)
	if len(found) > 1 {
		return nil, &index.FormatError{File: x.name, Section: "directory", Err: index.ErrCorrupt, Msg: fmt.Sprintf("%d %s sections", len(found), k)}
	}
	if len(found) == 0 {
		return nil, &index.FormatError{File: x.name, Section: "directory", Err: index.ErrCorrupt, Msg: fmt.Sprintf("no %s section", k)}
	}
	data, err := x.file.Section(found[0])
	if err != nil {
		return nil, err
	}
	return index.NewDec(data, x.name, k.String()), nil
}

// openIndex reads the header, the directory and the metadata of an index
// file; r must stay readable while the Build is used.
func openIndex(r io.ReaderAt, name string, opts *Options) (*Build, error) {
	f, err := index.Read(r, name)
	if err != nil {
		return nil, err
	}
	x := &indexed{file: f, name: name}
	b := &Build{ix: x, src: Source{File: f.Source.Name, Size: f.Source.Size, BuildID: f.Source.BuildID}}
	if f.Source.ModTime != 0 {
		b.src.ModTime = time.Unix(0, f.Source.ModTime)
	}

	d, err := x.section(index.KindMeta)
	if err != nil {
		return nil, err
	}
	m := &b.Meta
	m.File = name
	for _, p := range []*string{&m.Release, &m.Version, &m.Revision, &m.Flavor, &m.Arch, &m.Compiler, &m.Banner, &m.BuildID, &m.Package, &m.PackageVersion, &b.src.Checksum} {
		*p = d.String()
	}
	if bs := d.Uvarint(); d.Err() == nil && bs != blockLen {
		d.Fail("blocks of %d functions, this kabi writes %d", bs, blockLen)
	}
	x.n = d.Int(1 << 30)
	x.nstr = d.Int(1 << 31)
	x.nsyms = d.Int(1 << 30)
	// Each symbol takes minSymbol bytes of some section once decoded (and
	// a section's decoded size is bounded by its stored size), so a count
	// past that is damage: refused before gather sizes a table by it.
	var raw int64
	for _, s := range f.Sections {
		raw += s.Raw
	}
	if int64(x.nsyms) > raw/minSymbol {
		d.Fail("%d symbols in %d decoded bytes of sections", x.nsyms, raw)
	}
	x.rules = d.Uvarint()
	src := d.Byte()
	if src&^(srcBTF<<1-1) != 0 {
		d.Fail("attach sources %#x", src)
	}
	x.attach = attachSourcesOf(src)
	if n := d.Count(2); n > 0 {
		x.modSrc = make(map[string]AttachSources, n)
		for range n {
			m, src := d.String(), d.Byte()
			if src&^(srcBTF<<1-1) != 0 || m == "" {
				d.Fail("module %q: attach sources %#x", m, src)
			}
			x.modSrc[m] = attachSourcesOf(src)
		}
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	applyOverrides(m, opts)

	dirErr := func(format string, args ...any) error {
		return &index.FormatError{File: name, Section: "directory", Err: index.ErrCorrupt, Msg: fmt.Sprintf(format, args...)}
	}
	if x.nstr < 1 || x.n >= x.nstr {
		return nil, dirErr("%d functions but %d strings", x.n, x.nstr)
	}
	x.strSec = x.sections(index.KindStrings)
	if want := (x.nstr - 1 + strChunk - 1) / strChunk; len(x.strSec) != want {
		return nil, dirErr("%d string chunks for %d strings, want %d", len(x.strSec), x.nstr, want)
	}
	x.strs = make([]stringChunk, len(x.strSec))
	x.blockSec = x.sections(index.KindBlock)
	if want := (x.n + blockLen - 1) / blockLen; len(x.blockSec) != want {
		return nil, dirErr("%d blocks for %d functions, want %d", len(x.blockSec), x.n, want)
	}
	x.blocks = make([]indexBlock, len(x.blockSec))
	x.defSec = x.sections(index.KindTypeDefs)
	if len(x.defSec) == 0 {
		return nil, dirErr("no %s section", index.KindTypeDefs)
	}
	for _, k := range []index.Kind{index.KindFuncs, index.KindSymbols, index.KindTypes} {
		if c := len(x.sections(k)); c != 1 {
			return nil, dirErr("%d %s sections", c, k)
		}
	}
	if len(x.sections(index.KindHooks)) > 1 {
		return nil, dirErr("two %s sections", index.KindHooks)
	}
	return b, nil
}

// applyOverrides applies the metadata overrides of opts to m.
func applyOverrides(m *Metadata, opts *Options) {
	if opts == nil {
		return
	}
	if opts.Release != "" {
		m.Release = opts.Release
		m.Version, m.Revision, m.Flavor = ParseRelease(m.Release)
	}
	for _, o := range []struct {
		dst *string
		v   string
	}{
		{&m.Version, opts.Version}, {&m.Revision, opts.Revision}, {&m.Flavor, opts.Flavor}, {&m.Arch, opts.Arch},
	} {
		if o.v != "" {
			*o.dst = o.v
		}
	}
}

// loadFuncs decodes the functions section (the name directory and the
// demangled names), once.
func (x *indexed) loadFuncs() error {
	x.funcOnce.Do(func() {
		defer recoverBug(x.name, &x.funcErr)
		x.funcErr = x.decodeFuncs()
		if x.funcErr != nil {
			x.dir, x.demIdx, x.demRef = nil, nil, nil
			x.fail(x.funcErr)
		}
	})
	return x.funcErr
}

func (x *indexed) decodeFuncs() error {
	d, err := x.section(index.KindFuncs)
	if err != nil {
		return err
	}
	if n := d.Uvarint(); d.Err() == nil && n != uint64(x.n) {
		d.Fail("%d functions, the metadata says %d", n, x.n)
	}
	x.dir = make([]string, 0, (x.n+strChunk-1)/strChunk)
	for len(x.dir) < cap(x.dir) && d.Err() == nil {
		s := d.String()
		if len(x.dir) > 0 && x.dir[len(x.dir)-1] >= s {
			d.Fail("the name directory is out of order at %d", len(x.dir))
		}
		x.dir = append(x.dir, s)
	}
	nd := d.Count(2)
	x.demIdx = make([]int32, 0, nd)
	x.demRef = make([]uint32, 0, nd)
	at := -1
	for range nd {
		at += 1 + d.Int(x.n)
		if at >= x.n {
			d.Fail("demangled name of function %d of %d", at, x.n)
		}
		ref := d.Ref(x.nstr)
		if d.Err() != nil {
			break
		}
		x.demIdx = append(x.demIdx, int32(at))
		x.demRef = append(x.demRef, uint32(ref))
	}
	return d.Done()
}

// demangled returns the index of the demangled name of function i
// (0: none).
func (x *indexed) demangled(i int) uint32 {
	if x.loadFuncs() != nil {
		return 0
	}
	k := sort.Search(len(x.demIdx), func(k int) bool { return int(x.demIdx[k]) >= i })
	if k < len(x.demIdx) && int(x.demIdx[k]) == i {
		return x.demRef[k]
	}
	return 0
}

// byDemangled returns the function whose demangled name is name, or -1.
func (x *indexed) byDemangled(name string) (int, error) {
	if err := x.loadFuncs(); err != nil {
		return -1, err
	}
	var err error
	x.demOnce.Do(func() {
		m := make(map[string]int32, len(x.demRef))
		for k, ref := range x.demRef {
			s, e := x.str(ref)
			if e != nil {
				err = e
				return
			}
			if _, dup := m[s]; !dup && s != "" {
				m[s] = x.demIdx[k]
			}
		}
		x.byDem = m
	})
	if err != nil {
		return -1, err
	}
	if x.byDem == nil {
		return -1, x.firstErr()
	}
	if i, ok := x.byDem[name]; ok {
		return int(i), nil
	}
	return -1, nil
}

// search returns the index of the function named name, or -1.
func (x *indexed) search(name string) (int, error) {
	i, err := x.lowerBound(name)
	if err != nil || i >= x.n {
		return -1, err
	}
	if s, err := x.fname(i); err != nil || s != name {
		return -1, err
	}
	return i, nil
}

// lowerBound returns the index of the first function whose name is not
// before name (x.n if none): the name directory gives the chunk, whose
// names are then searched.
func (x *indexed) lowerBound(name string) (int, error) {
	if err := x.loadFuncs(); err != nil {
		return -1, err
	}
	j := sort.SearchStrings(x.dir, name)
	if j == len(x.dir) || x.dir[j] != name {
		j--
	}
	if j < 0 {
		return 0, nil
	}
	lo, hi := j*strChunk, min((j+1)*strChunk, x.n)
	var err error
	i := lo + sort.Search(hi-lo, func(k int) bool {
		s, e := x.fname(lo + k)
		if e != nil {
			err = e
			return true
		}
		return s >= name
	})
	if err != nil {
		return -1, err
	}
	return i, nil
}

// find returns function i, decoding its block on first use.
func (x *indexed) find(i int) (*Function, error) {
	fns, err := x.block(i / blockLen)
	if err != nil {
		return nil, err
	}
	return &fns[i%blockLen], nil
}

// lookup is Build.Function with the decoding error, if any.
func (x *indexed) lookup(name string) (*Function, bool, error) {
	i, err := x.search(name)
	if err != nil {
		return nil, false, err
	}
	if i < 0 {
		if i, err = x.byDemangled(name); i < 0 || err != nil {
			return nil, false, err
		}
	}
	f, err := x.find(i)
	return f, err == nil, err
}

// names yields the function names in order, from the string table.
func (x *indexed) names() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range x.n {
			s, err := x.fname(i)
			if err != nil || !yield(s) {
				return
			}
		}
	}
}

// namesFrom yields the function names that start with prefix, in order.
func (x *indexed) namesFrom(prefix string) iter.Seq[string] {
	return func(yield func(string) bool) {
		i, err := x.lowerBound(prefix)
		if err != nil {
			return
		}
		for ; i < x.n; i++ {
			s, err := x.fname(i)
			if err != nil || !strings.HasPrefix(s, prefix) || !yield(s) {
				return
			}
		}
	}
}

func (x *indexed) functions() iter.Seq[*Function] {
	return func(yield func(*Function) bool) {
		for k := range x.blocks {
			fns, _ := x.block(k)
			for i := range fns {
				if !yield(&fns[i]) {
					return
				}
			}
		}
	}
}

// block returns the functions of block k, decoding it unless it is still
// held (see indexBlock).
func (x *indexed) block(k int) ([]Function, error) {
	fns, _, _, err := x.blockSyms(k)
	return fns, err
}

// blockSyms returns the functions of block k, its symbols and their
// positions in the symbol table.
func (x *indexed) blockSyms(k int) ([]Function, []Symbol, []int32, error) {
	bl := &x.blocks[k]
	n := min((k+1)*blockLen, x.n) - k*blockLen
	bl.mu.Lock()
	defer bl.mu.Unlock()
	if bl.err != nil {
		return nil, nil, nil, bl.err
	}
	var syms []Symbol
	if p := bl.syms.Value(); p != nil {
		syms = unsafe.Slice(p, bl.nsym)
	}
	if arr := bl.fns.Value(); arr != nil {
		return arr[:n], syms, bl.pos, nil
	}
	arr, syms, pos, err := x.decodeBlockSafe(k, syms)
	if err != nil {
		bl.err = err
		x.fail(err)
		return nil, nil, nil, err
	}
	if x.decoded != nil {
		x.decoded(k)
	}
	bl.fns, bl.pos, bl.nsym = weak.Make(arr), pos, len(syms)
	if len(syms) > 0 {
		bl.syms = weak.Make(&syms[0])
	}
	x.keptMu.Lock()
	x.kept[x.keptNext] = arr
	x.keptNext = (x.keptNext + 1) % keptBlocks
	x.keptMu.Unlock()
	return arr[:n], syms, pos, nil
}

// decodeBlockSafe is decodeBlock behind the panic firewall.
func (x *indexed) decodeBlockSafe(k int, syms []Symbol) (_ *[blockLen]Function, _ []Symbol, _ []int32, err error) {
	defer recoverBug(x.name, &err)
	return x.decodeBlock(k, syms)
}

// minInstance and minSymbol are the fewest bytes an instance and a
// symbol take in a block.
const (
	minInstance = 7
	minSymbol   = 9
)

// decodeBlock decodes block k. Its functions point at the symbols held
// (those of an earlier decoding that a caller still holds), if any.
func (x *indexed) decodeBlock(k int, held []Symbol) (*[blockLen]Function, []Symbol, []int32, error) {
	if err := x.loadTypes(); err != nil {
		return nil, nil, nil, err
	}
	data, err := x.file.Section(x.blockSec[k])
	if err != nil {
		return nil, nil, nil, err
	}
	d := newSdec(data, x.name, fmt.Sprintf("block %d", k))
	first, last := k*blockLen, min((k+1)*blockLen, x.n)
	arr := new([blockLen]Function)
	fns := arr[:last-first]
	class := make([]byte, len(fns))
	issueBits := make([]byte, len(fns))
	ninst := make([]int, len(fns))
	nsym := make([]int, len(fns))
	totInst, totSym, nissues := 0, 0, 0
	for j := range fns {
		c := d.Byte()
		// Both kinds are known (from DWARF), or both unknown (a running kernel).
		if col := Collision(c & classCollision); col > StaticGlobalCollision ||
			(col == CollisionUnknown) != (c>>classInlineShift&3 == 0) {
			d.Fail("function %d: bad classification %#x", first+j, c)
		}
		class[j] = c
		issueBits[j] = d.Byte()
		if issueBits[j]&^(1<<IssueAbsent-1) != 0 {
			d.Fail("function %d: bad issues %#x", first+j, issueBits[j])
		}
		for m := issueBits[j]; m != 0; m &= m - 1 {
			nissues++
		}
		ninst[j] = d.Int(len(data) / minInstance)
		nsym[j] = d.Int(len(data) / minSymbol)
		totInst += ninst[j]
		totSym += nsym[j]
	}
	if d.Err() == nil && totInst > len(data)/minInstance || totSym > len(data)/minSymbol {
		d.Fail("%d instances and %d symbols cannot fit in %d bytes", totInst, totSym, len(data))
	}
	if d.Err() != nil {
		return nil, nil, nil, d.Err()
	}
	insts := make([]Instance, totInst)
	ptrs := make([]*Instance, totInst)
	if held != nil && len(held) != totSym {
		d.Fail("%d symbols, %d when decoded before", totSym, len(held))
		return nil, nil, nil, d.Err()
	}
	allSyms := held
	if allSyms == nil {
		allSyms = make([]Symbol, totSym)
	}
	syms := allSyms
	pos := make([]int32, totSym)
	at := 0
	symPtrs := make([]*Symbol, totSym)
	issues := make([]Issue, 0, nissues)
	for j := range fns {
		i := first + j
		f := &fns[j]
		var err error
		if f.Name, err = x.fname(i); err != nil {
			return nil, nil, nil, err
		}
		if f.Demangled, err = x.str(x.demangled(i)); err != nil {
			return nil, nil, nil, err
		}
		if x.funcErr != nil {
			return nil, nil, nil, x.funcErr
		}
		c := class[j]
		f.Collision = Collision(c & classCollision)
		f.Inline = InlineKind(c >> classInlineShift & 3)
		f.Transformation = c&classTransformation != 0
		if m := issueBits[j]; m != 0 {
			start := len(issues)
			for is := Issue(1); is <= IssueAbsent; is++ {
				if m&(1<<(is-1)) != 0 {
					issues = append(issues, is)
				}
			}
			f.Issues = issues[start:len(issues):len(issues)]
		}
		n := ninst[j]
		f.Instances = ptrs[:n:n]
		ptrs = ptrs[n:]
		for k := range f.Instances {
			in := &insts[0]
			insts = insts[1:]
			f.Instances[k] = in
			fl := d.Byte()
			if fl&^(instAssembler<<1-1) != 0 {
				d.Fail("instance flags %#x", fl)
			}
			in.External = fl&instExternal != 0
			in.DeclaredInline = fl&instDeclaredInline != 0
			in.Inlined = fl&instInlined != 0
			in.DeclaredOnly = fl&instDeclaredOnly != 0
			in.HasAddr = fl&instHasAddr != 0
			in.Assembler = fl&instAssembler != 0
			in.File = d.str()
			in.Module = d.str()
			in.Location.File = d.str()
			in.Location.Line = int(d.Varint())
			in.Address = d.Uvarint()
			in.InlineCallers = x.callers(d)
			in.DirectCallers = x.callers(d)
			if fl&instSignature != 0 {
				in.Signature = x.signature(d)
			}
		}
		if d.Err() != nil {
			return nil, nil, nil, d.Err()
		}
		f.Signature = functionSignature(f.Instances)
		if f.Inline == InlineUnknown {
			switch d.Byte() {
			case 0:
			case 1:
				f.Signature = x.signature(d)
			default:
				d.Fail("function %d: bad signature flag", i)
			}
		}
		if n := nsym[j]; n > 0 {
			f.Symbols = symPtrs[:n:n]
			symPtrs = symPtrs[n:]
			for k := range f.Symbols {
				s := &syms[0]
				syms = syms[1:]
				f.Symbols[k] = s
				if held != nil {
					// Decoded as before, into a copy: the held
					// symbol may be in use.
					s = new(Symbol)
				}
				p := x.symbol(d, s)
				if d.Err() != nil {
					return nil, nil, nil, d.Err()
				}
				switch {
				case s.Stem != f.Name:
					d.Fail("symbol %d (%s) attached to function %d (%s)", p, s.Name, i, f.Name)
				case k > 0 && p <= int(pos[at-1]):
					d.Fail("symbols of %s out of order", f.Name)
				}
				pos[at] = int32(p)
				at++
			}
		}
		if d.Err() != nil {
			return nil, nil, nil, d.Err()
		}
		f.addressFromSymbol()
		f.Attach = f.attachability(x.sourcesOf, class[j]&classInBTF != 0)
	}
	if err := d.Done(); err != nil {
		return nil, nil, nil, err
	}
	return arr, allSyms, pos, nil
}

// symbol decodes a symbol into s and returns its position in the symbol
// table.
func (x *indexed) symbol(d *sdec, s *Symbol) int {
	pos := d.Int(x.nsyms - 1)
	if x.nsyms == 0 {
		d.Fail("a symbol where the metadata says there are none")
	}
	s.Name = d.str()
	s.Demangled = d.str()
	s.Address = d.Uvarint()
	s.Size = d.Uvarint()
	s.Bind = elf.SymBind(d.Int(0xff))
	s.Section = d.str()
	sf := d.Byte()
	if sf&^(symNoKprobeText<<1-1) != 0 || sf&(symNoKprobeListed|symNoKprobeText) == symNoKprobeListed|symNoKprobeText {
		d.Fail("symbol %d: flags %#x", pos, sf)
	}
	s.Ftrace = sf&symFtrace != 0
	switch {
	case sf&symNoKprobeListed != 0:
		s.NoKprobe = NoKprobeListed
	case sf&symNoKprobeText != 0:
		s.NoKprobe = NoKprobeText
	}
	s.Module = d.str()
	s.Stem, s.Suffix, s.Transforms = parseSuffix(s.Name)
	return pos
}

// loadOrphans decodes the unattached symbols, once.
func (x *indexed) loadOrphans() error {
	x.orphOnce.Do(func() {
		defer recoverBug(x.name, &x.orphErr)
		x.orphErr = x.decodeOrphans()
		if x.orphErr != nil {
			x.orphans, x.orphPos = nil, nil
			x.fail(x.orphErr)
		}
	})
	return x.orphErr
}

func (x *indexed) decodeOrphans() error {
	id, err := x.section(index.KindSymbols)
	if err != nil {
		return err
	}
	d := &sdec{id, readTab(id)}
	x.orphans = make([]Symbol, d.Count(minSymbol))
	x.orphPos = make([]int32, len(x.orphans))
	for i := range x.orphans {
		pos := x.symbol(d, &x.orphans[i])
		if d.Err() != nil {
			break
		}
		if i > 0 && pos <= int(x.orphPos[i-1]) {
			d.Fail("unattached symbols out of order at %d", i)
		}
		x.orphPos[i] = int32(pos)
	}
	return d.Done()
}

// symbolsNamed returns the symbols named name in symbol-table order: from
// the block of the function of the name's stem, or else from the
// unattached symbols.
func (x *indexed) symbolsNamed(name string) []*Symbol {
	stem, _, _ := parseSuffix(name)
	var out []*Symbol
	i, err := x.search(stem)
	if err != nil {
		return nil
	}
	if i >= 0 {
		f, err := x.find(i)
		if err != nil {
			return nil
		}
		for _, s := range f.Symbols {
			if s.Name == name {
				out = append(out, s)
			}
		}
		return out
	}
	if x.loadOrphans() != nil {
		return nil
	}
	return x.orphByName.named(x.orphans, name)
}

// allSymbols returns every symbol in symbol-table order, and the
// unattached ones, decoding every block, once.
func (x *indexed) allSymbols() ([]*Symbol, []*Symbol) {
	x.gatherSymbols(nil)
	return x.all, x.allOrphs
}

// gatherSymbols gathers every symbol, once; each, if not nil, is handed
// each block's functions as the block is decoded. It reports whether
// this call gathered them (and so called each).
func (x *indexed) gatherSymbols(each func([]Function)) (gathered bool) {
	x.allOnce.Do(func() {
		gathered = true
		defer recoverBug(x.name, &x.allErr)
		x.allErr = x.gather(each)
		if x.allErr != nil {
			x.all, x.allOrphs = nil, nil
			x.fail(x.allErr)
		}
	})
	return gathered
}

func (x *indexed) gather(each func([]Function)) error {
	bad := func(format string, args ...any) error {
		return &index.FormatError{File: x.name, Section: "symbols", Err: index.ErrCorrupt, Msg: fmt.Sprintf(format, args...)}
	}
	// The table is sized by the symbols actually decoded, not by the
	// header's count alone: a small damaged file can claim a count its
	// directory seems to allow (sections claiming their decoded sizes).
	type held struct {
		syms []Symbol
		pos  []int32
	}
	blocks := make([]held, len(x.blocks))
	total := 0
	for k := range x.blocks {
		fns, syms, pos, err := x.blockSyms(k)
		if err != nil {
			return err
		}
		if each != nil {
			each(fns)
		}
		blocks[k] = held{syms, pos}
		total += len(syms)
	}
	if err := x.loadOrphans(); err != nil {
		return err
	}
	if total+len(x.orphans) != x.nsyms {
		return bad("%d symbols in the blocks and %d unattached, the header says %d", total, len(x.orphans), x.nsyms)
	}
	all := make([]*Symbol, x.nsyms)
	put := func(s *Symbol, pos int32) error {
		if all[pos] != nil {
			return bad("two symbols at position %d", pos)
		}
		all[pos] = s
		return nil
	}
	for _, b := range blocks {
		for i := range b.syms {
			if err := put(&b.syms[i], b.pos[i]); err != nil {
				return err
			}
		}
	}
	orphs := make([]*Symbol, len(x.orphans))
	for k := range x.orphans {
		s := &x.orphans[k]
		i, err := x.search(s.Stem)
		if err != nil {
			return err
		}
		if i >= 0 {
			return bad("symbol %d (%s) not attached to its function", x.orphPos[k], s.Name)
		}
		if err := put(s, x.orphPos[k]); err != nil {
			return err
		}
		orphs[k] = s
	}
	for i, s := range all {
		if s == nil {
			return bad("no symbol at position %d of %d", i, x.nsyms)
		}
	}
	x.all, x.allOrphs = all, orphs
	return nil
}

func (x *indexed) callers(d *sdec) []Caller {
	n := d.Count(5)
	if n == 0 {
		return nil
	}
	cs := make([]Caller, n)
	var prev uint64
	for i := range cs {
		c := &cs[i]
		c.File, c.Function = d.str(), d.str()
		c.Site.File = d.str()
		c.Site.Line = int(d.Varint())
		switch a := d.Varint(); {
		case a > 0:
			c.Addr, c.HasAddr = prev+uint64(a-1), true
		case a < 0:
			c.Addr, c.HasAddr = prev+uint64(a), true
		}
		if c.HasAddr {
			prev = c.Addr
		}
	}
	return cs
}

func (x *indexed) signature(d *sdec) *Signature {
	s := &Signature{Name: d.str(), Return: x.typ(d)}
	fl := d.Byte()
	if fl&^(sigAssembler<<1-1) != 0 {
		d.Fail("signature flags %#x", fl)
	}
	s.Variadic, s.Prototyped, s.Assembler = fl&sigVariadic != 0, fl&sigPrototyped != 0, fl&sigAssembler != 0
	if n := d.Count(2); n > 0 {
		s.Params = make([]Param, n)
		for i := range s.Params {
			s.Params[i] = Param{Name: d.str(), Type: x.typ(d)}
		}
	}
	if n := d.Count(3); n > 0 {
		s.Clones = make([]Clone, n)
		for i := range s.Clones {
			c := &s.Clones[i]
			hf := d.Byte()
			if hf > 1 {
				d.Fail("clone flags %#x", hf)
			}
			c.HasAddr = hf == 1
			c.Addr = d.Uvarint()
			c.Params = make([]CloneParam, d.Count(5))
			for j := range c.Params {
				p := &c.Params[j]
				p.Name = d.str()
				p.Type = x.typ(d)
				p.State = ParamState(d.Byte())
				hv := d.Byte()
				if p.State > Added || hv > 1 {
					d.Fail("clone parameter state %d, %d", p.State, hv)
				}
				p.HasValue = hv == 1
				p.Value = d.Varint()
			}
		}
	}
	return s
}

// loadTypes reads the type table's section and the offsets of its
// records, once; the types themselves are decoded as they are referred
// to (typeAt).
func (x *indexed) loadTypes() error {
	x.typeOnce.Do(func() {
		defer recoverBug(x.name, &x.typeErr)
		x.typeErr = x.readTypes()
		if x.typeErr != nil {
			x.types, x.typeOffs, x.typeData = nil, nil, nil
			x.fail(x.typeErr)
		}
	})
	return x.typeErr
}

func (x *indexed) readTypes() error {
	d, err := x.section(index.KindTypes)
	if err != nil {
		return err
	}
	x.typeTab = readTab(d)
	n := d.Count(8) // a length and a record of 7 bytes at least
	x.typeOffs = make([]uint32, n+2)
	var total uint64
	for i := range n {
		l := d.Uvarint()
		if l < 7 || l > uint64(d.Left()) {
			d.Fail("type %d of %d bytes", i+1, l)
			break
		}
		total += l
		x.typeOffs[i+2] = uint32(total)
	}
	if d.Err() == nil && total != uint64(d.Left()) {
		d.Fail("the types take %d bytes, the section has %d", total, d.Left())
	}
	data := d.Raw(d.Left())
	if err := d.Done(); err != nil {
		return err
	}
	x.typeData = data
	x.types = make([]*Type, n+1)
	x.typeNodes = make([]int32, n+1)
	x.typeDepth = make([]int32, n+1)
	x.typeErrs = make(map[int]error)
	return nil
}

// typ reads a type reference from d and returns the type, decoding it
// (and what it refers to) on first use; an error decoding it stops d.
func (x *indexed) typ(d *sdec) *Type {
	i := d.Ref(len(x.types))
	if i == 0 || d.Err() != nil {
		return nil
	}
	t, err := x.typeLocked(i)
	if err != nil {
		d.Stop(err)
	}
	return t
}

// typeLocked is typeAt under typeMu, released however typeAt ends (a
// corrupt file's panic, turned into an error further up, must not leave
// every later type decode of the build waiting).
func (x *indexed) typeLocked(i int) (*Type, error) {
	x.typeMu.Lock()
	defer x.typeMu.Unlock()
	return x.typeAt(i, 0)
}

// typeAt decodes type i (at least 1) and what it refers to, level deep
// in a type being decoded. It is called with typeMu held.
func (x *indexed) typeAt(i, level int) (*Type, error) {
	if t := x.types[i]; t != nil {
		return t, nil
	}
	if err := x.typeErrs[i]; err != nil {
		return nil, err
	}
	d := &sdec{index.NewDec(x.typeData[x.typeOffs[i]:x.typeOffs[i+1]], x.name, fmt.Sprintf("types: type %d", i)), x.typeTab}
	fail := func(err error) (*Type, error) {
		x.typeErrs[i] = err
		x.fail(err)
		return nil, err
	}
	if level > maxTypeDepth {
		d.Fail("type %d has more than %d nodes or %d levels written out", i, maxTypeNodes, maxTypeDepth)
		return fail(d.Err())
	}
	ref := func() (*Type, int32, int32) {
		r := d.Ref(i) // only earlier types: no cycles
		if r == 0 || d.Err() != nil {
			return nil, 0, 0
		}
		t, err := x.typeAt(r, level+1)
		if err != nil {
			d.Stop(err)
			return nil, 0, 0
		}
		return t, x.typeNodes[r], x.typeDepth[r]
	}
	t := &Type{Kind: TypeKind(d.Byte()), Qual: Qualifiers(d.Byte())}
	if t.Kind > Other || t.Qual&^(Atomic<<1-1) != 0 {
		d.Fail("type %d: kind %d, qualifiers %#x", i, t.Kind, t.Qual)
	}
	t.Name = d.str()
	var en, ed int32
	t.Elem, en, ed = ref()
	size, deep := 1+en, 1+ed
	t.Len = d.Varint()
	if np := d.Count(2); np > 0 {
		t.Params = make([]Param, np)
		for j := range t.Params {
			name := d.str()
			pt, pn, pd := ref()
			t.Params[j] = Param{Name: name, Type: pt}
			size += pn
			deep = max(deep, 1+pd)
		}
	}
	fl := d.Byte()
	if fl&^(sigPrototyped<<1-1) != 0 {
		d.Fail("type %d: flags %#x", i, fl)
	}
	t.Variadic, t.Prototyped = fl&sigVariadic != 0, fl&sigPrototyped != 0
	if size > maxTypeNodes || deep > maxTypeDepth {
		d.Fail("type %d has more than %d nodes or %d levels written out", i, maxTypeNodes, maxTypeDepth)
	}
	if err := d.Done(); err != nil {
		return fail(err)
	}
	x.types[i], x.typeNodes[i], x.typeDepth[i] = t, size, deep
	return t, nil
}

// stats is Build.Stats of an indexed build: it decodes every block,
// once: the functions are counted as the blocks are decoded for the
// symbols, unless the symbols were gathered before (or could not be).
func (x *indexed) stats(b *Build) Stats {
	s := newStats()
	if !x.gatherSymbols(func(fns []Function) {
		for i := range fns {
			s.addFunction(&fns[i])
		}
	}) || x.allErr != nil {
		s = countStats(b.Functions(), nil, 0)
	}
	s.addSymbols(x.all, len(x.allOrphs))
	return s
}
