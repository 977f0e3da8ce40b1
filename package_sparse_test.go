package kabi

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/deb"
	"github.com/kabi-dev/kabi/internal/elfcraft"
	"github.com/kabi-dev/kabi/internal/xz"
	ulxz "github.com/ulikunitz/xz"
)

// sparsePackage returns a kernel debug package whose data.tar.xz is in
// many small blocks, holding the fixture build cmp-6.1.99-1-amd64.elf
// with a large relocation section for its .debug_info that is not loaded
// (as Debian's vmlinux keeps, from --emit-relocs) at its end, and a
// file after it; and that vmlinux. edit, when not nil, changes the
// vmlinux before it is packed.
func sparsePackage(t *testing.T, edit func([]byte)) (pkg, vmlinux []byte) {
	t.Helper()
	b, ef := elfcraft.ReadFile(t, "testdata/cmp-6.1.99-1-amd64.elf")
	info := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == ".debug_info" })
	symtab := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == ".symtab" })
	rng := rand.New(rand.NewPCG(3, 4))
	noise := func(n int) []byte {
		out := make([]byte, n)
		for i := range out {
			out[i] = byte(rng.Uint32())
		}
		return out
	}
	vmlinux, err := elfcraft.ReplaceSection(b, ".debug_aranges", noise(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == ".debug_aranges" })
	sh := elfcraft.SectionHeader64(vmlinux, i)
	le := binary.LittleEndian
	le.PutUint32(sh[0x04:], uint32(elf.SHT_RELA))
	le.PutUint32(sh[0x28:], uint32(symtab)) // sh_link
	le.PutUint32(sh[0x2c:], uint32(info))   // sh_info
	le.PutUint64(sh[0x38:], 24)             // sh_entsize
	if edit != nil {
		edit(vmlinux)
	}

	var data bytes.Buffer
	tw := tar.NewWriter(&data)
	for _, f := range []struct {
		name string
		body []byte
	}{
		{"./usr/share/doc/README", noise(200 << 10)},
		{"./usr/lib/debug/boot/vmlinux-6.1.99-1-amd64", vmlinux},
		{"./usr/lib/debug/lib/modules/zz-after", noise(256 << 10)},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.body)
	}
	tw.Close()
	var xzData bytes.Buffer
	w, err := ulxz.WriterConfig{BlockSize: 64 << 10}.NewWriter(&xzData)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data.Bytes())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	control := tarArchive(t, "./control", "Package: linux-image-6.1.99-1-amd64-dbg\nVersion: 6.1.99-1\nArchitecture: amd64\n")
	return arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar.xz", xzData.String()}), vmlinux
}

// TestPackageSparse: a vmlinux in a data.tar.xz of many blocks is read
// by decoding only the blocks that hold the archive's headers and what
// the analysis reads; its relocation section for .debug_info, and the
// file after it, are not decoded; the build is the vmlinux's.
func TestPackageSparse(t *testing.T) {
	pkg, vmlinux := sparsePackage(t, nil)
	want, err := New(bytes.NewReader(vmlinux), "vmlinux", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, conc := range []int{1, 2, 3} {
		b, err := New(bytes.NewReader(pkg), "sparse.deb", &Options{Concurrency: conc})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dumpOf(t, b), dumpOf(t, want)) {
			t.Fatalf("Concurrency %d: the package's dump differs from its vmlinux's", conc)
		}
		if m, wm := b.Meta, want.Meta; m.Release != wm.Release || m.BuildID != wm.BuildID || m.Compiler != wm.Compiler || m.Package != "linux-image-6.1.99-1-amd64-dbg" {
			t.Errorf("Meta = %+v; want that of %+v", m, wm)
		}
	}

	// What was decoded: the blocks of the relocation section and of the
	// file after the vmlinux are not.
	p, err := deb.New(bytes.NewReader(pkg), int64(len(pkg)), "sparse.deb")
	if err != nil {
		t.Fatal(err)
	}
	f, err := p.FindRandom(isVmlinux)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, f.Size)
	ranges, err := elfRanges(f, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Fill(data, ranges, 2, nil); err != nil {
		t.Fatal(err)
	}
	const block = 64 << 10
	total := (len(vmlinux) + (256 << 10) + (200 << 10)) / block
	if d := f.Decoded(); d > int64(total)/3 {
		t.Errorf("%d blocks decoded of about %d: the relocations and the file after the kernel were not skipped", d, total)
	}
	t.Logf("%d blocks decoded of about %d", f.Decoded(), total)
}

// TestPackageSparseBad: a damaged block the analysis needs is an error
// naming the package; a vmlinux whose headers are damaged is read whole,
// and the analysis says what is wrong with it.
func TestPackageSparseBad(t *testing.T) {
	pkg, _ := sparsePackage(t, nil)
	// Damage the block that holds the kernel's first bytes (its ELF
	// header, which the analysis reads).
	at := int64(bytes.Index(pkg, []byte("data.tar.xz"))) + 60
	size, err := strconv.ParseInt(strings.TrimSpace(string(pkg[at-60+48:at-60+58])), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := xz.Blocks(bytes.NewReader(pkg[at:at+size]), size)
	if err != nil {
		t.Fatal(err)
	}
	kernelAt := int64(200<<10) + 3*512 // after the README and two headers
	var from int64
	for _, b := range blocks {
		if from+b.Uncompressed > kernelAt {
			bad := bytes.Clone(pkg)
			bad[at+b.Offset+b.Unpadded/2] ^= 0x40
			if _, err := New(bytes.NewReader(bad), "bad.deb", nil); !errors.Is(err, ErrPackage) || !strings.HasPrefix(err.Error(), "bad.deb") {
				t.Errorf("a damaged block the kernel is in: %v; want ErrPackage naming bad.deb", err)
			}
			break
		}
		from += b.Uncompressed
	}
	// Truncated: the xz index is gone.
	if _, err := New(bytes.NewReader(pkg[:len(pkg)-100]), "cut.deb", nil); !errors.Is(err, ErrPackage) {
		t.Errorf("truncated: %v; want ErrPackage", err)
	}
	// An ELF header whose section table lies past the file's end: the
	// file is read whole, and the analysis refuses it as it refuses the
	// file itself.
	pastEnd := func(b []byte) { binary.LittleEndian.PutUint64(b[40:], uint64(len(b))*2) }
	badPkg, badELF := sparsePackage(t, pastEnd)
	_, want := New(bytes.NewReader(badELF), "vmlinux", nil)
	_, err = New(bytes.NewReader(badPkg), "bad.deb", nil)
	if want == nil || err == nil || !strings.HasPrefix(err.Error(), "bad.deb") || !strings.HasSuffix(err.Error(), strings.TrimPrefix(want.Error(), "vmlinux")) {
		t.Errorf("a section table past the end: %v; want the error of the file itself, %v", err, want)
	}
}
