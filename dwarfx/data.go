package dwarfx

import (
	"bytes"
	"compress/zlib"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"unsafe"

	"github.com/kabi-dev/kabi/internal/stage"
	"github.com/klauspost/compress/zstd"
)

// Data holds the DWARF sections of one ELF file, decoded unit headers and
// per-unit root attributes. It is immutable after construction, except for
// caches filled on first use under a lock, so it is safe for concurrent use.
type Data struct {
	name  string
	big   bool
	class elf.Class

	info, types, abbrev, str, lineStr, line, strOffsets, addr, ranges, rnglists []byte
	loc, loclists                                                               []byte // read for parameter locations only

	units []Unit // .debug_info units, then .debug_types units
	nInfo int    // number of .debug_info units
	sigs  map[uint64]int

	linesMu sync.Mutex
	lines   map[int]*lineResult

	fmap *mapping // the file's mapping, when the sections lie in it (see Close)

	bufsMu sync.Mutex
	bufs   [][]byte // reused section buffers, released by Close (see buffer)
	reused bool     // some sections lie in reused buffers: Keep copies every string

	releaseLists func() // releases the Data's hold on the free lists (see holdLists)
	listsCleanup runtime.Cleanup
}

type lineResult struct {
	once sync.Once
	lt   *LineTable
	err  error
}

// Open opens the ELF file at path and reads its DWARF sections into memory.
// The file is closed before Open returns.
func Open(path string) (*Data, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return New(f, path)
}

// New reads the DWARF sections of the ELF file in r. name is used in error
// messages only.
func New(r io.ReaderAt, name string) (d *Data, err error) {
	defer recoverBug(name, &err, debug.SetPanicOnFault(true))
	ef, err := NewELFFile(r, name)
	if err != nil {
		return nil, err
	}
	return NewFromELF(ef, r, name)
}

// Options configures [NewFromELFOptions]. A nil *Options, and the zero
// value, give the defaults.
type Options struct {
	// Budget bounds the bytes that decompressing the file's sections may
	// produce, all sections together. Pass the Budget of the whole input
	// when other readers decompress parts of the same file (its symbol
	// table, its BTF, the compressed module or package around it). nil
	// means a Budget of [DefaultBudget] for the size of the file.
	Budget *Budget
}

// NewFromELF reads the DWARF sections of an already opened ELF file. r must
// be the reader ef was opened from: compressed sections are read raw from it.
func NewFromELF(ef *elf.File, r io.ReaderAt, name string) (*Data, error) {
	return NewFromELFOptions(ef, r, name, nil)
}

// NewFromELFOptions is [NewFromELF] with options. A compressed section that
// would exceed the budget fails with a *FormatError wrapping [ErrBudget],
// before anything is allocated for it.
func NewFromELFOptions(ef *elf.File, r io.ReaderAt, name string, opts *Options) (d *Data, err error) {
	// The free lists are held from here to Close (see holdLists), or
	// released here when no Data is returned. Deferred first, so that it
	// runs last, after a panic is made an error.
	release := holdData()
	defer func() {
		if d == nil || d.releaseLists == nil || err != nil {
			release()
		}
	}()
	defer recoverBug(name, &err, debug.SetPanicOnFault(true))
	d = &Data{name: name, big: ef.ByteOrder == binary.BigEndian, class: ef.Class}
	var budget *Budget
	if opts != nil {
		budget = opts.Budget
	}
	size := readerSize(r)
	if budget == nil {
		budget = NewBudget(DefaultBudget(size))
	}
	rl, err := d.newRelocator(ef, r, size, budget)
	if err != nil {
		return nil, err
	}
	defer rl.release()
	index := make(map[*elf.Section]int, len(ef.Sections))
	for i, s := range ef.Sections {
		index[s] = i
	}
	m := mapELF(ef, r, size) // nil for ET_REL: relocations patch its sections
	d.fmap = m
	defer func() {
		if err != nil {
			m.release()
		}
	}()
	get := func(name string) ([]byte, error) {
		s := ef.Section(name)
		if s == nil {
			s = ef.Section(".zdebug_" + strings.TrimPrefix(name, ".debug_"))
			if s == nil {
				return nil, nil
			}
		}
		idx := index[s]
		if rl.patches(idx) && d.readsIntoBuffer(ef, s, size) {
			return d.readRelocated(s, r, size, rl, idx)
		}
		b, err := d.sectionData(ef, s, r, size, budget)
		if err != nil {
			return nil, err
		}
		// The section's buffer is this Data's own (read or
		// decompressed for it): relocations are applied in place.
		return b, rl.apply(idx, b)
	}
	for _, sec := range []struct {
		name string
		dst  *[]byte
	}{
		{".debug_info", &d.info}, {".debug_abbrev", &d.abbrev}, {".debug_str", &d.str},
		{".debug_line_str", &d.lineStr}, {".debug_line", &d.line}, {".debug_str_offsets", &d.strOffsets},
		{".debug_addr", &d.addr}, {".debug_types", &d.types}, {".debug_ranges", &d.ranges},
		{".debug_rnglists", &d.rnglists}, {".debug_loc", &d.loc}, {".debug_loclists", &d.loclists},
	} {
		b, err := get(sec.name)
		if err != nil {
			return nil, err
		}
		*sec.dst = b
	}
	if d.info == nil {
		return nil, &FormatError{File: name, Section: ".debug_info", Err: ErrNoDWARF, Msg: "section missing"}
	}
	if d.abbrev == nil {
		return nil, &FormatError{File: name, Section: ".debug_abbrev", Err: ErrNoDWARF, Msg: "section missing"}
	}
	if err := d.parseUnits(); err != nil {
		return nil, err
	}
	d.fmap.trim() // parseUnits read a page or more of every unit
	d.holdLists(release)
	return d, nil
}

// holdLists keeps release, the Data's hold on the free lists (buffers,
// tables and memos that the reads of many files reuse: see
// freelist.Hold), until Close, or until the Data is collected when it
// is never closed: a program that reads a file and goes on with other
// work does not keep them beside what it read.
func (d *Data) holdLists(release func()) {
	d.releaseLists = release
	d.listsCleanup = runtime.AddCleanup(d, func(release func()) { release() }, release)
}

// Name returns the file name given to Open or New.
func (d *Data) Name() string { return d.name }

// BigEndian reports whether the file is big-endian.
func (d *Data) BigEndian() bool { return d.big }

// readerSize returns the size of r when it can tell, else -1.
func readerSize(r io.ReaderAt) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size()
	case *os.File:
		if st, err := v.Stat(); err == nil {
			return st.Size()
		}
	}
	return -1
}

// maxSection bounds any one decompressed section (4 GiB).
const maxSection = 4 << 30

func (d *Data) sectionErr(sec string, off uint64, err error, msg string) error {
	return &FormatError{File: d.name, Section: sec, Offset: off, Err: err, Msg: msg}
}

// sectionData returns the contents of s, decompressed if needed. Sizes read
// from the file are checked against the file before anything is allocated.
func (d *Data) sectionData(ef *elf.File, s *elf.Section, r io.ReaderAt, size int64, budget *Budget) ([]byte, error) {
	if err := d.checkSection(s, size); err != nil {
		return nil, err
	}
	raw, mapped := d.fmap.section(s)
	switch {
	case mapped:
	case d.readsIntoBuffer(ef, s, size):
		// Read into a buffer that the next module reuses (see buffer).
		raw = d.buffer(s.FileSize)
		d.reused = true
		if err := readStaged(r, raw, int64(s.Offset)); err != nil {
			return nil, d.sectionErr(s.Name, 0, ErrTruncated, readErr(len(raw), int64(s.Offset), err))
		}
	default:
		var err error
		raw, err = readAtBounded(r, int64(s.Offset), s.FileSize, size >= 0)
		if err != nil {
			return nil, d.sectionErr(s.Name, 0, ErrTruncated, err.Error())
		}
	}
	if strings.HasPrefix(s.Name, ".zdebug_") {
		// GNU-style compression: "ZLIB" and a big-endian 64-bit size.
		if len(raw) < 12 || string(raw[:4]) != "ZLIB" {
			return nil, d.sectionErr(s.Name, 0, ErrMalformed, "bad .zdebug header")
		}
		return d.inflate(s.Name, raw[12:], binary.BigEndian.Uint64(raw[4:12]), elf.COMPRESS_ZLIB, budget)
	}
	if s.Flags&elf.SHF_COMPRESSED == 0 {
		if mapped && (s.Name == ".debug_str" || s.Name == ".debug_line_str") {
			// Their strings outlive the mapping (see Keep).
			return bytes.Clone(raw), nil
		}
		return raw, nil
	}
	var typ elf.CompressionType
	var usize uint64
	var hdr int
	switch ef.Class {
	case elf.ELFCLASS32:
		if len(raw) < 12 {
			return nil, d.sectionErr(s.Name, 0, ErrTruncated, "compression header")
		}
		typ = elf.CompressionType(ef.ByteOrder.Uint32(raw[0:]))
		usize = uint64(ef.ByteOrder.Uint32(raw[4:]))
		hdr = 12
	default:
		if len(raw) < 24 {
			return nil, d.sectionErr(s.Name, 0, ErrTruncated, "compression header")
		}
		typ = elf.CompressionType(ef.ByteOrder.Uint32(raw[0:]))
		usize = ef.ByteOrder.Uint64(raw[8:])
		hdr = 24
	}
	return d.inflate(s.Name, raw[hdr:], usize, typ, budget)
}

// checkSection says what is wrong with the place of s in a file of size
// bytes (-1: not known) before anything is read or allocated for it.
func (d *Data) checkSection(s *elf.Section, size int64) error {
	if s.Type == elf.SHT_NOBITS {
		return d.sectionErr(s.Name, 0, ErrMalformed, "debug section has no data in the file (SHT_NOBITS; stripped?)")
	}
	if size >= 0 && (s.Offset > uint64(size) || s.FileSize > uint64(size)-s.Offset) {
		return d.sectionErr(s.Name, 0, ErrTruncated, fmt.Sprintf("section [%#x, +%#x) is past the end of the %d-byte file", s.Offset, s.FileSize, size))
	}
	return nil
}

// readsIntoBuffer reports whether s, a section of ef, a file of size bytes,
// is read as it is into a reused buffer (see buffer): the uncompressed
// sections of a relocatable object of known size, which are not mapped.
func (d *Data) readsIntoBuffer(ef *elf.File, s *elf.Section, size int64) bool {
	return ef.Type == elf.ET_REL && size >= 0 && s.Flags&elf.SHF_COMPRESSED == 0 && !strings.HasPrefix(s.Name, ".zdebug_") && d.fmap == nil
}

// readRelocated reads s, section idx of the file in r (of size bytes),
// into a reused buffer and applies its relocations, reading the section
// in pieces just ahead of the places the relocations patch (see filler),
// so that each is patched while the cache still holds it: patching a
// large section after reading it whole missed the cache at nearly every
// place. The result, and any error, is that of reading the section whole
// and then relocating it.
func (d *Data) readRelocated(s *elf.Section, r io.ReaderAt, size int64, rl *relocator, idx int) ([]byte, error) {
	if err := d.checkSection(s, size); err != nil {
		return nil, err
	}
	raw := d.buffer(s.FileSize)
	d.reused = true
	f := &filler{r: r, dst: raw, at: int64(s.Offset), d: d, sec: s.Name}
	rl.fill = f
	err := rl.apply(idx, raw)
	rl.fill = nil
	if ferr := f.ensure(uint64(len(raw))); ferr != nil {
		return nil, ferr // reading the section fails first, as when it was read whole
	}
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// A filler reads a section into its buffer in pieces, as the relocations
// applied to it need its bytes.
type filler struct {
	r    io.ReaderAt
	dst  []byte
	at   int64  // the section's offset in the file
	done uint64 // dst[:done] is read
	err  error  // sticky
	d    *Data
	sec  string
}

// fillChunk is how far ahead of the place it needs a filler reads.
var fillChunk uint64 = 128 << 10 // a variable for tests

// ensure reads the section up to at least n bytes (at most its size).
// A read that fails is reported as the failure of reading the whole
// section, as it would be were the section read in one piece.
func (f *filler) ensure(n uint64) error {
	if n <= f.done || f.err != nil {
		return f.err
	}
	end := min(max(n, f.done+fillChunk), uint64(len(f.dst)))
	if err := readStaged(f.r, f.dst[f.done:end], f.at+int64(f.done)); err != nil {
		f.err = f.d.sectionErr(f.sec, 0, ErrTruncated, readErr(len(f.dst), f.at, err))
		return f.err
	}
	f.done = end
	return nil
}

// readStaged is readAt through a stage (see package stage): a
// relocatable object's sections are read into buffers that are often new
// to the process. As readAt, it takes io.EOF for an empty read as no
// error (a *bytes.Reader says it at its end, even for nothing); the error
// is the reader's, unwrapped.
func readStaged(r io.ReaderAt, dst []byte, off int64) error {
	if _, err := stage.ReadAt(r, dst, off); err != nil && !(err == io.EOF && len(dst) == 0) {
		return err
	}
	return nil
}

// readErr is the message for a read of n bytes at off that failed with
// err, the same as readAt's.
func readErr(n int, off int64, err error) string {
	return fmt.Sprintf("reading %d bytes at file offset %#x: %v", n, off, err)
}

// inflate decompresses a section whose header claims usize bytes. The claim
// is the memory cap: output beyond it is an error, and so is a claim larger
// than any real compression ratio could give for the compressed size, or
// than what is left of the file's budget.
func (d *Data) inflate(sec string, src []byte, usize uint64, typ elf.CompressionType, budget *Budget) ([]byte, error) {
	if usize > maxSection || usize > uint64(len(src))*1100+(1<<16) {
		return nil, d.sectionErr(sec, 0, ErrMalformed, fmt.Sprintf("implausible decompressed size %d for %d compressed bytes", usize, len(src)))
	}
	if err := budget.Take(sec, usize); err != nil {
		return nil, d.sectionErr(sec, 0, ErrBudget, budgetDetail(err))
	}
	out := make([]byte, usize)
	var rd io.Reader
	switch typ {
	case elf.COMPRESS_ZLIB:
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, d.sectionErr(sec, 0, ErrMalformed, "zlib: "+err.Error())
		}
		defer zr.Close()
		rd = zr
	case elf.COMPRESS_ZSTD:
		// The decoder's limits bound the frame's window, not the output
		// (which out and the length check below bound). Encoders declare
		// windows of at least MinWindowSize and up to twice the content
		// size (a power of two), so a limit of the section size itself
		// rejected honest small sections.
		limit := max(2*usize, zstd.MinWindowSize)
		zr, err := zstd.NewReader(bytes.NewReader(src),
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(limit),
			zstd.WithDecoderMaxWindow(limit))
		if err != nil {
			return nil, d.sectionErr(sec, 0, ErrMalformed, "zstd: "+err.Error())
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, d.sectionErr(sec, 0, ErrUnsupported, fmt.Sprintf("compression type %d", typ))
	}
	if _, err := io.ReadFull(rd, out); err != nil {
		return nil, d.sectionErr(sec, 0, ErrMalformed, fmt.Sprintf("decompressing %d bytes: %v", usize, err))
	}
	var one [1]byte
	if n, _ := rd.Read(one[:]); n != 0 {
		return nil, d.sectionErr(sec, 0, ErrMalformed, "decompressed data is longer than the header says")
	}
	return out, nil
}

// readAtBounded reads n bytes at off. checked says n is known to fit in
// the file. Otherwise large reads grow in chunks, so a length field that
// lies about a file of unknown size cannot make it allocate more than the
// file holds plus one chunk.
func readAtBounded(r io.ReaderAt, off int64, n uint64, checked bool) ([]byte, error) {
	const chunk = 64 << 20
	if n <= chunk || checked && n <= maxSection {
		buf := make([]byte, n)
		if err := readAt(r, buf, off); err != nil {
			return nil, err
		}
		return buf, nil
	}
	if n > maxSection {
		return nil, fmt.Errorf("section size %d is too large", n)
	}
	var buf []byte
	for read := uint64(0); read < n; {
		m := min(uint64(chunk), n-read)
		buf = append(buf, make([]byte, m)...)
		if _, err := r.ReadAt(buf[read:read+m], off+int64(read)); err != nil {
			return nil, fmt.Errorf("reading %d bytes at file offset %#x: %w", n, off, err)
		}
		read += m
	}
	return buf, nil
}

// readAt fills buf from r at off; an empty buf may be at the end of the
// file.
func readAt(r io.ReaderAt, buf []byte, off int64) error {
	if _, err := r.ReadAt(buf, off); err != nil && !(err == io.EOF && len(buf) == 0) {
		return fmt.Errorf("reading %d bytes at file offset %#x: %w", len(buf), off, err)
	}
	return nil
}

// Keep returns a string from this Data that is safe to hold for long: a
// string that lies in .debug_str or .debug_line_str is returned as it is
// (holding it keeps that section, a small string table, allocated), any
// other (DW_FORM_string, inline in .debug_info) is copied, so that it
// does not keep the large .debug_info section alive. For a relocatable
// object (a kernel module), whose sections are read into buffers that
// are reused once the Data is closed, every string is copied.
func (d *Data) Keep(s string) string {
	if s == "" || !d.reused && (inSection(s, d.str) || inSection(s, d.lineStr)) {
		return s
	}
	return strings.Clone(s)
}

// inSection reports whether s lies in the memory of b.
func inSection(s string, b []byte) bool {
	if len(b) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(b))
}
