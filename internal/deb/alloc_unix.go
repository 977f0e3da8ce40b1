//go:build linux || darwin || freebsd || netbsd || openbsd

package deb

import "syscall"

// allocate maps n bytes of anonymous memory.
func allocate(n int) ([]byte, func(), error) {
	if n == 0 {
		return nil, func() {}, nil
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	adviseHuge(b)
	return b, func() { syscall.Munmap(b) }, nil
}

// blockAlloc takes the buffers of decoded xz blocks off the Go heap: a
// mapping costs nothing until it is written, whatever size the archive's
// index claims for a block.
var blockAlloc = allocate
