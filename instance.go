package kabi

import "debug/elf"

const (
	elfGlobal = elf.STB_GLOBAL
	elfWeak   = elf.STB_WEAK
)

// Facts about instances that need the function's symbols as well as its
// DWARF: applied when a build is linked and again when one is loaded from
// an index (which stores what DWARF says).

// addressFromSymbol gives the defined instance that DWARF places nowhere
// (no DW_AT_low_pc, DW_AT_entry_pc or DW_AT_ranges; arm64 and i386
// kernels have such definitions) the address of the function's symbol,
// where that is unambiguous: it is the only such instance, the function
// has exactly one symbol of its plain name, and no other instance has
// that address. Instance.AddrFromSymbol says so.
func (f *Function) addressFromSymbol() {
	var missing *Instance
	for _, in := range f.Instances {
		if !in.DeclaredOnly && !in.HasAddr {
			if missing != nil {
				return
			}
			missing = in
		}
	}
	if missing == nil {
		return
	}
	var plain *Symbol
	for _, s := range f.Symbols {
		if s.Suffix == "" {
			if plain != nil {
				return
			}
			plain = s
		}
	}
	if plain == nil {
		return
	}
	for _, in := range f.Instances {
		if in.HasAddr && in.Address == plain.Address {
			return
		}
	}
	missing.Address, missing.HasAddr, missing.AddrFromSymbol = plain.Address, true, true
}

// mergeAssembler makes one instance of an assembler routine that C
// declares. gas describes a .S routine by a subprogram without
// DW_AT_external, even for a global symbol, so the C side (which has
// DW_AT_external) gave a second instance and the function looked like a
// Static-Global Collision (memcpy, memmove, memset). When the function's
// plain symbols are global or weak, the symbol table decides: the
// assembler instance at a plain symbol's address is the global definition,
// and the external instance merges into it (its callers, and its
// prototype where the assembler gave none) when it has no code under the
// plain name: it is only declared, or it is defined where no plain symbol
// is. That is an extern inline (fortify-string.h's memchr, memcmp,
// strnlen), or a copy linked under another name: on arm64 the EFI stub's
// own C memcpy and memset, whose symbols are __efistub_memcpy and
// __efistub_memset; a probe of the plain name cannot reach those. Other
// assembler copies stay instances of their own (arm64's nVHE copy,
// linked as __kvm_nvhe_memcpy, at the same location: a Static
// Duplication).
func (f *Function) mergeAssembler() {
	var plain []uint64
	for _, s := range f.Symbols {
		if s.Suffix == "" {
			if s.Bind != elfGlobal && s.Bind != elfWeak {
				return
			}
			plain = append(plain, s.Address)
		}
	}
	if len(plain) == 0 {
		return
	}
	var plainSet map[uint64]bool // made when an instance first asks
	atPlain := func(in *Instance) bool {
		if plainSet == nil {
			plainSet = make(map[uint64]bool, len(plain))
			for _, a := range plain {
				plainSet[a] = true
			}
		}
		return in.HasAddr && plainSet[in.Address]
	}
	ext, asm := -1, -1
	for i, in := range f.Instances {
		switch {
		case in.External:
			if ext >= 0 {
				return
			}
			ext = i
		case in.Assembler && !in.DeclaredOnly && (len(f.Instances) == 2 || atPlain(in)):
			if asm >= 0 {
				return
			}
			asm = i
		}
	}
	if ext < 0 || asm < 0 {
		return
	}
	a, d := f.Instances[asm], f.Instances[ext]
	atSymbol := atPlain(a)
	if !atSymbol && !d.DeclaredOnly {
		// Only a declaration lets an assembler instance that is not at
		// the symbol (DWARF gives it no address) be the definition.
		return
	}
	if !d.DeclaredOnly && atPlain(d) {
		return // the C definition is the plain name's code: two definitions
	}
	m := *a
	m.External = true
	m.InlineCallers = append(append([]Caller(nil), a.InlineCallers...), d.InlineCallers...)
	m.DirectCallers = append(append([]Caller(nil), a.DirectCallers...), d.DirectCallers...)
	if len(m.InlineCallers) == 0 {
		m.InlineCallers = nil
	}
	if len(m.DirectCallers) == 0 {
		m.DirectCallers = nil
	}
	if (m.Signature == nil || !m.Signature.Prototyped) && d.Signature != nil {
		m.Signature = d.Signature
	}
	out := make([]*Instance, 0, len(f.Instances)-1)
	for i, in := range f.Instances {
		switch i {
		case asm:
			out = append(out, &m)
		case ext:
		default:
			out = append(out, in)
		}
	}
	f.Instances = out
}
