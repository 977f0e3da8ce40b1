package kabi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
)

// at returns n bytes of zeros with magic at off.
func at(n, off int, magic string) []byte {
	b := make([]byte, n)
	copy(b[off:], magic)
	return b
}

// TestWrongFileTypes: files given by mistake are named for what they are.
func TestWrongFileTypes(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		is   error
		text string
	}{
		{"vmlinuz-6.1.0-47-amd64", append(at(0x202, 0, "MZ"), "HdrS\x0f\x02"...), ErrNotELF, "a compressed boot image (x86 bzImage, as /boot/vmlinuz-*)"},
		{"vmlinuz-6.1.0-47-arm64", at(0x40, 0x38, "ARM\x64"), ErrNotELF, "an arm64 boot image"},
		{"bootx64.efi", at(0x80, 0, "MZ"), ErrNotELF, "a PE executable"},
		{"vmlinuz", at(0x80, 0, "\x1f\x8b\x08"), ErrNotELF, "a gzip-compressed file: decompress it first (gzip -dk FILE); if it is a boot image (vmlinuz), the vmlinux with debug info is in the distribution's debug package"},
		{"ext4.ko.xz", at(0x80, 0, "\xfd7zXZ\x00"), ErrNotELF, "an xz-compressed kernel module: decompress it first (xz -dk FILE)"},
		{"ext4.ko.zst", at(0x80, 0, "\x28\xb5\x2f\xfd"), ErrNotELF, "a zstd-compressed kernel module: decompress it first (zstd -dk FILE)"},
		{"vmlinux.btf", at(0x80, 0, "\x9f\xeb\x01\x00"), ErrNotELF, "raw BTF (as /sys/kernel/btf/vmlinux), which has no DWARF"},
		{"empty", nil, ErrNotELF, "the file is empty"},
		{"System.map", []byte("ffffffff81000000 T _stext\n"), ErrNotELF, `a text file (it starts "ffffffff81000000 T _stext")`},
		{"zero", make([]byte, 4096), ErrNotELF, "it starts with 00 00 00 00 00 00 00 00"},
		{"old.kabi", nil, ErrIndexCorrupt, "the index file is empty"},
	} {
		_, err := New(bytes.NewReader(c.data), c.name, nil)
		if !errors.Is(err, c.is) || !strings.HasPrefix(fmt.Sprint(err), c.name+": ") || !strings.Contains(fmt.Sprint(err), c.text) {
			t.Errorf("%s: got %v, want an error wrapping %v saying %q", c.name, err, c.is, c.text)
		}
		if _, err := BTFSignaturesFrom(bytes.NewReader(c.data), c.name); c.is == ErrNotELF && c.name != "vmlinux.btf" &&
			!strings.Contains(fmt.Sprint(err), c.text) {
			t.Errorf("%s: BTFSignaturesFrom: %v, want it to say %q", c.name, err, c.text)
		}
	}
}

// TestPackageForBTF: BTFSignatures, which reads an ELF file or raw BTF,
// names a package given to it (New reads packages).
func TestPackageForBTF(t *testing.T) {
	deb := []byte("!<arch>\ndebian-binary   1700000000  0     0     100644  4         `\n2.0\n")
	_, err := BTFSignaturesFrom(bytes.NewReader(deb), "linux-image-6.1.0-47-amd64-dbg_6.1.1-1_amd64.deb")
	if !errors.Is(err, ErrNotELF) || !strings.Contains(fmt.Sprint(err), "a Debian package (.deb or .ddeb): give the vmlinux inside it") {
		t.Errorf("got %v", err)
	}
}

// TestTruncatedELF: an ELF file cut short (the section headers, which come
// last, lost) says truncated, its size and where the headers are, both in
// New and in BTFSignaturesFrom (which said "BTF: bad magic 0x7f45").
func TestTruncatedELF(t *testing.T) {
	b, err := os.ReadFile("testdata/x86_64-dwarf5.elf")
	if err != nil {
		t.Fatal(err)
	}
	cut := b[:len(b)*3/4]
	want := fmt.Sprintf("the file is truncated: it has %d bytes, but its section header table is at", len(cut))
	_, err = New(bytes.NewReader(cut), "cut.elf", nil)
	if !errors.Is(err, ErrTruncated) || !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("New: %v, want %q", err, want)
	}
	_, err = BTFSignaturesFrom(bytes.NewReader(cut), "cut.elf")
	if !errors.Is(err, ErrTruncated) || !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("BTFSignaturesFrom: %v, want %q", err, want)
	}
}

// TestTruncatedKernel cuts a real kernel at 100 MB (without copying it).
func TestTruncatedKernel(t *testing.T) {
	p := realKernel(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := io.NewSectionReader(f, 0, 100<<20)
	for _, err := range []error{
		func() error { _, err := New(r, p, nil); return err }(),
		func() error { _, err := BTFSignaturesFrom(r, p); return err }(),
	} {
		var fe *dwarfx.FormatError
		if !errors.Is(err, ErrTruncated) || !errors.As(err, &fe) || fe.Offset != 100<<20 ||
			!strings.Contains(err.Error(), "the file is truncated: it has 104857600 bytes, but its section header table is at") {
			t.Errorf("got %v", err)
		}
		t.Log(err)
	}
}
