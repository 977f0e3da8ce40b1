package kabi

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/freelist"
	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// kernelFixture opens the fixture vmlinux of an architecture with the
// module tree beside it.
func kernelFixture(t *testing.T, elfName, release string, opts *Options) *Build {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	opts.ModuleDir = filepath.Join("testdata", "modules", release)
	b, err := Open(filepath.Join("testdata", elfName), opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestModuleAttach: a module's functions are judged by the module's own
// lists (kfx_trace's __mcount_loc and _kprobe_blacklist, relocated; its
// .noinstr.text and .init.text); a module without lists, beside a vmlinux
// without them, stays unknown.
func TestModuleAttach(t *testing.T) {
	b := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", nil)
	if got := b.ModuleAttachSources("kfx_trace"); got != (AttachSources{FtraceList: true, KprobeBlacklist: true}) {
		t.Errorf("kfx_trace's sources %+v", got)
	}
	if got := b.ModuleAttachSources("kfx_mod"); got != (AttachSources{}) {
		t.Errorf("kfx_mod's sources %+v", got)
	}
	check := func(b *Build) {
		t.Helper()
		for _, c := range []struct{ fn, want string }{
			{"kfx_trace_traced", "kprobe yes, fentry yes"},
			{"kfx_trace_notrace", "kprobe yes, fentry no (notrace)"},
			{"kfx_trace_nokprobe", "kprobe no (blacklisted), fentry yes"},
			{"kfx_trace_noinstr", "kprobe no (no-probe text), fentry no (notrace)"},
			{"kfx_trace_init", "kprobe no (init text), fentry no (init text)"},
			{"kfx_mod_probe", "kprobe unknown (no kprobe blacklist), fentry unknown (no ftrace list)"},
		} {
			f, ok := b.Function(c.fn)
			if !ok {
				t.Errorf("no function %s", c.fn)
				continue
			}
			if got := f.Attach.String(); got != c.want {
				t.Errorf("%s: %s, want %s", c.fn, got, c.want)
			}
			if f.Attach.BTF != AttachUnknown {
				t.Errorf("%s: BTF %v without any .BTF", c.fn, f.Attach.BTF)
			}
		}
	}
	check(b)
	// The index keeps each module's lists.
	x := viaIndex(t, b, "x.kabi")
	check(x)
	if got := x.ModuleAttachSources("kfx_trace"); got != b.ModuleAttachSources("kfx_trace") {
		t.Errorf("kfx_trace's sources from the index %+v", got)
	}
}

// TestModuleKfuncs: a module's kfunc ID set (kfx_trace's .BTF_ids) joins
// the build's kfuncs, beside vmlinux's, in the index too; the module is
// its function's.
func TestModuleKfuncs(t *testing.T) {
	b := kernelFixture(t, "hooks-6.1.99-1-amd64.elf", "6.1.99-1-amd64", nil)
	check := func(b *Build) {
		t.Helper()
		var names []string
		for k := range b.Kfuncs() {
			names = append(names, k.Name)
		}
		if want := []string{"bpf_kfx_file_acquire", "bpf_kfx_file_release", "kfx_trace_notrace", "kfx_trace_traced"}; !slices.Equal(names, want) {
			t.Errorf("kfuncs %q, want %q", names, want)
		}
		k, ok := b.Kfunc("kfx_trace_traced")
		if !ok || !slices.Equal(k.Sets, []string{"kfx_trace_kfunc_ids"}) || k.Signature == nil || k.Signature.String() != "int kfx_trace_traced(int x);" {
			t.Fatalf("kfx_trace_traced: %+v", k)
		}
		if f, _ := b.Function("kfx_trace_traced"); f == nil || !slices.Equal(f.Modules(), []string{"kfx_trace"}) {
			t.Errorf("kfx_trace_traced's modules: %v", f)
		}
		for s := range b.HookSkips() {
			if s.Kind != KindTracepoint { // kfx_trace's block_rq_issue: see TestModuleTracepoints
				t.Errorf("skip %v", s)
			}
		}
	}
	check(b)
	x := viaIndex(t, b, "x.kabi")
	check(x)
	// Without hooks, no module's either.
	if n := kernelFixture(t, "hooks-6.1.99-1-amd64.elf", "6.1.99-1-amd64", &Options{NoHooks: true}); len(slices.Collect(n.Kfuncs())) != 0 {
		t.Error("kfuncs read with NoHooks")
	}
}

func TestModulesFixture(t *testing.T) {
	var files []string
	b := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", &Options{
		ModuleProgress: func(p string, done, total int) {
			files = append(files, filepath.Base(p))
			if total != 5 || done != len(files) {
				t.Errorf("progress %d/%d for %s", done, total, p)
			}
		},
	})
	if want := []string{"kfx_blk.ko.zst", "kfx_mod.ko", "kfx_net.ko.xz", "kfx_noname.ko.gz", "kfx_trace.ko"}; !slices.Equal(files, want) {
		t.Errorf("progress files %v, want %v", files, want)
	}
	modOf := func(name string) []string {
		f, ok := b.Function(name)
		if !ok {
			t.Fatalf("no function %s", name)
		}
		var out []string
		for _, in := range f.Instances {
			out = append(out, in.Module)
		}
		return out
	}
	for _, c := range []struct {
		fn   string
		mods []string
	}{
		{"kfx_mod_probe", []string{"kfx_mod"}},
		{"kfx_mod_util", []string{"kfx_mod"}},
		{"kfx_net_rx", []string{"kfx_net"}},                 // .ko.xz
		{"kfx_blk_submit", []string{"kfx_blk"}},             // .ko.zst
		{"kfx_noname_hello", []string{"kfx_noname"}},        // .ko.gz, named by its file
		{"kfx_shared_init", []string{"kfx_mod", "kfx_net"}}, // static in two modules
		{"setup_once", []string{"", "", "kfx_mod"}},         // static in vmlinux twice and in kfx_mod
		{"vmap", []string{""}},                              // declared by kfx_mod: vmlinux's instance
	} {
		if got := modOf(c.fn); !slices.Equal(got, c.mods) {
			t.Errorf("%s: instance modules %q, want %q", c.fn, got, c.mods)
		}
	}
	f, _ := b.Function("setup_once")
	if f.Collision != StaticStaticCollision {
		t.Errorf("setup_once: collision %v, want %v", f.Collision, StaticStaticCollision)
	}
	var syms []string
	for _, s := range f.Symbols {
		syms = append(syms, s.KallsymsName())
	}
	if !slices.Contains(syms, "setup_once [kfx_mod]") || !slices.Contains(syms, "setup_once") {
		t.Errorf("setup_once symbols %q: want vmlinux's and kfx_mod's", syms)
	}
	// kfx_mod_probe's call of vmap is a direct caller of vmlinux's vmap.
	v, _ := b.Function("vmap")
	found := false
	for _, c := range v.Instances[0].DirectCallers {
		if c.Function == "kfx_mod_probe" {
			found = true
			// The site is in the module's own source, not vmlinux's.
			if c.Site.File != "" && !strings.HasPrefix(c.Site.File, "modules/") {
				t.Errorf("vmap: kfx_mod_probe's call site is in %q", c.Site.File)
			}
		}
	}
	// Call sites within a module keep their own file and address.
	u, _ := b.Function("kfx_mod_util")
	for _, c := range u.Instances[0].DirectCallers {
		if c.Site.File != "" && !strings.HasPrefix(c.Site.File, "modules/") {
			t.Errorf("kfx_mod_util: caller %s's call site is in %q", c.Function, c.Site.File)
		}
	}
	if !found {
		t.Errorf("vmap: kfx_mod_probe is not a direct caller: %v", v.Instances[0].DirectCallers)
	}
	p, _ := b.Function("kfx_mod_probe")
	if p.Signature == nil || !strings.Contains(p.Signature.String(), "kfx_mod_probe(struct page *p, int n)") {
		t.Errorf("kfx_mod_probe signature %v", p.Signature)
	}
	if len(p.Symbols) != 1 || p.Symbols[0].Module != "kfx_mod" || !strings.Contains(p.Symbols[0].String(), "kfx_mod_probe [kfx_mod] (STB_GLOBAL)") {
		t.Errorf("kfx_mod_probe symbols %v", p.Symbols)
	}
}

// TestModulesArches reads the fixture vmlinux and modules of the other
// architectures: relocated DWARF of i386 (REL), arm64 and s390x
// (big-endian) modules.
func TestModulesArches(t *testing.T) {
	for _, c := range []struct{ elf, release string }{
		{"i386.elf", "6.1.99-1-686-pae"}, {"aarch64.elf", "6.1.99-1-arm64"}, {"s390x.elf", "6.1.99-1-s390x"},
	} {
		t.Run(c.release, func(t *testing.T) {
			b := kernelFixture(t, c.elf, c.release, nil)
			for _, n := range []string{"kfx_mod_probe", "kfx_net_rx", "kfx_mod_util"} {
				f, ok := b.Function(n)
				if !ok || len(f.Instances) != 1 || f.Instances[0].Module == "" || f.Signature == nil {
					t.Errorf("%s: %+v", n, f)
					continue
				}
				if in := f.Instances[0]; !strings.HasPrefix(in.File, "modules/") || in.Location.Line == 0 {
					t.Errorf("%s: file %q location %v", n, in.File, in.Location)
				}
			}
		})
	}
}

func TestModulesReleaseMismatch(t *testing.T) {
	_, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: "testdata/modules/6.1.99-1-arm64"})
	if !errors.Is(err, ErrModuleRelease) || !strings.Contains(err.Error(), "6.1.99-1-arm64") ||
		!strings.Contains(err.Error(), "6.1.99-1-amd64") {
		t.Fatalf("got %v, want ErrModuleRelease naming both releases", err)
	}
}

// TestModulesDeterministic: the same Build whatever the concurrency.
func TestModulesDeterministic(t *testing.T) {
	dump := func(c int) string {
		b := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", &Options{Concurrency: c})
		var sb strings.Builder
		for f := range b.Functions() {
			sb.WriteString(f.Name)
			for _, in := range f.Instances {
				sb.WriteString(" " + in.Module + ":" + in.File)
			}
			for _, s := range f.Symbols {
				sb.WriteString(" " + s.String())
			}
			sb.WriteString("\n")
		}
		return sb.String()
	}
	if a, b := dump(1), dump(3); a != b {
		t.Fatalf("concurrency 1 and 3 differ:\n%s\n---\n%s", a, b)
	}
}

// TestModulesIndex: an index of the whole kernel answers as the analysis
// did, modules included.
func TestModulesIndex(t *testing.T) {
	b := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", nil)
	ix := viaIndex(t, b, "kernel.kabi")
	dump := func(b *Build) string {
		var out []byte
		for f := range b.Functions() {
			out = append(f.AppendJSON(out), '\n')
		}
		for s := range b.Symbols() {
			out = append(out, s.String()+"\n"...)
		}
		return string(out)
	}
	got, want := dump(ix), dump(b)
	if got != want {
		t.Fatalf("the index answers otherwise:\n%s\n---\n%s", got, want)
	}
	if !strings.Contains(want, `"module":"kfx_net"`) || !strings.Contains(want, "kfx_net_rx [kfx_net]") {
		t.Fatal("no module in the dump")
	}
}

// FuzzModule feeds module files (the fixture modules of every
// architecture) to the module analysis: relocations, .modinfo, symbols,
// DWARF.
func FuzzModule(f *testing.F) {
	paths, _ := filepath.Glob("testdata/modules/*/kernel/drivers/kfx/*.ko")
	if len(paths) == 0 {
		f.Fatal("no fixture modules")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// kfx_trace.ko with a trace event pointer's relocation of the wrong
	// type; the modules' trace events are read with the hooks fixture's
	// layout, as beside their vmlinux.
	f.Add(badEventRelocs(f, uint32(elf.R_X86_64_PC32)))
	v, err := Open(filepath.Join("testdata", "hooks-6.1.99-1-amd64.elf"), &Options{NoTypes: true, NoSignatures: true})
	if err != nil {
		f.Fatal(err)
	}
	k := &kernelLists{tpl: v.hk.tpl}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzcount.Count("FuzzModule")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		m := analyzeModuleKnown(bytes.NewReader(b), dwarfx.NewBudget(dwarfx.DefaultBudget(int64(len(b)))), "fuzz.ko", 0, &Options{}, SourceRootRule, k)
		if m.err == nil && m.s == nil {
			t.Fatal("no error and no analysis")
		}
	})
}

// TestModuleListNoBits: in a debug-only copy of a module (objcopy
// --only-keep-debug) a list's words are gone; with its RELA relocations
// kept the list is still known, without them it is unknown, not empty.
func TestModuleListNoBits(t *testing.T) {
	objcopy, err := exec.LookPath("objcopy")
	if err != nil {
		t.Skip("no objcopy")
	}
	src := filepath.Join("testdata", "modules", "6.1.99-1-amd64", "kernel", "drivers", "kfx", "kfx_trace.ko")
	for _, c := range []struct {
		args []string
		want AttachSources
	}{
		{nil, AttachSources{FtraceList: true, KprobeBlacklist: true}},
		{[]string{"--remove-section", ".rela__mcount_loc"}, AttachSources{KprobeBlacklist: true}},
	} {
		out := filepath.Join(t.TempDir(), "kfx_trace.ko")
		if msg, err := exec.Command(objcopy, append(append([]string{"--only-keep-debug"}, c.args...), src, out)...).CombinedOutput(); err != nil {
			t.Fatalf("objcopy: %v\n%s", err, msg)
		}
		ef, err := elf.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		all, err := readSymtab(ef, out, nil)
		if err != nil {
			t.Fatal(err)
		}
		syms, _ := functionSymbols(ef, all)
		got, err := markModule(ef, all, syms, AttachSources{FtraceList: true, KprobeBlacklist: true}, out, nil)
		ef.Close()
		if err != nil || got != c.want {
			t.Errorf("objcopy %v: sources %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

// TestModuleTypes: the types of a whole kernel are decided across its
// files: a type of vmlinux that a module also defines (struct page, in
// kfx_mod) is vmlinux's; one header's type defined by two modules
// (struct kfx_queue) is one type of both, decoded once; one name defined
// differently by two modules (struct kfx_priv) is two variants, each
// of its module; one contents written in two modules' files (struct
// kfx_stat) is one type at two places; a module's definition of a name
// vmlinux defines differently (struct kfx_file, with the hooks fixture)
// is a variant beside vmlinux's. The index keeps the modules; the result
// does not depend on the number of workers.
func TestModuleTypes(t *testing.T) {
	type want struct {
		mods []string
		locs []string
		size int64
	}
	check := func(b *Build, kind Kind, name string, wants ...want) {
		t.Helper()
		vs := b.TypeVariants(kind, name)
		if len(vs) != len(wants) {
			t.Errorf("%s %s: %d variants, want %d", kind, name, len(vs), len(wants))
			return
		}
		for i, v := range vs {
			var locs []string
			for _, l := range v.Locations {
				locs = append(locs, l.String())
			}
			if !slices.Equal(v.Modules, wants[i].mods) || !slices.Equal(locs, wants[i].locs) || v.Size != wants[i].size {
				t.Errorf("%s %s variant %d: modules %q at %q, %d bytes; want %q at %q, %d bytes",
					kind, name, i, v.Modules, locs, v.Size, wants[i].mods, wants[i].locs, wants[i].size)
			}
		}
	}
	checkAll := func(b *Build) {
		t.Helper()
		check(b, KindStruct, "page", want{nil, []string{"include/kfx/types.h:23"}, 24})
		check(b, KindStruct, "kfx_queue", want{[]string{"kfx_blk", "kfx_noname"}, []string{"modules/kfx_queue.h:12"}, 24})
		check(b, KindStruct, "kfx_priv",
			want{[]string{"kfx_blk"}, []string{"modules/kfx_blk.c:15"}, 8},
			want{[]string{"kfx_trace"}, []string{"modules/kfx_trace.c:34"}, 16})
		check(b, KindStruct, "kfx_stat", want{[]string{"kfx_noname", "kfx_trace"}, []string{"modules/kfx_noname.c:14", "modules/kfx_trace.c:39"}, 16})
		check(b, KindStruct, "kfx_file", want{[]string{"kfx_trace"}, []string{"modules/kfx_trace.c:44"}, 16})
		td, ok := b.Typedef("kfx_blk_cookie_t")
		if !ok || !slices.Equal(td.Modules, []string{"kfx_blk"}) || td.Def == nil || len(td.Locations) != 1 {
			t.Errorf("typedef kfx_blk_cookie_t: %+v", td)
		}
		if td, ok := b.Typedef("pgprot_t"); !ok || td.Modules != nil {
			t.Errorf("typedef pgprot_t (vmlinux's): %+v", td)
		}
	}
	b := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", &Options{Concurrency: 2})
	checkAll(b)
	checkAll(viaIndex(t, b, "x.kabi"))
	dump := func(b *Build) string {
		var out []byte
		for d := range b.Types(0) {
			out = append(d.AppendJSON(out), '\n')
		}
		return string(out)
	}
	if !strings.Contains(dump(b), `"name":"kfx_queue","size":24,"locations":[{"file":"modules/kfx_queue.h","line":12}],"modules":["kfx_blk","kfx_noname"],`) {
		t.Errorf("JSON of kfx_queue:\n%s", dump(b))
	}
	if one := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", &Options{Concurrency: 1}); dump(one) != dump(b) {
		t.Errorf("the types depend on the number of workers:\n%s\nagainst\n%s", dump(one), dump(b))
	}

	h := kernelFixture(t, "hooks-6.1.99-1-amd64.elf", "6.1.99-1-amd64", nil)
	check(h, KindStruct, "kfx_file",
		want{nil, []string{"include/kfx/hooks.h:65"}, 4},
		want{[]string{"kfx_trace"}, []string{"modules/kfx_trace.c:44"}, 16})
	if d, _ := h.Type(KindStruct, "kfx_file"); d == nil || d.Modules != nil {
		t.Errorf("Type(kfx_file) is not vmlinux's: %+v", d)
	}

	if n := kernelFixture(t, "x86_64-dwarf5.elf", "6.1.99-1-amd64", &Options{NoTypes: true}); n.TypeLen(0) != 0 {
		t.Errorf("%d types read with NoTypes", n.TypeLen(0))
	}
}

// TestModuleSurfaceKept: a module's analysis, kept until the kernel's
// merges it, holds what the merge reads, not the walk's lookup tables.
func TestModuleSurfaceKept(t *testing.T) {
	b, err := os.ReadFile(kfxTraceKO)
	if err != nil {
		t.Fatal(err)
	}
	m := analyzeModule(bytes.NewReader(b), dwarfx.NewBudget(dwarfx.DefaultBudget(int64(len(b)))), kfxTraceKO, &Options{}, SourceRootRule)
	if m.err != nil {
		t.Fatal(m.err)
	}
	s := m.s
	if s.strs != nil || s.fileIdx != nil || s.paths != nil || s.fns != nil || s.static != nil || s.kept != nil ||
		s.unitPath != nil || s.instOf != nil || s.callerOf != nil {
		t.Error("the kept module surface holds the walk's lookup tables")
	}
	if len(s.names) == 0 || len(s.files) == 0 || s.insts.len() == 0 {
		t.Errorf("the kept module surface has %d names, %d files, %d instances: nothing to merge", len(s.names), len(s.files), s.insts.len())
	}
}

// freeListDrops counts the calls of DropAll, for TestReadDropsFreeLists.
var freeListDrops atomic.Int64

func init() { freelist.Register(func() { freeListDrops.Add(1) }) }

// waitUnheld waits until no hold on the free lists is left: one taken by
// a dwarfx.Data another test did not close ends when it is collected.
func waitUnheld(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); freelist.Held(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the free lists are still held: a dwarfx.Data is still open")
		}
		runtime.GC()
	}
}

// waitDrops collects until the free lists have been emptied want times
// since before (counted by freeListDrops), and fails t if that takes
// over ten seconds or they are emptied more often.
func waitDrops(t *testing.T, before, want int64, when string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); freeListDrops.Load()-before < want; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			break
		}
		runtime.GC()
	}
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := freeListDrops.Load() - before; got != want {
		t.Errorf("%s: the free lists were emptied %d times, want %d", when, got, want)
	}
}

// freeListsEmpty fails t unless the free lists of this package are empty
// and not held (dwarfx's are TestCloseDropsFreeLists's).
func freeListsEmpty(t *testing.T, when string) {
	t.Helper()
	if n, m := scratchBufs.Len(), placeMemos.Len(); n+m != 0 || freelist.Held() {
		t.Errorf("%s: the free lists hold %d scratch buffers, %d place memos (held: %v); want none", when, n, m, freelist.Held())
	}
}

// TestReadDropsFreeLists: the free lists a read fills (a vmlinux, its
// module tree, a package, a single module) are emptied once it ends, once,
// whether it succeeds or fails, and not while another read is in
// progress: at the end of a module tree's read, else at the first
// collection after it, so that a read that follows at once reuses them.
// A read of the running kernel uses none.
func TestReadDropsFreeLists(t *testing.T) {
	const vm = "testdata/x86_64-dwarf5.elf"
	stopped, stop := context.WithCancel(context.Background())
	defer stop()
	read := map[string]func() error{
		"vmlinux": func() error { _, err := Open(vm, nil); return err },
		"vmlinux stopped after a unit": func() error {
			_, err := OpenContext(stopped, vm, &Options{Progress: func(int, int) { stop() }})
			return err
		},
		"module tree": func() error {
			_, err := Open(vm, &Options{ModuleDir: "testdata/modules/6.1.99-1-amd64"})
			return err
		},
		"module tree of another release": func() error { // the read stops early
			_, err := Open(vm, &Options{ModuleDir: "testdata/modules/6.1.99-1-arm64"})
			return err
		},
		"module": func() error {
			_, err := Open("testdata/modules/6.1.99-1-amd64/kernel/drivers/kfx/kfx_trace.ko", nil)
			return err
		},
		"package": func() error {
			_, err := Open("testdata/deb/linux-image-6.1.99-1-amd64-dbg_6.1.99-1_amd64.deb", nil)
			return err
		},
		"package with modules": func() error {
			_, err := Open("testdata/deb/modules-xz.deb", &Options{PackageModules: true})
			return err
		},
		"running kernel": func() error { _, err := OpenRunning("testdata/running-hooks", nil); return err },
	}
	for _, c := range []struct {
		name  string
		ok    bool
		drops int64 // 0: the read takes no hold
		now   bool  // emptied when the read ends, not at the next collection
	}{
		{"vmlinux", true, 1, false},
		{"vmlinux stopped after a unit", false, 1, false},
		{"module tree", true, 1, true},
		{"module tree of another release", false, 1, false}, // stopped before its modules were read
		{"module", true, 1, false},
		{"package", true, 1, false},
		{"package with modules", true, 1, true},
		{"running kernel", true, 0, false},
	} {
		waitUnheld(t)
		before := freeListDrops.Load()
		func() {
			defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection but the test's
			err := read[c.name]()
			if (err == nil) != c.ok {
				t.Fatalf("%s: error %v", c.name, err)
			}
			if got, want := freeListDrops.Load()-before, map[bool]int64{true: c.drops}[c.now]; got != want {
				t.Errorf("%s (error %v): when the read ended the free lists had been emptied %d times, want %d", c.name, err, got, want)
			}
		}()
		waitDrops(t, before, c.drops, c.name)
		freeListsEmpty(t, c.name)
	}

	// Reads one after another: the second finds what the first left.
	func() {
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		waitUnheld(t)
		before := freeListDrops.Load()
		if err := read["module"](); err != nil {
			t.Fatal(err)
		}
		if scratchBufs.Len()+placeMemos.Len() == 0 {
			t.Error("a module's read left nothing for the next")
		}
		if err := read["module"](); err != nil {
			t.Fatal(err)
		}
		if got := freeListDrops.Load() - before; got != 0 || scratchBufs.Len()+placeMemos.Len() == 0 {
			t.Errorf("two reads one after another: the lists were emptied %d times and hold %d scratch buffers, %d place memos; want 0 and some",
				got, scratchBufs.Len(), placeMemos.Len())
		}
		waitDrops(t, before, 1, "after two reads one after another")
	}()

	// Another read still going: the lists it shares are kept, and
	// emptied when it ends.
	release := freelist.Hold()
	before := freeListDrops.Load()
	if err := read["module tree"](); err != nil {
		t.Fatal(err)
	}
	if got := freeListDrops.Load() - before; got != 0 || scratchBufs.Len()+placeMemos.Len() == 0 {
		t.Errorf("with another read in progress the free lists were emptied %d times and hold %d scratch buffers, %d place memos; want 0 and some",
			got, scratchBufs.Len(), placeMemos.Len())
	}
	release()
	waitDrops(t, before, 1, "after the other read")
	freeListsEmpty(t, "after the other read")

	// Reads at once, of every kind: once all have ended, nothing is kept.
	var wg sync.WaitGroup
	for range 4 {
		for _, r := range read {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r() // some fail, as above
			}()
		}
	}
	wg.Wait()
	waitUnheld(t)
	for deadline := time.Now().Add(10 * time.Second); scratchBufs.Len()+placeMemos.Len() != 0 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		runtime.GC()
	}
	freeListsEmpty(t, "after reads at once")
}

// TestSymStage: the modules' symbols follow vmlinux's, in merge order,
// in an array of exactly their number, each field as it was (every field
// of Symbol is set, so that one the stage does not keep fails here).
func TestSymStage(t *testing.T) {
	vm := []Symbol{{Name: "a"}, {Name: "b"}}
	var empty symStage
	if got := empty.appendTo(vm, len(vm)); &got[0] != &vm[0] || len(got) != 2 {
		t.Fatalf("no modules: got %v, want vmlinux's own slice", got)
	}
	full := func(k int) Symbol {
		var y Symbol
		v := reflect.ValueOf(&y).Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(fmt.Sprintf("%s.%d", v.Type().Field(i).Name, k))
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				f.SetInt(int64(k + i + 1))
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				f.SetUint(uint64(k + i + 1))
			default:
				t.Fatalf("Symbol.%s: a field of kind %s, which this test does not fill", v.Type().Field(i).Name, f.Kind())
			}
		}
		return y
	}
	// Names and their parts, as functionSymbols makes them, and fields
	// that are empty.
	a := Symbol{Name: "f.isra.0", Stem: "f", Suffix: ".isra.0", Section: ".text", Module: "m1", Address: 3}
	a.Stem, a.Suffix = a.Name[:1], a.Name[1:]
	mods := [][]Symbol{{full(1), a}, nil, {full(2), {Name: "g"}, full(3)}}
	var st symStage
	n := len(vm)
	var want []Symbol
	want = append(want, vm...)
	for _, m := range mods {
		st.add(m)
		n += len(m)
		want = append(want, m...)
	}
	got := st.appendTo(vm, n)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if cap(got) != n {
		t.Errorf("cap %d, want %d", cap(got), n)
	}
	if g := got[3]; unsafe.StringData(g.Stem) != unsafe.StringData(g.Name) {
		t.Error("a staged symbol's stem is not a part of its name")
	}
	got[0].Name = "x"
	if vm[0].Name != "a" {
		t.Error("the result shares vmlinux's array")
	}
}
