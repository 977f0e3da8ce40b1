//go:build linux

package deb

import "syscall"

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14).
const madvPopulateWrite = 23

// Populate makes the pages of b (memory from Alloc) present and writable
// before they are written, in one call rather than a fault per page: on
// a virtual machine each fault is a trap out of it. Where the system
// cannot (an older kernel), the pages fault in as they are written.
func Populate(b []byte) {
	if len(b) > 0 {
		syscall.Madvise(b, madvPopulateWrite)
	}
}
