package kabi

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/index"
)

// inputSize is the size of r when it can say it (an *os.File,
// *bytes.Reader, *io.SectionReader can), else -1.
func inputSize(r io.ReaderAt) int64 {
	switch v := r.(type) {
	case interface{ Size() int64 }:
		return v.Size()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
}

// openELF opens the ELF file r. When r is not one, the error says what it
// is, for the kinds of file given by mistake: a boot image, a compressed
// file (a compressed module), a package, raw BTF, a damaged index file,
// an empty file.
func openELF(r io.ReaderAt, name string) (*elf.File, error) {
	var head [0x240]byte
	n, _ := r.ReadAt(head[:], 0)
	if n >= len(elf.ELFMAG) && string(head[:len(elf.ELFMAG)]) == elf.ELFMAG {
		return dwarfx.NewELFFile(r, name)
	}
	if err := damagedIndex(head[:n], name); err != nil {
		return nil, err
	}
	return nil, &dwarfx.FormatError{File: name, Section: "ELF header", Err: ErrNotELF, Msg: fileKind(head[:n], name)}
}

// debugPackages says where a kernel's vmlinux with debug info is.
const debugPackages = "the vmlinux with debug info is in the distribution's debug package " +
	"(Debian: linux-image-RELEASE-dbg, Ubuntu: linux-image-RELEASE-dbgsym), at /usr/lib/debug/boot/vmlinux-RELEASE"

// fileKind describes a file that is not ELF by its first bytes (and, for
// compressed files, its name).
func fileKind(h []byte, name string) string {
	has := func(off int, magic string) bool {
		return len(h) >= off+len(magic) && string(h[off:off+len(magic)]) == magic
	}
	compressed := func(format, tool string) string {
		if strings.Contains(name, ".ko.") {
			return fmt.Sprintf("%s-compressed kernel module: decompress it first (%s -dk FILE)", format, tool)
		}
		return fmt.Sprintf("%s-compressed file: decompress it first (%s -dk FILE); if it is a boot image (vmlinuz), %s", format, tool, debugPackages)
	}
	switch {
	case len(h) == 0:
		return "the file is empty"
	case has(0x202, "HdrS"):
		return "a compressed boot image (x86 bzImage, as /boot/vmlinuz-*), which has no debug info: " + debugPackages
	case has(0x38, "ARM\x64"):
		return "an arm64 boot image (Image, as /boot/vmlinuz-*), which has no debug info: " + debugPackages
	case has(0, "MZ"):
		return "a PE executable (an EFI boot image, as /boot/vmlinuz-*?), which has no debug info: " + debugPackages
	case has(0, "\xfd7zXZ\x00"):
		return "an " + compressed("xz", "xz")
	case has(0, "\x28\xb5\x2f\xfd"):
		return "a " + compressed("zstd", "zstd")
	case has(0, "\x1f\x8b"):
		return "a " + compressed("gzip", "gzip")
	case has(0, "BZh"):
		return "a " + compressed("bzip2", "bzip2")
	case has(0, "\x04\x22\x4d\x18"):
		return "an " + compressed("lz4", "lz4")
	case has(0, "!<arch>\ndebian-binary"):
		// New reads packages; the readers that need an ELF file get here.
		return "a Debian package (.deb or .ddeb): give the vmlinux inside it, usr/lib/debug/boot/vmlinux-RELEASE " +
			"(dpkg-deb --fsys-tarfile PACKAGE | tar -x ./usr/lib/debug/boot/)"
	case has(0, "!<arch>\n"):
		return "an ar archive (a static library?)"
	case has(257, "ustar"):
		return "a tar archive"
	case len(h) >= 2 && (binary.LittleEndian.Uint16(h) == 0xeb9f || binary.BigEndian.Uint16(h) == 0xeb9f):
		return "raw BTF (as /sys/kernel/btf/vmlinux), which has no DWARF (BTFSignatures reads it; kabi btfcheck -btf FILE VMLINUX compares it with a vmlinux)"
	case isText(h):
		return fmt.Sprintf("a text file (it starts %q)", firstLine(h))
	}
	return fmt.Sprintf("it starts with % x", h[:min(len(h), 8)])
}

// damagedIndex returns the error for a file that looks like an index file
// whose magic is damaged or cut short, or nil.
func damagedIndex(h []byte, name string) error {
	const m = index.Magic
	msg := ""
	switch {
	case strings.HasSuffix(name, ".kabi") && len(h) == 0:
		msg = "the index file is empty (a write that did not finish?)"
	case len(h) < len(m) && len(h) > 1 && m[:len(h)] == string(h):
		msg = fmt.Sprintf("the index file ends after %d bytes, within its magic", len(h))
	case len(h) >= len(m):
		same := 0
		for i := range len(m) {
			if h[i] == m[i] {
				same++
			}
		}
		if same >= len(m)-2 || strings.HasSuffix(name, ".kabi") && bytes.Contains(h[:len(m)], []byte("KABI")) {
			msg = fmt.Sprintf("the index file's magic is damaged: %q, want %q", h[:len(m)], m)
		}
	}
	if msg == "" {
		return nil
	}
	return &IndexError{File: name, Section: "header", Err: ErrIndexCorrupt, Msg: msg + "; write it again with kabi index"}
}

func isText(h []byte) bool {
	for _, c := range h {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func firstLine(h []byte) string {
	s, _, _ := strings.Cut(string(h), "\n")
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}
