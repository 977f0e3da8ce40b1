package kabi

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/dwarfx"
)

// Metadata describes a build. Everything is read from the build itself
// and can be overridden through [Options]. A field that the build cannot
// say is empty: it is unknown.
//
// Release and Compiler come from the kernel's banner (linux_banner).
// A file made by objcopy --only-keep-debug (the layout of Fedora's and
// RHEL's debuginfo packages) has lost it with the rest of .rodata; then
// Release is taken from the file's path where it follows a
// distribution's layout (/usr/lib/debug/lib/modules/RELEASE/vmlinux,
// /usr/lib/debug/boot/vmlinux-RELEASE, or any vmlinux-RELEASE), Compiler
// from the .comment section ("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"),
// and Banner stays empty. BuildID is read from the build-ID note, which
// such files keep.
type Metadata struct {
	File     string `json:"file"`     // the path given to Open, or the name given to New
	Release  string `json:"release"`  // the kernel release, as uname -r prints it: "6.1.0-47-amd64" (see [Metadata] for a file without a banner)
	Version  string `json:"version"`  // the upstream version part of Release: "6.1.0"
	Revision string `json:"revision"` // the ABI part of Release: "47" (Debian, Ubuntu), "deb12" (6.12.111+deb12-...)
	Flavor   string `json:"flavor"`   // the flavor part of Release: "amd64", "cloud-amd64", "generic", "aws"
	Arch     string `json:"arch"`     // the architecture in Debian's names: "amd64", "arm64", "ppc64el", ...
	Compiler string `json:"compiler"` // the compiler part of the banner: "gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld ..." (see [Metadata] for a file without a banner)
	Banner   string `json:"banner"`   // the linux_banner string, "Linux version ...", without its newline
	BuildID  string `json:"build_id"` // the GNU build ID note, in lower-case hex

	// Package and PackageVersion name the Debian package the build was
	// read from ("linux-image-6.1.0-56-amd64-dbg", "6.1.192-2"), from its
	// control file; both are empty for a build read from a vmlinux.
	Package        string `json:"package"`
	PackageVersion string `json:"package_version"`
}

// ParseRelease splits a kernel release string into its upstream version,
// ABI revision and flavor:
//
//	6.1.0-47-amd64              6.1.0  47     amd64
//	6.12.111+deb12-cloud-amd64  6.12.111  deb12  cloud-amd64
//	5.4.0-26-generic            5.4.0  26     generic
//	5.4.0-1009-aws              5.4.0  1009   aws
//
// The flavor is the distribution's own name for it, the part after the ABI:
// Debian's flavors name the architecture too (amd64, cloud-amd64,
// rt-arm64), Ubuntu's do not (generic, aws, lowlatency). Missing parts are
// empty.
func ParseRelease(release string) (version, revision, flavor string) {
	i := 0
	for i < len(release) && (release[i] >= '0' && release[i] <= '9' || release[i] == '.') {
		i++
	}
	version = strings.TrimRight(release[:i], ".")
	rest := release[i:]
	switch {
	case strings.HasPrefix(rest, "+"):
		// 6.12.111+deb12-cloud-amd64: the ABI is "+deb12".
		revision, flavor, _ = strings.Cut(rest[1:], "-")
	case strings.HasPrefix(rest, "-"):
		tok, after, _ := strings.Cut(rest[1:], "-")
		if tok != "" && tok[0] >= '0' && tok[0] <= '9' {
			revision, flavor = tok, after // 5.4.0-26-generic, 5.10.0-0.deb10.16-amd64
		} else {
			flavor = rest[1:] // 6.1.0-rt-amd64 (no ABI number)
		}
	}
	return version, revision, flavor
}

// debianArch names the architecture of an ELF file as Debian does.
func debianArch(ef *elf.File) string {
	le := ef.ByteOrder.String() == "LittleEndian"
	is64 := ef.Class == elf.ELFCLASS64
	switch ef.Machine {
	case elf.EM_X86_64:
		if !is64 {
			return "x32"
		}
		return "amd64"
	case elf.EM_386:
		return "i386"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_ARM:
		// A kernel is built soft-float whatever the userland ABI, so the
		// header cannot tell armel from armhf; armhf is the one Ubuntu
		// and Debian ship kernels for today (override with Options.Arch).
		return "armhf"
	case elf.EM_PPC64:
		if le {
			return "ppc64el"
		}
		return "ppc64"
	case elf.EM_PPC:
		return "powerpc"
	case elf.EM_RISCV:
		if is64 {
			return "riscv64"
		}
		return "riscv32"
	case elf.EM_S390:
		if is64 {
			return "s390x"
		}
		return "s390"
	case elf.EM_MIPS:
		switch {
		case is64 && le:
			return "mips64el"
		case is64:
			return "mips64"
		case le:
			return "mipsel"
		}
		return "mips"
	case elf.EM_LOONGARCH:
		return "loong64"
	case elf.EM_SPARCV9:
		return "sparc64"
	case elf.EM_SPARC:
		return "sparc"
	case elf.EM_ALPHA:
		return "alpha"
	case elf.EM_PARISC:
		return "hppa"
	case elf.EM_SH:
		return "sh4"
	case elf.EM_IA_64:
		return "ia64"
	case elf.EM_68K:
		return "m68k"
	}
	return strings.ToLower(strings.TrimPrefix(ef.Machine.String(), "EM_"))
}

// bannerPrefix starts the kernel's linux_banner string.
const bannerPrefix = "Linux version "

// readBanner returns the linux_banner string: from the linux_banner symbol
// when there is one, else by scanning .rodata.
func readBanner(ef *elf.File, banner *elf.Symbol, budget *dwarfx.Budget) string {
	if banner != nil && banner.Size > 0 && banner.Size <= 4096 && int(banner.Section) < len(ef.Sections) {
		s := ef.Sections[banner.Section]
		if s.Type != elf.SHT_NOBITS && banner.Value >= s.Addr && banner.Value-s.Addr+banner.Size <= s.Size {
			buf := make([]byte, banner.Size)
			if _, err := s.ReadAt(buf, int64(banner.Value-s.Addr)); err == nil && bytes.HasPrefix(buf, []byte(bannerPrefix)) {
				return bannerString(buf)
			}
		}
	}
	for _, name := range []string{".rodata", ".rodata.str1.1", ".rodata.str1.8"} {
		s := ef.Section(name)
		if s == nil || s.Type == elf.SHT_NOBITS {
			continue
		}
		var r io.Reader = s.Open()
		if s.Flags&elf.SHF_COMPRESSED != 0 {
			r = budget.Reader(r, name)
		}
		if b := scanBanner(r); b != "" {
			return b
		}
	}
	return ""
}

// scanBanner looks for the banner in r, reading it in chunks.
func scanBanner(r io.Reader) string {
	const chunk = 1 << 20
	buf := make([]byte, 0, chunk+1024)
	tmp := make([]byte, chunk)
	for {
		n, err := io.ReadFull(r, tmp)
		buf = append(buf, tmp[:n]...)
		if i := bytes.Index(buf, []byte(bannerPrefix)); i >= 0 {
			end := bytes.IndexByte(buf[i:], 0)
			if end < 0 && err == nil {
				// Read on until the string ends (bounded).
				more := make([]byte, 1024)
				m, _ := io.ReadFull(r, more)
				buf = append(buf, more[:m]...)
			}
			return bannerString(buf[i:])
		}
		if err != nil {
			return ""
		}
		// Keep a tail in case the prefix straddles two chunks.
		keep := len(bannerPrefix)
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}

// bannerString trims a banner at its NUL and newline, bounded to 1 KiB.
func bannerString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) > 1024 {
		b = b[:1024]
	}
	return strings.TrimRight(string(b), "\n")
}

// parseBanner returns the release and the compiler from a banner such as
//
//	Linux version 6.1.0-47-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP ...
//
// The compiler is the second parenthesized group; groups nest.
func parseBanner(banner string) (release, compiler string) {
	rest, ok := strings.CutPrefix(banner, bannerPrefix)
	if !ok {
		return "", ""
	}
	release, rest, _ = strings.Cut(rest, " ")
	var groups []string
	for len(groups) < 2 {
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, "(") {
			break
		}
		depth, end := 0, -1
		for i := 0; i < len(rest) && end < 0; i++ {
			switch rest[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			break
		}
		groups = append(groups, rest[1:end])
		rest = rest[end+1:]
	}
	if len(groups) == 2 {
		compiler = groups[1]
	}
	return release, compiler
}

// readBuildID returns the GNU build ID from the file's note sections.
func readBuildID(ef *elf.File, budget *dwarfx.Budget) string {
	for _, s := range ef.Sections {
		if s.Type != elf.SHT_NOTE || s.Size > 1<<20 || budget.TakeSection(s) != nil {
			continue
		}
		data, err := s.Data()
		if err != nil {
			continue
		}
		if id := findBuildID(data, ef.ByteOrder); id != "" {
			return id
		}
	}
	return ""
}

// findBuildID walks ELF notes (4-byte aligned names and descriptors).
func findBuildID(data []byte, bo interface{ Uint32([]byte) uint32 }) string {
	const ntGNUBuildID = 3
	align := func(n uint64) uint64 { return (n + 3) &^ 3 }
	for len(data) >= 12 {
		namesz, descsz, typ := uint64(bo.Uint32(data)), uint64(bo.Uint32(data[4:])), bo.Uint32(data[8:])
		data = data[12:]
		if align(namesz) > uint64(len(data)) {
			return ""
		}
		name := data[:namesz]
		data = data[align(namesz):]
		if align(descsz) > uint64(len(data)) && descsz > uint64(len(data)) {
			return ""
		}
		desc := data[:descsz]
		if typ == ntGNUBuildID && string(bytes.TrimRight(name, "\x00")) == "GNU" {
			return hex.EncodeToString(desc)
		}
		data = data[min(align(descsz), uint64(len(data))):]
	}
	return ""
}

// releaseFromPath is the kernel release that a distribution's layout puts
// in the path of a vmlinux: /usr/lib/debug/lib/modules/RELEASE/vmlinux
// (Fedora, RHEL), /usr/lib/debug/boot/vmlinux-RELEASE (Debian, Ubuntu);
// "" when the path says none. Only a release that starts with a digit and
// holds a '.' is taken.
func releaseFromPath(name string) string {
	name = filepath.ToSlash(name)
	rel := ""
	if base := path.Base(name); base == "vmlinux" || base == "vmlinux.debug" {
		if dir := path.Dir(name); path.Base(path.Dir(dir)) == "modules" {
			rel = path.Base(dir)
		}
	} else if r, ok := strings.CutPrefix(base, "vmlinux-"); ok {
		rel = strings.TrimSuffix(r, ".debug")
	}
	if rel == "" || rel[0] < '0' || rel[0] > '9' || !strings.Contains(rel, ".") {
		return ""
	}
	return rel
}

// commentCompiler returns the compilers named in the .comment section,
// joined by "; ", or "".
func commentCompiler(ef *elf.File, budget *dwarfx.Budget) string {
	s := ef.Section(".comment")
	if s == nil || s.Type == elf.SHT_NOBITS || s.Size > 1<<16 || budget.TakeSection(s) != nil {
		return ""
	}
	data, err := s.Data()
	if err != nil {
		return ""
	}
	var out []string
	for part := range strings.SplitSeq(string(data), "\x00") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return strings.Join(out, "; ")
}

// inNoBits reports whether the addresses [start, stop) lie in an allocated
// section that has no contents in the file (SHT_NOBITS): in a file made by
// objcopy --only-keep-debug, the kernel's lists are there, and what they
// say is unknown.
func inNoBits(ef *elf.File, start, stop uint64) bool {
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_NOBITS && s.Flags&elf.SHF_ALLOC != 0 && start >= s.Addr && stop <= s.Addr+s.Size && s.Size > 0 {
			return true
		}
	}
	return false
}
