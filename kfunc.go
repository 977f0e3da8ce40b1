package kabi

import (
	"debug/elf"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/kmem"
)

// A Kfunc is a kernel function the build exposes to eBPF programs: a
// member of a kfunc ID set (BTF_SET8_START ... BTF_ID_FLAGS(func, name)),
// found through the __BTF_ID__func__<name>__<n> symbols that lie within a
// __BTF_ID__set8__<set> symbol's entries, in vmlinux or, for a Build of
// the whole kernel, in a module's .BTF_ids (the module that defines it is
// its function's: [Function.Modules]).
type Kfunc struct {
	Name string   // "bpf_task_acquire"
	Sets []string // the ID sets listing it, in name order: "generic_btf_ids"
	// SetsUnknown says the build's source cannot see the ID sets (a
	// running kernel's BTF tags its kfuncs, but the sets are in its
	// memory): Sets is empty, meaning unknown.
	SetsUnknown bool
	// Signature is the function's, from the function surface; nil when
	// DWARF does not describe it.
	Signature *Signature
}

func (k *Kfunc) link(b *Build) { k.Signature = signatureOf(b, k.Name) }

// Kfunc returns the kfunc named name.
func (b *Build) Kfunc(name string) (*Kfunc, bool) {
	h := b.hooks()
	k, ok := findByName(h.kfuncs, name, func(k *Kfunc) string { return k.Name })
	if ok {
		h.ready(k)
	}
	return k, ok
}

// Kfuncs yields the build's kfuncs in name order.
func (b *Build) Kfuncs() iter.Seq[*Kfunc] {
	h := b.hooks()
	return linkedSeq(h, h.kfuncs)
}

// maxSetEntries bounds one ID set.
const maxSetEntries = 1 << 16

// readKfuncs reads the kfunc ID sets. A set8 is struct btf_id_set8 {u32
// cnt; u32 flags; struct {u32 id; u32 flags;} pairs[];}: its count,
// written at link time by resolve_btfids, bounds the entries whose
// symbols name the kfuncs. (The pairs are sorted by BTF ID at link time,
// so an entry's symbol names a member of the set, not the ID stored at
// its address.)
func (h *hookSet) readKfuncs(img kfuncMemory, syms *hookSymbols) {
	byName := map[string]*Kfunc{}
	for _, set := range syms.btfSet8 {
		name := strings.TrimPrefix(set.Name, "__BTF_ID__set8__")
		cnt, err := img.Uint(set.Value, 4)
		if err != nil {
			h.skip(KindKfunc, set.Name, "%v", err)
			continue
		}
		if cnt > maxSetEntries {
			h.skip(KindKfunc, set.Name, "a count of %d entries", cnt)
			continue
		}
		if _, err := img.Read(set.Value, int(8+8*cnt)); err != nil {
			h.skip(KindKfunc, set.Name, "%d entries do not fit: %v", cnt, err)
			continue
		}
		lo, hi := set.Value+8, set.Value+8+8*cnt
		i, _ := slices.BinarySearchFunc(syms.btfFunc, lo, func(s symtabEntry, a uint64) int { return cmpUint(s.Value, a) })
		n := 0
		for ; i < len(syms.btfFunc) && syms.btfFunc[i].Value < hi; i++ {
			fn, ok := btfIDName(syms.btfFunc[i].Name)
			if !ok {
				h.skip(KindKfunc, syms.btfFunc[i].Name, "not a __BTF_ID__func__<name>__<n> symbol")
				continue
			}
			n++
			k := byName[fn]
			if k == nil {
				k = &Kfunc{Name: fn}
				byName[fn] = k
			}
			if !slices.Contains(k.Sets, name) {
				k.Sets = append(k.Sets, name)
			}
		}
		if uint64(n) != cnt {
			h.skip(KindKfunc, set.Name, "%d entries counted, %d symbols found", cnt, n)
		}
	}
	for _, k := range byName {
		slices.Sort(k.Sets)
		h.kfuncs = append(h.kfuncs, k)
	}
	slices.SortFunc(h.kfuncs, func(a, b *Kfunc) int { return strings.Compare(a.Name, b.Name) })
}

// kfuncMemory reads the ID sets' words: a vmlinux's memory image, or a
// module's .BTF_ids section.
type kfuncMemory interface {
	Read(addr uint64, n int) ([]byte, error)
	Uint(addr uint64, size int) (uint64, error)
}

var _ kfuncMemory = (*kmem.Image)(nil)

// sectionMemory is one section's bytes at the offsets a relocatable
// object's symbols give (st_value is an offset in the section).
type sectionMemory struct {
	name  string
	data  []byte
	order interface{ Uint32([]byte) uint32 }
}

func (m *sectionMemory) Read(addr uint64, n int) ([]byte, error) {
	if n < 0 || addr > uint64(len(m.data)) || uint64(n) > uint64(len(m.data))-addr {
		return nil, fmt.Errorf("%d bytes at %#x: outside %s (%d bytes)", n, addr, m.name, len(m.data))
	}
	return m.data[addr : addr+uint64(n)], nil
}

func (m *sectionMemory) Uint(addr uint64, size int) (uint64, error) {
	if size != 4 {
		return 0, fmt.Errorf("a %d-byte word at %#x of %s", size, addr, m.name)
	}
	b, err := m.Read(addr, 4)
	if err != nil {
		return 0, err
	}
	return uint64(m.order.Uint32(b)), nil
}

// readModuleKfuncs reads the kfunc ID sets of a module: the
// __BTF_ID__set8__ and __BTF_ID__func__ symbols of its .BTF_ids section,
// whose counts resolve_btfids wrote when the module was built (the
// module registers the sets with register_btf_kfunc_id_set). What cannot
// be read is recorded in h's skips, named with the module.
func readModuleKfuncs(ef *elf.File, all []symtabEntry, module string, budget *dwarfx.Budget) (*hookSet, error) {
	h := &hookSet{}
	idx := -1
	for i, s := range ef.Sections {
		if s.Name == ".BTF_ids" && s.Type != elf.SHT_NOBITS {
			idx = i
			break
		}
	}
	if idx < 0 {
		return h, nil
	}
	var in []symtabEntry
	for _, s := range all {
		if int(s.Section) == idx && (strings.HasPrefix(s.Name, "__BTF_ID__set8__") || strings.HasPrefix(s.Name, "__BTF_ID__func__")) {
			in = append(in, s)
		}
	}
	if len(in) == 0 {
		return h, nil
	}
	sec := ef.Sections[idx]
	if err := budget.TakeSection(sec); err != nil {
		return nil, fmt.Errorf("%s: reading .BTF_ids: %w", module, err)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: reading .BTF_ids: %w: %v", module, ErrTruncated, err)
	}
	h.readKfuncs(&sectionMemory{name: ".BTF_ids", data: data, order: ef.ByteOrder}, newHookSymbols(in))
	for i := range h.skips {
		h.skips[i].Where += " [" + module + "]"
	}
	return h, nil
}

// addKfuncs adds the kfuncs of modules (in module order) to h's: a name
// already listed gains the sets that list it again.
func (h *hookSet) addKfuncs(more []*Kfunc) {
	if len(more) == 0 {
		return
	}
	byName := make(map[string]*Kfunc, len(h.kfuncs))
	for _, k := range h.kfuncs {
		byName[k.Name] = k
	}
	for _, k := range more {
		if o := byName[k.Name]; o != nil {
			for _, s := range k.Sets {
				if !slices.Contains(o.Sets, s) {
					o.Sets = append(o.Sets, s)
				}
			}
			slices.Sort(o.Sets)
			continue
		}
		byName[k.Name] = k
		h.kfuncs = append(h.kfuncs, k)
	}
	slices.SortFunc(h.kfuncs, func(a, b *Kfunc) int { return strings.Compare(a.Name, b.Name) })
}

// btfIDName returns the function a __BTF_ID__func__<name>__<n> symbol names.
func btfIDName(sym string) (string, bool) {
	s := strings.TrimPrefix(sym, "__BTF_ID__func__")
	i := strings.LastIndex(s, "__")
	if i <= 0 || i+2 >= len(s) || !isNumeric(s[i+2:]) {
		return "", false
	}
	return s[:i], true
}
