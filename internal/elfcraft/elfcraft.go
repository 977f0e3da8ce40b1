// Package elfcraft makes damaged and unusual ELF files from good ones, for
// the tests of kabi's readers: compressed sections that inflate far (a
// compression bomb), patched section headers.
package elfcraft

import (
	"bytes"
	"compress/zlib"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
)

// ReadFile reads the ELF file at path for a test: its bytes, to patch a
// copy of, and the file they make. It fails the test when either cannot
// be had.
func ReadFile(t testing.TB, path string) ([]byte, *elf.File) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b, ef
}

// CompressSections returns a copy of the ELF64 little-endian file b in
// which each named section is replaced by a zlib-compressed
// (SHF_COMPRESSED) copy of itself padded with zeros to size bytes: valid
// sections that inflate to size bytes each, as a compression bomb's do.
// The compressed data is appended to the file.
func CompressSections(b []byte, size int, names ...string) ([]byte, error) {
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if ef.Class != elf.ELFCLASS64 || ef.ByteOrder != binary.LittleEndian {
		return nil, errors.New("elfcraft: CompressSections takes ELF64 little-endian files")
	}
	out := bytes.Clone(b)
	for _, name := range names {
		i := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("elfcraft: no section %s", name)
		}
		s := ef.Sections[i]
		data, err := s.Data()
		if err != nil {
			return nil, err
		}
		if len(data) > size {
			return nil, fmt.Errorf("elfcraft: %s has %d bytes, more than %d", name, len(data), size)
		}
		var z bytes.Buffer
		z.Write(binary.LittleEndian.AppendUint32(nil, uint32(elf.COMPRESS_ZLIB)))
		z.Write(make([]byte, 4))
		z.Write(binary.LittleEndian.AppendUint64(nil, uint64(size)))
		z.Write(binary.LittleEndian.AppendUint64(nil, 1))
		zw := zlib.NewWriter(&z)
		zw.Write(data)
		zw.Write(make([]byte, size-len(data)))
		zw.Close()
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
		off := uint64(len(out))
		out = append(out, z.Bytes()...)
		sh := SectionHeader64(out, i)
		binary.LittleEndian.PutUint64(sh[0x08:], uint64(s.Flags|elf.SHF_COMPRESSED))
		binary.LittleEndian.PutUint64(sh[0x18:], off)
		binary.LittleEndian.PutUint64(sh[0x20:], uint64(z.Len()))
		binary.LittleEndian.PutUint64(sh[0x30:], 1)
	}
	return out, nil
}

// SectionHeader64 returns the bytes of section header i of the ELF64
// little-endian file b, to patch in place (sh_flags at 0x08, sh_offset at
// 0x18, sh_size at 0x20, sh_addralign at 0x30).
func SectionHeader64(b []byte, i int) []byte {
	shoff := binary.LittleEndian.Uint64(b[0x28:])
	shentsize := uint64(binary.LittleEndian.Uint16(b[0x3a:]))
	return b[shoff+uint64(i)*shentsize:][:shentsize]
}

// ReplaceSection returns a copy of the ELF64 little-endian file b in which
// the contents of the named section are data, appended to the file; the
// section keeps its other header fields.
func ReplaceSection(b []byte, name string, data []byte) ([]byte, error) {
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if ef.Class != elf.ELFCLASS64 || ef.ByteOrder != binary.LittleEndian {
		return nil, errors.New("elfcraft: ReplaceSection takes ELF64 little-endian files")
	}
	i := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("elfcraft: no section %s", name)
	}
	out := bytes.Clone(b)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	off := uint64(len(out))
	out = append(out, data...)
	sh := SectionHeader64(out, i)
	binary.LittleEndian.PutUint64(sh[0x18:], off)
	binary.LittleEndian.PutUint64(sh[0x20:], uint64(len(data)))
	return out, nil
}

// KeepDebugOnly returns a copy of the ELF64 little-endian file b in which
// every allocated section but notes is SHT_NOBITS, as in a file made by
// objcopy --only-keep-debug (the layout of Fedora's and RHEL's debuginfo
// packages): code and data are gone, the debug sections, symbols, notes
// and .comment stay.
func KeepDebugOnly(b []byte) ([]byte, error) {
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if ef.Class != elf.ELFCLASS64 || ef.ByteOrder != binary.LittleEndian {
		return nil, errors.New("elfcraft: KeepDebugOnly takes ELF64 little-endian files")
	}
	out := bytes.Clone(b)
	for i, s := range ef.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Type != elf.SHT_NOTE && s.Type != elf.SHT_NOBITS {
			binary.LittleEndian.PutUint32(SectionHeader64(out, i)[0x04:], uint32(elf.SHT_NOBITS))
		}
	}
	return out, nil
}
