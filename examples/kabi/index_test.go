package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// indexFixtures runs kabi index on some fixtures into a temporary folder
// and returns the folder.
func indexFixtures(t *testing.T, builds ...string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := runOut(t, append([]string{"index", "-o", dir}, builds...)...)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "functions,"); n != len(builds) {
		t.Errorf("index: %d builds written, want %d:\n%s", n, len(builds), out)
	}
	return dir
}

const td = "../../testdata/"

// TestIndexCommand indexes builds, skips them when up to date, and
// redoes one whose source changed.
func TestIndexCommand(t *testing.T) {
	builds := []string{td + "cmp-6.1.99-1-amd64.elf", td + "cmp-6.2.5-1-amd64.elf", td + "i386.elf", td + "aarch64.elf"}
	dir := indexFixtures(t, builds...)
	names := []string{"6.1.99-1-amd64.kabi", "6.2.5-1-amd64.kabi", "6.1.99-1-686-pae_i386.kabi", "6.1.99-1-arm64.kabi"}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Error(err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(names) {
		t.Errorf("%d files in the folder, want %d", len(ents), len(names))
	}
	out, err := runOut(t, append([]string{"index", "-o", dir}, builds...)...)
	if err != nil || strings.Count(out, ": up to date") != len(builds) {
		t.Errorf("second run: %v\n%s", err, out)
	}

	// A copy with a new time is indexed again; the others are not.
	cp := filepath.Join(t.TempDir(), "i386.elf")
	data, _ := os.ReadFile(td + "i386.elf")
	os.WriteFile(cp, data, 0o644)
	out, err = runOut(t, "index", "-o", dir, cp, builds[0])
	if err != nil || !strings.Contains(out, "6.1.99-1-686-pae_i386.kabi: 45 functions") || !strings.Contains(out, "6.1.99-1-amd64.kabi: up to date") {
		t.Errorf("after a change: %v\n%s", err, out)
	}

	for _, c := range []struct {
		args []string
		text string
	}{
		{[]string{"index", "-o", dir, td + "x86_64-dwarf5.elf", td + "x86_64-dwarf4.elf"}, "would both be indexed as"},
		{[]string{"index", "-o", dir, filepath.Join(dir, names[0])}, "is an index file already"},
		{[]string{"index"}, "index takes BUILD"},
	} {
		if _, err := runOut(t, c.args...); err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.text)
		}
	}
}

// TestIndexAnswersTheSame runs every command on builds and on their
// indexes: the output is the same but for the file names.
func TestIndexAnswersTheSame(t *testing.T) {
	builds := []string{td + "cmp-6.1.99-1-amd64.elf", td + "cmp-6.1.99-3-amd64.elf", td + "cmp-6.2.5-1-amd64.elf",
		td + "cmp-6.3.1-2-amd64.elf", td + "cmp-6.1.99-1-cloud-amd64.elf", td + "i386.elf"}
	dir := indexFixtures(t, builds...)
	index := func(b string) string {
		m := map[string]string{"i386.elf": "6.1.99-1-686-pae_i386.kabi"}
		base := filepath.Base(b)
		if n, ok := m[base]; ok {
			return filepath.Join(dir, n)
		}
		return filepath.Join(dir, strings.TrimSuffix(strings.TrimPrefix(base, "cmp-"), ".elf")+".kabi")
	}
	var ixs []string
	for _, b := range builds {
		ixs = append(ixs, index(b))
	}
	same := func(args, iargs []string) {
		t.Helper()
		want, err := runOut(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		got, err := runOut(t, iargs...)
		if err != nil {
			t.Fatalf("%v: %v", iargs, err)
		}
		for i := range builds {
			want = strings.ReplaceAll(want, builds[i], "BUILD"+string(rune('0'+i)))
			got = strings.ReplaceAll(got, ixs[i], "BUILD"+string(rune('0'+i)))
		}
		if got != want {
			t.Errorf("%v and %v differ:\n%s\n----\n%s", args, iargs, want, got)
		}
	}
	same([]string{"dump", builds[0]}, []string{"dump", ixs[0]})
	same([]string{"dump", builds[5]}, []string{"dump", ixs[5]})
	same([]string{"stats", builds[0]}, []string{"stats", ixs[0]})
	same([]string{"show", "vm_scale", builds[5]}, []string{"show", "vm_scale", ixs[5]})
	same([]string{"show", "-format", "json", "vmap", builds[0]}, []string{"show", "-format", "json", "vmap", ixs[0]})
	same([]string{"diff", builds[0], builds[4]}, []string{"diff", ixs[0], ixs[4]})
	same([]string{"diff", "-format", "json", builds[0], builds[3]}, []string{"diff", "-format", "json", ixs[0], ixs[3]})
	for _, f := range []string{"text", "json", "md"} {
		same(append([]string{"report", "-format", f, "vm_scale"}, builds...), append([]string{"report", "-format", f, "vm_scale"}, ixs...))
	}
	// Mixed: some builds analysed, some loaded.
	same(append([]string{"report", "vmap"}, builds...), append(append([]string{"report", "vmap"}, ixs[:3]...), builds[3:]...))
	// The dump of a vmlinux and of its index are byte for byte the same.
	a, _ := runOut(t, "dump", builds[2])
	b, _ := runOut(t, "dump", ixs[2])
	if a != b || len(a) == 0 {
		t.Errorf("dump of %s and of its index differ", builds[2])
	}
}

// TestKernelDumpIndex checks, on $KABI_VMLINUX, that kabi dump writes the
// same bytes from the vmlinux and from its index.
func TestKernelDumpIndex(t *testing.T) {
	vmlinux := os.Getenv("KABI_VMLINUX")
	if vmlinux == "" {
		t.Skip("KABI_VMLINUX is not set")
	}
	dir := indexFixtures(t, vmlinux)
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("%d files", len(ents))
	}
	ix := filepath.Join(dir, ents[0].Name())
	want, err := runOut(t, "dump", vmlinux)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runOut(t, "dump", ix)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("dump of %s (%d bytes) and of its index (%d bytes) differ", vmlinux, len(want), len(got))
	}
	t.Logf("%s: dump of %d bytes, the same from the index", vmlinux, len(want))
}

// TestIndexRejectedMakesNoFolder: kabi index -o DIR makes DIR only to write
// an index into it: when every build is rejected, before analysis (not an
// ELF file) or by it (no DWARF), there is no DIR afterwards.
func TestIndexRejectedMakesNoFolder(t *testing.T) {
	tmp := t.TempDir()
	notELF := filepath.Join(tmp, "notes.txt")
	os.WriteFile(notELF, []byte("hello"), 0o644)
	noDWARF := filepath.Join(tmp, "nodwarf.elf")
	data, err := os.ReadFile(td + "x86_64-dwarf5.elf")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), ".debug_info\x00")
	copy(data[i:], ".xebug_info")
	os.WriteFile(noDWARF, data, 0o644)
	for _, build := range []string{notELF, noDWARF} {
		dir := filepath.Join(tmp, "index-"+filepath.Base(build))
		if _, err := runOut(t, "index", "-o", dir, build); err == nil {
			t.Errorf("%s: no error", build)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s: the folder was made (%v)", build, err)
		}
	}
}

// TestIndexInterrupted: an interrupt (the command's context cancelled)
// stops kabi index with context.Canceled, exit status 130 in main, and no
// index file; an index already there stays as it was.
func TestIndexInterrupted(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "6.1.99-1-amd64.kabi")
	if err := os.WriteFile(old, []byte("an earlier file"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(context.Background())
	cancel()
	saved := ctx
	ctx = c
	defer func() { ctx = saved }()
	_, err := runOut(t, "index", "-o", dir, td+"cmp-6.1.99-1-amd64.elf", td+"i386.elf")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d files after the interrupt, want the earlier one alone", len(ents))
	}
	if data, _ := os.ReadFile(old); string(data) != "an earlier file" {
		t.Errorf("the earlier file was overwritten: %q", data)
	}
	for _, args := range [][]string{{"show", "vmap", td + "x86_64.elf"}, {"report", "vmap", td + "cmp-6.1.99-1-amd64.elf", td + "cmp-6.2.5-1-amd64.elf"}} {
		if _, err := runOut(t, args...); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", args[0], err)
		}
	}
}

// TestIndexModules: index -modules writes the whole kernel's index under
// a name of its own, which answers for the modules' functions as the
// analysis does; from a module tree it is written again on every run,
// from a package only when the package changed.
func TestIndexModules(t *testing.T) {
	dir := t.TempDir()
	vmlinux, tree := td+"x86_64-dwarf5.elf", td+"modules/6.1.99-1-amd64"
	out, err := runOut(t, "index", "-o", dir, "-modules", tree, vmlinux)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ix := filepath.Join(dir, "6.1.99-1-amd64+modules.kabi")
	if _, err := os.Stat(ix); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// A function of a module: the same answer from the index as from the
	// vmlinux with its modules, and none from the vmlinux alone.
	want, err := runOut(t, "show", "-format", "json", "-modules", tree, "kfx_blk_submit", vmlinux)
	if err != nil || !strings.Contains(want, "kfx_blk") {
		t.Fatalf("show from the vmlinux and its modules: %v\n%s", err, want)
	}
	got, err := runOut(t, "show", "-format", "json", "kfx_blk_submit", ix)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ReplaceAll(got, ix, vmlinux) != want {
		t.Errorf("the index answers otherwise:\n%s\n---\n%s", got, want)
	}
	if _, err := runOut(t, "show", "kfx_blk_submit", vmlinux); err == nil {
		t.Errorf("kfx_blk_submit found in the vmlinux alone")
	}
	// Not taken as up to date: the module tree is not in the check.
	out, err = runOut(t, "index", "-o", dir, "-modules", tree, vmlinux)
	if err != nil || strings.Contains(out, "up to date") || !strings.Contains(out, "+modules.kabi: ") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	// The vmlinux's own index is a different file.
	out, err = runOut(t, "index", "-o", dir, vmlinux)
	if err != nil || !strings.Contains(out, filepath.Join(dir, "6.1.99-1-amd64.kabi")+": ") {
		t.Errorf("the vmlinux alone: %v\n%s", err, out)
	}
	// From a package, which holds the modules too, the second run is up
	// to date, and a changed package is indexed again.
	pkg := filepath.Join(dir, "modules-xz.deb")
	data, err := os.ReadFile(td + "deb/modules-xz.deb")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pkg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	pkgOut := filepath.Join(dir, "pkg")
	for i, want := range []string{"+modules.kabi: ", "+modules.kabi: up to date", "+modules.kabi: "} {
		if i == 2 {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(pkg, later, later); err != nil {
				t.Fatal(err)
			}
		}
		out, err := runOut(t, "index", "-o", pkgOut, "-modules", "auto", pkg)
		if err != nil || !strings.Contains(out, want) || (i != 1 && strings.Contains(out, "up to date")) {
			t.Errorf("package, run %d: %v, want %q\n%s", i+1, err, want, out)
		}
	}
	for _, c := range []struct {
		args []string
		text string
	}{
		{[]string{"index", "-o", dir, "-modules", tree, vmlinux, td + "i386.elf"}, "takes one BUILD"},
		{[]string{"index", "-o", dir, "-modules", "auto", vmlinux}, "not named vmlinux-RELEASE"},
	} {
		if _, err := runOut(t, c.args...); err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.text)
		}
	}
}
