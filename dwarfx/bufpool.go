package dwarfx

import (
	"math/bits"
	"sync"
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

// sectionBufs holds released section buffers by size class: class c
// holds buffers of capacity 1<<c.
var sectionBufs [64]sync.Pool

// Buffers of up to maxPooled bytes are reused; a larger section (a rare
// huge module) gets a buffer of its own.
const (
	minPooledShift = 16
	maxPooled      = 64 << 20
)

// buffer returns a buffer of n bytes (not zeroed) that d holds until it
// is closed.
func (d *Data) buffer(n uint64) []byte {
	if n == 0 || n > maxPooled {
		return make([]byte, n)
	}
	c := max(bits.Len64(n-1), minPooledShift)
	var b []byte
	if p, _ := sectionBufs[c].Get().(*[]byte); p != nil {
		b = (*p)[:n]
	} else {
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
	for _, b := range bufs {
		b = b[:0]
		sectionBufs[bits.Len64(uint64(cap(b))-1)].Put(&b)
	}
}
