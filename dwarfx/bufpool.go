package dwarfx

import (
	"math/bits"
	"sync"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// A relocatable object (a kernel module) is read onto the heap, not
// mapped: relocations patch its debug sections, and copying them out of a
// mapping costs more (a page fault per 64 KiB read, a copy, an unmap)
// than reading them. A whole kernel reads thousands of modules one after
// the other, so the buffers its sections are read into are reused: once
// a Data is closed, the next one read while the free lists are kept (see
// below) takes them, and they need not be allocated, zeroed and
// collected again. The string sections are reused too: Keep copies the
// strings of such a Data. Compressed sections are decompressed into
// buffers of their own.
//
// The released buffers wait in a free list that the garbage collector
// leaves alone (a sync.Pool is emptied by every collection, and a whole
// kernel's read collects dozens of times), bounded in total bytes so that
// what waits stays a small part of the heap, and emptied (with the other
// free lists) at the first collection after the last read that holds
// them ends (see freelist.Hold: a Data holds them until it is closed, and
// a kernel's read of its modules all along); no buffer is kept while none
// holds them.

// Buffers of up to maxPooled bytes are reused; a larger section (a rare
// huge module) gets a buffer of its own. At most freePerData bytes of
// released buffers per Data open at once wait to be reused (see
// maxFree); beyond that a released buffer is left to the collector. Two
// modules read at once hold at most about 64 MiB of buffers of each size
// class together in Debian 6.1's 4,023 modules; with half that, the 4
// and 8 MiB buffers filled the list, the small ones released after them
// were dropped, and replaying a whole kernel's requests allocated 357 MB
// of pooled buffers anew, where with 64 MiB it allocates 64 MB (the
// first of their kind). More modules at once need more: a whole kernel
// read 4 and 8 modules at a time allocated 154 and 308 MB anew under a
// bound of 64 MiB, and 81 and 125 MB under none.
const (
	minPooledShift = 16
	maxPooled      = 8 << 20
	minFreeData    = 2 // maxFree counts at least this many Datas
	maxFreeData    = 8 // and at most this many: 256 MiB, whatever the cores
)

// freePerData is what maxFree allows per Data (a variable for tests).
var freePerData uint64 = 32 << 20

// freeBufs holds released section buffers by size class: class c holds
// buffers of capacity 1<<c.
var freeBufs struct {
	sync.Mutex
	class [64][][]byte
	bytes uint64 // total capacity of the buffers held

	open int // Datas open (see holdData)
	peak int // the most open at once since the buffers were last dropped
}

func init() { freelist.Register(dropFreeBuffers) }

// dropFreeBuffers leaves the released buffers to the collector.
func dropFreeBuffers() {
	freeBufs.Lock()
	defer freeBufs.Unlock()
	clear(freeBufs.class[:])
	freeBufs.bytes = 0
	freeBufs.peak = freeBufs.open
}

// maxFree is the bound on the bytes of the buffers held: freePerData for
// each of the most Datas open at once since they were last dropped,
// which read about as many modules at once, at least minFreeData and at
// most maxFreeData of them, so that on a machine of many cores what
// waits stays a bounded part of the heap. freeBufs is locked.
func maxFree() uint64 {
	return freePerData * uint64(min(max(freeBufs.peak, minFreeData), maxFreeData))
}

// holdData holds the free lists for a Data from its reading to its Close
// (see Data.holdLists), and counts it among the Datas open, which
// maxFree follows. release may be called more than once.
func holdData() (release func()) {
	lists := freelist.Hold()
	freeBufs.Lock()
	freeBufs.open++
	freeBufs.peak = max(freeBufs.peak, freeBufs.open)
	freeBufs.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			freeBufs.Lock()
			freeBufs.open--
			freeBufs.Unlock()
			lists()
		})
	}
}

// buffer returns a buffer of n bytes (not zeroed) that d holds until it
// is closed.
func (d *Data) buffer(n uint64) []byte {
	if n == 0 || n > maxPooled {
		return make([]byte, n)
	}
	c := max(bits.Len64(n-1), minPooledShift)
	var b []byte
	freeBufs.Lock()
	if l := freeBufs.class[c]; len(l) > 0 {
		b = l[len(l)-1][:n]
		l[len(l)-1] = nil
		freeBufs.class[c] = l[:len(l)-1]
		freeBufs.bytes -= uint64(cap(b))
	}
	freeBufs.Unlock()
	if b == nil {
		b = make([]byte, n, 1<<c)
	}
	d.bufsMu.Lock()
	d.bufs = append(d.bufs, b)
	d.bufsMu.Unlock()
	return b
}

// releaseBuffers hands d's buffers on to the next Data.
func (d *Data) releaseBuffers() {
	d.bufsMu.Lock()
	bufs := d.bufs
	d.bufs = nil
	d.bufsMu.Unlock()
	freeBufs.Lock()
	defer freeBufs.Unlock()
	if !freelist.Held() { // asked under the lock dropFreeBuffers takes
		return
	}
	for _, b := range bufs {
		n := uint64(cap(b))
		if freeBufs.bytes+n > maxFree() {
			continue
		}
		c := bits.Len64(n - 1)
		freeBufs.class[c] = append(freeBufs.class[c], b[:0])
		freeBufs.bytes += n
	}
}
