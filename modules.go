package kabi

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/stage"
	"github.com/klauspost/compress/zstd"
)

// A kernel is vmlinux and its modules. With [Options].ModuleDir, New reads
// every module of the tree after vmlinux and makes the Build the whole
// kernel: each module is analysed on its own (in parallel across files,
// its DWARF dropped once its functions are taken), then its instances,
// callers and symbols join vmlinux's in module path order, so that names
// are decided across the whole kernel: a static function of a module and
// one of vmlinux with the same name are a collision, as they are for a
// kprobe, which names the function, not the file.
//
// An external function that a module only declares (it calls into vmlinux
// or another module) is the same function as the definition elsewhere:
// its declaration joins the defining instance (vmlinux's first, else the
// first module's in path order), with its call sites. An external function
// defined by two modules (alternative drivers) is two instances.

// ModuleSuffixes are the file names a module tree's modules have: plain,
// and compressed as distributions ship them.
var ModuleSuffixes = []string{".ko", ".ko.xz", ".ko.zst", ".ko.gz"}

// moduleStem is the file name without its module suffix, and whether it
// has one.
func moduleStem(path string) (string, bool) {
	base := filepath.Base(path)
	for _, s := range ModuleSuffixes {
		if strings.HasSuffix(base, s) && len(base) > len(s) {
			return strings.TrimSuffix(base, s), true
		}
	}
	return "", false
}

// ModuleDir returns the module tree of the kernel whose vmlinux is at
// vmlinux, release release, where a debug package or kabi's fetch tool
// puts it: beside /usr/lib/debug/boot/vmlinux-RELEASE, the -dbg package's
// /usr/lib/debug/lib/modules/RELEASE; beside vmlinux-RELEASE, a directory
// modules-RELEASE. It returns false when neither is a directory.
func ModuleDir(vmlinux, release string) (string, bool) {
	if release == "" {
		return "", false
	}
	dir := filepath.Dir(vmlinux)
	for _, d := range []string{
		filepath.Join(dir, "..", "lib", "modules", release),
		filepath.Join(dir, "modules-"+release),
	} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return filepath.Clean(d), true
		}
	}
	return "", false
}

// listModules returns the module files under dir, in the order of a
// directory walk that takes each directory's entries in name order: the
// order in which dpkg-deb puts them into a package, so that a package's
// modules streamed out of it are met in the same order (see
// [Options].PackageModules). It differs from the order of the paths as
// strings where a directory's name is the start of a sibling's: dvb-usb/
// and its files come before dvb-usb-v2/.
func listModules(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if _, ok := moduleStem(p); ok && e.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("module tree %s: %w", dir, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("module tree %s: no modules (%s) in it", dir, strings.Join(ModuleSuffixes, ", "))
	}
	return out, nil
}

// moduleOrder compares two module paths in the order listModules gives
// them: component by component, each in byte order (a path's '/' sorts
// before every other byte).
func moduleOrder(a, b string) int {
	for {
		ca, ra, moreA := strings.Cut(a, "/")
		cb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = ra, rb
	}
}

// A module is one module file, analysed.
type module struct {
	path    string
	name    string
	release string
	s       *surface
	syms    []Symbol
	src     AttachSources // the lists it carries for its functions
	inBTF   []int32       // its plain function symbols (indexes in syms) that its .BTF has a FUNC of
	hooks   *hookSet      // its kfuncs and trace events (nil with Options.NoHooks)
	types   *moduleTypes  // its types (nil without)
	err     error
}

// kernelLists is what vmlinux tells the reading of its modules, and what
// the modules' lists give back.
type kernelLists struct {
	// known names the external functions that vmlinux defines with a
	// signature: a module's declarations of them join vmlinux's instance
	// (see foldDeclarations) and need no prototype.
	known map[string]struct{}
	// src are vmlinux's lists; btfStrings the string section of its .BTF,
	// over which a module's split .BTF is read (nil without one).
	src        AttachSources
	btfStrings []byte

	modSrc map[string]AttachSources // per module, filled by addModules
	symBTF bitset                   // the module symbols, by index in the kernel's, whose module's .BTF has a FUNC of their name
	hooks  hookSet                  // the modules' kfuncs, trace events and skips, in module order
	// tpl is vmlinux's layout of the trace event structs (nil: the
	// modules' events are not read).
	tpl *tracepointLayout
	// types decides which module decodes each type definition (nil:
	// types are not read).
	types *kernelTypes
	// sigTypes is vmlinux's table of signature types and signatures,
	// read-only while modules are read (nil: none).
	sigTypes *typeTable
	// tables keeps the first chunks of merged modules' tables for the
	// modules read after them (nil: none kept).
	tables *tablePools
}

// A moduleInput is one module file to read: its path (a file's, or a
// package's and the member's), and how to open it: its ELF bytes, the
// budget for decompressing them and the sections within, and what to
// call when done with them.
type moduleInput struct {
	path string
	open func() (io.ReaderAt, *dwarfx.Budget, func(), error)
	drop func() // frees the file if it is not opened; nil: nothing to free
}

// A moduleSource hands out the module files of a kernel, in the order of
// listModules.
type moduleSource interface {
	// start is called once vmlinux is read, before next.
	start() error
	// next returns the next module file; false at the end. It is called
	// by one goroutine at a time.
	next() (moduleInput, bool, error)
	// total is the number of module files, 0 when not known in advance.
	total() int
	// abort ends a source that is not read to its end: next returns at
	// once, with an error.
	abort()
}

// dirModules is the module tree in a directory.
type dirModules struct {
	dir   string
	opts  *Options
	paths []string
	i     int
}

func (d *dirModules) start() (err error) {
	d.paths, err = listModules(d.dir)
	return err
}

func (d *dirModules) next() (moduleInput, bool, error) {
	if d.i >= len(d.paths) {
		return moduleInput{}, false, nil
	}
	p := d.paths[d.i]
	d.i++
	return moduleInput{path: p, open: func() (io.ReaderAt, *dwarfx.Budget, func(), error) {
		r, budget, c, err := openModuleFile(p, d.opts)
		if err != nil {
			return nil, nil, nil, err
		}
		return r, budget, func() { c.Close() }, nil
	}}, true, nil
}

func (d *dirModules) total() int { return len(d.paths) }
func (d *dirModules) abort()     {}

// readModule reads and analyses one module file, the idx-th the source
// handed out.
func readModule(in moduleInput, idx int, opts *Options, rule PathRule, k *kernelLists) *module {
	r, budget, done, err := in.open()
	if err != nil {
		return &module{path: in.path, err: err}
	}
	defer done()
	return analyzeModuleKnown(r, budget, in.path, idx, opts, rule, k)
}

// analyzeModule analyses the module in r, named path (its file name gives
// the module name when .modinfo does not), alone: without its vmlinux.
func analyzeModule(r io.ReaderAt, budget *dwarfx.Budget, path string, opts *Options, rule PathRule) *module {
	return analyzeModuleKnown(r, budget, path, 0, opts, rule, &kernelLists{})
}

// analyzeModuleKnown is analyzeModule given what its vmlinux tells.
func analyzeModuleKnown(r io.ReaderAt, budget *dwarfx.Budget, path string, idx int, opts *Options, rule PathRule, k *kernelLists) (m *module) {
	m = &module{path: path}
	defer recoverBug(path, &m.err)
	ef, err := elf.NewFile(r)
	if err != nil {
		m.err = &dwarfx.FormatError{File: path, Section: "ELF header", Err: ErrNotELF, Msg: err.Error()}
		return m
	}
	if ef.Type != elf.ET_REL {
		m.err = fmt.Errorf("%s: not a kernel module (ELF type %v, want ET_REL)", path, ef.Type)
		return m
	}
	stem, ok := moduleStem(path)
	if !ok {
		stem = filepath.Base(path)
	}
	m.name, m.release = modinfo(ef, stem)
	d, err := dwarfx.NewFromELFOptions(ef, r, path, &dwarfx.Options{Budget: budget})
	if err != nil {
		m.err = err
		return m
	}
	// The module's surface keeps only copies (its pool's): its sections'
	// buffers go to the next module once it is analysed.
	defer d.Close()
	all, err := readSymtab(ef, path, budget)
	if err != nil {
		m.err = err
		return m
	}
	syms, _ := functionSymbols(ef, all)
	for i := range syms {
		syms[i].Module = m.name
	}
	if m.src, err = markModule(ef, all, syms, k.src, path, budget); err != nil {
		m.err = err
		return m
	}
	if k.btfStrings != nil {
		names, _, err := readBTFFuncNames(ef, path, budget, k.btfStrings)
		if err != nil {
			m.err = err
			return m
		}
		if names != nil {
			m.src.BTF = true
			for i := range syms {
				if syms[i].Suffix == "" && names[syms[i].Name] {
					m.inBTF = append(m.inBTF, int32(i))
				}
			}
		}
	}
	if !opts.NoHooks {
		if m.hooks, err = readModuleKfuncs(ef, all, m.name, budget); err != nil {
			m.err = err
			return m
		}
		if err = m.hooks.readModuleTracepoints(ef, all, path, m.name, budget, k.tpl); err != nil {
			m.err = err
			return m
		}
	}
	all = nil
	info := infoSize(d)
	s := newSurface(d, rule, newStringPool(), functionFilter(opts.Functions), k.tables.takeLookups(info))
	k.tables.start(s)
	s.knownDecl = k.known
	s.base, s.sigs.base = k.sigTypes, k.sigTypes
	xopts := &dwarfx.ExtractOptions{Concurrency: 1, Recycle: true} // s.unit keeps nothing of a unit
	if !opts.NoSignatures {
		xopts.Prototypes, xopts.SkipDeclarationPrototypes, xopts.Prepare = true, true, s.prepareSignatures
	}
	if k.types != nil {
		s.keySeed = k.types.seed
		memo := newPlaceMemo()
		defer memo.release()
		s.claims.m = memo.claims
		s.modTypes = &moduleTypes{kt: k.types, mod: int32(idx), placeMemo: memo}
		xopts.Types, xopts.WantType, xopts.Prepare = true, s.wantModuleType, s.prepareSignatures
	}
	if err := d.Extract(xopts, func(cu *dwarfx.CompileUnit) error {
		s.unit(cu)
		return nil
	}); err != nil {
		m.err = err
		return m
	}
	if !opts.NoSignatures {
		if err := s.declarationSignatures(); err != nil {
			m.err = err
			return m
		}
	}
	s.drop()
	k.tables.keepLookups(s, info) // the rest is kept until merged, which reads the names, files, instances and call sites
	if s.modTypes != nil {
		s.modTypes.placeMemo, s.modTypes.last, s.modTypes.compDir = nil, pathKey{}, "" // they point into the module's sections
		m.types, s.modTypes = s.modTypes, nil
	}
	m.s, m.syms = s, syms
	return m
}

// openModuleFile returns the ELF bytes of a module file, decompressed if
// its name says it is compressed, the budget for decompressing them and
// the sections within, and what to close when done with them. A plain .ko
// is read in place (dwarfx reads only the sections it needs).
func openModuleFile(path string, opts *Options) (io.ReaderAt, *dwarfx.Budget, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	r, budget, plain, err := moduleELF(f, st.Size(), path, opts)
	if plain {
		// Read through a stage: debug/elf reads each section it is
		// asked for into a buffer of its own, new to the process.
		return &stage.Reader{R: f, N: st.Size()}, budget, f, nil
	}
	f.Close()
	if err != nil {
		return nil, nil, nil, err
	}
	return r, budget, io.NopCloser(nil), nil
}

// moduleELF returns the ELF bytes of the module file f of the given size,
// named path, and the budget for decompressing them and the sections
// within: f itself for a plain .ko (plain is then true), else f's
// contents decompressed, as its name says.
func moduleELF(f io.ReaderAt, size int64, path string, opts *Options) (r io.ReaderAt, budget *dwarfx.Budget, plain bool, err error) {
	budget = dwarfx.FileBudget(size, opts.MaxDecompressed)
	if strings.HasSuffix(path, ".ko") {
		return f, budget, true, nil
	}
	r, err = decompressModule(f, size, path, budget)
	return r, budget, false, err
}

// decompressModule decompresses a .ko.zst, .ko.gz or .ko.xz file, f of
// the given size.
func decompressModule(f io.ReaderAt, size int64, path string, budget *dwarfx.Budget) (io.ReaderAt, error) {
	var dec io.Reader
	switch {
	case strings.HasSuffix(path, ".ko.zst"):
		zr, err := zstd.NewReader(io.NewSectionReader(f, 0, size), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			return nil, fmt.Errorf("%s: zstd: %w", path, err)
		}
		defer zr.Close()
		dec = zr
	case strings.HasSuffix(path, ".ko.gz"):
		gr, err := gzip.NewReader(io.NewSectionReader(f, 0, size))
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		defer gr.Close()
		dec = gr
	case strings.HasSuffix(path, ".ko.xz"):
		xr, err := newXZReader(f, size)
		if err != nil {
			return nil, fmt.Errorf("%s: xz: %w", path, err)
		}
		defer xr.Close()
		dec = xr
	default:
		return nil, fmt.Errorf("%s: not a module file name (%s)", path, strings.Join(ModuleSuffixes, ", "))
	}
	var buf bytes.Buffer
	buf.Grow(int(min(size*4, 64<<20)))
	if _, err := io.Copy(&buf, budget.Reader(dec, path)); err != nil {
		return nil, fmt.Errorf("%s: decompressing: %w", path, err)
	}
	return bytes.NewReader(buf.Bytes()), nil
}

// modinfo returns the module's name (name= in .modinfo, else stem, the
// file name) and release (the first word of vermagic=; "" without one).
func modinfo(ef *elf.File, stem string) (name, release string) {
	name = stem
	s := ef.Section(".modinfo")
	if s == nil || s.Type == elf.SHT_NOBITS || s.Size > 1<<20 {
		return name, ""
	}
	b, put, err := readScratch(s) // what is kept is copied
	defer put()
	if err != nil {
		return name, ""
	}
	for f := range bytes.SplitSeq(b, []byte{0}) {
		switch {
		case bytes.HasPrefix(f, []byte("name=")) && len(f) > 5:
			name = string(f[5:])
		case bytes.HasPrefix(f, []byte("vermagic=")):
			if w := strings.Fields(string(f[9:])); len(w) > 0 {
				release = w[0]
			}
		}
	}
	return name, release
}

// addModules reads the modules of src into s (vmlinux's surface) and
// returns syms with the modules' symbols appended, in module order.
func (s *surface) addModules(src moduleSource, release string, opts *Options, rule PathRule, syms []Symbol, k *kernelLists) ([]Symbol, error) {
	if err := src.start(); err != nil {
		return nil, err
	}
	total := src.total()
	k.known = make(map[string]struct{})
	for fn, i := range s.ext {
		if i >= 0 && s.insts.at(i).defined && s.insts.at(i).sig != 0 {
			k.known[s.names[fn]] = struct{}{}
		}
	}
	k.sigTypes = s.freezeTypes()
	k.tables = newTablePools()
	s.sigTab.stage = opts.sigs == nil || !opts.sigs.unstaged
	k.modSrc = make(map[string]AttachSources, total)
	if !opts.NoTypes {
		k.types = newKernelTypes(s)
	}
	workers := opts.Concurrency
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Workers take files in order, and queue where their result will be
	// in the same order; results are merged in that order. At most
	// mergeWindow×workers modules, and never more than maxMergeWindow, are
	// being analysed or wait to be merged (see mergeWindow).
	order := make(chan chan *module, min(mergeWindow*workers, maxMergeWindow))
	var (
		mu     sync.Mutex
		ended  bool
		srcErr error
		taken  int // modules handed to workers: the next one's index
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if ended {
					mu.Unlock()
					return
				}
				in, ok, err := src.next()
				if err != nil || !ok {
					ended, srcErr = true, err
					close(order)
					mu.Unlock()
					return
				}
				res := make(chan *module, 1)
				select {
				case order <- res:
				case <-stop:
					ended = true
					mu.Unlock()
					if in.drop != nil {
						in.drop()
					}
					return
				}
				idx := taken
				taken++
				mu.Unlock()
				res <- readModule(in, idx, opts, rule, k)
			}
		}()
	}
	defer func() {
		close(stop)
		src.abort()
		wg.Wait()
	}()
	seen := make(map[string]string, total)
	n, nsyms := 0, len(syms)
	var modSyms symStage // the merged modules' symbols, in order
	for res := range order {
		if err := opts.ctxErr(); err != nil {
			return nil, err
		}
		m := <-res
		n++
		p := m.path
		if opts.ModuleProgress != nil {
			opts.ModuleProgress(p, n, total)
		}
		if m.err != nil {
			return nil, m.err
		}
		if m.release != release {
			got := m.release
			if got == "" {
				got = "none (no vermagic= in .modinfo)"
			}
			return nil, fmt.Errorf("%s: %w: module %s is for release %s, vmlinux is %s", p, ErrModuleRelease, m.name, got, release)
		}
		if other, dup := seen[m.name]; dup {
			return nil, fmt.Errorf("%s: module %s is also %s", p, m.name, other)
		}
		seen[m.name] = p
		s.merge(m.s, m.name)
		k.tables.keep(m.s) // merged: the next modules' tables start in its room
		if m.types != nil {
			s.mergeModuleTypes(m.types, m.name)
		}
		for _, i := range m.inBTF {
			k.symBTF.set(nsyms + int(i))
		}
		modSyms.add(m.syms)
		nsyms += len(m.syms)
		k.modSrc[m.name] = m.src
		if m.hooks != nil {
			k.hooks.kfuncs = append(k.hooks.kfuncs, m.hooks.kfuncs...)
			k.hooks.tracepoints = append(k.hooks.tracepoints, m.hooks.tracepoints...)
			for _, sk := range m.hooks.skips {
				k.hooks.skip(sk.Kind, sk.Where, "%s", sk.Reason)
			}
		}
	}
	mu.Lock()
	err := srcErr
	mu.Unlock()
	if err != nil {
		return nil, err
	}
	k.tables.drop()
	s.foldDeclarations()
	return modSyms.appendTo(syms, nsyms), nil
}

// mergeWindow is how many modules per worker may be read ahead of the
// merge: while one worker reads a large module (amdgpu's 356 MB is a
// fifteenth of a Debian tree), the others go on with the small ones after
// it, whose results wait for it. With 2 per worker the others soon had
// nothing to do: a whole kernel's read kept 2 cores busy for 1.75 of them.
// A waiting result holds its module's surface, types, symbols and hooks
// (its DWARF is dropped); maxMergeWindow bounds them on a machine of many
// cores, whose workers wait less behind one large module anyway.
const (
	mergeWindow    = 16
	maxMergeWindow = 64
)

// A symStage holds the symbols of a module tree's modules, without
// pointers, from each module's merge until the Build's symbols are made
// (see appendTo): a tree's quarter of a million function symbols, six
// strings each, are otherwise marked by every collection of the module
// phase. Their names are kept in pages, their sections and modules by
// index.
type symStage struct {
	syms  chunks[stagedSymbol]
	pages strPages
	strs  interned[string] // section and module names
}

type stagedSymbol struct {
	name, demangled, stem, suffix strRef // the last three as parts of name where they are (see strPages.add)
	section, module               int32  // in symStage.strs
	addr, size                    uint64
	bind                          elf.SymBind
	transforms                    Transform
	ftrace                        bool
	noKprobe                      NoKprobe
}

// add stages syms.
func (st *symStage) add(syms []Symbol) {
	for i := range syms {
		y := &syms[i]
		name := st.pages.add(y.Name, "", strRef{})
		st.syms.add(stagedSymbol{
			name: name, demangled: st.pages.add(y.Demangled, y.Name, name),
			stem: st.pages.add(y.Stem, y.Name, name), suffix: st.pages.add(y.Suffix, y.Name, name),
			section: st.strs.index(y.Section), module: st.strs.index(y.Module),
			addr: y.Address, size: y.Size, bind: y.Bind, transforms: y.Transforms, ftrace: y.Ftrace, noKprobe: y.NoKprobe,
		})
	}
}

// appendTo returns syms followed by the staged symbols, in one new array
// of exactly n symbols (syms itself when none are staged). The symbols'
// names share the stage's pages.
func (st *symStage) appendTo(syms []Symbol, n int) []Symbol {
	if st.syms.len() == 0 {
		return syms
	}
	out := make([]Symbol, len(syms), n)
	copy(out, syms)
	for _, y := range st.syms.all {
		out = append(out, Symbol{
			Name: st.pages.string(y.name), Demangled: st.pages.string(y.demangled),
			Stem: st.pages.string(y.stem), Suffix: st.pages.string(y.suffix),
			Section: st.strs.at(y.section), Module: st.strs.at(y.module),
			Address: y.addr, Size: y.size, Bind: y.bind, Transforms: y.transforms, Ftrace: y.ftrace, NoKprobe: y.noKprobe,
		})
	}
	return out
}

// ErrModuleRelease is wrapped by the error for a module tree that holds a
// module of another release than vmlinux's.
var ErrModuleRelease = errors.New("module release does not match vmlinux")

// stringPool hands out copies of strings, one per distinct value; safe
// for concurrent use.
type stringPool struct {
	mu sync.Mutex
	m  map[string]string
}

func newStringPool() *stringPool { return &stringPool{m: make(map[string]string)} }

func (p *stringPool) get(v string) string {
	if v == "" {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.m[v]; ok {
		return w
	}
	w := strings.Clone(v)
	p.m[w] = w
	return w
}

// merge adds the instances, callers and call sites of m, a module's
// surface (its DWARF dropped), as module name.
func (s *surface) merge(m *surface, name string) {
	mod := int32(len(s.modules))
	s.modules = append(s.modules, name)
	files := make([]int32, len(m.files))
	for i, f := range m.files {
		files[i] = s.file(f)
	}
	fns := make([]int32, len(m.names))
	for i, n := range m.names {
		fn, ok := s.fns[n]
		if !ok {
			fn = int32(len(s.names))
			s.fns[n] = fn
			s.names = append(s.names, n)
			s.ext = append(s.ext, -1)
			s.kept = append(s.kept, [maxShared]sigRef{})
		}
		fns[i] = fn
	}
	callers := make([]int32, m.callers.len())
	for i, c := range m.callers.all {
		fn := c.function
		if f, ok := s.fns[fn]; ok {
			fn = s.names[f]
		} else {
			fn = s.intern(fn)
		}
		callers[i] = s.callers.add(callerName{file: s.files[s.file(c.file)], function: fn})
	}
	base := int32(s.insts.len())
	for _, p := range m.insts.all {
		a := *p
		a.fn, a.mod = fns[a.fn], mod
		if a.file >= 0 {
			a.file = files[a.file]
		}
		if a.locFile >= 0 {
			a.locFile = files[a.locFile]
		}
		if a.sig != 0 {
			// A header's static inline functions are defined again in
			// module after module: one signature serves them all.
			a.sig = s.share(a.fn, m.sigTab.at(a.sig))
		}
		s.insts.add(a)
	}
	for _, p := range m.recs.all {
		r := *p
		r.inst += base
		r.setCaller(callers[r.caller()])
		if r.file >= 0 {
			r.file = files[r.file]
		}
		s.recs.add(r)
	}
}

// foldDeclarations joins each external instance that is only declared
// to the function's defining external instance, the first in merge order
// (vmlinux's, else the first module's), or, when no file defines it, to
// its first declared external instance: a declaration of a function
// defined elsewhere in the kernel is that function.
func (s *surface) foldDeclarations() {
	if len(s.modules) == 1 {
		return // vmlinux alone has one external instance per name
	}
	def := make([]int32, len(s.names))
	first := make([]int32, len(s.names))
	for i := range def {
		def[i], first[i] = -1, -1
	}
	for i, a := range s.insts.all {
		if !a.external {
			continue
		}
		if first[a.fn] < 0 {
			first[a.fn] = i
		}
		if a.defined && def[a.fn] < 0 {
			def[a.fn] = i
		}
	}
	n := s.insts.len()
	to := make([]int32, n)   // old index -> new index
	into := make([]int32, n) // old index -> old index it folds into, or itself
	for i, a := range s.insts.all {
		into[i] = i
		if !a.external || a.defined {
			continue
		}
		t := def[a.fn]
		if t < 0 {
			t = first[a.fn]
		}
		if t == i {
			continue
		}
		into[i] = t
		b := s.insts.at(t)
		b.nDirect += a.nDirect
		b.nInline += a.nInline
		if b.sig == 0 || a.sigRank > b.sigRank && !b.defined {
			b.sig, b.sigRank = a.sig, a.sigRank
		}
	}
	// The kept instances move down in place, in their order.
	kept := int32(0)
	for i, a := range s.insts.all {
		if into[i] == i {
			to[i] = kept
			*s.insts.at(kept) = *a
			kept++
		}
	}
	for i := range to {
		to[i] = to[into[i]]
	}
	for _, r := range s.recs.all {
		r.inst = to[r.inst]
	}
	s.insts.truncate(int(kept))
}

// CompareModuleBTF compares the BTF functions of one module of a whole
// kernel Build (from [ModuleBTFSignatures]: the module's split BTF) with
// the signatures kabi derived from that module's DWARF, as [CompareBTF]
// does for vmlinux.
func CompareModuleBTF(b *Build, module string, funcs []BTFFunc) *BTFReport {
	return compareBTF(funcs, moduleSignatures(b, module))
}

// moduleSignatures is buildSignatures of one module's instances.
func moduleSignatures(b *Build, module string) map[string]*funcSigs {
	return modulesSignatures(b, func(m string) bool { return m == module })[module]
}

// modulesSignatures is buildSignatures by module, of the modules want
// accepts.
func modulesSignatures(b *Build, want func(module string) bool) map[string]map[string]*funcSigs {
	all := make(map[string]map[string]*funcSigs)
	for f := range b.Functions() {
		for _, in := range f.Instances {
			if in.Signature == nil || !want(in.Module) {
				continue
			}
			out := all[in.Module]
			if out == nil {
				out = make(map[string]*funcSigs)
				all[in.Module] = out
			}
			fs := out[in.Signature.Name]
			if fs == nil {
				fs = &funcSigs{}
				out[in.Signature.Name] = fs
			}
			fs.all = append(fs.all, in.Signature)
			if in.External && fs.external == nil {
				fs.external = in.Signature
			}
			if in.Assembler || in.Signature.Assembler {
				fs.asm = true
			}
		}
	}
	return all
}
