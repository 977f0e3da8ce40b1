package check

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// Sentinel errors for bad objects. Errors of [Open] and [NewObject] name
// the file and wrap one of them.
var (
	// ErrNotBPF means the file is not an eBPF ELF object (not ELF at all,
	// or ELF for another machine).
	ErrNotBPF = errors.New("not an eBPF object")
	// ErrNoBTF means the object has no .BTF section: it was compiled
	// without -g, or stripped, so its types and CO-RE relocations are
	// unknown. Compile with clang -g -target bpf.
	ErrNoBTF = errors.New("no BTF (compile with clang -g -target bpf)")
	// ErrCorrupt means the object is ELF for eBPF but its sections, BTF
	// or instructions cannot be read.
	ErrCorrupt = errors.New("corrupt eBPF object")
	// ErrUnsupported means the object uses a feature the object reader
	// (github.com/cilium/ebpf) does not read, such as a typed __ksym
	// extern variable or a plain .struct_ops section.
	ErrUnsupported = errors.New("eBPF object feature not supported by the reader")
)

// maxObjectSize bounds the objects read: real ones are kilobytes to a few
// megabytes.
const maxObjectSize = 256 << 20

// An Object is what an eBPF object file asks of a kernel: its programs,
// and the dependencies they have on kernel builds.
type Object struct {
	// File is the object's name, as given to Open or NewObject.
	File string
	// Programs are the object's programs, in section then name order.
	Programs []Program
	// Deps are the object's dependencies, in [Dependency] order (kind,
	// name, then how the object depends on it). Two programs attaching to
	// one function share a Dependency.
	Deps []*Dependency
	// DWARF says the object carries DWARF, from which the prototypes its
	// tracing programs expect are read.
	DWARF bool
}

// A Program is one eBPF program of an object.
type Program struct {
	Name    string // the program's function name
	Section string // its ELF section: "fentry/vfs_read"
	// Attach is what the section says the program attaches to.
	Attach Attach
	// Target is the kernel object the section names ("vfs_read", a
	// pattern for kprobe.multi, "sched/sched_switch" for a tracepoint),
	// or "" when it is set at load time (see Options.Targets).
	Target string
	// Line is the source position of the program's first instruction
	// ("prog.bpf.c:42"), from the object's BTF line info; "" without.
	Line Source
}

// A Source is a position in the program's source, from BTF line info.
type Source struct {
	File string // as the compiler wrote it (often absolute)
	Line int    // 0 when unknown
	Text string // the source line, when BTF carries it
}

// String is "FILE:LINE", or "" when unknown.
func (s Source) String() string {
	if s.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Open reads the eBPF object file at path.
func Open(path string, opts *Options) (*Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return NewObject(f, path, opts)
}

// NewObject reads an eBPF object (as clang -target bpf writes it) from r;
// name is used in errors and in [Object].File. Errors for bad input name
// the file and wrap [ErrNotBPF], [ErrNoBTF] or [ErrCorrupt]. A panic in
// the reader is recovered and returned as an error that says it is a bug.
func NewObject(r io.ReaderAt, name string, opts *Options) (obj *Object, err error) {
	defer recoverBug(name, &err)
	if opts == nil {
		opts = &Options{}
	}
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrNotBPF, err)
	}
	if ef.Machine != elf.EM_BPF && ef.Machine != elf.EM_NONE {
		return nil, fmt.Errorf("%s: %w: ELF for %v", name, ErrNotBPF, ef.Machine)
	}
	if ef.Type != elf.ET_REL {
		return nil, fmt.Errorf("%s: %w: ELF type %v, not a relocatable object", name, ErrNotBPF, ef.Type)
	}
	if ef.Section(".BTF") == nil {
		return nil, fmt.Errorf("%s: %w", name, ErrNoBTF)
	}
	// The object reader trusts sizes, offsets and flags that a crafted
	// object can set to crash it or make it allocate without bound:
	// such an object is refused first.
	for _, refuse := range []func(*elf.File) error{symbolsInSections, btfInBounds, compressedSections, nobitsSizes} {
		if err := refuse(ef); err != nil {
			return nil, fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
		}
	}
	weak := weakSymbols(ef)
	spec, err := loadCollectionSpec(strongExterns(ef, data))
	if errors.Is(err, ebpf.ErrNotSupported) {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrUnsupported, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
	}
	if spec.Types == nil {
		return nil, fmt.Errorf("%s: %w", name, ErrNoBTF)
	}
	o := &Object{File: name}
	protos, hasDWARF := expectedPrototypes(ef)
	o.DWARF = hasDWARF
	var deps depSet
	ksyms := ksymVars(spec.Types)
	names := make([]string, 0, len(spec.Programs))
	for n := range spec.Programs {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		pa, pb := spec.Programs[a], spec.Programs[b]
		if c := strings.Compare(pa.SectionName, pb.SectionName); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		ps := spec.Programs[n]
		p := Program{Name: n, Section: ps.SectionName}
		p.Attach, p.Target = parseSection(ps.SectionName)
		if t, ok := opts.Targets[n]; ok && p.Target == "" {
			p.Target = t
		}
		for i := range ps.Instructions {
			if s := sourceOf(&ps.Instructions[i]); s.Line > 0 {
				p.Line = s
				break
			}
		}
		o.Programs = append(o.Programs, p)
		deps.attach(&p, protos["____"+n], ctxSlots(ps.Instructions))
		if p.Attach == AttachStructOps {
			deps.structOpsMember(&p, ps.AttachTo)
		}
		if err := deps.core(&p, ps.Instructions, spec.Types); err != nil {
			return nil, fmt.Errorf("%s: %w: program %s: %v", name, ErrCorrupt, n, err)
		}
		deps.calls(&p, ps.Instructions, weak, ksyms)
	}
	for _, mn := range slices.Sorted(maps.Keys(spec.Maps)) {
		if m := spec.Maps[mn]; m.Type == ebpf.StructOpsMap {
			if st, ok := m.Value.(*btf.Struct); ok && st.Name != "" {
				deps.structOpsType(st.Name)
			}
		}
	}
	if err := deps.externs(spec.Types, weak); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
	}
	o.Deps = deps.sorted()
	return o, nil
}

// readAll reads r whole, up to maxObjectSize.
func readAll(r io.ReaderAt) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.NewSectionReader(r, 0, maxObjectSize+1))
	if err != nil {
		return nil, err
	}
	if n > maxObjectSize {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrNotBPF, maxObjectSize>>20)
	}
	return buf.Bytes(), nil
}

// symbolsInSections checks that every symbol defined in a section lies
// within it. The object reader sizes tables by a symbol's claimed size:
// a crafted object claiming terabytes made it run out of memory (a fatal
// error no recover catches), so such an object is refused first.
func symbolsInSections(ef *elf.File) error {
	syms, err := ef.Symbols()
	if err != nil {
		return nil // no symbol table: the object reader says what is wrong
	}
	for _, s := range syms {
		i := int(s.Section)
		if s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE || i >= len(ef.Sections) {
			continue
		}
		if size := ef.Sections[i].Size; s.Value > size || s.Size > size-s.Value {
			return fmt.Errorf("symbol %q claims %d bytes at %d of section %s, which has %d", s.Name, s.Size, s.Value, ef.Sections[i].Name, size)
		}
	}
	return nil
}

// loadCollectionSpec reads an object with github.com/cilium/ebpf. That
// reader trusts some offsets and flags of its input and has panicked on
// crafted objects; the checks above refuse the cases known, and any other
// panic in it is always an error here, also while fuzzing (the fuzzers
// look for this package's bugs; for a hostile object the answer must be
// an error).
func loadCollectionSpec(data []byte) (spec *ebpf.CollectionSpec, err error) {
	defer func() {
		if p := recover(); p != nil {
			spec, err = nil, fmt.Errorf("the object reader failed on it: %v", p)
		}
	}()
	return ebpf.LoadCollectionSpecFromReader(bytes.NewReader(data))
}

// compressedSections refuses a compressed section other than a debug
// section: the object reader reads program, map and BTF sections through
// their raw reader, which a compressed section does not have (it crashed
// on a compressed program section), and clang compresses debug sections
// only.
func compressedSections(ef *elf.File) error {
	for _, s := range ef.Sections {
		if s.Flags&elf.SHF_COMPRESSED != 0 && !strings.HasPrefix(s.Name, ".debug_") {
			return fmt.Errorf("section %s is compressed: only debug sections may be", s.Name)
		}
	}
	return nil
}

// maxNOBITS bounds a section without contents (.bss): the object reader
// allocates its whole size, zeroed, to give the map its contents. The
// kernel refuses a map value above KMALLOC_MAX_SIZE (4 MiB with 4 KiB
// pages, 512 MiB at most with 64 KiB ones), so a larger section can never
// load; a crafted one claiming gigabytes cost that much memory for each
// object read.
const maxNOBITS = 512 << 20

// nobitsSizes refuses a section without contents larger than maxNOBITS.
func nobitsSizes(ef *elf.File) error {
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_NOBITS && s.Size > maxNOBITS {
			return fmt.Errorf("section %s claims %d bytes without contents, more than any map value a kernel accepts (%d MiB at most)", s.Name, s.Size, maxNOBITS>>20)
		}
	}
	return nil
}

// weakSymbols lists the names of the object's weak undefined symbols:
// externs declared __weak, which libbpf lets a kernel lack.
func weakSymbols(ef *elf.File) map[string]bool {
	syms, err := ef.Symbols()
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, s := range syms {
		if elf.ST_BIND(s.Info) == elf.STB_WEAK && s.Section == elf.SHN_UNDEF {
			m[s.Name] = true
		}
	}
	return m
}

// strongExterns returns data, or a copy in which the object's weak
// undefined symbols (__weak externs) are global: the object reader
// refuses weak __kconfig externs, which libbpf accepts (a missing value
// reads as 0). The weakness is recorded beforehand by weakSymbols.
func strongExterns(ef *elf.File, data []byte) []byte {
	sec := ef.Section(".symtab")
	if sec == nil || sec.Type != elf.SHT_SYMTAB || ef.Class != elf.ELFCLASS64 {
		return data
	}
	const entSize = 24 // Elf64_Sym; st_info at byte 4, st_shndx at bytes 6-7
	if sec.Offset > uint64(len(data)) || sec.Size > uint64(len(data))-sec.Offset {
		return data
	}
	var out []byte
	for off := sec.Offset + entSize; off+entSize <= sec.Offset+sec.Size; off += entSize {
		info := data[off+4]
		shndx := ef.ByteOrder.Uint16(data[off+6:])
		if elf.ST_BIND(info) != elf.STB_WEAK || elf.SectionIndex(shndx) != elf.SHN_UNDEF {
			continue
		}
		if out == nil {
			out = bytes.Clone(data)
		}
		out[off+4] = byte(elf.STB_GLOBAL)<<4 | info&0xf
	}
	if out == nil {
		return data
	}
	return out
}

// sourceOf is the source position of an instruction, from BTF line info.
func sourceOf(ins *asm.Instruction) Source {
	l, ok := ins.Source().(*btf.Line)
	if !ok || l == nil {
		return Source{}
	}
	return Source{File: l.FileName(), Line: int(l.LineNumber()), Text: strings.TrimSpace(l.Line())}
}

// panicFirewall can be switched off by tests so that a bug crashes.
var panicFirewall = true

// recoverBug turns a panic inside a public entry point into an error
// naming the file. Bad input must never cause a panic; this guards host
// programs against a bug doing so anyway.
func recoverBug(file string, err *error) {
	if !panicFirewall {
		return
	}
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: internal error in kabi (a bug, please report it): %v\n%s", file, p, debug.Stack())
	}
}

// IsObject reports whether r starts like an eBPF object file: ELF,
// relocatable, for machine BPF (or none, as old LLVM wrote). Tools that
// take objects and kernel builds in one argument list tell them apart
// with it.
func IsObject(r io.ReaderAt) bool {
	var h [20]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return false
	}
	if string(h[:4]) != elf.ELFMAG {
		return false
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if elf.Data(h[elf.EI_DATA]) == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	typ, machine := elf.Type(bo.Uint16(h[16:])), elf.Machine(bo.Uint16(h[18:]))
	return typ == elf.ET_REL && (machine == elf.EM_BPF || machine == elf.EM_NONE)
}
