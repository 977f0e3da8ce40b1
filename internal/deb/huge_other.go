//go:build darwin || freebsd || netbsd || openbsd

package deb

// adviseHuge does nothing where the system has no madvise(MADV_HUGEPAGE).
func adviseHuge([]byte) {}
