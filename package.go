package kabi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/deb"
)

// ErrNoKernel is wrapped by the error for a package that holds no vmlinux.
var ErrNoKernel = errors.New("no vmlinux in the package")

// ErrPackage is wrapped by the errors for a Debian package that cannot be
// read: not a well-formed ar archive, members out of order, a compressed
// member that does not decompress, a file larger than it may be, or a
// package cut short.
var ErrPackage = errors.New("bad Debian package")

// maxVmlinux is the largest vmlinux read out of a package; Debian's are
// about 630 MB. Within it, the package's decompression budget
// ([Options].MaxDecompressed) bounds it: a tar header that claims more
// than is left is refused before memory is taken for it.
const maxVmlinux = 8 << 30

// vmlinuxPaths are where debug packages put the kernel: Debian's
// linux-image-*-dbg and Ubuntu's linux-image-*-dbgsym use the first.
var vmlinuxPaths = []string{"usr/lib/debug/boot/vmlinux-", "usr/lib/debug/vmlinux-"}

// isVmlinux reports whether name (a path in a package, without "./") is a
// kernel image.
func isVmlinux(name string) bool {
	for _, p := range vmlinuxPaths {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
}

// newPackage reads the build in the Debian package r: its vmlinux is
// read out of data.tar into memory and analysed. An xz data.tar in
// several blocks is read at offsets, decoding only the blocks that hold
// what the analysis reads (newPackageSparse); any other is streamed, as
// far as the archive goes to reach the vmlinux, and the decompression
// stops there. The package's module tree is not read.
func newPackage(r io.ReaderAt, name string, opts *Options) (*Build, error) {
	size, err := readerLen(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, err := deb.New(r, size, name)
	if err != nil {
		return nil, packageErr(err)
	}
	var (
		data    []byte
		release func()
		member  string
		budget  = dwarfx.FileBudget(size, opts.MaxDecompressed)
	)
	limit := budget.Reader
	if opts.ctx != nil {
		limit = func(r io.Reader, what string) io.Reader { return ctxReader{opts.ctx, budget.Reader(r, what)} }
	}
	walk := &deb.Options{Concurrency: opts.Concurrency, Limit: limit}
	if opts.PackageModules {
		if opts.ModuleDir != "" {
			return nil, fmt.Errorf("%s: both PackageModules and ModuleDir: the package has its own module tree", name)
		}
		return newPackageKernel(r, p, name, walk, budget, opts)
	}
	if b, err := newPackageSparse(r, p, name, budget, opts); !errors.Is(err, deb.ErrNotRandom) {
		return b, err
	}
	err = p.Walk(walk, func(f *deb.File) error {
		if err := opts.ctxErr(); err != nil {
			return err
		}
		if !isVmlinux(f.Name) {
			return nil
		}
		member = f.Name
		f.Last()
		var err error
		data, release, err = deb.Hold(f, holdLimit(budget, maxVmlinux))
		if err != nil {
			return err
		}
		return deb.ErrStop
	})
	if err != nil {
		if cerr := opts.ctxErr(); cerr != nil {
			return nil, cerr
		}
		return nil, packageErr(err)
	}
	if member == "" {
		return nil, noKernel(p, name)
	}
	defer release()
	b, err := newELF(newHeldReader(data), name+": "+member, opts)
	if err != nil {
		return nil, err
	}
	packageBuild(b, p, r, name)
	return b, nil
}

// heldReader reads a file held in memory off the Go heap (see deb.Hold),
// and offers its bytes to package dwarfx, whose sections of a linked file
// are then slices of them rather than copies on the heap: the bytes stay
// valid until the Data is closed, which newELF does before it returns or
// goes on to the modules (whose start frees a package's vmlinux).
type heldReader struct {
	*bytes.Reader
	data []byte
}

func newHeldReader(data []byte) heldReader { return heldReader{bytes.NewReader(data), data} }

// HeldBytes returns the bytes r reads.
func (r heldReader) HeldBytes() []byte { return r.data }

// noKernel is the error for the package p without a vmlinux.
func noKernel(p *deb.Package, name string) error {
	return fmt.Errorf("%s: %w (package %s %s; looked for %s*): is it a kernel debug package, such as linux-image-RELEASE-dbg or -dbgsym?",
		name, ErrNoKernel, p.Name, p.Version, strings.Join(vmlinuxPaths, "* and "))
}

// packageBuild sets what b, read from the package p in r, knows of it.
func packageBuild(b *Build, p *deb.Package, r io.ReaderAt, name string) {
	b.Meta.File = name
	b.Meta.Package, b.Meta.PackageVersion = p.Name, p.Version
	b.src = statSource(r, name)
	b.src.BuildID = b.Meta.BuildID
	b.src.Checksum = p.ControlSum
}

// newPackageKernel reads the build in the package p with its module tree
// (Options.PackageModules): vmlinux is analysed while the walk through
// the archive goes on to the modules after it, and the modules are
// analysed as they come once it is.
func newPackageKernel(r io.ReaderAt, p *deb.Package, name string, walk *deb.Options, budget *dwarfx.Budget, opts *Options) (*Build, error) {
	pm := newPackageModules(p, name, walk, budget, opts)
	defer pm.abort()
	vm := make(chan heldVmlinux, 1)
	// An xz data member in blocks: vmlinux is read at offsets (see
	// newPackageSparse), and the walk through the modules starts after
	// it, where they come after it (Debian's layout).
	early := false
	f, err := p.FindRandom(isVmlinux, func(n string) { early = early || isPackageModule(n) }, holdLimit(budget, math.MaxInt64))
	switch {
	case err == nil && !early:
		data, release, err := sparseVmlinux(p, f, name, budget, opts)
		if err != nil {
			return nil, err
		}
		pm.release = strings.TrimPrefix(f.Name[strings.LastIndexByte(f.Name, '/')+1:], "vmlinux-")
		pm.walkFrom(f.End())
		vm <- heldVmlinux{member: f.Name, data: data, release: release}
	case errors.Is(err, deb.ErrNotFound):
		return nil, noKernel(p, name)
	case err != nil && !errors.Is(err, deb.ErrNotRandom):
		return nil, packageErr(err)
	default:
		pm.firstWalk(vm)
	}
	k := <-vm
	if k.err != nil {
		if cerr := opts.ctxErr(); cerr != nil {
			return nil, cerr
		}
		if k.err == ErrNoKernel {
			return nil, noKernel(p, name)
		}
		return nil, packageErr(k.err)
	}
	pm.vmlinuxData = k.release // released once vmlinux is analysed
	o := *opts
	o.modules = pm
	b, err := newELF(newHeldReader(k.data), name+": "+k.member, &o)
	if err != nil {
		if cerr := opts.ctxErr(); cerr != nil {
			return nil, cerr
		}
		if !errors.Is(err, ErrPackage) {
			err = inPackage{err} // a module that cannot be read, ...
		}
		return nil, err
	}
	packageBuild(b, p, r, name)
	return b, nil
}

// ctxReader reads r until ctx is done, then fails with ctx.Err().
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// inPackage is an error met reading a file of a package: it is also
// ErrPackage.
type inPackage struct{ err error }

func (p inPackage) Error() string   { return p.err.Error() }
func (p inPackage) Unwrap() []error { return []error{ErrPackage, p.err} }

// packageErr wraps ErrPackage around the package reader's errors.
func packageErr(err error) error {
	var e *deb.Error
	if errors.As(err, &e) {
		return packageError{e}
	}
	return err
}

// packageError is a *deb.Error that is also ErrPackage.
type packageError struct{ e *deb.Error }

func (p packageError) Error() string { return p.e.Error() }
func (p packageError) Unwrap() []error {
	if p.e.Err == deb.ErrTooLarge {
		return []error{ErrPackage, ErrBudget, p.e}
	}
	return []error{ErrPackage, p.e}
}

// packageMetadata is ReadMetadata for a package: the release from the
// vmlinux's name in it (only the archive's start is decompressed to find
// it), the architecture and package from the control file.
func packageMetadata(r io.ReaderAt, name string, opts *Options) (Metadata, error) {
	size, err := readerLen(r)
	if err != nil {
		return Metadata{}, fmt.Errorf("%s: %w", name, err)
	}
	p, err := deb.New(r, size, name)
	if err != nil {
		return Metadata{}, packageErr(err)
	}
	m := Metadata{File: name, Arch: p.Arch, Package: p.Name, PackageVersion: p.Version}
	// One sequential decoder: the kernel's tar header is in the first
	// block, and decoding blocks ahead would be wasted.
	err = p.Walk(&deb.Options{Concurrency: 1}, func(f *deb.File) error {
		if isVmlinux(f.Name) {
			m.Release = strings.TrimPrefix(path.Base(f.Name), "vmlinux-")
			return deb.ErrStop
		}
		return nil
	})
	if err != nil {
		return Metadata{}, packageErr(err)
	}
	if m.Release == "" {
		return Metadata{}, fmt.Errorf("%s: %w (package %s %s)", name, ErrNoKernel, p.Name, p.Version)
	}
	m.Version, m.Revision, m.Flavor = ParseRelease(m.Release)
	applyOverrides(&m, opts)
	return m, nil
}

// packageChecksum returns the checksum of the control member of the
// package r.
func packageChecksum(r io.ReaderAt, name string) (sum string, err error) {
	defer recoverBug(name, &err)
	size, err := readerLen(r)
	if err != nil {
		return "", err
	}
	p, err := deb.New(r, size, name)
	if err != nil {
		return "", packageErr(err)
	}
	return p.ControlSum, nil
}

// readerLen returns the size of r: from its Size or Stat method, else by
// probing.
func readerLen(r io.ReaderAt) (int64, error) {
	switch s := r.(type) {
	case interface{ Size() int64 }:
		return s.Size(), nil
	case interface{ Stat() (fs.FileInfo, error) }:
		fi, err := s.Stat()
		if err != nil {
			return 0, err
		}
		return fi.Size(), nil
	}
	// Double, then bisect, on whether a byte can be read at an offset.
	var one [1]byte
	has := func(off int64) bool { n, _ := r.ReadAt(one[:], off); return n == 1 }
	lo, hi := int64(0), int64(1)
	for has(hi - 1) {
		lo = hi
		if hi > 1<<50 {
			return 0, errors.New("cannot tell the size of the package")
		}
		hi *= 2
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if has(mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}
