package kabi

import (
	"iter"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/internal/kmem"
)

// A Kfunc is a kernel function the build exposes to eBPF programs: a
// member of a kfunc ID set (BTF_SET8_START ... BTF_ID_FLAGS(func, name)),
// found through the __BTF_ID__func__<name>__<n> symbols that lie within a
// __BTF_ID__set8__<set> symbol's entries.
type Kfunc struct {
	Name string   // "bpf_task_acquire"
	Sets []string // the ID sets listing it, in name order: "generic_btf_ids"
	// Signature is the function's, from the function surface; nil when
	// DWARF does not describe it.
	Signature *Signature
}

func (k *Kfunc) link(b *Build) { k.Signature = signatureOf(b, k.Name) }

// Kfunc returns the kfunc named name.
func (b *Build) Kfunc(name string) (*Kfunc, bool) {
	return findByName(b.hooks().kfuncs, name, func(k *Kfunc) string { return k.Name })
}

// Kfuncs yields the build's kfuncs in name order.
func (b *Build) Kfuncs() iter.Seq[*Kfunc] { return seqOf(b.hooks().kfuncs) }

// maxSetEntries bounds one ID set.
const maxSetEntries = 1 << 16

// readKfuncs reads the kfunc ID sets. A set8 is struct btf_id_set8 {u32
// cnt; u32 flags; struct {u32 id; u32 flags;} pairs[];}: its count,
// written at link time by resolve_btfids, bounds the entries whose
// symbols name the kfuncs. (The pairs are sorted by BTF ID at link time,
// so an entry's symbol names a member of the set, not the ID stored at
// its address.)
func (h *hookSet) readKfuncs(img *kmem.Image, syms *hookSymbols) {
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

// btfIDName returns the function a __BTF_ID__func__<name>__<n> symbol names.
func btfIDName(sym string) (string, bool) {
	s := strings.TrimPrefix(sym, "__BTF_ID__func__")
	i := strings.LastIndex(s, "__")
	if i <= 0 || i+2 >= len(s) || !isNumeric(s[i+2:]) {
		return "", false
	}
	return s[:i], true
}
