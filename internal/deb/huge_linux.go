package deb

import "syscall"

// adviseHuge asks Linux to back the mapping b with transparent huge pages
// (where the system leaves them to madvise, as Debian does): a buffer of
// tens or hundreds of megabytes (a held vmlinux, a decoded xz block, a
// large module) is then faulted in 2 MiB at a time rather than 4 KiB,
// and a page fault, costly on a virtual machine, comes 512 times less
// often. It is a hint: an error leaves ordinary pages.
func adviseHuge(b []byte) {
	if len(b) >= 2<<20 {
		syscall.Madvise(b, syscall.MADV_HUGEPAGE)
	}
}
