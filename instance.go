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

// mergeAssembler makes one instance of an assembler routine that a C
// unit declares. gas describes a .S routine by a subprogram without
// DW_AT_external, even for a global symbol, so a C declaration (which
// has DW_AT_external) gave a second instance and the function looked like
// a Static-Global Collision (memcpy, memmove, memset). When the function
// has exactly one assembler instance, not external, one external instance
// that is only declared, and no other, and its symbol of the plain name is
// global or weak, the symbol's binding decides: one external instance,
// defined in assembly, with the declaration's callers and, when the
// assembler gave none, its prototype.
func (f *Function) mergeAssembler() {
	if len(f.Instances) != 2 {
		return
	}
	asm, decl := f.Instances[0], f.Instances[1]
	if !asm.Assembler {
		asm, decl = decl, asm
	}
	if !asm.Assembler || asm.External || asm.DeclaredOnly || !decl.External || !decl.DeclaredOnly {
		return
	}
	global := false
	for _, s := range f.Symbols {
		if s.Suffix == "" {
			if s.Bind == elfGlobal || s.Bind == elfWeak {
				global = true
			} else {
				return
			}
		}
	}
	if !global {
		return
	}
	m := *asm
	m.External = true
	m.InlineCallers = append(append([]Caller(nil), asm.InlineCallers...), decl.InlineCallers...)
	m.DirectCallers = append(append([]Caller(nil), asm.DirectCallers...), decl.DirectCallers...)
	if len(m.InlineCallers) == 0 {
		m.InlineCallers = nil
	}
	if len(m.DirectCallers) == 0 {
		m.DirectCallers = nil
	}
	if (m.Signature == nil || !m.Signature.Prototyped) && decl.Signature != nil {
		m.Signature = decl.Signature
	}
	f.Instances = []*Instance{&m}
}
