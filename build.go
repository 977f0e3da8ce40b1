package kabi

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/deb"
	"github.com/kabi-dev/kabi/internal/freelist"
	"github.com/kabi-dev/kabi/internal/index"
	"github.com/kabi-dev/kabi/internal/kmem"
)

// Options configures Open and New. A nil *Options, and the zero value,
// give the defaults.
type Options struct {
	// Release, Version, Revision, Flavor and Arch override the metadata
	// read from the build when not empty. Version, Revision and Flavor
	// are otherwise parsed from Release (see [ParseRelease]).
	Release, Version, Revision, Flavor, Arch string

	// Paths turns the paths found in DWARF into the paths kabi shows.
	// nil means [SourceRootRule].
	Paths PathRule

	// Concurrency is the number of compile units decoded at once; 0
	// means GOMAXPROCS. The result does not depend on it.
	Concurrency int

	// NoSignatures leaves every Function's and Instance's Signature nil,
	// for tools that need only the functions and their callers: reading
	// a kernel then takes about 15% less time. An index file written
	// from such a build has no signatures either.
	NoSignatures bool

	// MaxDecompressed bounds the bytes that decompressing the file's
	// compressed sections may produce, all sections together (see
	// [dwarfx.Budget]); beyond it New fails with an error wrapping
	// [ErrBudget]. 0 means [dwarfx.DefaultBudget] of the file's size
	// (16 times it, at least 64 MiB); a negative value means no bound.
	MaxDecompressed int64

	// NoTypes leaves out the struct, union and enum definitions (see
	// [Build.Types]): reading a kernel then takes less time and memory.
	// An index file written from such a build has no types either.
	NoTypes bool

	// NoHooks leaves out the build's hooks (tracepoints, LSM hooks,
	// kfuncs, syscalls and configuration), for tools that need only the
	// functions.
	NoHooks bool

	// Config names the build's configuration file (a .config, as Debian
	// ships it in /boot/config-<release>), for a kernel that does not
	// embed its own. "" means the embedded one, else config-<release>
	// next to the build's file when there is one, else none (unknown).
	Config string

	// ModuleDir, when not empty, is a module tree (such as
	// /usr/lib/debug/lib/modules/RELEASE, see [ModuleDir]): every module
	// in it (files named as [ModuleSuffixes] says) is read after vmlinux,
	// and the Build is the whole kernel. Every module must be for
	// vmlinux's release, else New fails with an error wrapping
	// [ErrModuleRelease]. Modules are read Concurrency at a time.
	ModuleDir string

	// PackageModules, for a Debian package (see [New]), reads the module
	// tree in it, usr/lib/debug/lib/modules/RELEASE/, with its vmlinux,
	// as ModuleDir does for a tree on disk: the Build is the whole
	// kernel, and equals the one read from the package's files unpacked.
	// The modules are streamed out of the package and analysed while the
	// rest of it is decompressed. A package with no module tree, or with
	// modules of another release, is an error. It does not apply to other
	// files, and not with ModuleDir.
	PackageModules bool

	// ModuleProgress, when not nil, is called after each module file
	// with its path, the number of files done and the total (0 when not
	// known in advance: a package's modules), from the goroutine that
	// called Open or New.
	ModuleProgress func(path string, done, total int)

	// Functions, when not empty, narrows the Build to the functions that
	// [Build.Lookup] finds by one of these names (a function's Name or
	// Demangled form, or the name of one of its symbols). The others are
	// left out of the walk, which then takes less time and memory, and out
	// of the Build: Functions, Len, Stats and an index file written from
	// it hold the kept ones only, and the symbols of the others are
	// unattached (see [Build.UnattachedSymbols]). A kept function is
	// exactly what a Build read without Functions says of it; hooks that
	// name a left-out function do not see its facts (a tracepoint's probe
	// signature). It does not apply to an index file, which decodes only
	// what is asked anyway.
	Functions []string

	// Progress, when not nil, is called after each compile unit with the
	// number of units done and the total, from the goroutine that called
	// Open or New, and once more with done == total at the end.
	Progress func(done, total int)

	ctx     context.Context // set by OpenContext and NewContext; nil: none
	modules moduleSource    // a package's modules (PackageModules); nil: ModuleDir's
	sigs    *sigStaging     // set by tests: how a whole kernel's read holds its module signatures
}

// ctxErr is the error of the options' context: nil without one.
func (o *Options) ctxErr() error {
	if o == nil || o.ctx == nil {
		return nil
	}
	return o.ctx.Err()
}

// A Build is the function surface of one kernel build: its metadata, its
// functions and its function symbols. It is immutable and safe for
// concurrent use; it keeps no reference to the file it was read from.
type Build struct {
	Meta Metadata

	funcs     []*Function      // in name order
	byName    map[string]int32 // index in funcs
	byDemangl map[string]*Function
	symbols   []Symbol // in symbol-table order
	orphans   []*Symbol
	types     *types       // nil when read without types
	bySymbol  *symbolIndex // symbols by name for Symbol; nil: Symbol scans symbols
	attach    AttachSources
	modSrc    map[string]AttachSources // per module (ModuleAttachSources)
	running   bool                     // read from a running kernel (OpenRunning)

	hk  *hookSet // nil when not read (Options.NoHooks)
	src Source
	ix  *indexed // a build loaded from an index file; the fields above are then unused
}

// Open reads the build in the ELF file at path (a vmlinux with DWARF debug
// info and a symbol table), or loads it from an index file written by
// [WriteIndexFile] (see [New]). An ELF file or a package is closed before
// Open returns.
//
// An index file is read as its answers need it: the Build keeps the file
// open, and it is closed when the Build is no longer reachable.
func Open(path string, opts *Options) (b *Build, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if index.IsIndex(f) {
		return openIndexFile(f, path, opts)
	}
	defer f.Close()
	return New(f, path, opts)
}

// openIndexFile loads the index file f, which the Build keeps open (and
// which is closed when it is no longer reachable), or closes it on error.
func openIndexFile(f *os.File, path string, opts *Options) (b *Build, err error) {
	defer recoverBug(path, &err)
	b, err = openIndex(f, path, opts)
	if err != nil {
		f.Close()
	}
	return b, err
}

// OpenContext is [Open] that stops when ctx is done: it checks ctx before
// each compile unit, each module file, each member of a package and each
// read of a package's compressed data, and then returns ctx.Err(). A
// server cancels a request this way; a build whose reading was stopped
// is not returned. An index file is read as Open reads it: as the
// answers need it.
func OpenContext(ctx context.Context, path string, opts *Options) (*Build, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if index.IsIndex(f) {
		return openIndexFile(f, path, opts)
	}
	defer f.Close()
	return NewContext(ctx, f, path, opts)
}

// NewContext is [New] that stops when ctx is done, as [OpenContext] does.
func NewContext(ctx context.Context, r io.ReaderAt, name string, opts *Options) (*Build, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.ctx = ctx
	return New(r, name, &o)
}

// New reads the build in the ELF file r. name is the file's name, used in
// Metadata.File and in errors. Errors for bad input name the file and
// wrap [ErrNotELF], [ErrNoDWARF], [ErrNoSymbols], [ErrTruncated] or another
// [dwarfx] sentinel error.
//
// When r is an index file (it starts with the index magic), New loads it
// instead: the file is read into memory, its header, directory and
// metadata are verified and decoded at once, and each other section when
// it is first needed (verified then against its own checksum; see
// [Open], which reads an index file as it is asked instead). The Build answers exactly as the one the index was written from,
// but for Metadata.File, which is name. Options.Paths, Concurrency,
// NoSignatures and Progress do not apply; the metadata overrides do.
// Errors for a bad index are *[IndexError] values wrapping
// [ErrIndexCorrupt], [ErrIndexTruncated] or [ErrIndexVersion]; see
// [Build.Err] for errors met after New returns.
func New(r io.ReaderAt, name string, opts *Options) (b *Build, err error) {
	defer recoverBug(name, &err)
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.ctxErr(); err != nil {
		return nil, err
	}
	if index.IsIndex(r) {
		// The Build reads the file as it is asked questions, and r
		// belongs to the caller: read it into memory first.
		data, err := readAllAt(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return openIndex(bytes.NewReader(data), name, opts)
	}
	if deb.IsPackage(r) {
		return newPackage(r, name, opts)
	}
	return newELF(r, name, opts)
}

// readAllAt reads r from offset 0 to its end.
func readAllAt(r io.ReaderAt) ([]byte, error) {
	return io.ReadAll(io.NewSectionReader(r, 0, math.MaxInt64))
}

// newELF reads the build in the ELF file r.
func newELF(r io.ReaderAt, name string, opts *Options) (b *Build, err error) {
	// The free lists (section buffers, scratch buffers, the walks' tables
	// and memos) are held while vmlinux and the modules are read, which
	// reuse them from unit to unit and module to module, and released
	// once they are, or on an early return.
	releaseLists := freelist.Hold()
	defer releaseLists()
	ef, err := openELF(r, name)
	if err != nil {
		return nil, err
	}
	budget := dwarfx.FileBudget(inputSize(r), opts.MaxDecompressed)
	d, err := dwarfx.NewFromELFOptions(ef, r, name, &dwarfx.Options{Budget: budget})
	if err != nil {
		return nil, err
	}
	// The Build keeps nothing of d (the surface copies what it keeps), so
	// a mapped file is released when New returns.
	defer d.Close()
	// The symbol table is read while the DWARF is walked.
	var (
		syms   []Symbol
		banner *elf.Symbol
		hooks  *hookSet
		symErr error
		probes *probeLists
		inBTF  map[string]bool
		btfStr []byte // the string section of vmlinux's .BTF, the base of the modules'
		symsOK = make(chan struct{})
	)
	go func() {
		defer close(symsOK)
		defer recoverBug(name, &symErr)
		var all []symtabEntry
		if all, symErr = readSymtab(ef, name, budget); symErr != nil {
			return
		}
		syms, banner = functionSymbols(ef, all)
		if symErr = opts.ctxErr(); symErr != nil {
			return
		}
		if !opts.NoHooks {
			if hooks, symErr = readHooks(ef, r, name, d, all); symErr != nil {
				return
			}
		}
		if symErr = opts.ctxErr(); symErr != nil {
			return
		}
		if probes, symErr = readProbeLists(ef, kmem.New(ef, r, name), all, name); symErr != nil {
			return
		}
		probes.mark(syms)
		inBTF, btfStr, symErr = readBTFFuncNames(ef, name, budget, nil)
		probes.src.BTF = inBTF != nil
	}()

	rule := opts.Paths
	if rule == nil {
		rule = SourceRootRule
	}
	s := newSurface(d, rule, nil, functionFilter(opts.Functions), nil)
	total, done := d.InfoUnits(), 0
	xopts := &dwarfx.ExtractOptions{Concurrency: opts.Concurrency, Recycle: true} // s.unit keeps nothing of a unit
	if !opts.NoSignatures {
		xopts.Prototypes, xopts.SkipDeclarationPrototypes, xopts.Prepare = true, true, s.prepareSignatures
	}
	if !opts.NoTypes {
		xopts.Types, xopts.WantType, xopts.Prepare = true, s.claims.want, s.prepareSignatures
	}
	err = d.Extract(xopts, func(cu *dwarfx.CompileUnit) error {
		if err := opts.ctxErr(); err != nil {
			return err
		}
		s.unit(cu)
		if opts.Progress != nil && cu.Unit.Kind != dwarfx.UnitTypeUnit {
			done++
			opts.Progress(done, total)
		}
		return nil
	})
	<-symsOK
	if err != nil {
		return nil, err
	}
	if symErr != nil {
		return nil, symErr
	}
	if err := opts.ctxErr(); err != nil {
		return nil, err
	}
	if !opts.NoSignatures {
		if err := s.declarationSignatures(); err != nil {
			return nil, err
		}
	}
	s.drop() // the DWARF sections can go
	d.Close()
	if opts.Progress != nil {
		opts.Progress(total, total)
	}
	b = &Build{symbols: syms, src: statSource(r, name), attach: probes.src, bySymbol: &symbolIndex{}}
	b.Meta = readMetadata(ef, name, banner, opts, budget)
	b.src.BuildID = b.Meta.BuildID
	btf := &btfFacts{vmlinux: inBTF}
	if src := opts.modules; src != nil || opts.ModuleDir != "" {
		if src == nil {
			src = &dirModules{dir: opts.ModuleDir, opts: opts}
		}
		k := &kernelLists{src: probes.src, btfStrings: btfStr}
		if hooks != nil {
			k.tpl = hooks.tpl
		}
		if b.symbols, err = s.addModules(src, b.Meta.Release, opts, rule, b.symbols, k); err != nil {
			return nil, err
		}
		b.modSrc, btf.symBTF = k.modSrc, k.symBTF
		if hooks != nil {
			hooks.addKfuncs(k.hooks.kfuncs)
			hooks.addTracepoints(k.hooks.tracepoints)
			for _, sk := range k.hooks.skips {
				hooks.skip(sk.Kind, sk.Where, "%s", sk.Reason)
			}
		}
	}
	// Nothing below reuses the free lists. After a module tree what they
	// hold (tens of MB) is dropped now, unless another read holds them,
	// rather than at the next collection (see freelist.Hold), as the
	// functions' tables are about to be made beside it; a read that
	// follows a whole kernel's loses little by allocating again.
	releaseLists()
	if opts.modules != nil || opts.ModuleDir != "" {
		freelist.DropIdle()
	}
	s.dropLookups()
	// The types are made beside the functions: neither reads the other's
	// tables, and theirs are dropped while the functions' are made.
	// A panic in either is raised again here, once both are done, for
	// New's firewall to make it an error.
	var fns []*Function
	parallel(2, 2, func(i int) {
		switch {
		case i == 0:
			fns = s.functions()
		case !opts.NoTypes:
			b.types = newTypes(s.typeDefs())
			b.types.setTypedefs(s.typedefs())
		}
	})
	if opts.sigs != nil {
		opts.sigs.staged = len(s.sigTab.done)
	}
	b.link(fns, btf)
	if hooks != nil {
		if err := hooks.readConfigFile(name, b.Meta.Release, opts.Config); err != nil {
			return nil, err
		}
		hooks.link(b)
		b.hk = hooks
	}
	return b, nil
}

// functionFilter is the test of [Options.Functions] on a function's
// name: nil (every function) when names is empty. It keeps the names, the
// stems of the names (a symbol "f.isra.0" belongs to function f), and the
// functions whose demangled form is one of these, as Build.Lookup finds
// them. A mangled name is demangled once, however often it is tested (a
// function is met in every unit that has it); it may be called from
// several goroutines.
func functionFilter(names []string) func(string) bool {
	if len(names) == 0 {
		return nil
	}
	want := make(map[string]bool, 2*len(names))
	for _, n := range names {
		stem, _, _ := parseSuffix(n)
		want[n], want[stem] = true, true
	}
	var (
		mu   sync.Mutex
		seen = make(map[string]bool) // the verdict on each mangled name met
	)
	return func(name string) bool {
		if want[name] {
			return true
		}
		if !mangled(name) {
			return false
		}
		mu.Lock()
		v, ok := seen[name]
		mu.Unlock()
		if !ok {
			d := demangled(name)
			v = d != "" && want[d]
			mu.Lock()
			seen[strings.Clone(name)] = v // name may lie in the DWARF's pages
			mu.Unlock()
		}
		return v
	}
}

// readMetadata reads the metadata of ef and applies the overrides.
func readMetadata(ef *elf.File, name string, banner *elf.Symbol, opts *Options, budget *dwarfx.Budget) Metadata {
	m := Metadata{File: name, Arch: debianArch(ef), BuildID: readBuildID(ef, budget)}
	m.Banner = readBanner(ef, banner, budget)
	m.Release, m.Compiler = parseBanner(m.Banner)
	if m.Banner == "" {
		// No banner: a debug-only file, whose .rodata is SHT_NOBITS.
		m.Release, m.Compiler = releaseFromPath(name), commentCompiler(ef, budget)
	}
	m.Version, m.Revision, m.Flavor = ParseRelease(m.Release)
	applyOverrides(&m, opts)
	return m
}

// link indexes the functions (fns, in name order, becomes b.funcs),
// attaches the symbols to them and classifies them (on GOMAXPROCS
// goroutines: each function on its own).
func (b *Build) link(fns []*Function, btf *btfFacts) {
	b.funcs = fns
	b.byName = make(map[string]int32, len(fns))
	for i, f := range fns {
		b.byName[f.Name] = int32(i)
		if f.Demangled != "" {
			if b.byDemangl == nil {
				b.byDemangl = make(map[string]*Function)
			}
			if _, dup := b.byDemangl[f.Demangled]; !dup {
				b.byDemangl[f.Demangled] = f
			}
		}
	}
	// Symbols: find each one's function (its index in fns, -1 for none)
	// and count them per function, then carve one backing array.
	of := make([]int32, len(b.symbols))
	count := make([]int32, len(fns))
	for i := range b.symbols {
		of[i] = -1
		if k, ok := b.byName[b.symbols[i].Stem]; ok {
			of[i] = k
			count[k]++
		}
	}
	back := make([]*Symbol, len(b.symbols))
	o := int32(0)
	for k, n := range count {
		if n > 0 {
			fns[k].Symbols = back[o : o : o+n]
			o += n
		}
	}
	for i := range b.symbols {
		sym := &b.symbols[i]
		if k := of[i]; k >= 0 {
			fns[k].Symbols = append(fns[k].Symbols, sym)
		} else {
			b.orphans = append(b.orphans, sym)
		}
	}
	btf.byFunction(b.symbols, of, len(fns))
	const part = 1 << 12 // functions per call
	parallel(runtime.GOMAXPROCS(0), (len(b.funcs)+part-1)/part, func(p int) {
		for k := p * part; k < min((p+1)*part, len(b.funcs)); k++ {
			f := b.funcs[k]
			f.mergeAssembler()
			f.addressFromSymbol()
			f.classify()
			f.Signature = functionSignature(f.Instances)
			f.Attach = f.attachability(b.ModuleAttachSources, btf.has(f, k))
		}
	})
}

// functionSignature is the external instance's signature, else the first
// instance's that has one (docs/rules.md §7).
func functionSignature(insts []*Instance) *Signature {
	var first *Signature
	for _, in := range insts {
		if in.Signature == nil {
			continue
		}
		if in.External {
			return in.Signature
		}
		if first == nil {
			first = in.Signature
		}
	}
	return first
}

// Function returns the function with the given name: its Name, or, for a
// mangled Rust or C++ name, its Demangled form.
func (b *Build) Function(name string) (*Function, bool) {
	if b.ix != nil {
		f, ok, _ := b.ix.lookup(name)
		return f, ok
	}
	if k, ok := b.byName[name]; ok {
		return b.funcs[k], true
	}
	f, ok := b.byDemangl[name]
	return f, ok
}

// Functions yields the functions in name order (byte order of Name).
func (b *Build) Functions() iter.Seq[*Function] {
	if b.ix != nil {
		return b.ix.functions()
	}
	return func(yield func(*Function) bool) {
		for _, f := range b.funcs {
			if !yield(f) {
				return
			}
		}
	}
}

// FunctionNames yields the functions' names in name order. For a build
// loaded from an index it decodes nothing else: use it to match names
// (a pattern) across many builds, then Function for the matches.
func (b *Build) FunctionNames() iter.Seq[string] {
	if b.ix != nil {
		return b.ix.names()
	}
	return func(yield func(string) bool) {
		for _, f := range b.funcs {
			if !yield(f.Name) {
				return
			}
		}
	}
}

// FunctionNamesWithPrefix yields, in name order, the functions' names
// that start with prefix. For a build loaded from an index file it reads
// only the names it yields (and the one after): use it to match a pattern
// with a literal prefix across many builds.
func (b *Build) FunctionNamesWithPrefix(prefix string) iter.Seq[string] {
	if b.ix != nil {
		return b.ix.namesFrom(prefix)
	}
	return func(yield func(string) bool) {
		i, _ := slices.BinarySearchFunc(b.funcs, prefix, func(f *Function, p string) int { return strings.Compare(f.Name, p) })
		for _, f := range b.funcs[i:] {
			if !strings.HasPrefix(f.Name, prefix) || !yield(f.Name) {
				return
			}
		}
	}
}

// Len is the number of functions.
func (b *Build) Len() int {
	if b.ix != nil {
		return b.ix.n
	}
	return len(b.funcs)
}

// Err returns the first error met decoding a build loaded from an index
// file after [New] returned, or nil. Such a file has passed its checksum,
// so only a file made to fail, or a bug, gets here; the functions whose
// data could not be decoded are then left out of Function, Functions and
// the rest, and [Build.Lookup] returns the error. It is always nil for a
// build read from a vmlinux.
func (b *Build) Err() error {
	if b.ix == nil {
		return nil
	}
	return b.ix.firstErr()
}

// Symbols yields every function symbol of the build in symbol-table order,
// whether or not a function carries it.
func (b *Build) Symbols() iter.Seq[*Symbol] {
	return func(yield func(*Symbol) bool) {
		if b.ix != nil {
			all, _ := b.ix.allSymbols()
			for _, s := range all {
				if !yield(s) {
					return
				}
			}
			return
		}
		for i := range b.symbols {
			if !yield(&b.symbols[i]) {
				return
			}
		}
	}
}

// UnattachedSymbols yields, in symbol-table order, the function symbols
// whose stem names no function in DWARF (code without debug info, such
// as assembly built without -g). They are not functions of the surface:
// kabi, like DepSurf, keys functions by their DWARF names.
func (b *Build) UnattachedSymbols() iter.Seq[*Symbol] {
	return func(yield func(*Symbol) bool) {
		orphans := b.orphans
		if b.ix != nil {
			_, orphans = b.ix.allSymbols()
		}
		for _, s := range orphans {
			if !yield(s) {
				return
			}
		}
	}
}

// Symbol returns the function symbols named name, in symbol-table order.
// The first call indexes every symbol by name; later calls look up the
// index. For a build loaded from an index file it reads only the block of
// the function that the name's stem names, or else the unattached
// symbols.
func (b *Build) Symbol(name string) []*Symbol {
	if b.ix != nil {
		return b.ix.symbolsNamed(name)
	}
	if b.bySymbol == nil {
		var out []*Symbol
		for i := range b.symbols {
			if b.symbols[i].Name == name {
				out = append(out, &b.symbols[i])
			}
		}
		return out
	}
	return b.bySymbol.named(b.symbols, name)
}

// symbolIndex maps symbol names to their symbols, built on first use.
type symbolIndex struct {
	once sync.Once
	m    map[string][]*Symbol
}

// named returns the symbols of syms called name, in their order; syms
// is indexed on the first call, and must be the same at every call.
func (x *symbolIndex) named(syms []Symbol, name string) []*Symbol {
	x.once.Do(func() {
		x.m = make(map[string][]*Symbol, len(syms))
		for i := range syms {
			s := &syms[i]
			x.m[s.Name] = append(x.m[s.Name], s)
		}
	})
	return x.m[name]
}

// FunctionOfSymbol returns the function that carries the symbol named
// name: "finish_task_switch.isra.0" gives finish_task_switch. It is false
// when no symbol has the name, or the symbol's stem names no function
// (code without debug info).
func (b *Build) FunctionOfSymbol(name string) (*Function, bool) {
	syms := b.Symbol(name)
	if len(syms) == 0 {
		return nil, false
	}
	return b.Function(syms[0].Stem)
}

// Lookup is Function that also takes a symbol name (a clone such as
// "finish_task_switch.isra.0" gives its function, see
// [Build.FunctionOfSymbol]), with an error for a miss, wrapping
// [ErrNotFound], naming the build, and saying so when the name is that of
// a symbol that DWARF does not describe.
func (b *Build) Lookup(name string) (*Function, error) {
	if b.ix != nil {
		if _, _, err := b.ix.lookup(name); err != nil {
			return nil, err
		}
	}
	if f, ok := b.Function(name); ok {
		return f, nil
	}
	if f, ok := b.FunctionOfSymbol(name); ok {
		return f, nil
	}
	if syms := b.Symbol(name); len(syms) > 0 {
		return nil, fmt.Errorf("%s: %w: %q (it is a symbol at %#x, but DWARF has no function of that name)", b.Meta.File, ErrNotFound, name, syms[0].Address)
	}
	if b.vmlinuxAlone() {
		return nil, fmt.Errorf("%s: %w: %q (the build is vmlinux alone: a module's functions are in it only when it is read with its module tree: Options.ModuleDir, or the kabi command's -modules)", b.Meta.File, ErrNotFound, name)
	}
	return nil, fmt.Errorf("%s: %w: %q", b.Meta.File, ErrNotFound, name)
}

// Running reports whether the build is a running kernel's: read by
// [OpenRunning] from its BTF and /proc/kallsyms, or from an index file
// written of such a build. Such a build has no DWARF: its functions'
// instances, inline and collision facts are unknown, and its modules
// ([Build.Modules]) are the loaded ones whose BTF it read, not the
// kernel's whole module tree.
func (b *Build) Running() bool {
	if b.ix == nil {
		return b.running
	}
	// An index file keeps the fact in each function: a build read with
	// DWARF knows every function's instances, a running kernel's none.
	for f := range b.Functions() {
		return !f.InstancesKnown()
	}
	return false
}

// vmlinuxAlone reports whether the build was read from vmlinux's DWARF
// without the kernel's modules (a running kernel's build knows the loaded
// modules' symbols, and has no DWARF).
func (b *Build) vmlinuxAlone() bool {
	return !b.Running() && len(b.modules()) == 0
}
