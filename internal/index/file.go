package index

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"runtime"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Magic starts every index file. Like PNG's, its first byte is not ASCII
// and it holds a CR LF pair and a ^Z, so that a text-mode transfer breaks
// it visibly.
const Magic = "\x89KABI\r\n\x1a"

// Version is the format version this package writes and the only one it
// reads: an older file lacks what a newer one holds, so it is re-indexed.
// Version 3 added the probe facts (attach sources, symbol flags, BTF
// presence).
// Version 4 added the package a build was read from (name, version,
// control checksum).
// Version 5 added the kernel modules (Instance.Module, Symbol.Module).
// Version 6 added the struct, union and enum definitions.
// Version 7 added call sites (file, line and address of every caller).
// Version 8 added the typedefs (kabi.Alias).
// Version 9 added the signatures of functions without instances (a
// running kernel's).
// Version 10 added each module's probe lists (ModuleAttachSources).
// Version 11 checksums each section on its own (read only when used),
// splits the string table and the type definitions into chunks found by
// name, and keeps each function's symbols in its block.
// Version 12 added the modules of type definitions and typedefs
// (TypeDef.Modules, Alias.Modules).
// Version 13 added the module of each trace event (Tracepoint.Module).
const Version = 13

// MaxRatio bounds a section's decompressed length by its stored length:
// raw ≤ MaxRatio × stored + 64 KiB. The writer stores a section
// uncompressed rather than exceed it.
const MaxRatio = 256

const (
	prefixLen  = 28
	maxSection = 1 << 30 // decompressed bytes of one section
)

// Codecs of a section.
const (
	Stored = 0
	Zstd   = 1
)

// Kind says what a section holds.
type Kind uint8

// The section kinds the kabi package writes.
const (
	KindMeta     Kind = 1 + iota // metadata and counts
	KindStrings                  // the string table
	KindFuncs                    // per function: names and classification
	KindSymbols                  // the function symbols
	KindTypes                    // the C types of the signatures
	KindBlock                    // instances, callers and signatures of a block of functions
	KindHooks                    // tracepoints, LSM hooks, kfuncs, syscalls and configuration
	KindTypeDefs                 // the struct, union and enum definitions
)

var kindNames = [...]string{"", "metadata", "strings", "functions", "symbols", "types", "block", "hooks", "typedefs"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "section kind " + strconv.Itoa(int(k))
}

// Source identifies the file an index was made from.
type Source struct {
	Name    string // as given when it was analysed
	Size    int64
	ModTime int64 // Unix nanoseconds
	BuildID string
}

// A Section is one entry of the directory.
type Section struct {
	Kind   Kind
	Codec  uint8
	Sum    uint32 // CRC-32C of the stored bytes
	Offset int64  // in the file
	Stored int64  // bytes in the file
	Raw    int64  // bytes once decompressed
}

// A File is an index file whose header and directory Read has read and
// verified. Its sections are read from the underlying reader when asked
// for, each verified against its own checksum then.
type File struct {
	Name     string
	Version  uint32
	Source   Source
	Sections []Section
	Size     int64 // of the whole file
	r        io.ReaderAt
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// headSum is the CRC-32C of the header and directory head with the
// checksum field read as zero.
func headSum(head []byte) uint32 {
	c := crc32.Update(0, crcTable, head[:12])
	c = crc32.Update(c, crcTable, []byte{0, 0, 0, 0})
	return crc32.Update(c, crcTable, head[16:])
}

// IsIndex reports whether r starts with the magic of an index file.
func IsIndex(r io.ReaderAt) bool {
	var b [len(Magic)]byte
	n, _ := r.ReadAt(b[:], 0)
	return n == len(b) && string(b[:]) == Magic
}

// maxDirectory bounds the directory's length (a real one is a few KiB).
const maxDirectory = 16 << 20

// Read reads and verifies the header and the directory of the index file
// r; name is used in errors. The sections are read from r when
// [File.Section] asks for them, so r must stay open while f is used.
func Read(r io.ReaderAt, name string) (*File, error) {
	herr := func(err error, off int64, format string, args ...any) error {
		return &FormatError{File: name, Section: "header", Offset: off, Err: err, Msg: fmt.Sprintf(format, args...)}
	}
	var pre [prefixLen]byte
	n, err := r.ReadAt(pre[:], 0)
	if n < len(Magic) || string(pre[:len(Magic)]) != Magic {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, herr(ErrNotIndex, 0, "the file does not start with the index magic")
	}
	if n < prefixLen {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, herr(ErrTruncated, int64(n), "the file is %d bytes, shorter than the %d-byte header", n, prefixLen)
	}
	f := &File{Name: name, Version: binary.LittleEndian.Uint32(pre[8:]), r: r}
	if f.Version > Version {
		return nil, herr(ErrVersion, 8, "the file is of format version %d; this kabi reads versions up to %d (rebuild the index, or use a newer kabi)", f.Version, Version)
	}
	if f.Version == 0 {
		return nil, herr(ErrCorrupt, 8, "format version 0")
	}
	if f.Version < Version {
		return nil, herr(ErrVersion, 8, "the file is of format version %d, older than this kabi's %d, which holds more: re-index the build (kabi index)", f.Version, Version)
	}
	want := binary.LittleEndian.Uint32(pre[12:])
	size := binary.LittleEndian.Uint64(pre[16:])
	dirLen := binary.LittleEndian.Uint32(pre[24:])
	if size < prefixLen || uint64(dirLen) > size-prefixLen || dirLen > maxDirectory {
		return nil, herr(ErrCorrupt, 16, "file length %d and directory length %d are inconsistent", size, dirLen)
	}
	// The file's length: from r when it can say it, else probed at the
	// header's length.
	if have, ok := sizeOf(r); ok {
		switch {
		case have < int64(size):
			return nil, herr(ErrTruncated, 16, "the file is %d bytes; its header says %d", have, size)
		case have > int64(size):
			return nil, herr(ErrCorrupt, 16, "the file goes on past the %d bytes its header says", size)
		}
	} else {
		var last [2]byte
		m, err := r.ReadAt(last[:], int64(size)-1)
		if m == 0 {
			if err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return nil, herr(ErrTruncated, 16, "the file ends before the %d bytes its header says", size)
		}
		if m > 1 {
			return nil, herr(ErrCorrupt, 16, "the file goes on past the %d bytes its header says", size)
		}
	}
	head := make([]byte, prefixLen+int(dirLen))
	copy(head, pre[:])
	if m, err := r.ReadAt(head[prefixLen:], prefixLen); m < int(dirLen) {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, herr(ErrTruncated, prefixLen, "the directory ends early")
	}
	if got := headSum(head); got != want {
		return nil, herr(ErrCorrupt, 12, "checksum mismatch: the header says %08x, the header and directory give %08x", want, got)
	}
	f.Size = int64(size)
	if err := f.readDirectory(head[prefixLen:]); err != nil {
		return nil, err
	}
	return f, nil
}

// sizeOf returns the size of r when r can tell it (*os.File,
// *bytes.Reader, *io.SectionReader).
func sizeOf(r io.ReaderAt) (int64, bool) {
	switch r := r.(type) {
	case interface{ Size() int64 }:
		return r.Size(), true
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	}
	return 0, false
}

func (f *File) readDirectory(dir []byte) error {
	d := NewDec(dir, f.Name, "directory")
	f.Source.Name = d.String()
	f.Source.Size = d.Varint()
	f.Source.ModTime = d.Varint()
	f.Source.BuildID = d.String()
	n := d.Count(8)
	f.Sections = make([]Section, 0, n)
	off := int64(prefixLen + len(dir))
	for range n {
		s := Section{Kind: Kind(d.Byte()), Codec: d.Byte(), Offset: off}
		if sum := d.Raw(4); sum != nil {
			s.Sum = binary.LittleEndian.Uint32(sum)
		}
		s.Stored = int64(d.Int(int(f.Size - off)))
		s.Raw = int64(d.Int(maxSection))
		if d.Err() != nil {
			break
		}
		switch {
		case s.Kind == 0 || int(s.Kind) >= len(kindNames):
			d.Fail("unknown section kind %d", s.Kind)
		case s.Codec == Stored && s.Raw != s.Stored:
			d.Fail("stored %s section of %d bytes claims %d", s.Kind, s.Stored, s.Raw)
		case s.Codec == Zstd && s.Raw > MaxRatio*s.Stored+1<<16:
			d.Fail("%s section of %d bytes claims %d decompressed, more than the ratio %d allows", s.Kind, s.Stored, s.Raw, MaxRatio)
		case s.Codec != Stored && s.Codec != Zstd:
			d.Fail("%s section has unknown codec %d", s.Kind, s.Codec)
		}
		off += s.Stored
		f.Sections = append(f.Sections, s)
	}
	if err := d.Done(); err != nil {
		return err
	}
	if off != f.Size {
		return &FormatError{File: f.Name, Section: "directory", Offset: int64(d.Offset()), Err: ErrCorrupt,
			Msg: fmt.Sprintf("the sections end at %d, the file at %d", off, f.Size)}
	}
	return nil
}

var decoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecodeAllCapLimit(true), zstd.WithDecoderMaxMemory(maxSection),
		zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)))
})

// Section reads section i, verifies its checksum and returns its
// decompressed contents. Each call reads the file again: callers keep
// what they decode.
func (f *File) Section(i int) ([]byte, error) {
	s := f.Sections[i]
	fail := func(msg string) error {
		return &FormatError{File: f.Name, Section: s.Kind.String(), Err: ErrCorrupt, Msg: fmt.Sprintf("section %d (file offset %d): %s", i, s.Offset, msg)}
	}
	src := make([]byte, s.Stored)
	if m, err := f.r.ReadAt(src, s.Offset); m < len(src) {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %s section %d: %w", f.Name, s.Kind, i, err)
		}
		return nil, &FormatError{File: f.Name, Section: s.Kind.String(), Err: ErrTruncated, Msg: fmt.Sprintf("section %d (file offset %d) ends early", i, s.Offset)}
	}
	if got := crc32.Checksum(src, crcTable); got != s.Sum {
		return nil, fail(fmt.Sprintf("checksum mismatch: the directory says %08x, the contents give %08x", s.Sum, got))
	}
	if s.Codec == Stored {
		return src, nil
	}
	var h zstd.Header
	if err := h.Decode(src); err != nil || h.HasFCS && h.FrameContentSize != uint64(s.Raw) {
		return nil, fail(fmt.Sprintf("the zstd frame does not declare the %d bytes the directory says", s.Raw))
	}
	dec, err := decoder()
	if err != nil {
		return nil, err
	}
	out, err := dec.DecodeAll(src, make([]byte, 0, s.Raw))
	if err != nil {
		return nil, fail("zstd: " + err.Error())
	}
	if int64(len(out)) != s.Raw {
		return nil, fail(fmt.Sprintf("decompressed to %d bytes, the directory says %d", len(out), s.Raw))
	}
	return out, nil
}

// A Writer assembles an index file.
type Writer struct {
	Source Source
	// Level is the zstd level; 0 means zstd.SpeedBetterCompression.
	// Stored (no compression) is for tests.
	Level zstd.EncoderLevel
	Store bool // write every section uncompressed
	// Stop, when not nil, is called before each section is compressed;
	// an error from it stops Bytes, which returns that error.
	Stop func() error

	secs []pending
}

type pending struct {
	kind  Kind
	raw   []byte
	codec uint8
	out   []byte
}

// Add appends a section.
func (w *Writer) Add(kind Kind, raw []byte) { w.secs = append(w.secs, pending{kind: kind, raw: raw}) }

// Bytes compresses the sections (in parallel) and returns the file.
func (w *Writer) Bytes() ([]byte, error) {
	level := w.Level
	if level == 0 {
		level = zstd.SpeedBetterCompression
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithEncoderCRC(false))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range w.secs {
		p := &w.secs[i]
		if len(p.raw) > maxSection {
			return nil, fmt.Errorf("index: %s section of %d bytes exceeds the limit of %d", p.kind, len(p.raw), maxSection)
		}
		p.codec, p.out = Stored, p.raw
		if w.Store || len(p.raw) < 64 {
			continue
		}
		if w.Stop != nil {
			if err := w.Stop(); err != nil {
				wg.Wait()
				return nil, err
			}
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			c := enc.EncodeAll(p.raw, make([]byte, 0, len(p.raw)/4+64))
			if len(c) < len(p.raw) && int64(len(p.raw)) <= MaxRatio*int64(len(c))+1<<16 {
				p.codec, p.out = Zstd, c
			}
		}()
	}
	wg.Wait()
	var dir Enc
	dir.String(w.Source.Name)
	dir.Varint(w.Source.Size)
	dir.Varint(w.Source.ModTime)
	dir.String(w.Source.BuildID)
	dir.Uvarint(uint64(len(w.secs)))
	total := prefixLen
	for _, p := range w.secs {
		dir.Byte(byte(p.kind))
		dir.Byte(p.codec)
		dir.B = binary.LittleEndian.AppendUint32(dir.B, crc32.Checksum(p.out, crcTable))
		dir.Uvarint(uint64(len(p.out)))
		dir.Uvarint(uint64(len(p.raw)))
		total += len(p.out)
	}
	total += len(dir.B)
	out := make([]byte, prefixLen, total)
	copy(out, Magic)
	binary.LittleEndian.PutUint32(out[8:], Version)
	binary.LittleEndian.PutUint64(out[16:], uint64(total))
	binary.LittleEndian.PutUint32(out[24:], uint32(len(dir.B)))
	out = append(out, dir.B...)
	for _, p := range w.secs {
		out = append(out, p.out...)
	}
	binary.LittleEndian.PutUint32(out[12:], headSum(out[:prefixLen+len(dir.B)]))
	return out, nil
}

// Reseal recomputes the checksums of an index file in place (of the
// sections the directory describes, as far as it can be read, then of
// the header), so that tests can reach the decoders with altered
// contents. It does nothing to data shorter than the header.
func Reseal(data []byte) {
	if len(data) < prefixLen || !bytes.HasPrefix(data, []byte(Magic)) {
		return
	}
	dirLen := int(binary.LittleEndian.Uint32(data[24:]))
	if dirLen > len(data)-prefixLen || dirLen < 0 {
		dirLen = len(data) - prefixLen
	}
	end := prefixLen + dirLen
	d := NewDec(data[prefixLen:end], "", "")
	d.Bytes()
	d.Varint()
	d.Varint()
	d.Bytes()
	n := d.Uvarint()
	off := end
	for i := uint64(0); i < n && d.Err() == nil; i++ {
		d.Byte()
		d.Byte()
		at := prefixLen + d.Offset()
		d.Raw(4)
		stored := d.Uvarint()
		d.Uvarint()
		if d.Err() != nil || stored > uint64(len(data)-off) {
			break
		}
		binary.LittleEndian.PutUint32(data[at:], crc32.Checksum(data[off:off+int(stored)], crcTable))
		off += int(stored)
	}
	binary.LittleEndian.PutUint32(data[12:], headSum(data[:end]))
}

// SetVersion rewrites the format version of an index file in place and
// reseals it (for tests of version checks).
func SetVersion(data []byte, v uint32) {
	if len(data) >= prefixLen {
		binary.LittleEndian.PutUint32(data[8:], v)
		Reseal(data)
	}
}
