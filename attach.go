package kabi

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/kmem"
)

// Attachability says whether a probe can attach to a function by its
// name in a build, and what to attach to instead when it cannot. The
// rules are those of docs/attach.md; in short:
//
//   - kprobe attaches by symbol name: it needs an ELF function symbol whose
//     name is exactly the function's (not a .isra, .constprop, .part or
//     .llvm clone); with several such symbols (static functions of one
//     name in different files) the name is ambiguous. The kernel refuses
//     symbols in .init.text (freed after boot), those its kprobe blacklist
//     lists (NOKPROBE_SYMBOL, read from the build's _kprobe_blacklist
//     list) and those in the text it never probes (.kprobes.text,
//     .noinstr.text, and the architecture's entry text).
//   - fentry and fexit need the same symbol, an ftrace location inside it
//     (the build's __mcount_loc or patchable-function-entry list; functions
//     marked notrace have none), and a BTF FUNC of the name. Where the
//     build has a .BTF section it decides; where it has none, the DWARF
//     rule stands in: an out-of-line definition with that symbol.
//
// A module's function is judged by the module's own lists, as the kernel
// reads them when it loads the module (its __mcount_loc, _kprobe_blacklist,
// .kprobes.text, .noinstr.text and .init.text, and its split .BTF), never
// by vmlinux's. A fact the build does not carry (no ftrace list, no
// blacklist) makes the verdict AttachUnknown rather than a guess.
type Attachability struct {
	Kprobe    Verdict      `json:"kprobe"`
	KprobeWhy AttachReason `json:"kprobe_reason,omitempty"` // why Kprobe is not AttachYes
	Fentry    Verdict      `json:"fentry"`
	FentryWhy AttachReason `json:"fentry_reason,omitempty"` // why Fentry is not AttachYes
	// BTF says whether the .BTF of the object holding the function's
	// symbol (vmlinux's, or its module's split BTF) has a FUNC of the
	// name: AttachUnknown when that object has no .BTF.
	BTF Verdict `json:"btf"`
	// Clones are the symbols a probe can attach to when the plain name
	// cannot be used: the function's .isra, .constprop, .part, .llvm and
	// .localalias symbols (not .cold parts, which are no entry points).
	Clones []string `json:"clones,omitempty"`
	// Callers is set when the function has no symbol at all and is
	// inlined: attach to the functions its instances' InlineCallers name.
	Callers bool `json:"callers,omitempty"`
}

// Verdict is the answer to "can a probe attach?".
type Verdict uint8

// The verdicts. The zero value is AttachUnknown.
const (
	AttachUnknown   Verdict = iota // the build does not carry the facts needed
	AttachYes                      // the probe attaches by the function's name
	AttachNo                       // the kernel refuses it (see the reason)
	AttachAmbiguous                // several symbols carry the name: which one is hit is not up to the user
)

var verdictNames = [...]string{"unknown", "yes", "no", "ambiguous"}

// String is "unknown", "yes", "no" or "ambiguous".
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// MarshalText gives String.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads String's texts.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if string(b) == n {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("kabi: unknown verdict %q", b)
}

// AttachReason says why a probe cannot attach by a function's name.
type AttachReason uint8

// The reasons.
const (
	ReasonNone         AttachReason = iota
	ReasonNoSymbol                  // no symbol has the plain name: fully inlined, or only clones exist
	ReasonCollision                 // several symbols have the plain name (static functions of one name)
	ReasonInitText                  // the symbol is in .init.text, freed after boot
	ReasonBlacklisted               // the kprobe blacklist lists it (NOKPROBE_SYMBOL)
	ReasonNoProbeText               // it lies in text kprobes never probe (.kprobes.text, .noinstr.text, entry text)
	ReasonNotrace                   // no ftrace location inside it (notrace)
	ReasonNotInBTF                  // the build's .BTF has no FUNC of the name
	ReasonNoFtraceList              // the build has no ftrace location list to check against
	ReasonNoBlacklist               // the build has no kprobe blacklist to check against
)

var reasonNames = [...]string{"", "no symbol", "collision", "init text", "blacklisted", "no-probe text",
	"notrace", "not in BTF", "no ftrace list", "no kprobe blacklist"}

// String is a short text: "no symbol", "notrace", ...; "" for none.
func (r AttachReason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("AttachReason(%d)", uint8(r))
}

// MarshalText gives String.
func (r AttachReason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads String's texts.
func (r *AttachReason) UnmarshalText(b []byte) error {
	for i, n := range reasonNames {
		if string(b) == n {
			*r = AttachReason(i)
			return nil
		}
	}
	return fmt.Errorf("kabi: unknown attach reason %q", b)
}

// AttachSources says which of the kernel's own lists a build carries;
// the verdicts that need a missing one are AttachUnknown.
type AttachSources struct {
	FtraceList      bool `json:"ftrace_list"`      // __start_mcount_loc..__stop_mcount_loc
	KprobeBlacklist bool `json:"kprobe_blacklist"` // __start_kprobe_blacklist..__stop_kprobe_blacklist
	BTF             bool `json:"btf"`              // a .BTF section
}

// AttachSources returns which of the kernel's lists vmlinux carries.
func (b *Build) AttachSources() AttachSources {
	if b.ix != nil {
		return b.ix.attach
	}
	return b.attach
}

// Modules returns the names of the kernel modules the build holds, in
// name order: a whole kernel's, read with its module tree
// (Options.ModuleDir, a package's modules) and kept in its index file;
// a running kernel's loaded modules whose BTF it read; none for vmlinux
// alone, where a function or hook absent from the build may still be in
// one of the kernel's modules.
func (b *Build) Modules() []string { return slices.Sorted(maps.Keys(b.modules())) }

// modules is the build's modules with their attach sources.
func (b *Build) modules() map[string]AttachSources {
	if b.ix != nil {
		return b.ix.modSrc
	}
	return b.modSrc
}

// ModuleAttachSources returns which lists a module of the build carries
// for its own functions (docs/attach.md, "Modules"): its ftrace list and
// kprobe blacklist (a module without the section has an empty one when
// vmlinux carries that list), and its split .BTF. "" gives vmlinux's, as
// AttachSources; a module the build has no lists of (a running kernel's,
// or none of that name) gives none.
func (b *Build) ModuleAttachSources(module string) AttachSources {
	if module == "" {
		return b.AttachSources()
	}
	return b.modules()[module]
}

// btfFacts says which functions the kernel's BTF describes: the FUNC
// names of vmlinux's .BTF, and, per module, those of the module's split
// .BTF that name one of its function symbols.
type btfFacts struct {
	vmlinux map[string]bool
	modules map[moduleFunc]bool
	// A whole kernel read from its files says it of the module
	// symbols instead, and modules is nil: symBTF has the bit of each
	// symbol (by its index in the build's symbols) whose module's BTF
	// has a FUNC of its name, which byFunction turns into fnBTF, the bit
	// of each function (by its index in the build's functions) that has
	// such a symbol without a suffix.
	symBTF bitset
	fnBTF  bitset
}

// A bitset holds bit i at word i/64, bit i%64.
type bitset []uint64

func (b *bitset) set(i int) {
	if n := i/64 + 1; len(*b) < n {
		*b = append(*b, make([]uint64, n-len(*b))...)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

// byFunction turns symBTF into fnBTF, given the symbols and the index of
// each one's function (-1 for none) among nfns functions.
func (x *btfFacts) byFunction(syms []Symbol, of []int32, nfns int) {
	if x == nil || len(x.symBTF) == 0 {
		return
	}
	x.fnBTF = make(bitset, (nfns+63)/64)
	for w, word := range x.symBTF {
		for ; word != 0; word &= word - 1 {
			i := w*64 + bits.TrailingZeros64(word)
			if i < len(of) && of[i] >= 0 && syms[i].Suffix == "" {
				x.fnBTF.set(int(of[i]))
			}
		}
	}
	x.symBTF = nil
}

// moduleFunc is a function name in one module.
type moduleFunc struct{ module, name string }

// has reports whether the BTF of an object that holds a plain symbol of f
// (vmlinux's without one) has a FUNC of f's name; k is f's index in the
// functions byFunction was given.
func (x *btfFacts) has(f *Function, k int) bool {
	if x == nil {
		return false
	}
	plain := false
	for _, s := range f.Symbols {
		if s.Suffix != "" {
			continue
		}
		plain = true
		if s.Module == "" && x.vmlinux[f.Name] ||
			s.Module != "" && (x.modules != nil && x.modules[moduleFunc{s.Module, f.Name}] || x.fnBTF.has(k)) {
			return true
		}
	}
	return !plain && x.vmlinux[f.Name]
}

// attachability computes f's attachability from its symbols and
// instances, given what each object carries (srcOf: vmlinux's for "",
// else the module's) and whether the BTF of an object holding f's symbol
// names f.
func (f *Function) attachability(srcOf func(module string) AttachSources, inBTF bool) Attachability {
	var a Attachability
	var plain []*Symbol
	for _, s := range f.Symbols {
		switch {
		case s.Suffix == "":
			plain = append(plain, s)
		case s.Transforms&TransformCold == 0:
			a.Clones = append(a.Clones, s.Name)
		}
	}
	// The BTF fact is known when every object holding a plain symbol (or
	// vmlinux, for a function without one) has BTF.
	btfKnown := srcOf("").BTF
	if len(plain) > 0 {
		btfKnown = true
		for _, s := range plain {
			btfKnown = btfKnown && srcOf(s.Module).BTF
		}
	}
	if btfKnown {
		a.BTF = AttachNo
		if inBTF {
			a.BTF = AttachYes
		}
	}
	switch {
	case len(plain) == 0:
		a.Kprobe, a.KprobeWhy = AttachNo, ReasonNoSymbol
		a.Fentry, a.FentryWhy = AttachNo, ReasonNoSymbol
		if len(a.Clones) == 0 {
			for _, in := range f.Instances {
				if len(in.InlineCallers) > 0 {
					a.Callers = true
					break
				}
			}
		}
		return a
	case len(plain) > 1:
		a.Kprobe, a.KprobeWhy = AttachAmbiguous, ReasonCollision
		a.Fentry, a.FentryWhy = AttachAmbiguous, ReasonCollision
		if a.BTF == AttachNo {
			a.Fentry, a.FentryWhy = AttachNo, ReasonNotInBTF
		}
		return a
	}
	s := plain[0]
	src := srcOf(s.Module)
	switch {
	case s.Section == ".init.text":
		a.Kprobe, a.KprobeWhy = AttachNo, ReasonInitText
	case s.NoKprobe == NoKprobeListed:
		a.Kprobe, a.KprobeWhy = AttachNo, ReasonBlacklisted
	case s.NoKprobe == NoKprobeText:
		a.Kprobe, a.KprobeWhy = AttachNo, ReasonNoProbeText
	case !src.KprobeBlacklist:
		a.Kprobe, a.KprobeWhy = AttachUnknown, ReasonNoBlacklist
	default:
		a.Kprobe = AttachYes
	}
	switch {
	case s.Section == ".init.text":
		a.Fentry, a.FentryWhy = AttachNo, ReasonInitText
	case a.BTF == AttachNo:
		a.Fentry, a.FentryWhy = AttachNo, ReasonNotInBTF
	case !src.FtraceList:
		a.Fentry, a.FentryWhy = AttachUnknown, ReasonNoFtraceList
	case !s.Ftrace:
		a.Fentry, a.FentryWhy = AttachNo, ReasonNotrace
	case !src.BTF && !f.hasDefinition():
		a.Fentry, a.FentryWhy = AttachNo, ReasonNotInBTF
	default:
		a.Fentry = AttachYes
	}
	return a
}

// hasDefinition reports whether some instance of f is defined (not only
// declared): the DWARF that pahole turns into a BTF FUNC.
func (f *Function) hasDefinition() bool {
	for _, in := range f.Instances {
		if !in.DeclaredOnly {
			return true
		}
	}
	return false
}

// NoKprobe says why the kernel refuses kprobes on a symbol.
type NoKprobe uint8

// The kinds of refusal.
const (
	NoKprobeNone   NoKprobe = iota
	NoKprobeListed          // the kprobe blacklist lists its address (NOKPROBE_SYMBOL)
	NoKprobeText            // it lies in text the kernel never probes
)

// probeLists are the kernel's own lists of what may be traced, read from
// a vmlinux: the ftrace locations (sorted) and the kprobe blacklist, and
// the address ranges kprobes refuse.
type probeLists struct {
	src       AttachSources
	mcount    []uint64
	blacklist map[uint64]bool
	noProbe   [][2]uint64
}

// noProbeText names, per architecture, the [start, end) symbol pairs of
// text the kernel adds to its kprobe blacklist at boot: every
// architecture's .kprobes.text and .noinstr.text (populate_kprobe_blacklist),
// and the entry text that arch_populate_kprobe_blacklist adds.
func noProbeText(arch string) []string {
	areas := []string{"__kprobes_text", "__noinstr_text"}
	switch arch {
	case "amd64", "i386":
		areas = append(areas, "__entry_text")
	case "arm64":
		areas = append(areas, "__entry_text", "__irqentry_text", "__idmap_text")
	}
	return areas
}

// maxProbeList bounds the entries read from one of the kernel's address
// lists; a kernel has about 50,000 ftrace locations.
const maxProbeList = 1 << 24

// readProbeLists reads the kernel's lists from ef, given all its symbols.
// img reads the lists as the kernel sees them once relocated: a
// relocatable kernel (arm64) leaves them zero in the file and lists their
// values in .rela.dyn.
func readProbeLists(ef *elf.File, img *kmem.Image, all []symtabEntry, name string) (*probeLists, error) {
	marks := make(map[string]uint64)
	want := map[string]bool{"__start_mcount_loc": true, "__stop_mcount_loc": true,
		"__start_kprobe_blacklist": true, "__stop_kprobe_blacklist": true}
	areas := noProbeText(debianArch(ef))
	for _, a := range areas {
		want[a+"_start"], want[a+"_end"] = true, true
	}
	for i := range all {
		if want[all[i].Name] {
			if _, dup := marks[all[i].Name]; !dup {
				marks[all[i].Name] = all[i].Value
			}
		}
	}
	p := &probeLists{}
	var err error
	if start, ok := marks["__start_mcount_loc"]; ok {
		if stop, ok := marks["__stop_mcount_loc"]; ok && !inNoBits(ef, start, stop) {
			if p.mcount, err = readAddressList(ef, img, start, stop, name, "__mcount_loc"); err != nil {
				return nil, err
			}
			slices.Sort(p.mcount)
			p.src.FtraceList = true
		}
	}
	if start, ok := marks["__start_kprobe_blacklist"]; ok {
		if stop, ok := marks["__stop_kprobe_blacklist"]; ok && !inNoBits(ef, start, stop) {
			list, err := readAddressList(ef, img, start, stop, name, "_kprobe_blacklist")
			if err != nil {
				return nil, err
			}
			p.blacklist = make(map[uint64]bool, len(list))
			for _, a := range list {
				p.blacklist[a] = true
			}
			p.src.KprobeBlacklist = true
		}
	}
	for _, a := range areas {
		start, ok1 := marks[a+"_start"]
		end, ok2 := marks[a+"_end"]
		if ok1 && ok2 && start < end {
			p.noProbe = append(p.noProbe, [2]uint64{start, end})
		}
	}
	return p, nil
}

// readAddressList reads the words of the kernel's address list at
// [start, stop) of ef's address space.
func readAddressList(ef *elf.File, img *kmem.Image, start, stop uint64, name, what string) ([]uint64, error) {
	if stop == start {
		return nil, nil
	}
	word := uint64(8)
	if ef.Class == elf.ELFCLASS32 {
		word = 4
	}
	if stop < start || (stop-start)%word != 0 || (stop-start)/word > maxProbeList {
		return nil, fmt.Errorf("%s: the %s list at %#x-%#x is not a list of %d-byte addresses", name, what, start, stop, word)
	}
	for _, sec := range ef.Sections {
		if sec.Type == elf.SHT_NOBITS || sec.Flags&elf.SHF_ALLOC == 0 || start < sec.Addr || stop > sec.Addr+sec.Size {
			continue
		}
		if sec.Flags&elf.SHF_COMPRESSED != 0 {
			return nil, fmt.Errorf("%s: the %s list lies in %s, which is compressed", name, what, sec.Name)
		}
		buf := make([]byte, stop-start)
		if _, err := sec.ReadAt(buf, int64(start-sec.Addr)); err != nil {
			return nil, fmt.Errorf("%s: reading the %s list from %s: %w", name, what, sec.Name, err)
		}
		out := make([]uint64, 0, len(buf)/int(word))
		for i := 0; i < len(buf); i += int(word) {
			v := uint64(0)
			if word == 8 {
				v = ef.ByteOrder.Uint64(buf[i:])
			} else {
				v = uint64(ef.ByteOrder.Uint32(buf[i:]))
			}
			v, err := img.Relocated(start+uint64(i), v)
			if err != nil {
				return nil, fmt.Errorf("%s: the %s list: %w", name, what, err)
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: the %s list at %#x-%#x lies in no section with contents", name, what, start, stop)
}

// mark sets the Ftrace and NoKprobe facts of the symbols.
func (p *probeLists) mark(syms []Symbol) {
	for i := range syms {
		s := &syms[i]
		if s.Module != "" {
			continue // vmlinux's lists do not describe a module's symbols
		}
		if p.src.FtraceList {
			j, _ := slices.BinarySearch(p.mcount, s.Address)
			s.Ftrace = j < len(p.mcount) && (p.mcount[j] < s.End() || p.mcount[j] == s.Address)
		}
		switch {
		case p.blacklist[s.Address]:
			s.NoKprobe = NoKprobeListed
		default:
			for _, r := range p.noProbe {
				if s.Address >= r[0] && s.Address < r[1] {
					s.NoKprobe = NoKprobeText
					break
				}
			}
		}
	}
}

// btfFuncNames returns the names of the FUNC types of raw BTF, whose
// header checkBTFHeader has accepted, and its string section. It walks
// the type section itself, as the types' names are all it needs. base is
// the string section of the BTF that raw extends (a module's split BTF
// extends its vmlinux's: name offsets below len(base) are base's), or nil
// for standalone BTF.
func btfFuncNames(raw, base []byte) (map[string]bool, []byte, error) {
	if err := checkBTFHeader(raw); err != nil {
		return nil, nil, err
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if binary.LittleEndian.Uint16(raw) != 0xeb9f {
		bo = binary.BigEndian
	}
	hdr := bo.Uint32(raw[4:])
	body := raw[hdr:]
	types := body[bo.Uint32(raw[8:]):][:bo.Uint32(raw[12:])]
	strs := body[bo.Uint32(raw[16:]):][:bo.Uint32(raw[20:])]
	out := make(map[string]bool)
	for off, id := 0, 1; off < len(types); id++ {
		if len(types)-off < 12 {
			return nil, nil, fmt.Errorf("BTF: type %d at %d: truncated", id, off)
		}
		nameOff := bo.Uint32(types[off:])
		info := bo.Uint32(types[off+4:])
		kind, vlen := info>>24&0x1f, int(info&0xffff)
		extra := 0
		switch kind {
		case 2, 7, 8, 9, 10, 11, 12, 16, 18: // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
		case 1, 14, 17: // INT VAR DECL_TAG
			extra = 4
		case 3: // ARRAY
			extra = 12
		case 4, 5, 15, 19: // STRUCT UNION DATASEC ENUM64
			extra = 12 * vlen
		case 6, 13: // ENUM FUNC_PROTO
			extra = 8 * vlen
		default:
			return nil, nil, fmt.Errorf("BTF: type %d at %d: unknown kind %d", id, off, kind)
		}
		if kind == 12 {
			in, at := strs, int64(nameOff)
			if base != nil {
				if at < int64(len(base)) {
					in = base
				} else {
					at -= int64(len(base))
				}
			}
			if at >= int64(len(in)) {
				return nil, nil, fmt.Errorf("BTF: type %d: name at %d outside the %d-byte string section", id, nameOff, len(base)+len(strs))
			}
			n := in[at:]
			if e := slices.Index(n, 0); e >= 0 {
				n = n[:e]
			}
			out[string(n)] = true
		}
		off += 12 + extra
		if off > len(types) {
			return nil, nil, fmt.Errorf("BTF: type %d: truncated", id)
		}
	}
	return out, strs, nil
}

// readBTFFuncNames returns the FUNC names of ef's .BTF section and its
// string section, or nil when it has none. Split BTF (a module's, which
// extends its vmlinux's: its names are offsets past the base's strings)
// is read over base, the string section of vmlinux's BTF; without base,
// which functions it describes is unknown (nil), not an error. Given a
// base (a module's BTF is read), the section is read into a reused
// buffer and its string section is not returned (nil).
func readBTFFuncNames(ef *elf.File, name string, budget *dwarfx.Budget, base []byte) (map[string]bool, []byte, error) {
	s := ef.Section(".BTF")
	if s == nil || s.Type == elf.SHT_NOBITS {
		return nil, nil, nil
	}
	if err := budget.TakeSection(s); err != nil {
		return nil, nil, fmt.Errorf("%s: reading .BTF: %w", name, err)
	}
	if s.Size > maxBTF {
		return nil, nil, fmt.Errorf("%s: .BTF: %d bytes, more than the %d this kabi reads", name, s.Size, maxBTF)
	}
	var raw []byte
	var err error
	if base == nil {
		raw, err = s.Data() // vmlinux's: its string section is kept
	} else {
		var put func()
		raw, put, err = readScratch(s)
		defer put()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading .BTF: %w", name, err)
	}
	keep := base == nil // raw is not in a scratch buffer (base changes below)
	split := checkBTFHeader(raw) == nil && isSplitBTF(raw)
	if split && base == nil {
		return nil, nil, nil
	}
	if !split {
		base = nil
	}
	names, strs, err := btfFuncNames(raw, base)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: .BTF: %w", name, err)
	}
	if !keep {
		strs = nil
	}
	return names, strs, nil
}

// String is a one-line summary: "kprobe yes, fentry no (notrace)".
func (a Attachability) String() string {
	var b strings.Builder
	b.WriteString("kprobe ")
	b.WriteString(a.Kprobe.String())
	if a.KprobeWhy != ReasonNone {
		b.WriteString(" (" + a.KprobeWhy.String() + ")")
	}
	b.WriteString(", fentry ")
	b.WriteString(a.Fentry.String())
	if a.FentryWhy != ReasonNone {
		b.WriteString(" (" + a.FentryWhy.String() + ")")
	}
	if len(a.Clones) > 0 {
		b.WriteString("; instead: " + strings.Join(a.Clones, ", "))
	} else if a.Callers {
		b.WriteString("; instead: its callers")
	}
	return b.String()
}

var noKprobeNames = [...]string{"", "blacklisted", "no-probe text"}

// String is "", "blacklisted" or "no-probe text".
func (n NoKprobe) String() string {
	if int(n) < len(noKprobeNames) {
		return noKprobeNames[n]
	}
	return fmt.Sprintf("NoKprobe(%d)", uint8(n))
}

// MarshalText gives String.
func (n NoKprobe) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText reads String's texts.
func (n *NoKprobe) UnmarshalText(b []byte) error {
	for i, s := range noKprobeNames {
		if string(b) == s {
			*n = NoKprobe(i)
			return nil
		}
	}
	return fmt.Errorf("kabi: unknown kprobe refusal %q", b)
}

// appendJSON appends a as the JSON object `kabi dump` writes.
func (a *Attachability) appendJSON(b []byte) []byte {
	b = append(b, `{"kprobe":`...)
	b = appendJSONString(b, a.Kprobe.String())
	b = append(b, `,"kprobe_reason":`...)
	b = appendJSONString(b, a.KprobeWhy.String())
	b = append(b, `,"fentry":`...)
	b = appendJSONString(b, a.Fentry.String())
	b = append(b, `,"fentry_reason":`...)
	b = appendJSONString(b, a.FentryWhy.String())
	b = append(b, `,"btf":`...)
	b = appendJSONString(b, a.BTF.String())
	b = append(b, `,"clones":`...)
	b = appendJSONStrings(b, a.Clones)
	b = append(b, `,"callers":`...)
	b = strconv.AppendBool(b, a.Callers)
	return append(b, '}')
}
