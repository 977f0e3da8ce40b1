// Package kmem reads a kernel image's initialised data at virtual
// addresses, as the kernel itself would see it once loaded: the contents
// of the ELF file's allocated sections, placed at their addresses, with
// the image's RELATIVE dynamic relocations applied to the pointers read.
// A relocatable kernel (arm64, ppc64el, riscv64, s390x) leaves its
// pointers zero in the file and lists them in .rela.dyn, each with the
// value its boot code writes there (the link-time address, as the addend).
//
// Every read is bounded by one section: a pointer outside every section,
// a read running past its section's end, a section without contents in the
// file (SHT_NOBITS, such as .bss) and a string without a terminator are
// errors wrapping the sentinels below, never panics. Reads go to the file
// (an io.ReaderAt), a few bytes at a time; nothing is loaded whole.
//
// # Concurrency
//
// An Image is safe for concurrent use when its io.ReaderAt is.
package kmem

import (
	"cmp"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sync"
)

// Sentinel errors; every error an Image returns wraps one of them.
var (
	// ErrOutside means an address lies in no allocated section.
	ErrOutside = errors.New("address outside every section")
	// ErrNoContents means the address lies in a section without contents in the file (SHT_NOBITS).
	ErrNoContents = errors.New("section has no contents in the file")
	// ErrCrossing means a read runs past the end of its section.
	ErrCrossing = errors.New("read runs past the end of its section")
	// ErrUnterminated means a string has no NUL within its section or the length limit.
	ErrUnterminated = errors.New("string without terminator")
	// ErrBadRelocations means the image's dynamic relocations cannot be read.
	ErrBadRelocations = errors.New("damaged dynamic relocations")
)

// A Section is one allocated section of the image.
type Section struct {
	Name   string
	Addr   uint64 // virtual address
	Size   uint64
	Offset uint64 // file offset of the contents
	NoBits bool   // SHT_NOBITS: zero-filled at run time, nothing in the file
}

// An Image is the allocated sections of one kernel image.
type Image struct {
	r      io.ReaderAt
	order  binary.ByteOrder
	ptr    int       // pointer size in bytes: 4 or 8
	secs   []Section // by address
	file   string
	fileSz int64 // -1 unknown

	relocs   []*elf.Section // allocated SHT_RELA sections: dynamic relocations
	relative uint32         // the machine's RELATIVE relocation type; 0 for none known
	relOnce  sync.Once
	rel      []reloc // sorted by address
	relErr   error
}

// A reloc is one RELATIVE relocation: the value written at addr.
type reloc struct{ addr, value uint64 }

// relativeTypes are the RELATIVE relocation types of the machines whose
// kernels are relocated at boot through RELA entries.
var relativeTypes = map[elf.Machine]uint32{
	elf.EM_AARCH64:   uint32(elf.R_AARCH64_RELATIVE),
	elf.EM_X86_64:    uint32(elf.R_X86_64_RELATIVE),
	elf.EM_PPC64:     uint32(elf.R_PPC64_RELATIVE),
	elf.EM_S390:      uint32(elf.R_390_RELATIVE),
	elf.EM_RISCV:     uint32(elf.R_RISCV_RELATIVE),
	elf.EM_LOONGARCH: 3, // R_LARCH_RELATIVE
}

// maxRelocs bounds the RELATIVE relocations kept (a relocatable arm64
// kernel has a few hundred thousand).
const maxRelocs = 1 << 24

// New returns the image of ef, whose contents r holds. name is used in
// errors. Sections that are not SHF_ALLOC, or are at address 0 (per-CPU
// templates and the like, linked at offsets rather than addresses), are
// left out, as are sections whose contents lie outside a file of known
// size.
func New(ef *elf.File, r io.ReaderAt, name string) *Image {
	m := &Image{r: r, order: ef.ByteOrder, ptr: 8, file: name, fileSz: -1}
	if ef.Class == elf.ELFCLASS32 {
		m.ptr = 4
	}
	if s, ok := r.(interface{ Size() int64 }); ok {
		m.fileSz = s.Size()
	} else if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			m.fileSz = fi.Size()
		}
	}
	m.relative = relativeTypes[ef.Machine]
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_RELA && s.Flags&elf.SHF_ALLOC != 0 && m.relative != 0 {
			m.relocs = append(m.relocs, s)
		}
		if s.Flags&elf.SHF_ALLOC == 0 || s.Addr == 0 || s.Size == 0 || s.Addr+s.Size < s.Addr {
			continue
		}
		nb := s.Type == elf.SHT_NOBITS
		if !nb && m.fileSz >= 0 && (s.Offset > uint64(m.fileSz) || s.Size > uint64(m.fileSz)-s.Offset) {
			continue
		}
		m.secs = append(m.secs, Section{Name: s.Name, Addr: s.Addr, Size: s.Size, Offset: s.Offset, NoBits: nb})
	}
	slices.SortStableFunc(m.secs, func(a, b Section) int {
		switch {
		case a.Addr < b.Addr:
			return -1
		case a.Addr > b.Addr:
			return 1
		}
		return 0
	})
	return m
}

// PointerSize is the size of a pointer in bytes: 4 or 8.
func (m *Image) PointerSize() int { return m.ptr }

// ByteOrder is the image's byte order.
func (m *Image) ByteOrder() binary.ByteOrder { return m.order }

// SectionOf returns the section holding addr.
func (m *Image) SectionOf(addr uint64) (Section, bool) {
	i, ok := m.find(addr)
	if !ok {
		return Section{}, false
	}
	return m.secs[i], true
}

func (m *Image) find(addr uint64) (int, bool) {
	// The last section starting at or before addr; sections may overlap
	// (an empty one at the end of another), so look back a little.
	i, _ := slices.BinarySearchFunc(m.secs, addr, func(s Section, a uint64) int {
		if s.Addr <= a {
			return -1
		}
		return 1
	})
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		if s := &m.secs[j]; addr >= s.Addr && addr-s.Addr < s.Size {
			return j, true
		}
	}
	return 0, false
}

// An Error is a failed read: where, and why.
type Error struct {
	File string
	Addr uint64
	Err  error
	Msg  string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: at %#x: %v", e.File, e.Addr, e.Err)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func (m *Image) fail(addr uint64, err error, msg string) error {
	return &Error{File: m.file, Addr: addr, Err: err, Msg: msg}
}

// Read returns the n bytes at addr, which must lie in one section.
func (m *Image) Read(addr uint64, n int) ([]byte, error) {
	i, ok := m.find(addr)
	if !ok {
		return nil, m.fail(addr, ErrOutside, "")
	}
	s := &m.secs[i]
	if s.NoBits {
		return nil, m.fail(addr, ErrNoContents, s.Name)
	}
	if n < 0 || uint64(n) > s.Size-(addr-s.Addr) {
		return nil, m.fail(addr, ErrCrossing, fmt.Sprintf("%d bytes in %s", n, s.Name))
	}
	buf := make([]byte, n)
	if _, err := m.r.ReadAt(buf, int64(s.Offset+(addr-s.Addr))); err != nil {
		return nil, m.fail(addr, ErrCrossing, fmt.Sprintf("reading %s: %v", s.Name, err))
	}
	return buf, nil
}

// Uint reads an unsigned integer of size bytes (1, 2, 4 or 8) at addr.
func (m *Image) Uint(addr uint64, size int) (uint64, error) {
	b, err := m.Read(addr, size)
	if err != nil {
		return 0, err
	}
	return m.decode(b), nil
}

func (m *Image) decode(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(m.order.Uint16(b))
	case 4:
		return uint64(m.order.Uint32(b))
	case 8:
		return m.order.Uint64(b)
	}
	return 0
}

// Pointer reads a pointer at addr, relocated.
func (m *Image) Pointer(addr uint64) (uint64, error) {
	v, err := m.Uint(addr, m.ptr)
	if err != nil {
		return 0, err
	}
	return m.Relocated(addr, v)
}

// Relocated returns the value the kernel holds at addr once its boot code
// has applied the image's RELATIVE relocations, given the value v the file
// holds there: the relocation's value where there is one, else v. The
// relocations are read on first use; damage in them is an error wrapping
// ErrBadRelocations.
func (m *Image) Relocated(addr, v uint64) (uint64, error) {
	if len(m.relocs) == 0 {
		return v, nil
	}
	m.relOnce.Do(m.readRelocs)
	if m.relErr != nil {
		return 0, m.relErr
	}
	if i, ok := slices.BinarySearchFunc(m.rel, addr, func(r reloc, a uint64) int { return cmp.Compare(r.addr, a) }); ok {
		return m.rel[i].value, nil
	}
	return v, nil
}

// readRelocs reads the RELATIVE relocations of the image's dynamic
// relocation sections.
func (m *Image) readRelocs() {
	entry, addend := uint64(24), 16
	if m.ptr == 4 {
		entry, addend = 12, 8
	}
	for _, s := range m.relocs {
		if s.Size%entry != 0 || s.Size/entry > maxRelocs || (m.fileSz >= 0 && (s.Offset > uint64(m.fileSz) || s.Size > uint64(m.fileSz)-s.Offset)) {
			m.relErr = m.fail(s.Addr, ErrBadRelocations, fmt.Sprintf("%s: %d bytes are no list of %d-byte entries within the file", s.Name, s.Size, entry))
			return
		}
		buf := make([]byte, s.Size)
		if _, err := m.r.ReadAt(buf, int64(s.Offset)); err != nil {
			m.relErr = m.fail(s.Addr, ErrBadRelocations, fmt.Sprintf("reading %s: %v", s.Name, err))
			return
		}
		for o := 0; o+int(entry) <= len(buf); o += int(entry) {
			var off, info, val uint64
			if m.ptr == 8 {
				off, info, val = m.order.Uint64(buf[o:]), m.order.Uint64(buf[o+8:]), m.order.Uint64(buf[o+addend:])
				info &= 0xffffffff // ELF64_R_TYPE
			} else {
				off, info, val = uint64(m.order.Uint32(buf[o:])), uint64(m.order.Uint32(buf[o+4:])), uint64(m.order.Uint32(buf[o+addend:]))
				info &= 0xff // ELF32_R_TYPE
			}
			if uint32(info) == m.relative {
				m.rel = append(m.rel, reloc{off, val})
			}
		}
		if len(m.rel) > maxRelocs {
			m.relErr = m.fail(s.Addr, ErrBadRelocations, fmt.Sprintf("more than %d relocations", maxRelocs))
			return
		}
	}
	slices.SortStableFunc(m.rel, func(a, b reloc) int { return cmp.Compare(a.addr, b.addr) })
}

// Pointers reads n consecutive pointers starting at addr, all in one
// section.
func (m *Image) Pointers(addr uint64, n int) ([]uint64, error) {
	if n < 0 || n > 1<<24 {
		return nil, m.fail(addr, ErrCrossing, fmt.Sprintf("%d pointers", n))
	}
	b, err := m.Read(addr, n*m.ptr)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, n)
	for i := range out {
		if out[i], err = m.Relocated(addr+uint64(i*m.ptr), m.decode(b[i*m.ptr:(i+1)*m.ptr])); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MaxString bounds the strings String reads.
const MaxString = 1 << 16

// String reads the NUL-terminated string at addr: at most max bytes
// (MaxString when max <= 0), within addr's section.
func (m *Image) String(addr uint64, max int) (string, error) {
	if max <= 0 || max > MaxString {
		max = MaxString
	}
	i, ok := m.find(addr)
	if !ok {
		return "", m.fail(addr, ErrOutside, "string")
	}
	s := &m.secs[i]
	if s.NoBits {
		return "", m.fail(addr, ErrNoContents, s.Name)
	}
	left := s.Size - (addr - s.Addr)
	var out []byte
	chunk := 64
	for uint64(len(out)) < left && len(out) < max {
		n := min(uint64(chunk), left-uint64(len(out)), uint64(max-len(out)))
		buf := make([]byte, n)
		if _, err := m.r.ReadAt(buf, int64(s.Offset+(addr-s.Addr)+uint64(len(out)))); err != nil {
			return "", m.fail(addr, ErrCrossing, fmt.Sprintf("reading %s: %v", s.Name, err))
		}
		for j, c := range buf {
			if c == 0 {
				return string(append(out, buf[:j]...)), nil
			}
		}
		out = append(out, buf...)
		chunk = min(chunk*4, 4096)
	}
	return "", m.fail(addr, ErrUnterminated, fmt.Sprintf("none in %d bytes", len(out)))
}
