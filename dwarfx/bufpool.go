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
// a Data is closed, the next one takes them, and they need not be
// allocated, zeroed and collected again. The string sections are reused
// too: Keep copies the strings of such a Data. Compressed sections are
// decompressed into buffers of their own.
//
// The released buffers wait in a free list that the garbage collector
// leaves alone (a sync.Pool is emptied by every collection, and a whole
// kernel's read collects dozens of times), bounded in total bytes so that
// what waits stays a small part of the heap, and emptied (with the other
// free lists) when the last read that holds them ends (see
// freelist.Hold: a Data holds them until it is closed, and a kernel's
// read of its modules all along): until then no buffer is kept.

// Buffers of up to maxPooled bytes are reused; a larger section (a rare
// huge module) gets a buffer of its own. At most maxFree bytes of
// released buffers wait to be reused; beyond that a released buffer is
// left to the collector. Two modules are read at once, and the most
// buffers of each size class they hold together comes to about 64 MiB
// in Debian 6.1's 4,023 modules; with half that, the 4 and 8 MiB buffers
// filled the list, the small ones released after them were dropped, and
// replaying a whole kernel's requests allocated 357 MB of pooled buffers
// anew, where with 64 MiB it allocates 64 MB (the first of their kind).
const (
	minPooledShift = 16
	maxPooled      = 8 << 20
	maxFree        = 64 << 20
)

// freeBufs holds released section buffers by size class: class c holds
// buffers of capacity 1<<c.
var freeBufs struct {
	sync.Mutex
	class [64][][]byte
	bytes uint64 // total capacity of the buffers held
}

func init() { freelist.Register(dropFreeBuffers) }

// dropFreeBuffers leaves the released buffers to the collector.
func dropFreeBuffers() {
	freeBufs.Lock()
	defer freeBufs.Unlock()
	clear(freeBufs.class[:])
	freeBufs.bytes = 0
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
		if freeBufs.bytes+n > maxFree {
			continue
		}
		c := bits.Len64(n - 1)
		freeBufs.class[c] = append(freeBufs.class[c], b[:0])
		freeBufs.bytes += n
	}
}
