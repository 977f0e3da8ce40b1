package kabi

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// modulesPackages are the fixture packages that hold x86_64-dwarf5.elf
// and the module tree testdata/modules/6.1.99-1-amd64 (see gen-deb.sh).
var modulesPackages = []string{"modules-xz.deb", "modules-zstd.deb", "modules-gzip.deb", "modules-none.deb", "modules-old.ddeb"}

// wholeKernelDump is what kabi dump writes for b, and its kfuncs and
// module lists.
func wholeKernelDump(t *testing.T, b *Build) []byte {
	t.Helper()
	out := dumpOf(t, b)
	for k := range b.Kfuncs() {
		out = fmt.Appendf(out, "%s %v\n", k.Name, k.Sets)
	}
	for _, m := range []string{"kfx_mod", "kfx_net", "kfx_trace", "kfx_blk"} {
		out = fmt.Appendf(out, "%s %+v\n", m, b.ModuleAttachSources(m))
	}
	return out
}

// claimHuge appends to the tar stream data (without its end) a header of
// a file name that claims 1 TB, and a little of it.
func claimHuge(t *testing.T, data, name string) string {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1 << 40, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Flush()
	return strings.TrimRight(data, "\x00") + strings.Repeat("\x00", (512-len(strings.TrimRight(data, "\x00"))%512)%512) + b.String() + strings.Repeat("\x00", 4096)
}

// TestPackageModules: the package read with its module tree is the
// whole kernel read from its files unpacked, whatever the compression of
// the package and of its modules, the order of vmlinux and the modules in
// it, and the concurrency.
func TestPackageModules(t *testing.T) {
	want, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: "testdata/modules/6.1.99-1-amd64"})
	if err != nil {
		t.Fatal(err)
	}
	w := wholeKernelDump(t, want)
	alone, err := Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range modulesPackages {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata/deb", file)
			for _, conc := range []int{1, 2, 4} {
				var files []string
				b, err := Open(path, &Options{PackageModules: true, Concurrency: conc, ModuleProgress: func(p string, done, total int) {
					files = append(files, filepath.Base(p))
					if total != 0 || done != len(files) || !strings.HasPrefix(p, path+": usr/lib/debug/lib/modules/6.1.99-1-amd64/kernel/drivers/kfx/") {
						t.Errorf("progress %s %d/%d", p, done, total)
					}
				}})
				if err != nil {
					t.Fatal(err)
				}
				if got := wholeKernelDump(t, b); !bytes.Equal(got, w) {
					t.Fatalf("Concurrency %d: the package's dump differs from its files' (%d bytes, want %d)", conc, len(got), len(w))
				}
				if wf := []string{"kfx_blk.ko.zst", "kfx_mod.ko", "kfx_net.ko.xz", "kfx_noname.ko.gz", "kfx_trace.ko"}; !slices.Equal(files, wf) {
					t.Errorf("modules %v, want %v", files, wf)
				}
				if b.Meta.Package == "" || b.Meta.File != path || b.Meta.Release != want.Meta.Release {
					t.Errorf("Meta %+v", b.Meta)
				}
			}
			// Without PackageModules: vmlinux alone.
			b, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dumpOf(t, b), dumpOf(t, alone)) {
				t.Error("without PackageModules, the dump differs from vmlinux's")
			}
		})
	}
}

// TestPackageModulesBadInput: a package's module tree that cannot be
// read gives a clear error naming the package and the module.
func TestPackageModulesBadInput(t *testing.T) {
	vmlinux, err := os.ReadFile("testdata/x86_64-dwarf5.elf")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("testdata/modules/6.1.99-1-amd64/kernel/drivers/kfx/kfx_mod.ko")
	if err != nil {
		t.Fatal(err)
	}
	trace, err := os.ReadFile("testdata/modules/6.1.99-1-amd64/kernel/drivers/kfx/kfx_trace.ko")
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile("testdata/modules/6.1.99-1-arm64/kernel/drivers/kfx/kfx_mod.ko")
	if err != nil {
		t.Fatal(err)
	}
	control := tarArchive(t, "./control", "Package: linux-image-6.1.99-1-amd64-dbg\nVersion: 6.1.99-1\nArchitecture: amd64\n")
	const (
		vm   = "./usr/lib/debug/boot/vmlinux-6.1.99-1-amd64"
		tree = "./usr/lib/debug/lib/modules/6.1.99-1-amd64/kernel/"
	)
	pkg := func(data string) []byte {
		return arArchive([2]string{"debian-binary", "2.0\n"}, [2]string{"control.tar", control}, [2]string{"data.tar", data})
	}
	good := tarArchive(t, vm, string(vmlinux), tree+"a/kfx_mod.ko", string(mod))
	hugeTar := claimHuge(t, tarArchive(t, vm, string(vmlinux)), tree+"a/kfx_mod.ko")
	for _, c := range []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"a module of 1 TB", pkg(hugeTar), ErrPackage, "kfx_mod.ko"},
		{"a module cut short", pkg(good[:len(good)-2048]), ErrPackage, "kfx_mod.ko"},
		{"a module of another tree", pkg(tarArchive(t, vm, string(vmlinux), "./usr/lib/debug/lib/modules/6.1.99-2-amd64/kernel/kfx_mod.ko", string(mod))), ErrModuleRelease, "6.1.99-2-amd64"},
		{"a module of another release", pkg(tarArchive(t, vm, string(vmlinux), tree+"kfx_mod.ko", string(other))), ErrModuleRelease, "kfx_mod"},
		{"a module not ELF", pkg(tarArchive(t, vm, string(vmlinux), tree+"kfx_mod.ko", "garbage")), ErrNotELF, "kfx_mod.ko"},
		{"a bad .ko.xz", pkg(tarArchive(t, vm, string(vmlinux), tree+"kfx_mod.ko.xz", "\xfd7zXZ\x00garbage")), nil, "kfx_mod.ko.xz"},
		{"modules out of order", pkg(tarArchive(t, vm, string(vmlinux), tree+"b/kfx_mod.ko", string(mod), tree+"a/kfx_trace.ko", string(trace))), ErrPackage, "out of the order"},
		{"no modules", pkg(tarArchive(t, vm, string(vmlinux))), nil, "no modules in usr/lib/debug/lib/modules/6.1.99-1-amd64/"},
		{"no kernel", pkg(tarArchive(t, tree+"kfx_mod.ko", string(mod))), ErrNoKernel, "linux-image-6.1.99-1-amd64-dbg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(bytes.NewReader(c.data), "bad.deb", &Options{PackageModules: true, Concurrency: 2})
			if err == nil {
				t.Fatal("no error")
			}
			if c.want != nil && !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "bad.deb") {
				t.Errorf("error %q; want one wrapping %v, naming bad.deb and saying %q", err, c.want, c.msg)
			}
			t.Log(err)
		})
	}
	// The good one reads.
	b, err := New(bytes.NewReader(pkg(good)), "good.deb", &Options{PackageModules: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Function("kfx_mod_probe"); !ok {
		t.Error("no kfx_mod_probe")
	}
}

// TestRealPackageModules reads the package $KABI_DEB with its module
// tree and, when $KABI_VMLINUX and $KABI_MODULES are set (the same files
// unpacked), checks that the dump equals theirs. It takes minutes: run
// it with -timeout 30m.
func TestRealPackageModules(t *testing.T) {
	pkg := os.Getenv("KABI_DEB")
	if pkg == "" {
		t.Skip("KABI_DEB is not set")
	}
	start := time.Now()
	b, err := Open(pkg, &Options{PackageModules: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s read in %v: %d functions", pkg, time.Since(start), b.Len())
	got := dumpOf(t, b)
	vmlinux, dir := os.Getenv("KABI_VMLINUX"), os.Getenv("KABI_MODULES")
	if vmlinux == "" || dir == "" {
		return
	}
	b = nil
	w, err := Open(vmlinux, &Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if want := dumpOf(t, w); !bytes.Equal(got, want) {
		t.Fatalf("the package's dump (%d bytes) differs from the unpacked files' (%d bytes)", len(got), len(want))
	}
}
