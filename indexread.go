package kabi

import (
	"debug/elf"
	"fmt"
	"io"
	"iter"
	"sort"
	"sync"
	"time"

	"github.com/kabi-dev/kabi/internal/index"
)

// indexed is the state of a Build loaded from an index file: the file's
// bytes, the string table, and the columns decoded at open; blocks,
// symbols and types are decoded on first use, each once.
type indexed struct {
	file  *index.File
	name  string
	rules uint64 // the surface rules it was written under

	attach AttachSources
	modSrc map[string]AttachSources // per module

	blob string   // the string table's bytes
	offs []uint32 // string i is blob[offs[i]:offs[i+1]]

	n      int // functions
	dem    []uint32
	class  []uint8
	issues []uint8
	ninst  []uint32
	byDem  map[string]int32

	blockSec []int // the section of each block
	blocks   []indexBlock

	symOnce  sync.Once
	symbols  []Symbol
	orphans  []*Symbol
	symStart []int32 // function i's symbols are symPtrs[symStart[i]:symStart[i+1]]
	symPtrs  []*Symbol
	symErr   error

	hookOnce sync.Once
	hooks    *hookSet

	typeOnce sync.Once
	types    []*Type // types[0] is nil
	typeErr  error

	defOnce sync.Once
	defs    *types // the struct, union and enum definitions (index_types.go)
	defErr  error

	errMu sync.Mutex
	err   error
}

type indexBlock struct {
	once sync.Once
	fns  []Function
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

func (x *indexed) str(i uint32) string { return x.blob[x.offs[i]:x.offs[i+1]] }

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

// section decodes the only section of kind k.
func (x *indexed) section(k index.Kind) (*index.Dec, error) {
	found := -1
	for i, s := range x.file.Sections {
		if s.Kind == k {
			if found >= 0 {
				return nil, &index.FormatError{File: x.name, Section: "directory", Err: index.ErrCorrupt, Msg: fmt.Sprintf("two %s sections", k)}
			}
			found = i
		}
	}
	if found < 0 {
		return nil, &index.FormatError{File: x.name, Section: "directory", Err: index.ErrCorrupt, Msg: fmt.Sprintf("no %s section", k)}
	}
	data, err := x.file.Section(found)
	if err != nil {
		return nil, err
	}
	return index.NewDec(data, x.name, k.String()), nil
}

// openIndex loads the head of an index file: metadata, strings, names and
// classification.
func openIndex(r io.ReaderAt, name string, opts *Options) (*Build, error) {
	f, err := index.Read(r, name)
	if err != nil {
		return nil, err
	}
	x := &indexed{file: f, name: name}
	b := &Build{ix: x, src: Source{File: f.Source.Name, Size: f.Source.Size, BuildID: f.Source.BuildID}, bySymbol: &symbolIndex{}}
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

	if d, err = x.section(index.KindStrings); err != nil {
		return nil, err
	}
	ns := d.Count(1)
	x.offs = make([]uint32, ns+1)
	var total uint64
	for i := range ns {
		total += d.Uvarint()
		if total > uint64(d.Left()) {
			d.Fail("strings longer than the section")
			break
		}
		x.offs[i+1] = uint32(total)
	}
	if d.Err() == nil {
		if total != uint64(d.Left()) {
			d.Fail("the strings take %d bytes, the section has %d", total, d.Left())
		} else {
			x.blob = string(d.Raw(int(total)))
		}
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	if ns == 0 || x.offs[1] != 0 {
		return nil, &index.FormatError{File: name, Section: "strings", Err: index.ErrCorrupt, Msg: "string 0 is not empty"}
	}

	if d, err = x.section(index.KindFuncs); err != nil {
		return nil, err
	}
	x.n = d.Count(4)
	if x.n >= ns {
		d.Fail("%d functions but %d strings", x.n, ns)
	}
	n := x.n
	x.dem = make([]uint32, n)
	for i := range x.dem {
		x.dem[i] = uint32(d.Ref(ns))
	}
	x.class = make([]uint8, n)
	x.issues = make([]uint8, n)
	for i := range x.class {
		c := d.Byte()
		// Both kinds are known (from DWARF), or both unknown (a running kernel).
		if col := Collision(c & classCollision); col > StaticGlobalCollision ||
			(col == CollisionUnknown) != (c>>classInlineShift&3 == 0) {
			d.Fail("function %d: bad classification %#x", i, c)
		}
		x.class[i] = c
	}
	for i := range x.issues {
		x.issues[i] = d.Byte()
		if x.issues[i]&^(1<<IssueAbsent-1) != 0 {
			d.Fail("function %d: bad issues %#x", i, x.issues[i])
		}
	}
	x.ninst = make([]uint32, n)
	for i := range x.ninst {
		x.ninst[i] = uint32(d.Int(1 << 30))
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	for i := 1; i < n; i++ {
		if x.str(uint32(i)) >= x.str(uint32(i+1)) {
			return nil, &index.FormatError{File: name, Section: "functions", Err: index.ErrCorrupt, Msg: fmt.Sprintf("function names out of order at %d", i)}
		}
	}
	for i, s := range x.dem {
		if s != 0 {
			if x.byDem == nil {
				x.byDem = make(map[string]int32)
			}
			if _, dup := x.byDem[x.str(s)]; !dup {
				x.byDem[x.str(s)] = int32(i)
			}
		}
	}

	for i, s := range f.Sections {
		if s.Kind == index.KindBlock {
			x.blockSec = append(x.blockSec, i)
		}
	}
	if want := (n + blockLen - 1) / blockLen; len(x.blockSec) != want {
		return nil, &index.FormatError{File: name, Section: "directory", Err: index.ErrCorrupt,
			Msg: fmt.Sprintf("%d blocks for %d functions, want %d", len(x.blockSec), n, want)}
	}
	x.blocks = make([]indexBlock, len(x.blockSec))
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

// search returns the index of the function named name, or -1.
func (x *indexed) search(name string) int {
	i := sort.Search(x.n, func(i int) bool { return x.str(uint32(i+1)) >= name })
	if i < x.n && x.str(uint32(i+1)) == name {
		return i
	}
	return -1
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
	i := x.search(name)
	if i < 0 {
		j, ok := x.byDem[name]
		if !ok {
			return nil, false, nil
		}
		i = int(j)
	}
	f, err := x.find(i)
	return f, err == nil, err
}

// names yields the function names in order, from the string table.
func (x *indexed) names() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range x.n {
			if !yield(x.str(uint32(i + 1))) {
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

// block returns the functions of block k.
func (x *indexed) block(k int) ([]Function, error) {
	bl := &x.blocks[k]
	bl.once.Do(func() {
		defer recoverBug(x.name, &bl.err)
		bl.fns, bl.err = x.decodeBlock(k)
		if bl.err != nil {
			bl.fns = nil
			x.fail(bl.err)
		}
	})
	return bl.fns, bl.err
}

// minInstance is the fewest bytes an instance takes in a block.
const minInstance = 7

func (x *indexed) decodeBlock(k int) ([]Function, error) {
	if err := x.loadSymbols(); err != nil {
		return nil, err
	}
	if err := x.loadTypes(); err != nil {
		return nil, err
	}
	data, err := x.file.Section(x.blockSec[k])
	if err != nil {
		return nil, err
	}
	d := index.NewDec(data, x.name, fmt.Sprintf("block %d", k))
	first, last := k*blockLen, min((k+1)*blockLen, x.n)
	ninst, nissues := 0, 0
	for i := first; i < last; i++ {
		ninst += int(x.ninst[i])
		for m := x.issues[i]; m != 0; m &= m - 1 {
			nissues++
		}
	}
	if ninst > len(data)/minInstance {
		d.Fail("%d instances cannot fit in %d bytes", ninst, len(data))
		return nil, d.Err()
	}
	fns := make([]Function, last-first)
	insts := make([]Instance, ninst)
	ptrs := make([]*Instance, ninst)
	issues := make([]Issue, 0, nissues)
	ns := len(x.offs) - 1
	str := func() string { return x.str(uint32(d.Ref(ns))) }
	for j := range fns {
		i := first + j
		f := &fns[j]
		f.Name = x.str(uint32(i + 1))
		f.Demangled = x.str(x.dem[i])
		c := x.class[i]
		f.Collision = Collision(c & classCollision)
		f.Inline = InlineKind(c >> classInlineShift & 3)
		f.Transformation = c&classTransformation != 0
		if m := x.issues[i]; m != 0 {
			start := len(issues)
			for is := Issue(1); is <= IssueAbsent; is++ {
				if m&(1<<(is-1)) != 0 {
					issues = append(issues, is)
				}
			}
			f.Issues = issues[start:len(issues):len(issues)]
		}
		n := int(x.ninst[i])
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
			in.File = str()
			in.Module = str()
			in.Location.File = str()
			in.Location.Line = int(d.Varint())
			in.Address = d.Uvarint()
			in.InlineCallers = x.callers(d)
			in.DirectCallers = x.callers(d)
			if fl&instSignature != 0 {
				in.Signature = x.signature(d)
			}
		}
		if d.Err() != nil {
			return nil, d.Err()
		}
		f.Symbols = x.symPtrs[x.symStart[i]:x.symStart[i+1]:x.symStart[i+1]]
		if len(f.Symbols) == 0 {
			f.Symbols = nil
		}
		f.addressFromSymbol()
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
		f.Attach = f.attachability(x.sourcesOf, x.class[i]&classInBTF != 0)
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	return fns, nil
}

func (x *indexed) callers(d *index.Dec) []Caller {
	n := d.Count(5)
	if n == 0 {
		return nil
	}
	ns := len(x.offs) - 1
	cs := make([]Caller, n)
	var prev uint64
	for i := range cs {
		c := &cs[i]
		c.File, c.Function = x.str(uint32(d.Ref(ns))), x.str(uint32(d.Ref(ns)))
		c.Site.File = x.str(uint32(d.Ref(ns)))
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

func (x *indexed) typ(d *index.Dec) *Type { return x.types[d.Ref(len(x.types))] }

func (x *indexed) signature(d *index.Dec) *Signature {
	ns := len(x.offs) - 1
	s := &Signature{Name: x.str(uint32(d.Ref(ns))), Return: x.typ(d)}
	fl := d.Byte()
	if fl&^(sigAssembler<<1-1) != 0 {
		d.Fail("signature flags %#x", fl)
	}
	s.Variadic, s.Prototyped, s.Assembler = fl&sigVariadic != 0, fl&sigPrototyped != 0, fl&sigAssembler != 0
	if n := d.Count(2); n > 0 {
		s.Params = make([]Param, n)
		for i := range s.Params {
			s.Params[i] = Param{Name: x.str(uint32(d.Ref(ns))), Type: x.typ(d)}
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
				p.Name = x.str(uint32(d.Ref(ns)))
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

// loadTypes decodes the type table, once.
func (x *indexed) loadTypes() error {
	x.typeOnce.Do(func() {
		defer recoverBug(x.name, &x.typeErr)
		x.typeErr = x.decodeTypes()
		if x.typeErr != nil {
			x.types = nil
			x.fail(x.typeErr)
		}
	})
	return x.typeErr
}

func (x *indexed) decodeTypes() error {
	d, err := x.section(index.KindTypes)
	if err != nil {
		return err
	}
	n := d.Count(7)
	back := make([]Type, n)
	x.types = make([]*Type, n+1)
	nodes := make([]int32, n+1) // the size of each type written out as a tree
	depth := make([]int32, n+1) // and its depth
	ns := len(x.offs) - 1
	for i := range back {
		t := &back[i]
		t.Kind = TypeKind(d.Byte())
		t.Qual = Qualifiers(d.Byte())
		if t.Kind > Other || t.Qual&^(Atomic<<1-1) != 0 {
			d.Fail("type %d: kind %d, qualifiers %#x", i+1, t.Kind, t.Qual)
		}
		t.Name = x.str(uint32(d.Ref(ns)))
		e := d.Ref(i + 1) // only earlier types: no cycles
		t.Elem = x.types[e]
		size, deep := 1+nodes[e], 1+depth[e]
		t.Len = d.Varint()
		if np := d.Count(2); np > 0 {
			t.Params = make([]Param, np)
			for j := range t.Params {
				name := x.str(uint32(d.Ref(ns)))
				p := d.Ref(i + 1)
				t.Params[j] = Param{Name: name, Type: x.types[p]}
				size += nodes[p]
				deep = max(deep, 1+depth[p])
			}
		}
		fl := d.Byte()
		if fl&^(sigPrototyped<<1-1) != 0 {
			d.Fail("type %d: flags %#x", i+1, fl)
		}
		t.Variadic, t.Prototyped = fl&sigVariadic != 0, fl&sigPrototyped != 0
		if size > maxTypeNodes || deep > maxTypeDepth {
			d.Fail("type %d has more than %d nodes or %d levels written out", i+1, maxTypeNodes, maxTypeDepth)
		}
		if d.Err() != nil {
			break
		}
		x.types[i+1], nodes[i+1], depth[i+1] = t, size, deep
	}
	return d.Done()
}

// loadSymbols decodes the symbols and attaches them to the functions, once.
func (x *indexed) loadSymbols() error {
	x.symOnce.Do(func() {
		defer recoverBug(x.name, &x.symErr)
		x.symErr = x.decodeSymbols()
		if x.symErr != nil {
			x.symbols, x.orphans, x.symStart, x.symPtrs = nil, nil, nil, nil
			x.fail(x.symErr)
		}
	})
	return x.symErr
}

func (x *indexed) decodeSymbols() error {
	d, err := x.section(index.KindSymbols)
	if err != nil {
		return err
	}
	n := d.Count(9)
	x.symbols = make([]Symbol, n)
	ns := len(x.offs) - 1
	var addr uint64
	owner := make([]int32, n)
	count := make([]int32, x.n+1)
	for i := range x.symbols {
		s := &x.symbols[i]
		s.Name = x.str(uint32(d.Ref(ns)))
		s.Demangled = x.str(uint32(d.Ref(ns)))
		addr += uint64(d.Varint())
		s.Address = addr
		s.Size = d.Uvarint()
		s.Bind = elf.SymBind(d.Int(0xff))
		s.Section = x.str(uint32(d.Ref(ns)))
		sf := d.Byte()
		if sf&^(symNoKprobeText<<1-1) != 0 || sf&(symNoKprobeListed|symNoKprobeText) == symNoKprobeListed|symNoKprobeText {
			d.Fail("symbol %d: flags %#x", i, sf)
		}
		s.Ftrace = sf&symFtrace != 0
		switch {
		case sf&symNoKprobeListed != 0:
			s.NoKprobe = NoKprobeListed
		case sf&symNoKprobeText != 0:
			s.NoKprobe = NoKprobeText
		}
		s.Module = x.str(uint32(d.Ref(ns)))
		s.Stem, s.Suffix, s.Transforms = parseSuffix(s.Name)
		o := d.Int(x.n) - 1
		switch {
		case d.Err() != nil:
		case o >= 0 && x.str(uint32(o+1)) != s.Stem:
			d.Fail("symbol %d (%s) attached to function %d (%s)", i, s.Name, o, x.str(uint32(o+1)))
		case o < 0 && x.search(s.Stem) >= 0:
			d.Fail("symbol %d (%s) not attached to its function", i, s.Name)
		}
		owner[i] = int32(o)
		if o >= 0 {
			count[o]++
		}
	}
	if err := d.Done(); err != nil {
		return err
	}
	// Carve the functions' symbol lists from one array, as Build.link does.
	x.symStart = make([]int32, x.n+1)
	for i := range x.n {
		x.symStart[i+1] = x.symStart[i] + count[i]
	}
	x.symPtrs = make([]*Symbol, x.symStart[x.n])
	fill := count[:x.n]
	copy(fill, x.symStart[:x.n])
	for i := range x.symbols {
		if o := owner[i]; o >= 0 {
			x.symPtrs[fill[o]] = &x.symbols[i]
			fill[o]++
		} else {
			x.orphans = append(x.orphans, &x.symbols[i])
		}
	}
	return nil
}

// stats is Build.Stats from the columns, without decoding any block.
func (x *indexed) stats() Stats {
	s := Stats{
		Functions: x.n,
		Collision: make(map[Collision]int), Inline: make(map[InlineKind]int), Transforms: make(map[Transform]int),
	}
	if x.loadSymbols() == nil {
		s.Symbols, s.UnattachedSymbols = len(x.symbols), len(x.orphans)
		for i := range x.symbols {
			if x.symbols[i].Suffix != "" {
				s.SuffixedSymbols++
			}
		}
	}
	for i := range x.n {
		c := x.class[i]
		s.Instances += int(x.ninst[i])
		s.Collision[Collision(c&classCollision)]++
		s.Inline[InlineKind(c>>classInlineShift&3)]++
		if c&classDeclaredOnly != 0 {
			s.DeclaredOnly++
		}
		if c&classTransformation == 0 {
			continue
		}
		s.Transformed++
		var t Transform
		if x.symStart != nil {
			for _, sym := range x.symPtrs[x.symStart[i]:x.symStart[i+1]] {
				t |= sym.Transforms
			}
		}
		if t != 0 {
			s.Transforms[t]++
		}
	}
	return s
}
