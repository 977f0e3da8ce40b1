package kabi

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/deb"
	"github.com/kabi-dev/kabi/internal/index"
)

// Index files hold a Build as the analysis left it, so that it can be
// loaded again in a fraction of the time. The codec (header, directory,
// checksum, compression) is package internal/index; this file says what
// goes in the sections, indexread.go reads them back.
//
// Sections, each a run of varints (strings are references into the
// string table, types references into the type table, 0 meaning "" or
// nil):
//
//	metadata   the Metadata fields but File; the functions per block; the
//	           numbers of functions, strings and symbols; the surface
//	           rules the index was written under; which of the kernel's
//	           probe lists the build carries (AttachSources), and the
//	           count of modules, then per module its name and the lists
//	           it carries (ModuleAttachSources), in name order
//	strings ×M the string table in chunks of strChunk strings: each the
//	           lengths, then the bytes. String 0 is "" (not stored);
//	           strings 1 to F are the F function names in name order
//	functions  the number of functions; the name directory: the name of
//	           every strChunk-th function (the first of each string
//	           chunk), so that a name is found by reading one chunk; the
//	           demangled names (count, then per function that has one:
//	           the gap in function numbers from the previous, the name)
//	symbols    the symbols whose stem names no function (unattached),
//	           in symbol-table order, each as in a block
//	types      the C types as a DAG: the count, the length of each
//	           record, then the records; each refers only to earlier
//	           ones; equal types are written once. A type is decoded
//	           when it is first referred to
//	hooks      the tracepoints, LSM hooks, kfuncs, syscalls, configuration
//	           and skips (hooks_index.go); absent for a build read without
//	           hooks. Signatures are those of the functions they name
//	typedefs   the struct, union and enum definitions, in chunks found by
//	           name (see index_types.go)
//	block ×N   per function of the block: a classification byte
//	           (Collision, InlineKind, Transformation, "every instance
//	           only declared", "in the build's .BTF"), the Issues as a
//	           bit set, the numbers of instances and of symbols; then per
//	           function, per instance: flags, CU path, location, address,
//	           inline and direct callers (each with its site and
//	           address), signature with its clones; for a function whose
//	           inline kind is unknown (no instances: a running kernel), a
//	           byte 0 or 1 and then its signature; then its symbols, each
//	           its position in the symbol table, name, demangled name,
//	           address, size, binding, section, flags (Ftrace, NoKprobe)
//	           and module (Stem, Suffix and Transforms are derived from
//	           the name, and the stem must be the function's name).
//	           Function.Signature is derived as the analysis derives it
//
// Opening an index reads the header, the directory and the metadata;
// finding a function by name reads the functions section, one string
// chunk and its block (and the strings and types that block refers to);
// a struct, one chunk of the typedefs. Each part is decoded once, the
// first time it is needed.

// surfaceRules numbers the rules by which kabi derives a surface from a
// vmlinux (surface rules, paths, signatures, clones). An index records
// the number it was written under, and IndexUpToDate calls an index of
// other rules stale. Bump it with any change that makes the analysis give
// other results; the format version is for changes to the file's layout.
const surfaceRules = 2

// blockLen is the number of functions per block.
const blockLen = 128

// strChunk is the number of strings per chunk of the string table.
const strChunk = 1024

// maxTypeNodes and maxTypeDepth bound a type written out as a tree (a
// type shared in the table counts at each use). The types of C
// signatures are far smaller (a Debian 6.1 kernel's largest has 33 nodes
// and a depth of 6); the bounds keep a crafted table, each type using the
// one before twice, from making String or Equal run for ever.
const (
	maxTypeNodes = 1 << 10
	maxTypeDepth = 64
)

// Bits of the classification byte.
const (
	classCollision      = 0x07 // Collision
	classInlineShift    = 3    // InlineKind, 2 bits
	classTransformation = 1 << 5
	classDeclaredOnly   = 1 << 6 // every instance is DeclaredOnly
	classInBTF          = 1 << 7 // the build's .BTF has a FUNC of the name
)

// Bits of a symbol's flags.
const (
	symFtrace = 1 << iota
	symNoKprobeListed
	symNoKprobeText
)

// Bits of the metadata's attach sources.
const (
	srcFtraceList = 1 << iota
	srcKprobeBlacklist
	srcBTF
)

// Bits of an instance's flags.
const (
	instExternal = 1 << iota
	instDeclaredInline
	instInlined
	instDeclaredOnly
	instHasAddr
	instSignature
	instAssembler
)

// Bits of a signature's and a type's flags.
const (
	sigVariadic = 1 << iota
	sigPrototyped
	sigAssembler
)

// A Source identifies the file a build was analysed from. A build loaded
// from an index file gives the source the index was made from, so
// [IndexUpToDate] can tell whether that file has changed since.
type Source struct {
	File    string    // the name the file was read by
	Size    int64     // 0 when the build was read from something that is not a file
	ModTime time.Time // zero when the build was read from something that is not a file
	BuildID string    // the GNU build ID, as Metadata.BuildID
	// Checksum is, for a build read from a Debian package, the SHA-256 of
	// the package's control member, in hex; else empty.
	Checksum string
}

// Source returns the file the build was analysed from.
func (b *Build) Source() Source { return b.src }

// statSource fills in the size and modification time of r when it can
// say them (an *os.File can).
func statSource(r io.ReaderAt, name string) Source {
	s := Source{File: name}
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			s.Size, s.ModTime = fi.Size(), fi.ModTime()
		}
	}
	return s
}

// IndexName is the file name [WriteIndexFile] is meant to be given for a
// build: its release and architecture, as "6.1.0-47-amd64.kabi" when the
// release names the architecture already and "6.1.0-47-686-pae_i386.kabi"
// otherwise. A build without a release is named after its file.
func IndexName(m Metadata) string {
	name := m.Release
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(m.File), ".kabi")
	}
	if m.Arch != "" && !strings.HasSuffix(name, "-"+m.Arch) && !strings.Contains(name, "-"+m.Arch+"-") {
		name += "_" + m.Arch
	}
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == 0 || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return name + ".kabi"
}

// WriteIndex writes the build as an index file to w. It can be loaded
// with [Open] or [New], which then answer exactly as b does. A build
// loaded from an index can be written again.
func (b *Build) WriteIndex(w io.Writer) error {
	return b.WriteIndexContext(context.Background(), w)
}

// WriteIndexContext is [Build.WriteIndex] that stops when ctx is done:
// it checks ctx before each block of functions is encoded and each
// section compressed, and then returns ctx.Err(), having written nothing.
func (b *Build) WriteIndexContext(ctx context.Context, w io.Writer) error {
	data, err := b.indexBytesContext(ctx, false)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// Compact returns the build in its index representation (see
// [Build.WriteIndex]), loaded as [New] loads an index file: it answers
// exactly as b does, and decodes its functions as they are asked for.
// A program that holds many builds (a report over a series of kernels)
// can hold each in a few megabytes until it is asked about, not the
// hundred and more that a kernel's surface read from DWARF takes; b can
// be dropped. A build loaded from an index is returned as it is.
func (b *Build) Compact() (*Build, error) {
	if b.ix != nil {
		return b, nil
	}
	data, err := b.indexBytes(false)
	if err != nil {
		return nil, err
	}
	c, err := openIndex(bytes.NewReader(data), b.Meta.File, nil)
	if err != nil {
		return nil, err
	}
	c.Meta, c.src = b.Meta, b.src
	return c, nil
}

// WriteIndexFile writes the build's index to path atomically: into a
// temporary file in the same folder, synced, then renamed over path. An
// interrupted write leaves path as it was, and a hidden temporary
// (.NAME.tmp-PID-...) that the next WriteIndexFile of path removes once
// its process is gone.
func WriteIndexFile(path string, b *Build) error {
	return WriteIndexFileContext(context.Background(), path, b)
}

// WriteIndexFileContext is [WriteIndexFile] that stops when ctx is done,
// as [Build.WriteIndexContext] does; path is then left as it was.
func WriteIndexFileContext(ctx context.Context, path string, b *Build) (err error) {
	data, err := b.indexBytesContext(ctx, false)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := createIndexTemp(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename durable; not every system can sync a folder.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// IndexUpToDate reports whether the index file at indexPath was made from
// the build at buildPath as it is now: the same size, modification time
// and GNU build ID. It is false, without an error, when the index does
// not exist, is corrupt, is of another format version, or was written by a
// kabi whose analysis gives other results.
func IndexUpToDate(indexPath, buildPath string) (bool, error) {
	fi, err := os.Stat(buildPath)
	if err != nil {
		return false, err
	}
	f, err := os.Open(indexPath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	b, err := openIndex(f, indexPath, nil)
	if err != nil || b.ix.rules != surfaceRules { // openIndex refuses other versions
		return false, nil
	}
	src := b.ix.file.Source
	if src.Size != fi.Size() || src.ModTime != fi.ModTime().UnixNano() {
		return false, nil
	}
	if b.src.Checksum != "" {
		pf, err := os.Open(buildPath)
		if err != nil {
			return false, err
		}
		defer pf.Close()
		sum, err := packageChecksum(pf, buildPath)
		if err != nil {
			return false, err
		}
		return sum == b.src.Checksum, nil
	}
	ef, err := elf.Open(buildPath)
	if err != nil {
		return false, fmt.Errorf("%s: %w", buildPath, ErrNotELF)
	}
	defer ef.Close()
	return readBuildID(ef, dwarfx.FileBudget(fi.Size(), 0)) == src.BuildID, nil
}

// ReadMetadata reads the metadata of the build at path without analysing
// it: for a vmlinux, from its ELF header, banner and build-ID note; for an
// index file, from the index.
func ReadMetadata(path string, opts *Options) (m Metadata, err error) {
	defer recoverBug(path, &err)
	if opts == nil {
		opts = &Options{}
	}
	f, err := os.Open(path)
	if err != nil {
		return Metadata{}, err
	}
	defer f.Close()
	if index.IsIndex(f) {
		b, err := openIndex(f, path, opts)
		if err != nil {
			return Metadata{}, err
		}
		return b.Meta, nil
	}
	if deb.IsPackage(f) {
		return packageMetadata(f, path, opts)
	}
	ef, err := openELF(f, path)
	if err != nil {
		return Metadata{}, err
	}
	budget := dwarfx.FileBudget(inputSize(f), opts.MaxDecompressed)
	_, banner, err := readSymbols(ef, path, budget)
	if err != nil {
		return Metadata{}, err
	}
	return readMetadata(ef, path, banner, opts, budget), nil
}

// indexWriter builds the string and type tables while the sections are
// encoded.
type indexWriter struct {
	global   strTable  // the global string table: function names, demangled names
	cur      *strTable // the string table of the section being written
	typeTab  strTable  // the type table's strings
	typeOf   map[*Type]uint32
	typeKey  map[string]uint32
	types    index.Enc
	typeLens []int // of each record in types
	ntypes   int
	nodes    []int32 // per type, its size as a tree; nodes[0] is nil's
	depth    []int32 // per type, its depth as a tree
	scratch  index.Enc
}

// A strTable is the string table of one section: string i (from 1) is
// list[i-1]; 0 is "".
type strTable struct {
	m    map[string]uint32
	list []string
}

func (t *strTable) id(s string) uint64 {
	if s == "" {
		return 0
	}
	if i, ok := t.m[s]; ok {
		return uint64(i)
	}
	if t.m == nil {
		t.m = make(map[string]uint32)
	}
	t.list = append(t.list, s)
	t.m[s] = uint32(len(t.list))
	return uint64(len(t.list))
}

// encode writes the table: the count, then the strings.
func (t *strTable) encode(e *index.Enc) {
	e.Uvarint(uint64(len(t.list)))
	encodeStrings(e, t.list)
}

// encodeStrings writes every length of list, then the bytes.
func encodeStrings(e *index.Enc, list []string) {
	total := 0
	for _, s := range list {
		e.Uvarint(uint64(len(s)))
		total += len(s)
	}
	e.B = slices.Grow(e.B, total)
	for _, s := range list {
		e.B = append(e.B, s...)
	}
}

// str returns the reference of s in the table of the section being
// written.
func (w *indexWriter) str(s string) uint64 { return w.cur.id(s) }

// section starts a section with a string table of its own.
func (w *indexWriter) section() { w.cur = &strTable{} }

// seal returns the section: its string table, then body.
func (w *indexWriter) seal(body []byte) []byte {
	var e index.Enc
	w.cur.encode(&e)
	w.cur = nil
	return append(e.B, body...)
}

// typ returns the reference of t, adding it and what it refers to first.
func (w *indexWriter) typ(t *Type, depth int) (uint64, error) {
	if t == nil {
		return 0, nil
	}
	if i, ok := w.typeOf[t]; ok {
		return uint64(i), nil
	}
	if depth > maxTypeNesting {
		return 0, errors.New("kabi: a type nests too deeply to be indexed (a cycle?)")
	}
	elem, err := w.typ(t.Elem, depth+1)
	if err != nil {
		return 0, err
	}
	params := make([]uint64, len(t.Params))
	for i, p := range t.Params {
		if params[i], err = w.typ(p.Type, depth+1); err != nil {
			return 0, err
		}
	}
	nodes, levels := 1+w.nodes[elem], 1+w.depth[elem]
	for _, p := range params {
		nodes += w.nodes[p]
		levels = max(levels, 1+w.depth[p])
	}
	if nodes > maxTypeNodes || levels > maxTypeDepth {
		return 0, fmt.Errorf("kabi: a type of more than %d nodes or %d levels cannot be indexed", maxTypeNodes, maxTypeDepth)
	}
	e := &w.scratch
	e.B = e.B[:0]
	e.Byte(byte(t.Kind))
	e.Byte(byte(t.Qual))
	e.Uvarint(w.typeTab.id(t.Name))
	e.Uvarint(elem)
	e.Varint(t.Len)
	e.Uvarint(uint64(len(t.Params)))
	for i, p := range t.Params {
		e.Uvarint(w.typeTab.id(p.Name))
		e.Uvarint(params[i])
	}
	var fl byte
	if t.Variadic {
		fl |= sigVariadic
	}
	if t.Prototyped {
		fl |= sigPrototyped
	}
	e.Byte(fl)
	id, ok := w.typeKey[string(e.B)]
	if !ok {
		w.ntypes++
		id = uint32(w.ntypes)
		w.typeKey[string(e.B)] = id
		w.types.B = append(w.types.B, e.B...)
		w.typeLens = append(w.typeLens, len(e.B))
		w.nodes = append(w.nodes, nodes)
		w.depth = append(w.depth, levels)
	}
	w.typeOf[t] = id
	return uint64(id), nil
}

func (w *indexWriter) signature(e *index.Enc, s *Signature) error {
	ret, err := w.typ(s.Return, 0)
	if err != nil {
		return err
	}
	e.Uvarint(w.str(s.Name))
	e.Uvarint(ret)
	var fl byte
	if s.Variadic {
		fl |= sigVariadic
	}
	if s.Prototyped {
		fl |= sigPrototyped
	}
	if s.Assembler {
		fl |= sigAssembler
	}
	e.Byte(fl)
	e.Uvarint(uint64(len(s.Params)))
	for _, p := range s.Params {
		t, err := w.typ(p.Type, 0)
		if err != nil {
			return err
		}
		e.Uvarint(w.str(p.Name))
		e.Uvarint(t)
	}
	e.Uvarint(uint64(len(s.Clones)))
	for _, c := range s.Clones {
		var cf byte
		if c.HasAddr {
			cf = 1
		}
		e.Byte(cf)
		e.Uvarint(c.Addr)
		e.Uvarint(uint64(len(c.Params)))
		for _, p := range c.Params {
			t, err := w.typ(p.Type, 0)
			if err != nil {
				return err
			}
			e.Uvarint(w.str(p.Name))
			e.Uvarint(t)
			e.Byte(byte(p.State))
			var hv byte
			if p.HasValue {
				hv = 1
			}
			e.Byte(hv)
			e.Varint(p.Value)
		}
	}
	return nil
}

// callers writes a caller list: per caller its unit, function, site file
// and line, and its address as a difference from the one before (plus one;
// 0 for none).
func (w *indexWriter) callers(e *index.Enc, cs []Caller) {
	e.Uvarint(uint64(len(cs)))
	var prev uint64
	for _, c := range cs {
		e.Uvarint(w.str(c.File))
		e.Uvarint(w.str(c.Function))
		e.Uvarint(w.str(c.Site.File))
		e.Varint(int64(c.Site.Line))
		if !c.HasAddr {
			e.Varint(0)
			continue
		}
		d := int64(c.Addr - prev)
		if d >= 0 {
			d++ // 0 is "none"
		}
		e.Varint(d)
		prev = c.Addr
	}
}

// indexBytes encodes the build; store leaves the sections uncompressed.
func (b *Build) indexBytes(store bool) ([]byte, error) {
	return b.indexBytesContext(context.Background(), store)
}

// indexBytesContext is indexBytes that stops with ctx.Err() when ctx is
// done.
func (b *Build) indexBytesContext(ctx context.Context, store bool) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var fns []*Function
	for f := range b.Functions() {
		fns = append(fns, f)
	}
	if err := b.Err(); err != nil {
		return nil, err
	}
	w := &indexWriter{
		global: strTable{m: make(map[string]uint32, 4*len(fns)), list: make([]string, 0, 4*len(fns))},
		typeOf: make(map[*Type]uint32), typeKey: make(map[string]uint32), nodes: []int32{0}, depth: []int32{0},
	}
	for i, f := range fns {
		if i > 0 && fns[i-1].Name >= f.Name {
			return nil, fmt.Errorf("kabi: functions out of order: %q before %q", fns[i-1].Name, f.Name)
		}
		w.global.list = append(w.global.list, f.Name)
		w.global.m[f.Name] = uint32(i + 1)
	}

	// Each function's symbols, in symbol-table order, with their
	// positions in it; the others are unattached.
	fsyms := make([][]posSymbol, len(fns))
	var orphans []posSymbol
	nsyms := 0
	for s := range b.Symbols() {
		ps := posSymbol{s, nsyms}
		nsyms++
		if i, ok := w.global.m[s.Stem]; ok && i >= 1 && int(i) <= len(fns) {
			fsyms[i-1] = append(fsyms[i-1], ps)
		} else {
			orphans = append(orphans, ps)
		}
	}
	if err := b.Err(); err != nil {
		return nil, err
	}

	var funcs index.Enc // the name directory, then the demangled names
	funcs.Uvarint(uint64(len(fns)))
	for i := 0; i < len(fns); i += strChunk {
		funcs.String(fns[i].Name)
	}
	ndem := 0
	for _, f := range fns {
		if f.Demangled != "" {
			ndem++
		}
	}
	funcs.Uvarint(uint64(ndem))
	prevDem := -1
	for i, f := range fns {
		if f.Demangled != "" {
			funcs.Uvarint(uint64(i - prevDem - 1))
			funcs.Uvarint(w.global.id(f.Demangled))
			prevDem = i
		}
	}

	var blocks [][]byte
	for start := 0; start < len(fns); start += blockLen {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w.section()
		var e index.Enc
		bfns := fns[start:min(start+blockLen, len(fns))]
		for j, f := range bfns {
			c := byte(f.Collision)&classCollision | byte(f.Inline)<<classInlineShift
			if f.Collision > classCollision || f.Inline > 3 {
				return nil, fmt.Errorf("kabi: %s: classification out of range", f.Name)
			}
			if f.Transformation {
				c |= classTransformation
			}
			declared := len(f.Instances) > 0 // not when they are unknown
			for _, in := range f.Instances {
				declared = declared && in.DeclaredOnly
			}
			if declared {
				c |= classDeclaredOnly
			}
			if f.Attach.BTF == AttachYes {
				c |= classInBTF
			}
			e.Byte(c)
			var m byte
			for _, is := range f.Issues {
				if is == 0 || is > 8 {
					return nil, fmt.Errorf("kabi: %s: issue %d out of range", f.Name, is)
				}
				m |= 1 << (is - 1)
			}
			e.Byte(m)
			e.Uvarint(uint64(len(f.Instances)))
			e.Uvarint(uint64(len(fsyms[start+j])))
		}
		for j, f := range bfns {
			for _, in := range f.Instances {
				var fl byte
				for _, x := range [...]struct {
					on  bool
					bit byte
				}{{in.External, instExternal}, {in.DeclaredInline, instDeclaredInline}, {in.Inlined, instInlined},
					{in.DeclaredOnly, instDeclaredOnly}, {in.HasAddr && !in.AddrFromSymbol, instHasAddr}, {in.Signature != nil, instSignature},
					{in.Assembler, instAssembler}} {
					if x.on {
						fl |= x.bit
					}
				}
				e.Byte(fl)
				e.Uvarint(w.str(in.File))
				e.Uvarint(w.str(in.Module))
				e.Uvarint(w.str(in.Location.File))
				e.Varint(int64(in.Location.Line))
				if in.AddrFromSymbol {
					e.Uvarint(0) // derived again on load
				} else {
					e.Uvarint(in.Address)
				}
				w.callers(&e, in.InlineCallers)
				w.callers(&e, in.DirectCallers)
				if in.Signature != nil {
					if err := w.signature(&e, in.Signature); err != nil {
						return nil, fmt.Errorf("%s: %w", f.Name, err)
					}
				}
			}
			if f.Inline == InlineUnknown {
				// No instances to derive it from (a running kernel's
				// function): the function's own signature, if any.
				if f.Signature == nil {
					e.Byte(0)
				} else {
					e.Byte(1)
					if err := w.signature(&e, f.Signature); err != nil {
						return nil, fmt.Errorf("%s: %w", f.Name, err)
					}
				}
			}
			for _, ps := range fsyms[start+j] {
				w.symbol(&e, ps)
			}
		}
		blocks = append(blocks, w.seal(e.B))
	}

	var syms index.Enc // the unattached symbols
	w.section()
	syms.Uvarint(uint64(len(orphans)))
	for _, ps := range orphans {
		w.symbol(&syms, ps)
	}
	syms.B = w.seal(syms.B)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defs, err := w.typeDefs(b) // before the strings and types are written
	if err != nil {
		return nil, err
	}

	var meta index.Enc
	m := b.Meta
	for _, s := range []string{m.Release, m.Version, m.Revision, m.Flavor, m.Arch, m.Compiler, m.Banner, m.BuildID, m.Package, m.PackageVersion, b.src.Checksum} {
		meta.String(s)
	}
	meta.Uvarint(blockLen)
	meta.Uvarint(uint64(len(fns)))
	meta.Uvarint(uint64(len(w.global.list) + 1)) // with string 0, ""
	meta.Uvarint(uint64(nsyms))
	meta.Uvarint(surfaceRules)
	meta.Byte(attachSourceBits(b.AttachSources()))
	modSrc := b.modules()
	meta.Uvarint(uint64(len(modSrc)))
	for _, m := range slices.Sorted(maps.Keys(modSrc)) {
		meta.String(m)
		meta.Byte(attachSourceBits(modSrc[m]))
	}

	// The strings but string 0 (""), in chunks of strChunk.
	var strChunks [][]byte
	for c := 0; c < len(w.global.list); c += strChunk {
		var e index.Enc
		encodeStrings(&e, w.global.list[c:min(c+strChunk, len(w.global.list))])
		strChunks = append(strChunks, e.B)
	}
	var types index.Enc
	w.typeTab.encode(&types)
	types.Uvarint(uint64(w.ntypes))
	for _, l := range w.typeLens {
		types.Uvarint(uint64(l))
	}
	types.B = append(types.B, w.types.B...)

	iw := &index.Writer{Store: store, Stop: ctx.Err, Source: index.Source{Name: b.src.File, Size: b.src.Size, BuildID: m.BuildID}}
	if !b.src.ModTime.IsZero() {
		iw.Source.ModTime = b.src.ModTime.UnixNano()
	}
	iw.Add(index.KindMeta, meta.B)
	for _, c := range strChunks {
		iw.Add(index.KindStrings, c)
	}
	iw.Add(index.KindFuncs, funcs.B)
	iw.Add(index.KindSymbols, syms.B)
	iw.Add(index.KindTypes, types.B)
	for _, d := range defs {
		iw.Add(index.KindTypeDefs, d)
	}
	for _, blk := range blocks {
		iw.Add(index.KindBlock, blk)
	}
	if b.hk != nil || b.ix != nil {
		iw.Add(index.KindHooks, b.hooks().encode())
	}
	return iw.Bytes()
}

// attachSourceBits encodes attach sources as bits.
func attachSourceBits(as AttachSources) byte {
	var src byte
	for _, x := range [...]struct {
		on  bool
		bit byte
	}{{as.FtraceList, srcFtraceList}, {as.KprobeBlacklist, srcKprobeBlacklist}, {as.BTF, srcBTF}} {
		if x.on {
			src |= x.bit
		}
	}
	return src
}

// A posSymbol is a symbol and its position in the symbol table.
type posSymbol struct {
	*Symbol
	pos int
}

// symbol writes a symbol: its position in the symbol table, name,
// demangled name, address, size, binding, section, flags and module.
func (w *indexWriter) symbol(e *index.Enc, s posSymbol) {
	e.Uvarint(uint64(s.pos))
	e.Uvarint(w.str(s.Name))
	e.Uvarint(w.str(s.Demangled))
	e.Uvarint(s.Address)
	e.Uvarint(s.Size)
	e.Uvarint(uint64(s.Bind))
	e.Uvarint(w.str(s.Section))
	var sf byte
	if s.Ftrace {
		sf |= symFtrace
	}
	switch s.NoKprobe {
	case NoKprobeListed:
		sf |= symNoKprobeListed
	case NoKprobeText:
		sf |= symNoKprobeText
	}
	e.Byte(sf)
	e.Uvarint(w.str(s.Module))
}

func binaryUvarint(v uint64) []byte {
	var e index.Enc
	e.Uvarint(v)
	return e.B
}

// IsIndexFile reports whether the file at path is an index file (it
// starts with the index magic), without reading the rest.
func IsIndexFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return index.IsIndex(f), nil
}
