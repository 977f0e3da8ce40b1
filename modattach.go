package kabi

import (
	"cmp"
	"debug/elf"
	"fmt"
	"slices"

	"github.com/kabi-dev/kabi/dwarfx"
)

// A module's probe lists. The kernel reads them from the module itself
// when it loads it, not from vmlinux's lists:
//
//   - ftrace: ftrace_module_init takes the module's __mcount_loc section
//     (__patchable_function_entries on architectures that use
//     -fpatchable-function-entry), its ftrace locations;
//   - kprobes: the module notifier adds the addresses of the module's
//     _kprobe_blacklist section (NOKPROBE_SYMBOL) and the whole of its
//     .kprobes.text and .noinstr.text to the blacklist;
//   - .init.text is freed once the module's init function returns.
//
// In a .ko the words of those lists are zero: each has a relocation
// against a symbol (a function, or the section symbol of .text) that the
// loader applies. kabi applies them here too: a list entry is a place in
// one of the module's sections (section index, offset), which is what a
// module's symbols are too (st_value is an offset in st_shndx).
//
// A module without one of the sections carries an empty list when the
// kernel has the feature (vmlinux carries its own list: the modules are
// built with the same options); when vmlinux has no such list either, the
// module's verdicts that need it are unknown.

// modulePlace is a place in a relocatable module: a section index and an
// offset in it.
type modulePlace struct {
	sec uint32
	off uint64
}

func comparePlace(a, b modulePlace) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.off, b.off)
}

// The sections a module's lists are in.
var (
	moduleFtraceSections = []string{"__mcount_loc", "__patchable_function_entries"}
	moduleBlacklistName  = "_kprobe_blacklist"
	moduleNoProbeText    = []string{".kprobes.text", ".noinstr.text"}
)

// readModuleList returns the places that the words of the section sec of
// a module point to, from its relocations, sorted. all are the module's
// symbols (readSymtab: entry i of .symtab is all[i-1]). Every relocation
// must be the machine's word-sized absolute one (or NONE); a word without
// a relocation points nowhere and is left out, as is one against an
// undefined symbol.
func readModuleList(ef *elf.File, secIdx int, all []symtabEntry, name string, budget *dwarfx.Budget) ([]modulePlace, error) {
	sec := ef.Sections[secIdx]
	word := uint64(8)
	if ef.Class == elf.ELFCLASS32 {
		word = 4
	}
	if sec.Size%word != 0 || sec.Size/word > maxProbeList {
		return nil, fmt.Errorf("%s: the %s list (%d bytes) is not a list of %d-byte addresses", name, sec.Name, sec.Size, word)
	}
	abs, typeName, _ := dwarfx.WordReloc(ef)
	var out []modulePlace
	err := moduleRelocs(ef, secIdx, all, name, budget, nil, func(r moduleReloc) error {
		if r.typ != abs {
			return fmt.Errorf("%s: %s: relocation %d has type %s; the entries of %s are %s", name, r.in, r.n, typeName(r.typ), sec.Name, typeName(abs))
		}
		if !inSection(ef, r.sym.Section) {
			return nil
		}
		out = append(out, r.place())
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, comparePlace)
	return out, nil
}

// A moduleReloc is one relocation of a word of a module's section.
type moduleReloc struct {
	in     string       // the relocation section: ".rela_ftrace_events"
	n      int          // its index there
	off    uint64       // the word's offset in the section relocated
	typ    uint32       // the relocation type
	sym    *symtabEntry // the symbol
	addend int64        // explicit (RELA) or the word's own (REL)
}

// place is where the relocated word points: the symbol's section and
// offset plus the addend.
func (r moduleReloc) place() modulePlace {
	return modulePlace{sec: uint32(r.sym.Section), off: r.sym.Value + uint64(r.addend)}
}

// moduleRelocs calls fn for each relocation (other than R_*_NONE) of the
// words of the section secIdx of a module, in the order the relocation
// sections list them. Each relocation is at a whole word of the section
// and names a symbol of all; anything else is an error naming the file,
// but for a relocation inside the section, not at a whole word of it,
// when odd is not nil: odd is called with it (its sym nil) instead.
func moduleRelocs(ef *elf.File, secIdx int, all []symtabEntry, name string, budget *dwarfx.Budget, odd, fn func(moduleReloc) error) error {
	sec := ef.Sections[secIdx]
	word := uint64(8)
	if ef.Class == elf.ELFCLASS32 {
		word = 4
	}
	_, _, ok := dwarfx.WordReloc(ef)
	for _, rs := range ef.Sections {
		if rs.Type != elf.SHT_RELA && rs.Type != elf.SHT_REL || int(rs.Info) != secIdx {
			continue
		}
		if !ok {
			return fmt.Errorf("%s: %s: relocations for machine %v (%v) are not supported", name, rs.Name, ef.Machine, ef.Class)
		}
		if err := budget.TakeSection(rs); err != nil {
			return fmt.Errorf("%s: reading %s: %w", name, rs.Name, err)
		}
		raw, err := rs.Data()
		if err != nil {
			return fmt.Errorf("%s: reading %s: %w: %v", name, rs.Name, ErrTruncated, err)
		}
		var data []byte // the section's own words, for REL's implicit addends
		if rs.Type == elf.SHT_REL {
			if sec.Type == elf.SHT_NOBITS {
				return fmt.Errorf("%s: %s has no contents for the addends of %s", name, sec.Name, rs.Name)
			}
			if err := budget.TakeSection(sec); err != nil {
				return fmt.Errorf("%s: reading %s: %w", name, sec.Name, err)
			}
			if data, err = sec.Data(); err != nil {
				return fmt.Errorf("%s: reading %s: %w: %v", name, sec.Name, ErrTruncated, err)
			}
		}
		entSize := int(2 * word)
		if rs.Type == elf.SHT_RELA {
			entSize = int(3 * word)
		}
		if len(raw)%entSize != 0 {
			return fmt.Errorf("%s: %s: %d bytes, not a multiple of the entry size %d", name, rs.Name, len(raw), entSize)
		}
		bo := ef.ByteOrder
		for i := 0; i < len(raw); i += entSize {
			e := raw[i:]
			var off, info, typ, sym uint64
			var addend int64
			if word == 8 {
				off, info = bo.Uint64(e), bo.Uint64(e[8:])
				typ, sym = info&0xffffffff, info>>32
				if rs.Type == elf.SHT_RELA {
					addend = int64(bo.Uint64(e[16:]))
				}
			} else {
				off, info = uint64(bo.Uint32(e)), uint64(bo.Uint32(e[4:]))
				typ, sym = info&0xff, info>>8
				if rs.Type == elf.SHT_RELA {
					addend = int64(int32(bo.Uint32(e[8:])))
				}
			}
			if typ == 0 { // R_*_NONE on every machine here
				continue
			}
			n := i / entSize
			if off%word != 0 || sec.Size < word || off > sec.Size-word {
				if odd != nil && off < sec.Size {
					if err := odd(moduleReloc{in: rs.Name, n: n, off: off, typ: uint32(typ)}); err != nil {
						return err
					}
					continue
				}
				return fmt.Errorf("%s: %s: relocation %d at %#x is not at a word of %s (%d bytes)", name, rs.Name, n, off, sec.Name, sec.Size)
			}
			if sym == 0 || sym > uint64(len(all)) {
				return fmt.Errorf("%s: %s: relocation %d names symbol %d, of %d", name, rs.Name, n, sym, len(all)+1)
			}
			if data != nil {
				if word == 8 {
					addend = int64(bo.Uint64(data[off:]))
				} else {
					addend = int64(int32(bo.Uint32(data[off:])))
				}
			}
			if err := fn(moduleReloc{in: rs.Name, n: n, off: off, typ: uint32(typ), sym: &all[sym-1], addend: addend}); err != nil {
				return err
			}
		}
	}
	return nil
}

// relaTargets returns the indexes of the sections a RELA relocation
// section applies to.
func relaTargets(ef *elf.File) map[int]bool {
	m := map[int]bool{}
	for _, rs := range ef.Sections {
		if rs.Type == elf.SHT_RELA {
			m[int(rs.Info)] = true
		}
	}
	return m
}

// markModule sets the Ftrace and NoKprobe facts of a module's function
// symbols syms (functionSymbols of all, in the same order) from the
// module's own lists, and returns which lists the module carries, given
// vsrc, vmlinux's.
func markModule(ef *elf.File, all []symtabEntry, syms []Symbol, vsrc AttachSources, name string, budget *dwarfx.Budget) (AttachSources, error) {
	var src, lost AttachSources // lost: a list the file names but does not hold
	var ftrace, black []modulePlace
	noProbe := make(map[uint32]bool)
	relocated := relaTargets(ef)
	for i, s := range ef.Sections {
		if s.Type == elf.SHT_NOBITS && !relocated[i] {
			// A debug-only copy (objcopy --only-keep-debug) keeps the
			// list's header, not its words: without RELA relocations,
			// whose addends say where each word points, the list is
			// unknown, not empty.
			lost.FtraceList = lost.FtraceList || slices.Contains(moduleFtraceSections, s.Name)
			lost.KprobeBlacklist = lost.KprobeBlacklist || s.Name == moduleBlacklistName
			continue
		}
		switch {
		case slices.Contains(moduleFtraceSections, s.Name):
			l, err := readModuleList(ef, i, all, name, budget)
			if err != nil {
				return src, err
			}
			ftrace = append(ftrace, l...)
			src.FtraceList = true
		case s.Name == moduleBlacklistName:
			l, err := readModuleList(ef, i, all, name, budget)
			if err != nil {
				return src, err
			}
			black = append(black, l...)
			src.KprobeBlacklist = true
		case slices.Contains(moduleNoProbeText, s.Name):
			noProbe[uint32(i)] = true
		}
	}
	slices.SortFunc(ftrace, comparePlace)
	slices.SortFunc(black, comparePlace)
	src.FtraceList = (src.FtraceList || vsrc.FtraceList) && !lost.FtraceList
	src.KprobeBlacklist = (src.KprobeBlacklist || vsrc.KprobeBlacklist) && !lost.KprobeBlacklist
	// inside reports whether a place of the sorted list l lies in the
	// symbol at [v, v+size) of section sec (at v for a symbol of size 0).
	inside := func(l []modulePlace, sec uint32, v, size uint64) bool {
		j, _ := slices.BinarySearchFunc(l, modulePlace{sec, v}, comparePlace)
		return j < len(l) && l[j].sec == sec && (l[j].off < v+size || l[j].off == v)
	}
	j := 0
	for i := range all {
		e := &all[i]
		if elf.ST_TYPE(e.Info) != elf.STT_FUNC || isPadding(e.Name) {
			continue
		}
		s := &syms[j]
		j++
		if e.Section == elf.SHN_UNDEF || e.Section >= elf.SHN_LORESERVE {
			continue
		}
		sec := uint32(e.Section)
		s.Ftrace = inside(ftrace, sec, e.Value, e.Size)
		switch {
		case inside(black, sec, e.Value, e.Size):
			s.NoKprobe = NoKprobeListed
		case noProbe[sec]:
			s.NoKprobe = NoKprobeText
		}
	}
	return src, nil
}

// inSection reports whether a symbol of section index i is defined in
// one of ef's sections (not undefined, absolute or common, and not past
// the section table).
func inSection(ef *elf.File, i elf.SectionIndex) bool {
	return i != elf.SHN_UNDEF && i < elf.SHN_LORESERVE && int(i) < len(ef.Sections)
}
