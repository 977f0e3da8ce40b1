package kabi

import (
	"debug/elf"
	"fmt"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
)

// A Symbol is one function symbol (STT_FUNC) of the build's ELF symbol
// table. Padding symbols are left out: names beginning __pfx (function
// padding since Linux 6.2) and __cfi_ (kCFI type hashes).
type Symbol struct {
	Name      string      // as in .symtab: "vm_scale.constprop.0"
	Demangled string      // the demangled Rust or C++ name, or "" when Name is not mangled
	Address   uint64      // st_value
	Size      uint64      // st_size
	Bind      elf.SymBind // STB_GLOBAL, STB_LOCAL, STB_WEAK; prints like that
	Section   string      // the section holding it, such as ".text"; "" for none
	// Module is the name of the kernel module whose symbol table holds
	// the symbol, or "" for vmlinux. A module's symbols are placed when
	// the module is loaded: their Address is an offset in their Section.
	Module string
	// Stem is Name up to its first '.': the function the symbol belongs to.
	Stem string
	// Suffix is the rest of Name, from its first '.': ".constprop.0".
	Suffix string
	// Transforms are the compiler transformations that Suffix names.
	Transforms Transform
	// Ftrace is true when the ftrace location list of the object holding
	// the symbol (vmlinux's __mcount_loc or patchable-function-entry
	// list; for a module's symbol, the module's own section, relocated)
	// has an address inside the symbol: fentry, fexit and ftrace can
	// attach to it. It is false for functions built notrace, and when
	// there is no such list (see [Build.ModuleAttachSources]).
	Ftrace bool
	// NoKprobe says whether, and why, the kernel refuses kprobes on the
	// symbol (for a module's symbol: the module's own blacklist and
	// no-probe text).
	NoKprobe NoKprobe
}

// End is the address just past the symbol.
func (s *Symbol) End() uint64 { return s.Address + s.Size }

// String formats the symbol as the reference page does:
// "ffffffff811ceec0-ffffffff811cef6e: vmap (STB_GLOBAL)"; a module's
// symbol is named as /proc/kallsyms names it, "0-9a: nf_conntrack_in
// [nf_conntrack] (STB_GLOBAL)".
func (s *Symbol) String() string {
	return fmt.Sprintf("%x-%x: %s (%s)", s.Address, s.End(), s.KallsymsName(), s.Bind)
}

// KallsymsName is the symbol's name as /proc/kallsyms writes it: Name,
// followed by " [module]" for a module's symbol.
func (s *Symbol) KallsymsName() string {
	if s.Module == "" {
		return s.Name
	}
	return s.Name + " [" + s.Module + "]"
}

// Transform is a set of compiler transformations named by symbol suffixes
// (docs/rules.md §4): "foo.isra.0.cold" has TransformISRA|TransformCold.
type Transform uint8

// The transformation kinds. Numeric parts of a suffix (".0") name none.
const (
	TransformISRA       Transform = 1 << iota // .isra: gcc's interprocedural scalar replacement
	TransformConstProp                        // .constprop: gcc's interprocedural constant propagation
	TransformPart                             // .part: gcc's partial inlining (the outlined tail)
	TransformCold                             // .cold: gcc's hot/cold splitting (the cold part)
	TransformLocalAlias                       // .localalias: a local alias of a global
	TransformLLVM                             // .llvm.NNNN: clang ThinLTO promotion of a static
	TransformOther                            // any other non-numeric part
)

var transformNames = [...]string{"isra", "constprop", "part", "cold", "localalias", "llvm", "other"}

// Kinds lists the kinds in t in the order of the constants.
func (t Transform) Kinds() []string {
	var out []string
	for i, n := range transformNames {
		if t&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Count is the number of kinds in t.
func (t Transform) Count() int {
	n := 0
	for ; t != 0; t &= t - 1 {
		n++
	}
	return n
}

// String joins the kinds with "+": "isra+cold"; "" for none.
func (t Transform) String() string { return strings.Join(t.Kinds(), "+") }

// parseSuffix splits a symbol name into stem and suffix and names the
// transformations of the suffix.
func parseSuffix(name string) (stem, suffix string, t Transform) {
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return name, "", 0
	}
	stem, suffix = name[:i], name[i:]
	for part := range strings.SplitSeq(suffix[1:], ".") {
		switch part {
		case "isra":
			t |= TransformISRA
		case "constprop":
			t |= TransformConstProp
		case "part":
			t |= TransformPart
		case "cold":
			t |= TransformCold
		case "localalias":
			t |= TransformLocalAlias
		case "llvm":
			t |= TransformLLVM
		default:
			if !isNumeric(part) {
				t |= TransformOther
			}
		}
	}
	return stem, suffix, t
}

func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isPadding reports the symbols that are not functions of their own.
func isPadding(name string) bool {
	return strings.HasPrefix(name, "__pfx") || strings.HasPrefix(name, "__cfi_")
}

// readSymbols returns the function symbols of ef in symbol-table order, and
// the linux_banner object symbol when there is one. A damaged symbol table
// is an error (see readSymtab).
func readSymbols(ef *elf.File, name string, budget *dwarfx.Budget) ([]Symbol, *elf.Symbol, error) {
	all, err := readSymtab(ef, name, budget)
	if err != nil {
		return nil, nil, err
	}
	syms, banner := functionSymbols(ef, all)
	return syms, banner, nil
}

// functionSymbols returns the function symbols among all in symbol-table
// order, and the linux_banner object symbol when there is one.
func functionSymbols(ef *elf.File, all []symtabEntry) ([]Symbol, *elf.Symbol) {
	var banner *elf.Symbol
	n := 0
	for i := range all {
		s := &all[i]
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && !isPadding(s.Name) {
			n++
		} else if s.Name == "linux_banner" && elf.ST_TYPE(s.Info) == elf.STT_OBJECT {
			banner = &elf.Symbol{Name: s.Name, Info: s.Info, Section: s.Section, Value: s.Value, Size: s.Size}
		}
	}
	out := make([]Symbol, 0, n)
	for i := range all {
		s := &all[i]
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || isPadding(s.Name) {
			continue
		}
		sym := Symbol{Name: s.Name, Address: s.Value, Size: s.Size, Bind: elf.ST_BIND(s.Info)}
		if inSection(ef, s.Section) {
			sym.Section = ef.Sections[s.Section].Name
		}
		sym.Stem, sym.Suffix, sym.Transforms = parseSuffix(s.Name)
		sym.Demangled = demangled(s.Name)
		out = append(out, sym)
	}
	return out, banner
}
