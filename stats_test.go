package kabi

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestStatsSignatures: Stats counts the functions with a signature, the
// same from a build's file and from its index file, and none from a
// build read without signatures.
func TestStatsSignatures(t *testing.T) {
	b, err := Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for f := range b.Functions() {
		if f.Signature != nil {
			want++
		}
	}
	if want == 0 {
		t.Fatal("the fixture has no signatures")
	}
	if got := b.Stats().Signatures; got != want {
		t.Errorf("Signatures %d, want %d", got, want)
	}
	ib, _ := indexOf(t, b, false)
	if got := ib.Stats().Signatures; got != want {
		t.Errorf("from the index: Signatures %d, want %d", got, want)
	}
	nb, err := Open("testdata/x86_64-dwarf5.elf", &Options{NoSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := nb.Stats().Signatures; got != 0 {
		t.Errorf("read without signatures: Signatures %d", got)
	}
}

// TestBuildModules: a whole kernel's Build names its modules, and its
// index file keeps them; vmlinux alone has none.
func TestBuildModules(t *testing.T) {
	b, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: "testdata/modules/6.1.99-1-amd64"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kfx_blk", "kfx_mod", "kfx_net", "kfx_noname", "kfx_trace"}
	if got := b.Modules(); !slices.Equal(got, want) {
		t.Errorf("Modules %q, want %q", got, want)
	}
	ib, _ := indexOf(t, b, false)
	if got := ib.Modules(); !slices.Equal(got, want) {
		t.Errorf("from the index: Modules %q, want %q", got, want)
	}
	v, err := Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Modules(); len(got) != 0 {
		t.Errorf("vmlinux alone: Modules %q", got)
	}

	// A function vmlinux alone lacks: the error says the modules were
	// not read; not so for the whole kernel, nor a running kernel.
	hint := "the build is vmlinux alone"
	if _, err := v.Lookup("kfx_mod_fn"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), hint) {
		t.Errorf("vmlinux alone: %v", err)
	}
	r, err := OpenRunning("testdata/running-hooks", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Build{b, ib, r} {
		if _, err := x.Lookup("no_such_function_anywhere"); !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), hint) {
			t.Errorf("%s: %v", x.Meta.File, err)
		}
	}
}
