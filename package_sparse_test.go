package kabi

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
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
// vmlinux before it is packed; block is the xz block size; the noise in
// it (the relocations, the files before and after the kernel) is
// divided by scale.
func sparsePackage(t *testing.T, edit func([]byte), block int64, scale int) (pkg, vmlinux []byte) {
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
	vmlinux, err := elfcraft.ReplaceSection(b, ".debug_aranges", noise((1<<20)/scale))
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
		{"./usr/share/doc/README", noise((200 << 10) / scale)},
		{"./usr/lib/debug/boot/vmlinux-6.1.99-1-amd64", vmlinux},
		{"./usr/lib/debug/lib/modules/zz-after", noise((256 << 10) / scale)},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.body)
	}
	tw.Close()
	var xzData bytes.Buffer
	w, err := ulxz.WriterConfig{BlockSize: block}.NewWriter(&xzData)
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

// findVmlinux finds the vmlinux of the package pkg read at offsets.
func findVmlinux(t *testing.T, pkg []byte) *deb.RandomFile {
	t.Helper()
	p, err := deb.New(bytes.NewReader(pkg), int64(len(pkg)), "sparse.deb")
	if err != nil {
		t.Fatal(err)
	}
	f, err := p.FindRandom(isVmlinux, nil, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPackageSparse: a vmlinux in a data.tar.xz of many blocks is read
// by decoding only the blocks that hold the archive's headers and what
// the analysis reads; its relocation section for .debug_info, and the
// file after it, are not decoded; the build is the vmlinux's.
func TestPackageSparse(t *testing.T) {
	pkg, vmlinux := sparsePackage(t, nil, 64<<10, 1)
	want, err := New(bytes.NewReader(vmlinux), "vmlinux", nil)
	if err != nil {
		t.Fatal(err)
	}
	// In blocks so small that some lie wholly in the loaded segment,
	// which are decoded while the section table is.
	small, _ := sparsePackage(t, nil, 2<<10, 16)
	for _, c := range []struct {
		pkg  []byte
		conc int
	}{{pkg, 1}, {pkg, 2}, {pkg, 3}, {small, 1}, {small, 2}} {
		pkg, conc := c.pkg, c.conc
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
	f := findVmlinux(t, pkg)
	data := make([]byte, f.Size)
	ranges, err := elfRanges(f, data, nil)
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
	pkg, _ := sparsePackage(t, nil, 64<<10, 1)
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
	badPkg, badELF := sparsePackage(t, pastEnd, 64<<10, 1)
	_, want := New(bytes.NewReader(badELF), "vmlinux", nil)
	_, err = New(bytes.NewReader(badPkg), "bad.deb", nil)
	if want == nil || err == nil || !strings.HasPrefix(err.Error(), "bad.deb") || !strings.HasSuffix(err.Error(), strings.TrimPrefix(want.Error(), "vmlinux")) {
		t.Errorf("a section table past the end: %v; want the error of the file itself, %v", err, want)
	}
}

// reblock returns the fixture package file with its data.tar.xz encoded
// again in blocks of block bytes, as xz -T writes big archives.
func reblock(t testing.TB, file string, block int64) []byte {
	t.Helper()
	pkg, err := os.ReadFile(filepath.Join("testdata/deb", file))
	if err != nil {
		t.Fatal(err)
	}
	var members [][2]string
	for off := int64(8); off+60 <= int64(len(pkg)); {
		h := pkg[off : off+60]
		size, err := strconv.ParseInt(strings.TrimSpace(string(h[48:58])), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimRight(strings.TrimSpace(string(h[:16])), "/")
		body := pkg[off+60 : off+60+size]
		if name == "data.tar.xz" {
			r, err := xz.NewParallel(bytes.NewReader(body), size, nil)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			w, err := ulxz.WriterConfig{BlockSize: block}.NewWriter(&out)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, r); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			body = out.Bytes()
		}
		members = append(members, [2]string{name, string(body)})
		off += 60 + size + size%2
	}
	return arArchive(members...)
}

// TestPackageModulesSparse: a package in many xz blocks, read with its
// module tree, is the whole kernel, as the same package in one block is:
// vmlinux read at offsets and the modules walked from the header after
// it (Debian's layout), or, where modules come first (Ubuntu's older
// layout), the archive walked as a stream.
func TestPackageModulesSparse(t *testing.T) {
	want, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: "testdata/modules/6.1.99-1-amd64"})
	if err != nil {
		t.Fatal(err)
	}
	w := wholeKernelDump(t, want)
	for _, file := range []string{"modules-xz.deb", "modules-old.ddeb"} {
		pkg := reblock(t, file, 16<<10)
		// Which way it is read: at offsets, unless modules come first.
		p, err := deb.New(bytes.NewReader(pkg), int64(len(pkg)), file)
		if err != nil {
			t.Fatal(err)
		}
		early := false
		if _, err := p.FindRandom(isVmlinux, func(n string) { early = early || isPackageModule(n) }, math.MaxInt64); err != nil || early != (file == "modules-old.ddeb") {
			t.Fatalf("%s: FindRandom: %v, modules before vmlinux %v", file, err, early)
		}
		for _, conc := range []int{1, 2} {
			b, err := New(bytes.NewReader(pkg), file, &Options{PackageModules: true, Concurrency: conc})
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if got := wholeKernelDump(t, b); !bytes.Equal(got, w) {
				t.Errorf("%s in 16 KiB blocks, Concurrency %d: the whole kernel differs from the unpacked files'", file, conc)
			}
			if got, want := b.Modules(), want.Modules(); !slices.Equal(got, want) {
				t.Errorf("%s: modules %q, want %q", file, got, want)
			}
		}
	}
}

// TestCutRanges: cutRanges leaves the parts outside the cuts.
func TestCutRanges(t *testing.T) {
	r := func(off, n int64) xz.Range { return xz.Range{Off: off, Len: n} }
	for _, c := range []struct {
		rs, cut, want []xz.Range
	}{
		{[]xz.Range{r(0, 100)}, nil, []xz.Range{r(0, 100)}},
		{[]xz.Range{r(0, 100)}, []xz.Range{r(20, 10)}, []xz.Range{r(0, 20), r(30, 70)}},
		{[]xz.Range{r(0, 100)}, []xz.Range{r(0, 100)}, nil},
		{[]xz.Range{r(10, 10), r(50, 20)}, []xz.Range{r(0, 15), r(60, 100)}, []xz.Range{r(15, 5), r(50, 10)}},
		{[]xz.Range{r(0, 100)}, []xz.Range{r(10, 10), r(40, 10)}, []xz.Range{r(0, 10), r(20, 20), r(50, 50)}},
		{[]xz.Range{r(5, 5)}, []xz.Range{r(100, 10)}, []xz.Range{r(5, 5)}},
	} {
		if got := cutRanges(c.rs, c.cut); !slices.Equal(got, c.want) {
			t.Errorf("cutRanges(%v, %v) = %v, want %v", c.rs, c.cut, got, c.want)
		}
	}
}

// TestELFRangesSegments: elfRanges names the loaded segments before it
// reads the section table, and its ranges hold them.
func TestELFRangesSegments(t *testing.T) {
	pkg, vmlinux := sparsePackage(t, nil, 64<<10, 1)
	_, ef := elfcraft.ReadFile(t, "testdata/cmp-6.1.99-1-amd64.elf")
	var want []xz.Range
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			want = append(want, xz.Range{Off: int64(p.Off), Len: int64(p.Filesz)})
		}
	}
	f := findVmlinux(t, pkg)
	var got []xz.Range
	data := make([]byte, len(vmlinux))
	ranges, err := elfRanges(f, data, func(s []xz.Range) { got = s })
	if err != nil || len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("segments %v, %v; want %v", got, err, want)
	}
	if len(cutRanges(want, ranges)) != 0 {
		t.Errorf("ranges %v do not hold the segments %v", ranges, want)
	}
}
