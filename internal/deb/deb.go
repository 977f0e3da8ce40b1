// Package deb reads Debian binary packages (.deb, and Ubuntu's .ddeb,
// which is the same format) as deb(5) describes them: an ar archive of
// debian-binary, control.tar[.gz|.xz|.zst] and data.tar[.gz|.xz|.zst].
//
// The package's files are streamed out of data.tar as it is decompressed;
// nothing is written to disk, and only the file a caller asks to hold is
// held in memory. An xz-compressed data.tar whose index lists several
// blocks is decoded in parallel (see package internal/xz); such a
// data.tar can also be read at offsets (FindRandom), decoding only the
// blocks that hold what is read.
//
// # Security
//
// Every length read from the package is checked against the package's
// size or against a limit before memory is allocated for it. Errors are
// *Error values naming the package, the member and what is wrong, and
// wrap ErrFormat, ErrTruncated or ErrTooLarge.
package deb

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi/internal/xz"
	"github.com/klauspost/compress/zstd"
)

// Magic starts every ar archive, and so every Debian package.
const Magic = "!<arch>\n"

// Sentinel errors wrapped by *Error.
var (
	ErrFormat    = errors.New("not a well-formed Debian package")
	ErrTruncated = errors.New("the package is truncated")
	ErrTooLarge  = errors.New("a member is larger than the limit")
)

// An Error is a problem found in a package.
type Error struct {
	File   string // the package
	Member string // the ar member or data.tar path, when known
	Err    error  // ErrFormat, ErrTruncated, ErrTooLarge or the decompressor's error
	Msg    string
}

func (e *Error) Error() string {
	s := e.File + ": "
	if e.Member != "" {
		s += e.Member + ": "
	}
	switch {
	case e.Err == nil:
		return s + e.Msg
	case e.Msg == "":
		return s + e.Err.Error()
	}
	return s + e.Err.Error() + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// IsPackage reports whether r starts with the ar magic.
func IsPackage(r io.ReaderAt) bool {
	var b [len(Magic)]byte
	n, _ := r.ReadAt(b[:], 0)
	return n == len(b) && string(b[:]) == Magic
}

// A Package is a parsed package: its control fields, and where its data
// member is.
type Package struct {
	File string // name used in errors

	// Control holds the fields of the control file; Name, Version and
	// Arch are its Package, Version and Architecture fields.
	Control             map[string]string
	Name, Version, Arch string
	// ControlSum is the SHA-256 of the control member as stored, in hex:
	// it changes whenever the package does.
	ControlSum string

	r                 io.ReaderAt
	dataName          string
	dataOff, dataSize int64
}

// Options configures New. The zero value gives the defaults.
type Options struct {
	// Concurrency is the number of xz blocks decoded at once; 0 means
	// GOMAXPROCS.
	Concurrency int

	// Limit, when not nil, wraps the decompressed data stream before the
	// tar reader reads it: a decompression budget.
	Limit func(r io.Reader, what string) io.Reader
}

const (
	arHeaderLen    = 60
	maxControlSize = 64 << 20 // the control member, stored or decompressed
)

// New reads the ar directory and the control member of the package r of
// the given size.
func New(r io.ReaderAt, size int64, name string) (*Package, error) {
	p := &Package{File: name, r: r}
	ferr := func(member string, err error, format string, args ...any) *Error {
		return &Error{File: name, Member: member, Err: err, Msg: fmt.Sprintf(format, args...)}
	}
	var magic [len(Magic)]byte
	if n, _ := r.ReadAt(magic[:], 0); n < len(magic) || string(magic[:]) != Magic {
		return nil, ferr("", ErrFormat, "not an ar archive (no %q magic)", strings.TrimSpace(Magic))
	}
	off := int64(len(Magic))
	stage := 0 // 0: want debian-binary; 1: want control.tar; 2: want data.tar; 3: done
	var controlOff, controlSize int64
	var controlName string
	for stage < 3 {
		if off == size {
			break
		}
		var h [arHeaderLen]byte
		n, err := r.ReadAt(h[:], off)
		if n < arHeaderLen {
			if err == io.EOF || err == nil {
				return nil, ferr("", ErrTruncated, "the archive ends at %d inside a member header", size)
			}
			return nil, ferr("", ErrFormat, "reading the member header at %d: %v", off, err)
		}
		if h[58] != '`' || h[59] != '\n' {
			return nil, ferr("", ErrFormat, "bad member header at %d", off)
		}
		mname := strings.TrimSuffix(strings.TrimRight(string(h[:16]), " "), "/")
		msize, err := strconv.ParseInt(strings.TrimRight(string(h[48:58]), " "), 10, 64)
		if err != nil || msize < 0 {
			return nil, ferr(mname, ErrFormat, "bad member size %q", strings.TrimSpace(string(h[48:58])))
		}
		start := off + arHeaderLen
		if msize > size-start {
			return nil, ferr(mname, ErrTruncated, "the member claims %d bytes; the archive ends %d bytes after its start", msize, size-start)
		}
		switch {
		case stage == 0:
			if mname != "debian-binary" {
				return nil, ferr(mname, ErrFormat, "the first member is %q, not debian-binary (not a Debian package, or members out of order)", mname)
			}
			var v [16]byte
			k, _ := r.ReadAt(v[:min(msize, 16)], start)
			if !bytes.HasPrefix(v[:k], []byte("2.")) {
				return nil, ferr(mname, ErrFormat, "unsupported format version %q", strings.TrimSpace(string(v[:k])))
			}
			stage = 1
		case strings.HasPrefix(mname, "_"):
			// Members starting with an underscore are ignored (deb(5)).
		case stage == 1:
			if !strings.HasPrefix(mname, "control.tar") {
				return nil, ferr(mname, ErrFormat, "member %q where control.tar was expected (members out of order)", mname)
			}
			controlName, controlOff, controlSize = mname, start, msize
			stage = 2
		case stage == 2:
			if !strings.HasPrefix(mname, "data.tar") {
				return nil, ferr(mname, ErrFormat, "member %q where data.tar was expected (members out of order)", mname)
			}
			p.dataName, p.dataOff, p.dataSize = mname, start, msize
			stage = 3
		}
		off = start + msize + msize%2
		if off > size {
			off = size // the last member's padding byte may be missing
		}
	}
	switch stage {
	case 0:
		return nil, ferr("", ErrTruncated, "no debian-binary member")
	case 1:
		return nil, ferr("", ErrTruncated, "no control.tar member")
	case 2:
		return nil, ferr("", ErrTruncated, "no data.tar member")
	}
	if _, err := compression(p.dataName); err != nil {
		return nil, ferr(p.dataName, ErrFormat, "%v", err)
	}
	if err := p.readControl(controlName, controlOff, controlSize); err != nil {
		return nil, err
	}
	return p, nil
}

// compression returns the compression of a member by its name.
func compression(member string) (string, error) {
	ext := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(member, "data.tar"), "control.tar"), ".")
	switch ext {
	case "", "xz", "zst", "gz":
		return ext, nil
	}
	return "", fmt.Errorf("unsupported compression %q (kabi reads none, gz, xz and zst)", ext)
}

// decompress returns the decompressed stream of the member at off.
func (p *Package) decompress(member string, off, size int64, concurrency int) (io.ReadCloser, error) {
	return p.decompressFrom(member, off, size, concurrency, 0)
}

// decompressFrom is decompress from offset from of the decompressed
// stream, for xz: the blocks before it are not decoded. For the others
// from is ignored (WalkFrom discards what comes before it).
func (p *Package) decompressFrom(member string, off, size int64, concurrency int, from int64) (io.ReadCloser, error) {
	ferr := func(err error) error {
		return &Error{File: p.File, Member: member, Err: ErrFormat, Msg: err.Error()}
	}
	sr := io.NewSectionReader(p.r, off, size)
	comp, err := compression(member)
	if err != nil {
		return nil, ferr(err)
	}
	switch comp {
	case "xz":
		if size < 1<<20 {
			concurrency = 1
		}
		r, err := xz.NewParallel(sr, size, &xz.ParallelOptions{Concurrency: concurrency, Alloc: blockAlloc, From: from})
		if err != nil {
			return nil, ferr(err)
		}
		return r, nil
	case "zst":
		zr, err := zstd.NewReader(bufio.NewReaderSize(sr, 1<<16), zstd.WithDecoderConcurrency(max(concurrency, 0)), zstd.WithDecoderMaxMemory(1<<33))
		if err != nil {
			return nil, ferr(err)
		}
		return corruptAs{zstdCloser{zr}, p.File, member}, nil
	case "gz":
		gr, err := gzip.NewReader(bufio.NewReaderSize(sr, 1<<16))
		if err != nil {
			return nil, ferr(err)
		}
		return corruptAs{gr, p.File, member}, nil
	}
	return io.NopCloser(sr), nil
}

// skipTo discards the first from bytes of rc (for decompressors that
// cannot start elsewhere).
func skipTo(rc io.ReadCloser, from int64) (io.ReadCloser, error) {
	if from > 0 {
		if _, err := io.CopyN(io.Discard, rc, from); err != nil {
			rc.Close()
			return nil, err
		}
	}
	return rc, nil
}

type zstdCloser struct{ *zstd.Decoder }

func (z zstdCloser) Close() error { z.Decoder.Close(); return nil }

// corruptAs gives the errors of a decompressor (zstd's "corrupt block",
// gzip's checksum, ...) as ErrFormat, and its early end as ErrTruncated,
// so that they are told from the errors of the caller's own reading.
type corruptAs struct {
	io.ReadCloser
	file, member string
}

func (c corruptAs) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	switch {
	case err == nil || err == io.EOF:
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = &Error{File: c.file, Member: c.member, Err: ErrTruncated, Msg: "the compressed stream ends early"}
	default:
		err = &Error{File: c.file, Member: c.member, Err: ErrFormat, Msg: "corrupt compressed data: " + err.Error()}
	}
	return n, err
}

// readControl reads the control file out of the control member.
func (p *Package) readControl(member string, off, size int64) error {
	ferr := func(err error, format string, args ...any) *Error {
		return &Error{File: p.File, Member: member, Err: err, Msg: fmt.Sprintf(format, args...)}
	}
	if size > maxControlSize {
		return ferr(ErrTooLarge, "%d bytes, more than the %d a control member may have", size, maxControlSize)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(p.r, off, size)); err != nil {
		return ferr(ErrFormat, "reading: %v", err)
	}
	p.ControlSum = hex.EncodeToString(h.Sum(nil))
	rc, err := p.decompress(member, off, size, 1)
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(&limitedReader{r: rc, n: maxControlSize})
	for {
		hd, err := tr.Next()
		if err == io.EOF {
			return ferr(ErrFormat, "no control file")
		}
		if err != nil {
			return tarErr(p.File, member, err)
		}
		if strings.TrimPrefix(hd.Name, "./") != "control" {
			continue
		}
		if hd.Size > 1<<20 {
			return ferr(ErrTooLarge, "the control file claims %d bytes", hd.Size)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return tarErr(p.File, member, err)
		}
		p.Control = ParseControl(data)
		p.Name, p.Version, p.Arch = p.Control["Package"], p.Control["Version"], p.Control["Architecture"]
		if p.Name == "" || p.Version == "" || p.Arch == "" {
			return ferr(ErrFormat, "the control file lacks Package, Version or Architecture")
		}
		return nil
	}
}

// ParseControl parses the fields of a control file (deb-control(5)):
// "Field: value" lines, continued by lines that start with a space or tab.
// Later paragraphs, if any, are ignored.
func ParseControl(data []byte) map[string]string {
	m := map[string]string{}
	last := ""
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			if len(m) > 0 {
				break
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last != "" {
				m[last] += "\n" + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			last = ""
			continue
		}
		last = strings.TrimSpace(k)
		m[last] = strings.TrimSpace(v)
	}
	return m
}

// limitedReader fails, rather than ends, after n bytes.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func tarErr(file, member string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: file, Member: member, Err: ErrTruncated, Msg: "the tar stream ends early"}
	case errors.Is(err, ErrTooLarge):
		return &Error{File: file, Member: member, Err: ErrTooLarge, Msg: "decompresses to more than the limit"}
	case errors.Is(err, xz.ErrFormat):
		return &Error{File: file, Member: member, Err: ErrFormat, Msg: err.Error()}
	case !errors.Is(err, tar.ErrHeader) && !errors.Is(err, tar.ErrFieldTooLong) && !errors.Is(err, tar.ErrInsecurePath):
		return fmt.Errorf("%s: %s: %w", file, member, err) // the caller's, such as a budget's
	}
	return &Error{File: file, Member: member, Err: ErrFormat, Msg: err.Error()}
}

// A File is a regular file of the package's data, met by Walk.
type File struct {
	Name string // the path in the archive, without its leading "./"
	Size int64  // as the tar header claims
	r    io.Reader
	last func()
}

// Read reads the file's contents.
func (f *File) Read(b []byte) (int, error) { return f.r.Read(b) }

// Last tells the walk that no file after f will be read (the walk
// function will return ErrStop once it is done with f): the
// decompression, which runs ahead, stops at f's end.
func (f *File) Last() {
	if f.last != nil {
		f.last()
	}
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// Walk decompresses the data member and calls fn for each regular file, in
// archive order, until fn returns an error (ErrStop to stop without one) or
// the archive ends. fn may read the file; what it does not read is
// skipped. The decompression of the archive runs ahead of fn by a few
// blocks, on other goroutines.
func (p *Package) Walk(opts *Options, fn func(f *File) error) error {
	return p.WalkFrom(opts, 0, fn)
}

// WalkFrom is Walk from offset from of the decompressed data member, which
// must be that of a tar header (RandomFile.End gives the one after a
// file): an xz data member's blocks before it are not decoded.
func (p *Package) WalkFrom(opts *Options, from int64, fn func(f *File) error) error {
	conc := 0
	if opts != nil {
		conc = opts.Concurrency
	}
	rc, err := p.decompressFrom(p.dataName, p.dataOff, p.dataSize, conc, from)
	if err != nil {
		return err
	}
	if comp, _ := compression(p.dataName); comp != "xz" {
		if rc, err = skipTo(rc, from); err != nil {
			return tarErr(p.File, p.dataName, err)
		}
	}
	defer rc.Close()
	var in io.Reader = rc
	if opts != nil && opts.Limit != nil {
		in = opts.Limit(rc, p.dataName)
	}
	cr := &countReader{r: in}
	tr := tar.NewReader(cr)
	stop, _ := rc.(interface{ StopAt(int64) })
	for {
		hd, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return tarErr(p.File, p.dataName, err)
		}
		if hd.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.TrimPrefix(hd.Name, "./")
		f := &File{Name: name, Size: hd.Size, r: &tarFileReader{tr: tr, file: p.File, member: p.dataName + ": " + name}}
		if stop != nil {
			end := from + cr.n + hd.Size // the tar reader reads no further than a header
			f.last = func() { stop.StopAt(end) }
		}
		if err := fn(f); err != nil {
			if err == ErrStop {
				return nil
			}
			return err
		}
	}
}

// ErrStop, returned by a Walk function, stops the walk without an error.
var ErrStop = errors.New("stop")

type tarFileReader struct {
	tr           *tar.Reader
	file, member string
}

func (t *tarFileReader) Read(b []byte) (int, error) {
	n, err := t.tr.Read(b)
	if err != nil && err != io.EOF {
		err = tarErr(t.file, t.member, err)
	}
	return n, err
}

// DataMember is the name of the data member: "data.tar.xz", ...
func (p *Package) DataMember() string { return p.dataName }
