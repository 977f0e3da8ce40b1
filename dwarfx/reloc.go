package dwarfx

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/kabi-dev/kabi/internal/stage"
)

// Relocatable objects (ET_REL: kernel modules, .o files) leave the
// references between their debug sections, and every address, to
// relocations (.rela.debug_info, .rel.debug_line, ...). They are applied
// to each debug section this package reads, in the section's own buffer
// (the one read from the file or decompressed, so nothing is copied for
// it), streaming the relocation section through a small buffer.
//
// A relocation's value is the symbol's st_value plus the addend (RELA), or
// plus the bytes already at the place (REL). In a relocatable object that
// is an offset within the symbol's section: addresses in a module's DWARF
// are section-relative, as debug/dwarf gives them. Relocations against an
// undefined symbol, or one in a reserved section (SHN_ABS, SHN_COMMON, ...),
// are left unapplied, as debug/elf does. A negative addend is applied
// (S + A, as a linker does), where debug/elf skips the relocation and
// leaves the place zero: Debian 6.1's bnx2.ko has one, in a
// DW_AT_call_value expression, and there the two differ.
//
// The relocation types accepted in debug sections, per machine (any other
// is an error naming it):
//
//	x86-64   R_X86_64_NONE, R_X86_64_64, R_X86_64_32, R_X86_64_32S
//	i386     R_386_NONE, R_386_32
//	arm64    R_AARCH64_NONE, R_AARCH64_ABS64, R_AARCH64_ABS32, R_AARCH64_ABS16
//	armhf    R_ARM_NONE, R_ARM_ABS32
//	ppc64el  R_PPC64_NONE, R_PPC64_ADDR64, R_PPC64_ADDR32, R_PPC64_UADDR64, R_PPC64_UADDR32
//	s390x    R_390_NONE, R_390_64, R_390_32
//	riscv64  R_RISCV_NONE, R_RISCV_64, R_RISCV_32, R_RISCV_RELAX (no-op),
//	         R_RISCV_ADD8/16/32/64, R_RISCV_SUB6/8/16/32/64,
//	         R_RISCV_SET6/8/16/32, R_RISCV_SET_ULEB128, R_RISCV_SUB_ULEB128
//
// RISC-V assemblers write label differences (DW_AT_high_pc, line and
// location list lengths) as ADD/SUB pairs because the linker may relax
// code between the labels; debug/elf ignores those types, this package
// applies them.

// relOp is what a relocation does to its place.
type relOp uint8

const (
	relNone    relOp = iota
	relAbs           // place = S + A
	relAdd           // place += S + A
	relSub           // place -= S + A
	relSet6          // low 6 bits of the byte = S + A
	relSub6          // low 6 bits of the byte -= S + A
	relSetULEB       // the ULEB128 at the place = S + A, in its existing length
	relSubULEB       // the ULEB128 at the place -= S + A
)

// relKind is a relocation type's operation and the width of its place in bytes.
type relKind struct {
	op    relOp
	width uint8
}

// machineRelocs is what this package knows of one machine's relocations:
// the types applied in debug sections, the one that puts an address in a
// word of the machine's size, and a function naming a type for errors.
type machineRelocs struct {
	machine elf.Machine
	class   elf.Class
	word    uint32
	name    func(uint32) string
	kinds   map[uint32]relKind
}

// machines is the one table of relocation types, per machine.
var machines = []machineRelocs{
	{elf.EM_X86_64, elf.ELFCLASS64, uint32(elf.R_X86_64_64),
		func(t uint32) string { return elf.R_X86_64(t).String() },
		map[uint32]relKind{
			uint32(elf.R_X86_64_NONE): {relNone, 0},
			uint32(elf.R_X86_64_64):   {relAbs, 8},
			uint32(elf.R_X86_64_32):   {relAbs, 4},
			uint32(elf.R_X86_64_32S):  {relAbs, 4},
		}},
	{elf.EM_386, elf.ELFCLASS32, uint32(elf.R_386_32),
		func(t uint32) string { return elf.R_386(t).String() },
		map[uint32]relKind{
			uint32(elf.R_386_NONE): {relNone, 0},
			uint32(elf.R_386_32):   {relAbs, 4},
		}},
	{elf.EM_AARCH64, elf.ELFCLASS64, uint32(elf.R_AARCH64_ABS64),
		func(t uint32) string { return elf.R_AARCH64(t).String() },
		map[uint32]relKind{
			uint32(elf.R_AARCH64_NONE):  {relNone, 0},
			uint32(elf.R_AARCH64_ABS64): {relAbs, 8},
			uint32(elf.R_AARCH64_ABS32): {relAbs, 4},
			uint32(elf.R_AARCH64_ABS16): {relAbs, 2},
		}},
	{elf.EM_ARM, elf.ELFCLASS32, uint32(elf.R_ARM_ABS32),
		func(t uint32) string { return elf.R_ARM(t).String() },
		map[uint32]relKind{
			uint32(elf.R_ARM_NONE):  {relNone, 0},
			uint32(elf.R_ARM_ABS32): {relAbs, 4},
		}},
	{elf.EM_PPC64, elf.ELFCLASS64, uint32(elf.R_PPC64_ADDR64),
		func(t uint32) string { return elf.R_PPC64(t).String() },
		map[uint32]relKind{
			uint32(elf.R_PPC64_NONE):    {relNone, 0},
			uint32(elf.R_PPC64_ADDR64):  {relAbs, 8},
			uint32(elf.R_PPC64_ADDR32):  {relAbs, 4},
			uint32(elf.R_PPC64_UADDR64): {relAbs, 8},
			uint32(elf.R_PPC64_UADDR32): {relAbs, 4},
		}},
	{elf.EM_S390, elf.ELFCLASS64, uint32(elf.R_390_64),
		func(t uint32) string { return elf.R_390(t).String() },
		map[uint32]relKind{
			uint32(elf.R_390_NONE): {relNone, 0},
			uint32(elf.R_390_64):   {relAbs, 8},
			uint32(elf.R_390_32):   {relAbs, 4},
		}},
	{elf.EM_RISCV, elf.ELFCLASS64, uint32(elf.R_RISCV_64), riscvName,
		map[uint32]relKind{
			uint32(elf.R_RISCV_NONE):  {relNone, 0},
			uint32(elf.R_RISCV_64):    {relAbs, 8},
			uint32(elf.R_RISCV_32):    {relAbs, 4},
			uint32(elf.R_RISCV_RELAX): {relNone, 0},
			uint32(elf.R_RISCV_ADD8):  {relAdd, 1},
			uint32(elf.R_RISCV_ADD16): {relAdd, 2},
			uint32(elf.R_RISCV_ADD32): {relAdd, 4},
			uint32(elf.R_RISCV_ADD64): {relAdd, 8},
			uint32(elf.R_RISCV_SUB8):  {relSub, 1},
			uint32(elf.R_RISCV_SUB16): {relSub, 2},
			uint32(elf.R_RISCV_SUB32): {relSub, 4},
			uint32(elf.R_RISCV_SUB64): {relSub, 8},
			uint32(elf.R_RISCV_SUB6):  {relSub6, 1},
			uint32(elf.R_RISCV_SET6):  {relSet6, 1},
			uint32(elf.R_RISCV_SET8):  {relAbs, 1},
			uint32(elf.R_RISCV_SET16): {relAbs, 2},
			uint32(elf.R_RISCV_SET32): {relAbs, 4},
			rRISCVSetULEB128:          {relSetULEB, 0},
			rRISCVSubULEB128:          {relSubULEB, 0},
		}},
}

// machineOf returns the relocations of the machine of ef.
func machineOf(ef *elf.File) (*machineRelocs, bool) {
	for i := range machines {
		if m := &machines[i]; m.machine == ef.Machine && m.class == ef.Class {
			return m, true
		}
	}
	return nil, false
}

// relocTypes returns the relocation types applied in debug sections for
// the machine of ef, and a function naming a type for errors.
func relocTypes(ef *elf.File) (map[uint32]relKind, func(uint32) string, bool) {
	m, ok := machineOf(ef)
	if !ok {
		return nil, nil, false
	}
	return m.kinds, m.name, true
}

// WordReloc returns, for the machine of ef, the relocation type that puts
// an address in a word of the machine's size (R_X86_64_64, R_386_32,
// R_AARCH64_ABS64, ...), a function naming relocation types for errors,
// and whether the machine is one whose relocations this package knows
// (the list above). Type 0 is R_*_NONE on every one of them.
func WordReloc(ef *elf.File) (typ uint32, name func(uint32) string, ok bool) {
	m, ok := machineOf(ef)
	if !ok {
		return 0, nil, false
	}
	return m.word, m.name, true
}

// The RISC-V psABI's ULEB128 relocations, which debug/elf does not name.
const (
	rRISCVSetULEB128 = 60
	rRISCVSubULEB128 = 61
)

func riscvName(t uint32) string {
	switch t {
	case rRISCVSetULEB128:
		return "R_RISCV_SET_ULEB128"
	case rRISCVSubULEB128:
		return "R_RISCV_SUB_ULEB128"
	}
	return elf.R_RISCV(t).String()
}

// relocator applies the relocations of one ET_REL file.
type relocator struct {
	d      *Data
	ef     *elf.File
	r      io.ReaderAt
	size   int64
	budget *Budget
	bo     binary.ByteOrder
	kinds  [maxRelType]relKind // by relocation type; width 0 and op relNone: not accepted (see known)
	known  [maxRelType]bool
	abs    [maxRelType]uint8 // by relocation type: the width of an absolute one of 4 or 8 bytes, else 0
	name   func(uint32) string
	bySec  map[int][]*elf.Section // target section index → its REL/RELA sections
	symtab []byte                 // raw .symtab, read on first use
	symErr error
	symOK  bool
	buf    []byte
	fill   *filler // reads the section being relocated as places in it are patched; nil: it is read

	symVal   [symCache]uint64 // see symFast
	symState [symCache]uint8
}

// newRelocator returns a relocator for ef, or nil when ef is not
// relocatable or has no relocations for debug sections.
func (d *Data) newRelocator(ef *elf.File, r io.ReaderAt, size int64, budget *Budget) (*relocator, error) {
	if ef.Type != elf.ET_REL {
		return nil, nil
	}
	rl := &relocator{d: d, ef: ef, r: r, size: size, budget: budget, bo: ef.ByteOrder, bySec: make(map[int][]*elf.Section)}
	for _, s := range ef.Sections {
		if s.Type != elf.SHT_RELA && s.Type != elf.SHT_REL {
			continue
		}
		t := int(s.Info)
		if t <= 0 || t >= len(ef.Sections) {
			continue
		}
		if !isDebugSection(ef.Sections[t].Name) {
			continue
		}
		rl.bySec[t] = append(rl.bySec[t], s)
	}
	if len(rl.bySec) == 0 {
		return nil, nil
	}
	types, name, ok := relocTypes(ef)
	if !ok {
		for _, rs := range rl.bySec {
			return nil, d.sectionErr(rs[0].Name, 0, ErrUnsupported,
				fmt.Sprintf("relocations for machine %v (%v) are not supported", ef.Machine, ef.Class))
		}
	}
	for t, k := range types {
		rl.kinds[t], rl.known[t] = k, true
		if k.op == relAbs && (k.width == 4 || k.width == 8) {
			rl.abs[t] = k.width
		}
	}
	rl.name = name
	return rl, nil
}

// maxRelType bounds the relocation types accepted: every machine's are
// below it (see relocTypes).
const maxRelType = 512

func isDebugSection(name string) bool {
	return len(name) > 7 && name[:7] == ".debug_" || len(name) > 8 && name[:8] == ".zdebug_"
}

// symbols returns the raw symbol table and the size of one entry.
func (rl *relocator) symbols() ([]byte, int, error) {
	esz := 24
	if rl.ef.Class == elf.ELFCLASS32 {
		esz = 16
	}
	if rl.symOK {
		return rl.symtab, esz, rl.symErr
	}
	rl.symOK = true
	for _, s := range rl.ef.Sections {
		if s.Type == elf.SHT_SYMTAB {
			b, err := rl.d.sectionData(rl.ef, s, rl.r, rl.size, rl.budget)
			if err != nil {
				rl.symErr = err
				return nil, esz, err
			}
			rl.symtab = b
			return b, esz, nil
		}
	}
	rl.symErr = rl.d.sectionErr(".symtab", 0, ErrMalformed, "relocatable object with relocations but no symbol table")
	return nil, esz, rl.symErr
}

// symbol returns the st_value of symbol i and whether relocations against
// it are applied (it is defined in an ordinary section).
func (rl *relocator) symbol(sec string, off uint64, i uint64) (uint64, bool, error) {
	tab, esz, err := rl.symbols()
	if err != nil {
		return 0, false, err
	}
	if i == 0 {
		return 0, false, nil
	}
	if i >= uint64(len(tab)/esz) {
		return 0, false, rl.d.sectionErr(sec, off, ErrMalformed, fmt.Sprintf("relocation names symbol %d of %d", i, len(tab)/esz))
	}
	e := tab[int(i)*esz:]
	var shndx elf.SectionIndex
	var value uint64
	if esz == 16 {
		value = uint64(rl.bo.Uint32(e[4:]))
		shndx = elf.SectionIndex(rl.bo.Uint16(e[14:]))
	} else {
		shndx = elf.SectionIndex(rl.bo.Uint16(e[6:]))
		value = rl.bo.Uint64(e[8:])
	}
	if shndx == elf.SHN_UNDEF || shndx >= elf.SHN_LORESERVE {
		return 0, false, nil
	}
	return value, true, nil
}

// patches reports whether relocations apply to section index idx.
func (rl *relocator) patches(idx int) bool {
	return rl != nil && len(rl.bySec[idx]) > 0
}

// apply applies every relocation for section index idx to dst, its contents.
func (rl *relocator) apply(idx int, dst []byte) error {
	if rl == nil {
		return nil
	}
	for _, rs := range rl.bySec[idx] {
		if err := rl.applySection(rs, dst); err != nil {
			return err
		}
	}
	return nil
}

// relChunk returns the part of a stage (see readStaged) that relocation
// sections stream through: a whole number of entries of every size.
func relChunk(stage []byte) []byte { return stage[:len(stage)-len(stage)%(24*16)] }

// release hands back the buffer the relocation sections streamed through.
func (rl *relocator) release() {
	if rl != nil && rl.buf != nil {
		stage.Put(rl.buf)
		rl.buf = nil
	}
}

func (rl *relocator) applySection(rs *elf.Section, dst []byte) error {
	rela := rs.Type == elf.SHT_RELA
	esz := 0
	switch {
	case rl.ef.Class == elf.ELFCLASS64 && rela:
		esz = 24
	case rl.ef.Class == elf.ELFCLASS64:
		esz = 16
	case rela:
		esz = 12
	default:
		esz = 8
	}
	if rs.Entsize != 0 && rs.Entsize != uint64(esz) {
		return rl.d.sectionErr(rs.Name, 0, ErrMalformed, fmt.Sprintf("entry size %d, want %d", rs.Entsize, esz))
	}
	var next func() ([]byte, error)
	total := rs.Size
	if rs.Flags&elf.SHF_COMPRESSED != 0 || rs.Type == elf.SHT_NOBITS {
		b, err := rl.d.sectionData(rl.ef, rs, rl.r, rl.size, rl.budget)
		if err != nil {
			return err
		}
		total = uint64(len(b))
		done := false
		next = func() ([]byte, error) {
			if done {
				return nil, nil
			}
			done = true
			return b, nil
		}
	} else {
		if rl.size >= 0 && (rs.Offset > uint64(rl.size) || rs.Size > uint64(rl.size)-rs.Offset) {
			return rl.d.sectionErr(rs.Name, 0, ErrTruncated, fmt.Sprintf("section [%#x, +%#x) is past the end of the %d-byte file", rs.Offset, rs.Size, rl.size))
		}
		if rl.buf == nil {
			rl.buf = relChunk(stage.Get())
		}
		var read uint64
		next = func() ([]byte, error) {
			if read >= rs.Size {
				return nil, nil
			}
			n := min(uint64(len(rl.buf)/esz*esz), rs.Size-read)
			// rl.buf is a stage: read into it directly.
			if _, err := stage.Direct(rl.r).ReadAt(rl.buf[:n], int64(rs.Offset+read)); err != nil {
				return nil, rl.d.sectionErr(rs.Name, read, ErrTruncated, err.Error())
			}
			read += n
			return rl.buf[:n], nil
		}
	}
	if total%uint64(esz) != 0 {
		return rl.d.sectionErr(rs.Name, 0, ErrMalformed, fmt.Sprintf("size %d is not a multiple of the %d-byte entry", total, esz))
	}
	bo := rl.bo
	var base uint64
	for {
		chunk, err := next()
		if err != nil {
			return err
		}
		if chunk == nil {
			return nil
		}
		if esz == 24 && bo == binary.LittleEndian {
			if err := rl.applyRELA64LE(rs.Name, base, chunk, dst); err != nil {
				return err
			}
			base += uint64(len(chunk))
			continue
		}
		for i := 0; i+esz <= len(chunk); i += esz {
			e := chunk[i : i+esz]
			var off, sym uint64
			var typ uint32
			var addend int64
			switch esz {
			case 24:
				off, sym, typ = bo.Uint64(e), bo.Uint64(e[8:])>>32, uint32(bo.Uint64(e[8:]))
				addend = int64(bo.Uint64(e[16:]))
			case 16:
				off, sym, typ = bo.Uint64(e), bo.Uint64(e[8:])>>32, uint32(bo.Uint64(e[8:]))
			case 12:
				info := bo.Uint32(e[4:])
				off, sym, typ = uint64(bo.Uint32(e)), uint64(info>>8), info&0xff
				addend = int64(int32(bo.Uint32(e[8:])))
			default:
				info := bo.Uint32(e[4:])
				off, sym, typ = uint64(bo.Uint32(e)), uint64(info>>8), info&0xff
			}
			if err := rl.one(rs.Name, base+uint64(i), dst, off, sym, typ, addend, rela); err != nil {
				return err
			}
		}
		base += uint64(len(chunk))
	}
}

// applyRELA64LE applies the 64-bit little-endian RELA entries in chunk,
// which starts at base in the relocation section sec, to dst: the
// relocations of x86-64, arm64, ppc64el and riscv64 modules, nearly all of
// them 4- or 8-byte absolute ones against a handful of section symbols
// (a module's .rela.debug_info is mostly R_X86_64_32 against .debug_str).
// Those are placed here, in a loop that does nothing else, each symbol
// looked up once per file (see symFast); any other entry goes through
// one, which does the same as for every other kind of file.
func (rl *relocator) applyRELA64LE(sec string, base uint64, chunk, dst []byte) error {
	le := binary.LittleEndian
	n := uint64(len(dst))
	filled := n // dst[:filled] is read
	if rl.fill != nil {
		filled = rl.fill.done
	}
	for i := 0; i+24 <= len(chunk); i += 24 {
		e := chunk[i : i+24 : i+24]
		off, info, addend := le.Uint64(e), le.Uint64(e[8:]), le.Uint64(e[16:])
		typ, sym := uint32(info), info>>32
		var w uint8
		if typ < maxRelType {
			w = rl.abs[typ]
		}
		if w == 0 || sym == 0 {
			if err := rl.one(sec, base+uint64(i), dst, off, sym, typ, int64(addend), true); err != nil {
				return err
			}
			continue
		}
		var v uint64
		if sym < symCache && rl.symState[sym] == symApplied {
			v = rl.symVal[sym]
		} else {
			val, ok, err := rl.symFast(sec, base+uint64(i), sym)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			v = val
		}
		v += addend
		if off > n || uint64(w) > n-off {
			return rl.place(sec, base+uint64(i), dst, off, rl.kinds[typ], v, true) // the error
		}
		if off+uint64(w) > filled {
			if err := rl.fill.ensure(off + uint64(w)); err != nil {
				return err
			}
			filled = rl.fill.done
		}
		if w == 4 {
			le.PutUint32(dst[off:off+4], uint32(v))
		} else {
			le.PutUint64(dst[off:off+8], v)
		}
	}
	return nil
}

// symCache is how many of the first symbols of a file the relocator
// remembers: a module's section symbols, which nearly every relocation
// of its debug sections names, come first in its symbol table.
const symCache = 256

// Whether a remembered symbol's relocations are applied.
const (
	symUnknown uint8 = iota
	symApplied
	symSkipped
)

// symFast is symbol, remembering the result for the first symCache
// symbols (an error is not remembered: it is returned at once).
func (rl *relocator) symFast(sec string, at uint64, sym uint64) (uint64, bool, error) {
	if sym < symCache && rl.symState[sym] == symSkipped {
		return 0, false, nil
	}
	v, ok, err := rl.symbol(sec, at, sym)
	if err != nil {
		return 0, false, err
	}
	if sym < symCache {
		rl.symVal[sym] = v
		rl.symState[sym] = symSkipped
		if ok {
			rl.symState[sym] = symApplied
		}
	}
	return v, ok, nil
}

// one applies one relocation at off in dst. at is the entry's offset in
// the relocation section, for errors.
func (rl *relocator) one(sec string, at uint64, dst []byte, off, sym uint64, typ uint32, addend int64, rela bool) error {
	if typ >= maxRelType || !rl.known[typ] {
		return rl.d.sectionErr(sec, at, ErrUnsupported, fmt.Sprintf("relocation type %s (%d) in a debug section", rl.name(typ), typ))
	}
	k := rl.kinds[typ]
	if k.op == relNone {
		return nil
	}
	value, apply, err := rl.symbol(sec, at, sym)
	if err != nil || !apply {
		return err
	}
	return rl.place(sec, at, dst, off, k, value+uint64(addend), rela)
}

// place applies a relocation of kind k whose value (symbol plus addend)
// is v at off in dst. at is the entry's offset in the relocation section
// sec, for errors.
func (rl *relocator) place(sec string, at uint64, dst []byte, off uint64, k relKind, v uint64, rela bool) error {
	if k.op == relSetULEB || k.op == relSubULEB {
		return rl.uleb(sec, at, dst, off, k.op, v)
	}
	w := uint64(k.width)
	if off > uint64(len(dst)) || w > uint64(len(dst))-off {
		return rl.d.sectionErr(sec, at, ErrMalformed, fmt.Sprintf("relocation at %#x (%d bytes) is past the end of the %d-byte section", off, w, len(dst)))
	}
	if rl.fill != nil {
		if err := rl.fill.ensure(off + w); err != nil {
			return err
		}
	}
	p := dst[off : off+w]
	if rela && k.op == relAbs {
		rl.put(p, v)
		return nil
	}
	cur := rl.get(p)
	switch k.op {
	case relAbs:
		v += cur // REL: the addend is in the place
	case relAdd:
		v = cur + v
	case relSub:
		v = cur - v
	case relSet6:
		v = cur&^0x3f | v&0x3f
	case relSub6:
		v = cur&^0x3f | (cur-v)&0x3f
	}
	rl.put(p, v)
	return nil
}

func (rl *relocator) get(p []byte) uint64 {
	switch len(p) {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(rl.bo.Uint16(p))
	case 4:
		return uint64(rl.bo.Uint32(p))
	}
	return rl.bo.Uint64(p)
}

func (rl *relocator) put(p []byte, v uint64) {
	switch len(p) {
	case 1:
		p[0] = byte(v)
	case 2:
		rl.bo.PutUint16(p, uint16(v))
	case 4:
		rl.bo.PutUint32(p, uint32(v))
	default:
		rl.bo.PutUint64(p, v)
	}
}

// uleb sets or subtracts from the ULEB128 at off, keeping its length (the
// assembler reserved it; the value is truncated to fit, as linkers do).
func (rl *relocator) uleb(sec string, at uint64, dst []byte, off uint64, op relOp, v uint64) error {
	if off >= uint64(len(dst)) {
		return rl.d.sectionErr(sec, at, ErrMalformed, fmt.Sprintf("relocation at %#x is past the end of the %d-byte section", off, len(dst)))
	}
	if rl.fill != nil {
		if err := rl.fill.ensure(uint64(len(dst))); err != nil {
			return err
		}
	}
	var cur uint64
	n := 0
	for shift := uint(0); ; shift += 7 {
		if off+uint64(n) >= uint64(len(dst)) || n >= 10 {
			return rl.d.sectionErr(sec, at, ErrMalformed, fmt.Sprintf("unterminated ULEB128 at %#x", off))
		}
		b := dst[off+uint64(n)]
		n++
		if shift < 64 {
			cur |= uint64(b&0x7f) << shift
		}
		if b&0x80 == 0 {
			break
		}
	}
	if op == relSubULEB {
		v = cur - v
	}
	for i := 0; i < n; i++ {
		b := byte(v & 0x7f)
		v >>= 7
		if i < n-1 {
			b |= 0x80
		}
		dst[off+uint64(i)] = b
	}
	return nil
}
