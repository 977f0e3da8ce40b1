package dwarfx

import (
	"debug/elf"
	"io"
	"os"
	"sync"
	"unsafe"
)

// A Data read from an *os.File of a linked program (a vmlinux) keeps its
// large debug sections off the Go heap: the file is mapped read-only and
// the sections are slices of the mapping. Pages the walk has read are
// handed back to the kernel as it goes (see trim), so the resident size
// stays a small part of the file; they are read again from the page cache
// if they are needed again. The string sections, whose strings callers
// keep (see Keep), are still copied to the heap; so is every section of
// a relocatable object (its debug sections may be patched by
// relocations) and every compressed one once decompressed.
//
// The mapping is released by Close. Readers other than *os.File, and
// systems without mmap, read the sections into memory as before.
//
// A reader whose whole contents are already in memory, off the Go heap,
// offers them with a method HeldBytes() []byte (kabi reads a vmlinux out
// of a package into an anonymous mapping): a linked file's sections are
// then slices of those bytes, as of a mapped file, which costs neither a
// copy nor heap. The bytes must stay valid and unchanged until the Data
// is closed; they are not trimmed (they are the only copy) nor freed by
// Close (their owner frees them).
type mapping struct {
	data     []byte
	borrowed bool // the reader's bytes (HeldBytes): not trimmed or unmapped
	once     sync.Once
	err      error
}

// heldBytes is the method of a reader whose contents are in memory.
type heldBytes interface{ HeldBytes() []byte }

// trimEvery is how much of .debug_info Extract delivers between two
// trims of the mapping.
var trimEvery uint64 = 16 << 20

// mapELF maps the file r when it is an *os.File of size bytes holding a
// linked ELF file; it returns nil when it cannot or should not, and the
// caller reads the sections instead.
func mapELF(ef *elf.File, r io.ReaderAt, size int64) *mapping {
	if h, ok := r.(heldBytes); ok {
		if b := h.HeldBytes(); ef.Type != elf.ET_REL && size > 0 && int64(len(b)) == size {
			return &mapping{data: b, borrowed: true}
		}
		return nil
	}
	f, ok := r.(*os.File)
	if !ok || ef.Type == elf.ET_REL || size <= 0 || int64(int(size)) != size || !mapSupported {
		return nil
	}
	b, err := mapFile(f, size)
	if err != nil || len(b) != int(size) {
		return nil
	}
	m := &mapping{data: b}
	liveMu.Lock()
	live[m] = struct{}{}
	liveMu.Unlock()
	if afterMap != nil {
		afterMap(f)
	}
	return m
}

// afterMap, when set (by tests), runs once a file is mapped.
var afterMap func(*os.File)

// live are the mappings not yet released, for mappedAt.
var (
	liveMu sync.Mutex
	live   = map[*mapping]struct{}{}
)

// mappedAt reports whether addr lies in a live mapping.
func mappedAt(addr uintptr) bool {
	liveMu.Lock()
	defer liveMu.Unlock()
	for m := range live {
		if len(m.data) > 0 {
			start := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
			if addr >= start && addr-start < uintptr(len(m.data)) {
				return true
			}
		}
	}
	return false
}

// section returns the bytes of s in the mapping, or false when s does
// not lie inside it.
func (m *mapping) section(s *elf.Section) ([]byte, bool) {
	if m == nil || s.Offset > uint64(len(m.data)) || s.FileSize > uint64(len(m.data))-s.Offset {
		return nil, false
	}
	return m.data[s.Offset : s.Offset+s.FileSize : s.Offset+s.FileSize], true
}

// trim hands the mapping's resident pages back to the kernel. The data
// stay valid: a read-only private mapping of a file reads them again from
// the file on the next access.
func (m *mapping) trim() {
	if m != nil && !m.borrowed {
		dropPages(m.data)
	}
}

// every returns a function to call with a growing offset as a section is
// read in order: it trims the mapping whenever the offset has moved n
// bytes since the last trim. Reading a unit header or a root entry every
// few kilobytes brings in the whole section, as the kernel maps the pages
// around each one it faults in.
func (m *mapping) every(n uint64) func(off uint64) {
	if m == nil || m.borrowed {
		return func(uint64) {}
	}
	var last uint64
	return func(off uint64) {
		if off-last >= n {
			last = off
			m.trim()
		}
	}
}

// release unmaps the file, once.
func (m *mapping) release() error {
	if m == nil || m.borrowed {
		return nil
	}
	m.once.Do(func() {
		liveMu.Lock()
		delete(live, m)
		liveMu.Unlock()
		m.err = unmapFile(m.data)
	})
	return m.err
}

// Close releases the memory mapping that backs the Data's sections when
// it was read from an *os.File (see Open and New), and hands the buffers
// a relocatable object's sections were read into on to the next Data;
// once no Data is open, the memory this package reuses from read to read
// (those buffers, tables, memos) is left to the collector at its next
// collection, unless a Data is read before it. After Close, the Data and
// every string and byte slice obtained from it must no longer be used,
// but for the strings Keep returned, which stay valid. Close is safe to
// call more than once. A Data read into memory needs no Close (it returns
// nil), but until it is closed or collected the reused memory is kept
// for the reads to come, and a Data that is never closed keeps its
// mapping until the program exits.
func (d *Data) Close() error {
	d.forgetLines()
	d.releaseBuffers()
	if d.releaseLists != nil { // after releaseBuffers, which keeps them only while held
		d.listsCleanup.Stop()
		d.releaseLists()
	}
	err := d.fmap.release()
	// Sections read into memory are the garbage collector's once nothing
	// else holds them, even while the Data is still reachable (by a
	// deferred Close, say).
	d.info, d.types, d.abbrev, d.str, d.lineStr, d.line, d.strOffsets, d.addr, d.ranges, d.rnglists = nil, nil, nil, nil, nil, nil, nil, nil, nil, nil
	d.loc, d.loclists = nil, nil
	return err
}

// forgetLines empties the cache of parsed line tables.
func (d *Data) forgetLines() {
	d.linesMu.Lock()
	d.lines = nil
	d.linesMu.Unlock()
}

// Trim hands back to the operating system the pages of a mapped Data that
// have been read so far, without invalidating anything: they are read
// again from the file when needed. Extract trims as it goes; Trim is for
// callers that go on reading entries at random afterwards. It does
// nothing for a Data read into memory.
func (d *Data) Trim() { d.fmap.trim() }
