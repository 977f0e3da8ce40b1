package kabi

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClangThinLTO: clang ThinLTO promotes statics with a .llvm.<hash>
// suffix (transformation kind llvm), and its inlined subroutines refer to
// abstract entries in other units (static keys use the unit that holds the
// referenced entry).
func TestClangThinLTO(t *testing.T) {
	b := fixture(t, "clang")
	o := newOracle(t, "clang")
	for _, name := range []string{"vm_check_range", "vm_req_cost", "vm_req_check", "vm_scale", "vm_validate", "sig_hidden_helper"} {
		f, ok := b.Function(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if len(f.Symbols) != 1 || f.Symbols[0].Transforms != TransformLLVM || !f.Transformation ||
			!strings.HasPrefix(f.Symbols[0].Name, name+".llvm.") || f.Issues[len(f.Issues)-1] != IssueTransformation {
			t.Errorf("%s: symbols %v, transformation %v, issues %v", name, f.Symbols, f.Transformation, f.Issues)
		}
	}
	var dw []*Symbol
	for i := range o.syms {
		if strings.HasPrefix(o.syms[i].Name, "do_work") {
			s := o.sym(o.syms[i].Name, elf.ST_BIND(o.syms[i].Info))
			dw = append(dw, s)
		}
	}
	checkFunction(t, b, &Function{
		Name: "do_work",
		Instances: []*Instance{
			{File: "fs/file_fix.c", Location: loc("fs/file_fix.c", 34), Address: o.addr("do_work", elf.STB_GLOBAL), HasAddr: true, External: true,
				DirectCallers: callers("fs/file_fix.c:kfx_open_file")},
			{File: "kernel/sched_fix.c", Location: loc("kernel/sched_fix.c", 30), Address: dw[0].Address, HasAddr: true},
		},
		Symbols:        dw,
		Collision:      StaticGlobalCollision,
		Inline:         InlineNo,
		Transformation: true,
		Issues:         []Issue{IssueCollision, IssueTransformation},
	})
	// kfx_trace_outer in fs/file_fix.c is inlined into init/main.c's
	// start_kernel through a cross-unit reference.
	f, _ := b.Function("kfx_trace_outer")
	var fs *Instance
	for _, in := range f.Instances {
		if in.File == "fs/file_fix.c" {
			fs = in
		}
	}
	if fs == nil || !cmp.Equal(sitesOff(fs.InlineCallers), callers("init/main.c:start_kernel", "fs/file_fix.c:kfx_open_file")) {
		t.Errorf("kfx_trace_outer in fs/file_fix.c: %+v", fs)
	}
	// ThinLTO imported kfx_open_file into start_kernel.
	if f, _ := b.Function("kfx_open_file"); f.Inline != InlineSelective || len(f.Instances) != 1 ||
		!cmp.Equal(sitesOff(f.Instances[0].InlineCallers), callers("init/main.c:start_kernel")) {
		t.Errorf("kfx_open_file: %v %+v", f.Inline, f.Instances)
	}
	if stats := b.Stats(); stats.Transforms[TransformLLVM] != 8 || stats.SuffixedSymbols != 8 {
		t.Errorf("stats: %+v", stats)
	}
}

// TestRust: Rust units are walked (their functions sit inside namespaces);
// a mangled function is keyed by its linkage name, which its symbol
// carries, and found by its demangled name too.
func TestRust(t *testing.T) {
	b := fixture(t, "rust")
	o := newOracle(t, "rust")
	const mix = "_ZN8kfx_rust6helper3mix17hd1bcd427e1d0c0f3E"
	rs := "rust/kfx_rust.rs/@/kfx_rust.7c0ec5fb00e7877a-cgu.0"
	sym := o.sym(mix, elf.STB_GLOBAL)
	sym.Demangled = "kfx_rust::helper::mix"
	want := &Function{
		Name: mix, Demangled: "kfx_rust::helper::mix",
		Instances: []*Instance{{File: rs, Location: loc("rust/kfx_rust.rs", 26), Address: sym.Address, HasAddr: true, External: true}},
		Symbols:   []*Symbol{sym},
		Collision: UniqueGlobal, Inline: InlineNo,
	}
	checkFunction(t, b, want)
	if f, ok := b.Function("kfx_rust::helper::mix"); !ok || f.Name != mix || f.DisplayName() != "kfx_rust::helper::mix" {
		t.Errorf("lookup by demangled name: %v %v", f, ok)
	}
	checkFunction(t, b, &Function{
		Name: "kfx_rust_entry",
		Instances: []*Instance{{File: rs, Location: loc("rust/kfx_rust.rs", 15), Address: o.addr("kfx_rust_entry", elf.STB_GLOBAL), HasAddr: true,
			External: true, DirectCallers: callers("init/main.c:start_kernel")}},
		Symbols:   []*Symbol{o.sym("kfx_rust_entry", elf.STB_GLOBAL)},
		Collision: UniqueGlobal, Inline: InlineNo,
	})
	// core's wrapping_mul, inlined into mix: a v0-mangled static whose
	// location is outside the kernel tree.
	var wm *Function
	for f := range b.Functions() {
		if strings.HasSuffix(f.Demangled, "::wrapping_mul") {
			wm = f
		}
	}
	if wm == nil || !strings.HasPrefix(wm.Name, "_R") || wm.Inline != InlineFull || len(wm.Instances) != 1 ||
		!strings.HasSuffix(wm.Instances[0].Location.File, "library/core/src/num/int_macros.rs") ||
		!cmp.Equal(sitesOff(wm.Instances[0].InlineCallers), []Caller{{File: rs, Function: mix}}) {
		t.Errorf("wrapping_mul: %+v", wm)
		if wm != nil {
			t.Errorf("instances: %+v", wm.Instances[0])
		}
	}
}

// TestBadInput: bad files give errors that name the file and the
// problem, and never panic.
func TestBadInput(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "x86_64-dwarf5.elf"))
	if err != nil {
		t.Fatal(err)
	}
	noDebug := bytes.Clone(good)
	i := bytes.Index(noDebug, []byte(".debug_info\x00"))
	if i < 0 {
		t.Fatal("no .debug_info name in the fixture")
	}
	copy(noDebug[i:], ".xebug_info")
	// No symbol table: make the SHT_SYMTAB section header SHT_PROGBITS
	// (ELF64 little-endian: e_shoff at 0x28, e_shentsize 0x3a, e_shnum 0x3c).
	noSyms := bytes.Clone(good)
	le := binary.LittleEndian
	shoff, shentsize, shnum := le.Uint64(noSyms[0x28:]), uint64(le.Uint16(noSyms[0x3a:])), uint64(le.Uint16(noSyms[0x3c:]))
	for k := uint64(0); k < shnum; k++ {
		typ := noSyms[shoff+k*shentsize+4:]
		if le.Uint32(typ) == uint32(elf.SHT_SYMTAB) {
			le.PutUint32(typ, uint32(elf.SHT_PROGBITS))
		}
	}
	for _, c := range []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotELF, "not an ELF file"},
		{"text", []byte("hello, world\n"), ErrNotELF, "not an ELF file"},
		{"no-dwarf", noDebug, ErrNoDWARF, ".debug_info"},
		{"no-symtab", noSyms, ErrNoSymbols, "no symbol table"},
		{"truncated", good[:len(good)/2], nil, "truncated"},
	} {
		_, err := New(bytes.NewReader(c.data), c.name+".elf", nil)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: error %q does not wrap %q", c.name, err, c.want)
		}
		if !strings.Contains(err.Error(), c.name+".elf") || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: error %q should name the file and say %q", c.name, err, c.text)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestCorruptInput flips bytes all over a fixture and truncates it at many
// lengths, with the panic firewall off: any outcome but a panic is fine.
func TestCorruptInput(t *testing.T) {
	panicFirewall = false
	defer func() { panicFirewall = true }()
	good, err := os.ReadFile(filepath.Join("testdata", "x86_64-dwarf5.elf"))
	if err != nil {
		t.Fatal(err)
	}
	step := max(1, len(good)/400)
	for off := 0; off < len(good); off += step {
		bad := bytes.Clone(good)
		bad[off] ^= 0xff
		New(bytes.NewReader(bad), "corrupt.elf", nil)
		New(bytes.NewReader(good[:off]), "short.elf", nil)
	}
}

// TestConcurrency: the result does not depend on the number of workers,
// and progress reaches the total.
func TestConcurrency(t *testing.T) {
	ref := withoutAddresses(fixture(t, "x86_64-dwarf5"))
	var last, total int
	b, err := Open(filepath.Join("testdata", "x86_64-dwarf5.elf"), &Options{Concurrency: 1, Progress: func(d, n int) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ref, withoutAddresses(b)); diff != "" {
		t.Errorf("Concurrency 1 differs:\n%s", diff)
	}
	if last != total || total == 0 {
		t.Errorf("progress ended at %d of %d", last, total)
	}
}

// TestFunctionFilterOnce: Options.Functions' test demangles a mangled
// name once, however often the name is met (once per unit that has it):
// testing it again allocates nothing.
func TestFunctionFilterOnce(t *testing.T) {
	keep := functionFilter([]string{"kfx_rust::helper::mix"})
	const mix, other = "_ZN8kfx_rust6helper3mix17hd1bcd427e1d0c0f3E", "_ZN8kfx_rust6helper5other17hd1bcd427e1d0c0f3E"
	if !keep(mix) || keep(other) || keep("kfx_rust_entry") {
		t.Fatalf("keep(%s) %v, keep(%s) %v, keep(kfx_rust_entry) %v; want true, false, false", mix, keep(mix), other, keep(other), keep("kfx_rust_entry"))
	}
	if n := testing.AllocsPerRun(100, func() { keep(mix); keep(other) }); n != 0 {
		t.Errorf("testing two names met before: %v allocations, want 0 (demangled again)", n)
	}
}
