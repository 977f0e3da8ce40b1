package kabi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/deb"
)

// modulesPrefix is where debug packages put their module trees, one
// directory per release.
const modulesPrefix = "usr/lib/debug/lib/modules/"

// maxModule is the largest module file read out of a package; Debian
// 6.1's largest, amdgpu.ko, has 355 MB. Within it, the package's
// decompression budget bounds it, as it does vmlinux.
const maxModule = 2 << 30

// moduleBytes bounds the module files read out of a package and held in
// memory, queued or being analysed: the walk through the archive waits
// while they would exceed it. A file larger than it is held alone.
const moduleBytes = 384 << 20

// errAborted ends a walk whose reader has gone.
var errAborted = errors.New("reading of the package's modules stopped")

// A heldModule is a module file read out of a package.
type heldModule struct {
	path string // the package's name and the member's
	data []byte // in buf
	buf  heldBuf
}

// A heldVmlinux is the package's vmlinux, or the error that ended the
// walk before it.
type heldVmlinux struct {
	member  string
	data    []byte
	release func()
	err     error
}

// packageModules is the module tree of a package (Options.PackageModules),
// a moduleSource: a goroutine walks the archive, holds each module file
// of the tree as it is decompressed, and queues it for the workers of
// addModules, which analyse it and release it. The walk that finds
// vmlinux goes on to the modules after it while vmlinux is analysed; if
// modules came before vmlinux (Ubuntu's older layout puts vmlinux in
// usr/lib/debug/, after lib/), that walk stops at vmlinux and a second
// one reads the modules once vmlinux is analysed.
type packageModules struct {
	name    string // the package's, in errors
	release string // vmlinux's, from its file name
	p       *deb.Package
	walk    *deb.Options
	budget  *dwarfx.Budget
	opts    *Options

	mem  *moduleMem
	stop chan struct{}
	once sync.Once

	mu      sync.Mutex
	walkers sync.WaitGroup
	ch      chan heldModule // closed at the end of the walk; err then says why
	err     error
	early   bool // modules met before vmlinux
	last    string
	count   int

	vmlinuxData func() // releases vmlinux's bytes
}

func newPackageModules(p *deb.Package, name string, walk *deb.Options, budget *dwarfx.Budget, opts *Options) *packageModules {
	return &packageModules{name: name, p: p, walk: walk, budget: budget, opts: opts, stop: make(chan struct{}), mem: newModuleMem()}
}

// firstWalk walks the archive to its vmlinux, which it sends on vm, then
// on through the modules after it. It sends one heldVmlinux in any case.
func (pm *packageModules) firstWalk(vm chan<- heldVmlinux) {
	pm.ch = make(chan heldModule, 256)
	pm.walkers.Add(1)
	go func() {
		defer pm.walkers.Done()
		sent := false
		err := pm.p.Walk(pm.walk, func(f *deb.File) error {
			if err := pm.stopped(); err != nil {
				return err
			}
			if isVmlinux(f.Name) {
				if sent {
					return nil
				}
				data, release, err := deb.Hold(f, holdLimit(pm.budget, maxVmlinux))
				if err != nil {
					return err
				}
				sent = true
				pm.release = strings.TrimPrefix(f.Name[strings.LastIndexByte(f.Name, '/')+1:], "vmlinux-")
				vm <- heldVmlinux{member: f.Name, data: data, release: release}
				if pm.early {
					f.Last()
					return deb.ErrStop
				}
				return nil
			}
			if !sent {
				if isPackageModule(f.Name) {
					pm.early = true
				}
				return nil
			}
			return pm.take(f)
		})
		if !sent {
			if err == nil {
				err = ErrNoKernel
			}
			vm <- heldVmlinux{err: err}
			err = errAborted
		}
		pm.end(err)
	}()
}

// walkFrom reads the modules of the archive from offset from of its data:
// a header after vmlinux's file, which was read at offsets; 0, for the
// modules before vmlinux (Ubuntu's older layout), once it is analysed.
func (pm *packageModules) walkFrom(from int64) {
	pm.ch = make(chan heldModule, 256)
	pm.walkers.Add(1)
	go func() {
		defer pm.walkers.Done()
		pm.end(pm.p.WalkFrom(pm.walk, from, func(f *deb.File) error {
			if err := pm.stopped(); err != nil {
				return err
			}
			return pm.take(f)
		}))
	}()
}

// end records why the walk ended and closes its queue.
func (pm *packageModules) end(err error) {
	if err == nil && pm.count == 0 {
		err = fmt.Errorf("%s: no modules in %s%s/ (read without PackageModules for vmlinux alone)", pm.name, modulesPrefix, pm.release)
	}
	if err != nil && err != errAborted {
		if cerr := pm.opts.ctxErr(); cerr != nil {
			err = cerr
		} else {
			err = packageErr(err)
		}
	}
	pm.err = err
	close(pm.ch)
}

func (pm *packageModules) stopped() error {
	select {
	case <-pm.stop:
		return errAborted
	default:
	}
	return pm.opts.ctxErr()
}

// holdLimit is the most a file of a package may have: limit, and what is
// left of the package's decompression budget.
func holdLimit(budget *dwarfx.Budget, limit int64) int64 {
	return int64(min(uint64(limit), budget.Limit()-min(budget.Used(), budget.Limit())))
}

// isPackageModule reports whether name, a path in a package, is a module
// file of a module tree.
func isPackageModule(name string) bool {
	if !strings.HasPrefix(name, modulesPrefix) {
		return false
	}
	_, ok := moduleStem(name)
	return ok
}

// take holds the module file f, if it is one, and queues it.
func (pm *packageModules) take(f *deb.File) error {
	if !isPackageModule(f.Name) {
		return nil
	}
	rel, rest, _ := strings.Cut(strings.TrimPrefix(f.Name, modulesPrefix), "/")
	if rel != pm.release {
		return fmt.Errorf("%s: %s: %w: the package's vmlinux is %s, this module is in the tree of %s", pm.name, f.Name, ErrModuleRelease, pm.release, rel)
	}
	if pm.last != "" && moduleOrder(rest, pm.last) <= 0 {
		return fmt.Errorf("%s: %s: %w: the module comes after %s in the archive, out of the order in which dpkg-deb writes a tree", pm.name, f.Name, ErrPackage, pm.last)
	}
	pm.last = rest
	if f.Size < 0 || f.Size > holdLimit(pm.budget, maxModule) {
		_, _, err := deb.Hold(f, holdLimit(pm.budget, maxModule)) // its error
		return err
	}
	buf, ok, err := pm.mem.get(f.Size)
	if err != nil {
		return &deb.Error{File: pm.name, Member: f.Name, Err: deb.ErrTooLarge, Msg: fmt.Sprintf("cannot allocate %d bytes: %v", f.Size, err)}
	}
	if !ok {
		return errAborted
	}
	if err := deb.Fill(f, buf.data[:f.Size]); err != nil {
		pm.mem.put(buf)
		return err
	}
	m := heldModule{path: pm.name + ": " + f.Name, data: buf.data[:f.Size], buf: buf}
	select {
	case pm.ch <- m:
		pm.count++
		return nil
	case <-pm.stop:
		m.drop(pm)
		return errAborted
	}
}

func (m *heldModule) drop(pm *packageModules) { pm.mem.put(m.buf) }

func (pm *packageModules) start() error {
	if pm.vmlinuxData != nil {
		pm.vmlinuxData()
		pm.vmlinuxData = nil
	}
	if pm.early {
		pm.walkers.Wait() // the first walk stopped at vmlinux
		pm.last, pm.count = "", 0
		pm.walkFrom(0) // the modules, all before vmlinux
	}
	return nil
}

func (pm *packageModules) next() (moduleInput, bool, error) {
	var (
		m  heldModule
		ok bool
	)
	select {
	case m, ok = <-pm.ch:
	case <-pm.stop:
		return moduleInput{}, false, errAborted
	}
	if !ok {
		return moduleInput{}, false, pm.err
	}
	return moduleInput{path: m.path, open: func() (io.ReaderAt, *dwarfx.Budget, func(), error) {
		r, budget, plain, err := moduleELF(bytes.NewReader(m.data), int64(len(m.data)), m.path, pm.opts)
		if plain {
			return r, budget, func() { m.drop(pm) }, nil
		}
		m.drop(pm)
		if err != nil {
			return nil, nil, nil, err
		}
		return r, budget, func() {}, nil
	}, drop: func() { m.drop(pm) }}, true, nil
}

func (pm *packageModules) total() int { return 0 }

// abort stops the walk and frees what it holds; it may be called again.
func (pm *packageModules) abort() {
	pm.once.Do(func() {
		close(pm.stop)
		pm.mem.close()
	})
	pm.walkers.Wait()
	if pm.ch != nil {
		for m := range pm.ch {
			m.drop(pm)
		}
	}
	if pm.vmlinuxData != nil {
		pm.vmlinuxData()
		pm.vmlinuxData = nil
	}
}

// moduleMem hands out the buffers that module files are read into, off
// the Go heap, within moduleBytes: bytes mapped, in use or kept for
// reuse. A buffer is kept when it is freed, and given again for a file
// of its size class (a power of two), so that its pages, already
// faulted in, are not mapped anew for each of thousands of modules; kept
// buffers are unmapped when the bytes are needed for another class.
type moduleMem struct {
	mu     sync.Mutex
	c      sync.Cond
	free   int64 // of moduleBytes, not mapped
	kept   map[int][]heldBuf
	closed bool
}

type heldBuf struct {
	data    []byte
	release func()
}

// maxKept is the largest size class kept for reuse.
const maxKept = 32 << 20

func newModuleMem() *moduleMem {
	m := &moduleMem{free: moduleBytes, kept: make(map[int][]heldBuf)}
	m.c.L = &m.mu
	return m
}

// sizeClass is the size of the buffer for a file of n bytes: the next
// power of two from 64 KiB up to maxKept, else n.
func sizeClass(n int64) int {
	if n > maxKept {
		return int(n)
	}
	c := 64 << 10
	for int64(c) < n {
		c *= 2
	}
	return c
}

// cost is what a buffer of size bytes takes of moduleBytes: a file
// larger than it is held alone.
func cost(size int) int64 { return min(int64(size), moduleBytes) }

// get returns a buffer of at least n bytes, waiting for room; false once
// closed.
func (m *moduleMem) get(n int64) (heldBuf, bool, error) {
	size := sizeClass(n)
	m.mu.Lock()
	defer m.mu.Unlock()
	for !m.closed {
		if l := m.kept[size]; len(l) > 0 {
			b := l[len(l)-1]
			m.kept[size] = l[:len(l)-1]
			return b, true, nil
		}
		for m.free < cost(size) && m.evict() {
		}
		if m.free >= cost(size) {
			data, release, err := deb.Alloc(size)
			if err != nil {
				return heldBuf{}, false, err
			}
			m.free -= cost(size)
			return heldBuf{data, release}, true, nil
		}
		m.c.Wait()
	}
	return heldBuf{}, false, nil
}

// evict unmaps one kept buffer; false when none is kept.
func (m *moduleMem) evict() bool {
	for size, l := range m.kept {
		if len(l) > 0 {
			l[len(l)-1].release()
			m.kept[size] = l[:len(l)-1]
			m.free += cost(size)
			return true
		}
	}
	return false
}

// put takes back a buffer from get.
func (m *moduleMem) put(b heldBuf) {
	m.mu.Lock()
	if size := len(b.data); size <= maxKept && !m.closed {
		m.kept[size] = append(m.kept[size], b)
	} else {
		b.release()
		m.free += cost(size)
	}
	m.mu.Unlock()
	m.c.Broadcast()
}

// close unmaps the kept buffers and ends the waits.
func (m *moduleMem) close() {
	m.mu.Lock()
	m.closed = true
	for m.evict() {
	}
	m.mu.Unlock()
	m.c.Broadcast()
}
