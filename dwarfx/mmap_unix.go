//go:build linux || darwin || freebsd || netbsd || openbsd

package dwarfx

import (
	"os"
	"syscall"
)

const mapSupported = true

// mapFile maps size bytes of f read-only and private.
func mapFile(f *os.File, size int64) ([]byte, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var b []byte
	var merr error
	if err := rc.Control(func(fd uintptr) {
		b, merr = syscall.Mmap(int(fd), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	}); err != nil {
		return nil, err
	}
	return b, merr
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }

// dropPages drops the resident pages of b, a read-only private file
// mapping, which the next access reads again from the file.
func dropPages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }
