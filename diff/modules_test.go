package diff

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/kabi-dev/kabi"
)

// TestModuleMoves: between the fixture vmlinux alone and the same vmlinux
// with its module tree, setup_once (static in vmlinux, and in kfx_mod)
// moves from vmlinux to "vmlinux, kfx_mod", in the surface diff and in the
// function's status changes; vmap, which kfx_mod only declares, stays in
// vmlinux; the modules' own functions are added.
func TestModuleMoves(t *testing.T) {
	alone := fixtureBuilds(t, "x86_64-dwarf5")[0]
	whole, err := kabi.Open(filepath.Join("..", "testdata", "x86_64-dwarf5.elf"),
		&kabi.Options{ModuleDir: filepath.Join("..", "testdata", "modules", "6.1.99-1-amd64")})
	if err != nil {
		t.Fatal(err)
	}
	d := Surfaces(alone, whole)
	want := Moved{Name: "setup_once", From: "vmlinux", To: "vmlinux, kfx_mod"}
	if !slices.Contains(d.Moved, want) {
		t.Errorf("moved %v, want %v among them", d.Moved, want)
	}
	for _, m := range d.Moved {
		if m.Name == "vmap" {
			t.Errorf("vmap moved: %v", m)
		}
	}
	if !slices.Contains(d.Added, "nf_conntrack_in") && !slices.Contains(d.Added, "kfx_trace_traced") {
		t.Errorf("added %v: no module function", d.Added)
	}
	of, _ := alone.Function("setup_once")
	nf, _ := whole.Function("setup_once")
	var got []string
	for _, c := range StatusChanges(of, nf) {
		got = append(got, c.String())
	}
	if len(got) == 0 || got[0] != "module: vmlinux → vmlinux, kfx_mod" {
		t.Errorf("status changes %q: want the module first", got)
	}
	// The other way round too; and no module change between one build.
	if c := StatusChanges(nf, of); len(c) == 0 || c[0].What != "module" || c[0].New != "vmlinux" {
		t.Errorf("status changes back %v", c)
	}
	if c := StatusChanges(nf, nf); len(c) != 0 {
		t.Errorf("status changes of a function with itself %v", c)
	}
}

// TestTypeMoves: struct kfx_file is vmlinux's in the hooks fixture and
// only kfx_trace's in the x86_64-dwarf5 kernel with its modules: it moved
// from vmlinux to the module (and back the other way), as did the trace
// event structs, which kfx_trace's events use (kfx/hooks.h); struct page,
// vmlinux's in both, did not move; the modules' own types are added.
func TestTypeMoves(t *testing.T) {
	mods := &kabi.Options{ModuleDir: filepath.Join("..", "testdata", "modules", "6.1.99-1-amd64")}
	hooks, err := kabi.Open(filepath.Join("..", "testdata", "hooks-6.1.99-1-amd64.elf"), nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := kabi.Open(filepath.Join("..", "testdata", "x86_64-dwarf5.elf"), mods)
	if err != nil {
		t.Fatal(err)
	}
	structs := TypeSurfaces(hooks, whole)[0]
	var want []Moved
	for _, n := range []string{"kfx_file", "kfx_list_head", "trace_event_call", "trace_event_class", "tracepoint"} {
		want = append(want, Moved{Name: n, From: "vmlinux", To: "kfx_trace"})
	}
	if !slices.Equal(structs.Moved, want) {
		t.Errorf("moved %v, want %v", structs.Moved, want)
	}
	if !slices.Contains(structs.Added, "kfx_queue") {
		t.Errorf("added %v: no kfx_queue", structs.Added)
	}
	back := TypeSurfaces(whole, hooks)[0]
	for i := range want {
		want[i].From, want[i].To = want[i].To, want[i].From
	}
	if !slices.Equal(back.Moved, want) {
		t.Errorf("moved back %v, want %v", back.Moved, want)
	}
	if same := TypeSurfaces(whole, whole)[0]; len(same.Moved) != 0 {
		t.Errorf("a build against itself moved %v", same.Moved)
	}
}
