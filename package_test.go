package kabi

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabi-dev/kabi/internal/index"
)

// packageFixtures are the packages in testdata/deb (see gen-deb.sh) and
// the fixture build each holds.
var packageFixtures = []struct {
	file, build, pkg, version string
}{
	{"linux-image-6.1.99-1-amd64-dbg_6.1.99-1_amd64.deb", "cmp-6.1.99-1-amd64.elf", "linux-image-6.1.99-1-amd64-dbg", "6.1.99-1"},
	{"zstd.deb", "cmp-6.1.99-1-amd64.elf", "linux-image-6.1.99-1-amd64-dbg", "6.1.99-1"},
	{"gzip.deb", "cmp-6.1.99-1-amd64.elf", "linux-image-6.1.99-1-amd64-dbg", "6.1.99-1"},
	{"none.deb", "cmp-6.1.99-1-amd64.elf", "linux-image-6.1.99-1-amd64-dbg", "6.1.99-1"},
	{"multiblock.deb", "cmp-6.1.99-1-amd64.elf", "linux-image-6.1.99-1-amd64-dbg", "6.1.99-1"},
	{"linux-image-6.2.5-1-amd64-dbgsym_6.2.5-1.1_amd64.ddeb", "cmp-6.2.5-1-amd64.elf", "linux-image-6.2.5-1-amd64-dbgsym", "6.2.5-1.1"},
}

// dumpOf is what kabi dump writes for b.
func dumpOf(t *testing.T, b *Build) []byte {
	t.Helper()
	var out []byte
	for f := range b.Functions() {
		out = append(f.AppendJSON(out), '\n')
	}
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPackage(t *testing.T) {
	for _, c := range packageFixtures {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata/deb", c.file)
			want, err := Open(filepath.Join("testdata", c.build), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, conc := range []int{1, 2, 4} {
				b, err := Open(path, &Options{Concurrency: conc})
				if err != nil {
					t.Fatal(err)
				}
				if got, w := dumpOf(t, b), dumpOf(t, want); !bytes.Equal(got, w) {
					t.Fatalf("Concurrency %d: the package's dump differs from its vmlinux's", conc)
				}
				m, wm := b.Meta, want.Meta
				if m.File != path || m.Package != c.pkg || m.PackageVersion != c.version {
					t.Errorf("Meta: file %q package %q version %q; want %q %q %q", m.File, m.Package, m.PackageVersion, path, c.pkg, c.version)
				}
				m.File, m.Package, m.PackageVersion = wm.File, "", ""
				if m != wm {
					t.Errorf("Meta = %+v; want %+v", m, wm)
				}
				if s := b.Source(); s.Size == 0 || s.Checksum == "" || s.BuildID != wm.BuildID {
					t.Errorf("Source = %+v", s)
				}
			}
			m, err := ReadMetadata(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.Release != want.Meta.Release || m.Arch != "amd64" || m.Package != c.pkg || m.PackageVersion != c.version {
				t.Errorf("ReadMetadata = %+v", m)
			}
		})
	}
}

func TestPackageIndex(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "k.deb")
	data, err := os.ReadFile("testdata/deb/" + packageFixtures[0].file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := filepath.Join(dir, IndexName(b.Meta))
	if filepath.Base(ix) != "6.1.99-1-amd64.kabi" {
		t.Errorf("IndexName = %s", filepath.Base(ix))
	}
	if err := WriteIndexFile(ix, b); err != nil {
		t.Fatal(err)
	}
	l, err := Open(ix, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Meta.Package != b.Meta.Package || l.Meta.PackageVersion != b.Meta.PackageVersion || l.Source().Checksum != b.Source().Checksum {
		t.Errorf("index: %+v %+v; want %+v %+v", l.Meta, l.Source(), b.Meta, b.Source())
	}
	if !bytes.Equal(dumpOf(t, l), dumpOf(t, b)) {
		t.Error("the index's dump differs from the package's")
	}
	if ok, err := IndexUpToDate(ix, src); err != nil || !ok {
		t.Fatalf("IndexUpToDate = %v, %v; want true", ok, err)
	}
	// Another package of the same size and time: the control checksum tells.
	st, _ := os.Stat(src)
	ctl := bytes.Index(data, []byte("control.tar"))
	mod := bytes.Clone(data)
	mod[ctl+60+100]++ // a byte of the compressed control member
	if err := os.WriteFile(src, mod, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(src, st.ModTime(), st.ModTime())
	if ok, _ := IndexUpToDate(ix, src); ok {
		t.Error("IndexUpToDate = true after the control member changed")
	}
	os.WriteFile(src, data, 0o644)
	os.Chtimes(src, st.ModTime().Add(time.Second), st.ModTime().Add(time.Second))
	if ok, _ := IndexUpToDate(ix, src); ok {
		t.Error("IndexUpToDate = true after the time changed")
	}
}

// arArchive builds an ar archive of the given members.
func arArchive(members ...[2]string) []byte {
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range members {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m[0], 0, 0, 0, "100644", len(m[1]))
		b.WriteString(m[1])
		if len(m[1])%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// tarArchive builds a tar stream; a size < 0 claims -size bytes but holds none.
func tarArchive(t *testing.T, files ...any) string {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		name, body := files[i].(string), files[i+1].(string)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	return b.String()
}

func TestPackageBadInput(t *testing.T) {
	good, err := os.ReadFile("testdata/deb/none.deb")
	if err != nil {
		t.Fatal(err)
	}
	xzGood, err := os.ReadFile("testdata/deb/" + packageFixtures[0].file)
	if err != nil {
		t.Fatal(err)
	}
	control := tarArchive(t, "./control", "Package: linux-image-9-dbg\nVersion: 9-1\nArchitecture: amd64\n")
	// A tar header that claims a 1 TB vmlinux.
	var huge bytes.Buffer
	tw := tar.NewWriter(&huge)
	tw.WriteHeader(&tar.Header{Name: "./usr/lib/debug/boot/vmlinux-9-amd64", Mode: 0o644, Size: 1 << 40, Typeflag: tar.TypeReg})
	tw.Flush()
	huge.Write(make([]byte, 4096))

	for _, c := range []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"truncated in the data member", good[:len(good)/2], ErrPackage, "data.tar"},
		{"truncated in the kernel (xz)", xzGood[:len(xzGood)-2000], ErrPackage, ""},
		{"truncated in the header", good[:70], ErrPackage, "truncated"},
		{"magic only", good[:8], ErrPackage, "no debian-binary"},
		{"data before control", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"data.tar", tarArchive(t)}, [2]string{"control.tar", control}), ErrPackage, "out of order"},
		{"control first", arArchive([2]string{"control.tar", control}, [2]string{"debian-binary", "2.0\n"}), ErrPackage, "out of order"},
		{"1 TB member", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar", huge.String()}), ErrPackage, "1099511627776"},
		{"no kernel", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar", tarArchive(t, "./usr/share/doc/x", "x")}), ErrNoKernel, "linux-image-9-dbg"},
		{"bzip2", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar.bz2", "BZh"}), ErrPackage, "unsupported compression"},
		{"no control file", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", tarArchive(t, "./md5sums", "")}, [2]string{"data.tar", tarArchive(t)}), ErrPackage, "no control file"},
		{"bad xz", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar.xz", "\xfd7zXZ\x00garbage"}), ErrPackage, "xz"},
		{"kernel not ELF", arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar", tarArchive(t, "./usr/lib/debug/boot/vmlinux-9-amd64", "not an ELF file")}), ErrNotELF, "vmlinux-9-amd64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(bytes.NewReader(c.data), "bad.deb", nil)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "bad.deb") {
				t.Errorf("error %q; want one wrapping %v, naming bad.deb and saying %q", err, c.want, c.msg)
			}
			t.Log(err)
		})
	}
}

// TestIndexOlderVersion: an index of an older format asks to be made again.
func TestIndexOlderVersion(t *testing.T) {
	b, err := Open("testdata/i386.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := b.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	index.SetVersion(data, index.Version-1)
	_, err = New(bytes.NewReader(data), "old.kabi", nil)
	if !errors.Is(err, ErrIndexVersion) || !strings.Contains(err.Error(), "re-index") {
		t.Fatalf("error %v; want ErrIndexVersion saying to index again", err)
	}
}

// TestPackageBudget: the package's decompression budget bounds what is
// decompressed and what a tar header may claim.
func TestPackageBudget(t *testing.T) {
	for _, max := range []int64{1000, 30000} {
		_, err := Open("testdata/deb/none.deb", &Options{MaxDecompressed: max})
		if !errors.Is(err, ErrBudget) {
			t.Errorf("MaxDecompressed %d: error %v; want one wrapping ErrBudget", max, err)
		}
		t.Log(err)
	}
	if _, err := Open("testdata/deb/none.deb", &Options{MaxDecompressed: 1 << 20}); err != nil {
		t.Error(err)
	}
}
