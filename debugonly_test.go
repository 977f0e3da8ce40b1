package kabi

import (
	"bytes"
	"debug/elf"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/elfcraft"
)

// TestDebugOnly reads a fixture as objcopy --only-keep-debug leaves it
// (code and data SHT_NOBITS, the banner with them): the functions are
// those of the whole file; the release comes from a distribution's path,
// the compiler from .comment, and what the file cannot say is empty.
func TestDebugOnly(t *testing.T) {
	b := crafted(t, "x86_64-dwarf5", elfcraft.KeepDebugOnly)
	whole := fixture(t, "x86_64-dwarf5")
	if whole.Meta.Banner == "" {
		t.Fatal("the whole fixture has no banner")
	}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	comment, err := ef.Section(".comment").Data()
	if err != nil {
		t.Fatal(err)
	}
	wantCompiler := strings.Trim(string(comment), "\x00")
	if !strings.HasPrefix(wantCompiler, "GCC: ") || strings.Contains(wantCompiler, "\x00") {
		t.Fatalf(".comment is %q", comment)
	}
	for _, c := range []struct {
		name, release string
	}{
		{"/usr/lib/debug/lib/modules/6.1.99-1-amd64/vmlinux", "6.1.99-1-amd64"},
		{"/usr/lib/debug/boot/vmlinux-6.1.99-1-amd64", "6.1.99-1-amd64"},
		{"debug.elf", ""},
	} {
		bd, err := New(bytes.NewReader(b), c.name, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		m := bd.Meta
		if m.Release != c.release || m.Compiler != wantCompiler || m.Banner != "" || m.BuildID != whole.Meta.BuildID || m.Arch != "amd64" {
			t.Errorf("%s: metadata %+v, want release %q, compiler %q, build ID %s", c.name, m, c.release, wantCompiler, whole.Meta.BuildID)
		}
		if c.release != "" && (m.Version != "6.1.99" || m.Revision != "1" || m.Flavor != "amd64") {
			t.Errorf("%s: version %q revision %q flavor %q", c.name, m.Version, m.Revision, m.Flavor)
		}
		if bd.Len() != whole.Len() {
			t.Errorf("%s: %d functions, the whole file has %d", c.name, bd.Len(), whole.Len())
		}
	}
}

func TestReleaseFromPath(t *testing.T) {
	for path, want := range map[string]string{
		"/usr/lib/debug/lib/modules/6.5.6-300.fc39.x86_64/vmlinux": "6.5.6-300.fc39.x86_64",
		"/usr/lib/debug/boot/vmlinux-6.1.0-47-amd64":               "6.1.0-47-amd64",
		"vmlinux-5.4.0-26-generic.debug":                           "5.4.0-26-generic",
		"/tmp/vmlinux":                                             "",
		"/lib/modules/build/vmlinux":                               "",
		"vmlinux-latest":                                           "",
		"debug.elf":                                                "",
	} {
		if got := releaseFromPath(path); got != want {
			t.Errorf("releaseFromPath(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestDebugOnlyKernel reads the metadata of a real kernel as
// objcopy --only-keep-debug would leave it (its section types changed
// in memory, the file not copied), under Fedora's path for it.
func TestDebugOnlyKernel(t *testing.T) {
	p := realKernel(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ReadMetadata(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The section header table, with every allocated section but notes
	// made SHT_NOBITS.
	var shoff uint64
	var entSize uint64 = 64
	if ef.Class == elf.ELFCLASS32 {
		entSize = 40
	}
	hdr := make([]byte, 64)
	f.ReadAt(hdr, 0)
	if ef.Class == elf.ELFCLASS64 {
		shoff = ef.ByteOrder.Uint64(hdr[0x28:])
	} else {
		shoff = uint64(ef.ByteOrder.Uint32(hdr[0x20:]))
	}
	table := make([]byte, entSize*uint64(len(ef.Sections)))
	if _, err := f.ReadAt(table, int64(shoff)); err != nil {
		t.Fatal(err)
	}
	for i, s := range ef.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Type != elf.SHT_NOTE {
			ef.ByteOrder.PutUint32(table[uint64(i)*entSize+4:], uint32(elf.SHT_NOBITS))
		}
	}
	name := "/usr/lib/debug/lib/modules/" + whole.Release + "/vmlinux"
	dbg, err := elf.NewFile(&patchedReader{r: f, off: int64(shoff), data: table})
	if err != nil {
		t.Fatal(err)
	}
	budget := dwarfx.NewBudget(math.MaxUint64)
	_, banner, err := readSymbols(dbg, name, budget)
	if err != nil {
		t.Fatal(err)
	}
	m := readMetadata(dbg, name, banner, &Options{}, budget)
	if m.Banner != "" || m.Release != whole.Release || m.BuildID != whole.BuildID || !strings.HasPrefix(m.Compiler, "GCC: ") {
		t.Errorf("debug-only metadata %+v; whole %+v", m, whole)
	}
	t.Logf("release %s, compiler %s, build ID %s", m.Release, m.Compiler, m.BuildID)
}
