//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package deb

// allocate allocates n bytes on the heap.
func allocate(n int) ([]byte, func(), error) { return make([]byte, n), func() {}, nil }

// blockAlloc is nil: the buffers of decoded xz blocks are on the heap,
// grown as they are decoded.
var blockAlloc func(int) ([]byte, func(), error)
