package kabi

import (
	"bytes"
	"cmp"
	"debug/elf"
	"fmt"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
)

// A module's trace events. A module's TRACE_EVENT()s put a pointer to each
// struct trace_event_call in the module's own _ftrace_events section,
// which the loader hands to the trace event code (trace_module_add_events)
// rather than vmlinux's __start_ftrace_events array. In the .ko each of
// those pointers, and the pointers in the calls (class, tracepoint, format)
// and classes (system), is zero with a relocation against a symbol of the
// module (often a section symbol with an addend) that the loader applies.
// kabi applies them as it reads: a pointer is a place in one of the
// module's sections, which moduleMemory gives an address of its own.
//
// The layout of the structs is vmlinux's (the modules are built with the
// same headers and options).

// moduleSectionShift places section i of a module at (i+1)<<32 in the
// addresses moduleMemory hands out: a section of 4 GiB or more is not
// read.
const moduleSectionShift = 32

// moduleAddr is the address moduleMemory gives the place p.
func moduleAddr(p modulePlace) uint64 { return uint64(p.sec+1)<<moduleSectionShift | p.off }

// moduleMemory reads a relocatable module's sections at the addresses
// moduleAddr gives, with each word's relocation applied: a pointer of the
// module. Sections and their relocations are read when first used.
type moduleMemory struct {
	ef     *elf.File
	all    []symtabEntry
	name   string // the file, for errors
	budget *dwarfx.Budget
	word   int
	abs    uint32
	absOK  bool
	tname  func(uint32) string
	data   map[int][]byte
	rel    map[int]sectionRelocs
}

// sectionRelocs are the relocations of a module's section.
type sectionRelocs struct {
	words map[uint64]moduleReloc // of whole words, by offset
	// touched are the words that a relocation not at a whole word may
	// change, by offset: its width is not known here, so every word
	// that a word's bytes from its offset on overlap.
	touched map[uint64]moduleReloc
}

func newModuleMemory(ef *elf.File, all []symtabEntry, name string, budget *dwarfx.Budget) *moduleMemory {
	m := &moduleMemory{ef: ef, all: all, name: name, budget: budget, word: 8,
		data: map[int][]byte{}, rel: map[int]sectionRelocs{}}
	if ef.Class == elf.ELFCLASS32 {
		m.word = 4
	}
	m.abs, m.tname, m.absOK = dwarfx.WordReloc(ef)
	return m
}

// place returns the section index and offset of addr, in a section the
// module loads, without reading the section.
func (m *moduleMemory) place(addr uint64) (int, uint64, error) {
	i := int(addr>>moduleSectionShift) - 1
	off := addr & (1<<moduleSectionShift - 1)
	if i <= 0 || i >= len(m.ef.Sections) {
		return 0, 0, fmt.Errorf("%#x: in no section of the module", addr)
	}
	if s := m.ef.Sections[i]; s.Flags&elf.SHF_ALLOC == 0 {
		return 0, 0, fmt.Errorf("%s+%#x: the section has no contents", s.Name, off)
	}
	return i, off, nil
}

// at returns the section index and offset of addr, and the section's
// bytes from there on.
func (m *moduleMemory) at(addr uint64) (int, uint64, []byte, error) {
	i, off, err := m.place(addr)
	if err != nil {
		return 0, 0, nil, err
	}
	b, ok := m.data[i]
	if !ok {
		s := m.ef.Sections[i]
		if s.Type == elf.SHT_NOBITS {
			return 0, 0, nil, fmt.Errorf("%s+%#x: the section has no contents", s.Name, off)
		}
		if s.Size >= 1<<moduleSectionShift {
			return 0, 0, nil, fmt.Errorf("%s: %d bytes: too large", s.Name, s.Size)
		}
		if err := m.budget.TakeSection(s); err != nil {
			return 0, 0, nil, fmt.Errorf("reading %s: %w", s.Name, err)
		}
		var err error
		if b, err = s.Data(); err != nil {
			return 0, 0, nil, fmt.Errorf("reading %s: %w: %v", s.Name, ErrTruncated, err)
		}
		m.data[i] = b
	}
	if off > uint64(len(b)) {
		return 0, 0, nil, fmt.Errorf("%s+%#x: beyond the section's %d bytes", m.ef.Sections[i].Name, off, len(b))
	}
	return i, off, b[off:], nil
}

func (m *moduleMemory) Uint(addr uint64, size int) (uint64, error) {
	_, _, b, err := m.at(addr)
	if err != nil {
		return 0, err
	}
	if size < 0 || len(b) < size {
		return 0, fmt.Errorf("%#x: %d bytes beyond the section's end", addr, size)
	}
	bo := m.ef.ByteOrder
	switch size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(bo.Uint16(b)), nil
	case 4:
		return uint64(bo.Uint32(b)), nil
	case 8:
		return bo.Uint64(b), nil
	}
	return 0, fmt.Errorf("a %d-byte integer", size)
}

// Pointer reads the word at addr as the loader leaves it: relocated
// against the module's symbol, or as the file holds it when it has no
// relocation (only a NULL pointer has none). A word with a RELA
// relocation is read from the relocation alone (the loader writes the
// symbol's address plus the addend over it), so it is read in a section
// without contents (SHT_NOBITS) too; a word without one there is unknown.
func (m *moduleMemory) Pointer(addr uint64) (uint64, error) {
	i, off, err := m.place(addr)
	if err != nil {
		return 0, err
	}
	rels, err := m.relocs(i)
	if err != nil {
		return 0, err
	}
	sec := m.ef.Sections[i].Name
	if r, ok := rels.touched[off]; ok {
		return 0, fmt.Errorf("%s: %s: relocation %d at %#x is not at a word of %s: the pointer at %#x is unknown", m.name, r.in, r.n, r.off, sec, off)
	}
	r, ok := rels.words[off]
	if !ok {
		v, err := m.Uint(addr, m.word)
		if err != nil {
			return 0, err
		}
		if v != 0 {
			return 0, fmt.Errorf("%s+%#x: a pointer %#x without a relocation", sec, off, v)
		}
		return 0, nil
	}
	if r.typ != m.abs {
		return 0, fmt.Errorf("%s+%#x: relocation of type %s, not %s", sec, off, m.tname(r.typ), m.tname(m.abs))
	}
	if !inSection(m.ef, r.sym.Section) {
		return 0, fmt.Errorf("%s+%#x: points to %q, outside the module", sec, off, r.sym.Name)
	}
	p := r.place()
	if p.off >= 1<<moduleSectionShift {
		return 0, fmt.Errorf("%s+%#x: points to %#x beyond its section", sec, off, p.off)
	}
	return moduleAddr(p), nil
}

// relocs returns the relocations of section i. One not at a whole word
// (a narrower field's, say) spoils only the words it may change.
func (m *moduleMemory) relocs(i int) (sectionRelocs, error) {
	if r, ok := m.rel[i]; ok {
		return r, nil
	}
	r := sectionRelocs{words: map[uint64]moduleReloc{}}
	w := uint64(m.word)
	err := moduleRelocs(m.ef, i, m.all, m.name, m.budget, func(x moduleReloc) error {
		if r.touched == nil {
			r.touched = map[uint64]moduleReloc{}
		}
		for o := x.off &^ (w - 1); o < x.off+w; o += w {
			if _, ok := r.touched[o]; !ok {
				r.touched[o] = x
			}
		}
		return nil
	}, func(x moduleReloc) error {
		r.words[x.off] = x
		return nil
	})
	if err != nil {
		return sectionRelocs{}, err
	}
	m.rel[i] = r
	return r, nil
}

func (m *moduleMemory) String(addr uint64, max int) (string, error) {
	_, _, b, err := m.at(addr)
	if err != nil {
		return "", err
	}
	if len(b) > max {
		b = b[:max]
	}
	n := bytes.IndexByte(b, 0)
	if n < 0 {
		return "", fmt.Errorf("%#x: a string without a terminator within %d bytes", addr, len(b))
	}
	return string(b[:n]), nil
}

// moduleEventsSection is the section of a module's trace event pointers.
const moduleEventsSection = "_ftrace_events"

// readModuleTracepoints reads the trace events of a module (its
// _ftrace_events section, relocated) and its bare tracepoints, with
// vmlinux's layout l. What cannot be read is a skip of h, named with the
// module; a section without contents or relocations (a debug-only copy)
// makes the module's events unknown, which is a skip too.
func (h *hookSet) readModuleTracepoints(ef *elf.File, all []symtabEntry, path, module string, budget *dwarfx.Budget, l *tracepointLayout) error {
	if l == nil {
		return nil
	}
	idx := -1
	for i, s := range ef.Sections {
		if s.Name == moduleEventsSection {
			idx = i
			break
		}
	}
	var in []symtabEntry
	for _, s := range all {
		if !inSection(ef, s.Section) || s.Value >= 1<<moduleSectionShift {
			continue
		}
		if strings.HasPrefix(s.Name, "__tracepoint_") || strings.HasPrefix(s.Name, "event_class_") {
			s.Value = moduleAddr(modulePlace{sec: uint32(s.Section), off: s.Value})
			in = append(in, s)
		}
	}
	if idx < 0 && len(in) == 0 {
		return nil
	}
	mem := newModuleMemory(ef, all, path, budget)
	var calls []uint64
	lost := false // an entry not read: no tracepoint is taken to be bare
	where := moduleEventsSection + " [" + module + "]"
	if idx >= 0 {
		sec := ef.Sections[idx]
		if sec.Type == elf.SHT_NOBITS && !relaTargets(ef)[idx] {
			h.skip(KindTracepoint, where, "%s keeps no contents and no relocations (a debug-only copy): the module's trace events are unknown", path)
			return nil
		}
		w := uint64(mem.word)
		if sec.Size%w != 0 || sec.Size/w > maxTracepoints {
			h.skip(KindTracepoint, where, "%s: %d bytes are not a list of %d-byte pointers", path, sec.Size, w)
			return nil
		}
		for o := uint64(0); o < sec.Size; o += w {
			p, err := mem.Pointer(moduleAddr(modulePlace{sec: uint32(idx), off: o}))
			if err != nil {
				h.skip(KindTracepoint, where, "%s: %v", path, err)
				return nil
			}
			if p == 0 {
				h.skip(KindTracepoint, fmt.Sprintf("%s[%d] [%s]", moduleEventsSection, o/w, module), "%s: a NULL pointer (no relocation)", path)
				lost = true
				continue
			}
			calls = append(calls, p)
		}
	}
	syms := newHookSymbols(in)
	if lost {
		syms.tps = nil
	}
	h.tracepoints = append(h.tracepoints, readEvents(h, mem, syms, l, calls, moduleEventsSection, module)...)
	return nil
}

// addTracepoints adds the trace events of modules (in module order) to
// h's: a name vmlinux or an earlier module has already is a skip, as a
// second event of one name is in vmlinux's array (a bare tracepoint of
// such a name is left out, as vmlinux's are).
func (h *hookSet) addTracepoints(more []*Tracepoint) {
	if len(more) == 0 {
		return
	}
	where := make(map[string]string, len(h.tracepoints)+len(more))
	for _, t := range h.tracepoints {
		where[t.Name] = cmp.Or(t.Module, "vmlinux")
	}
	for _, t := range more {
		if w, dup := where[t.Name]; dup {
			if !t.Bare {
				h.skip(KindTracepoint, moduleEventsSection+" ["+t.Module+"]", "a second event named %q (also in %s)", t.Name, w)
			}
			continue
		}
		where[t.Name] = t.Module
		h.tracepoints = append(h.tracepoints, t)
	}
	slices.SortFunc(h.tracepoints, func(a, b *Tracepoint) int { return strings.Compare(a.Name, b.Name) })
}
