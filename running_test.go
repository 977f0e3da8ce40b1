package kabi

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// TestRunningMachine reads this machine's running kernel, where it has BTF,
// and checks that every BTF function of it is a Function of the build.
func TestRunningMachine(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no /sys/kernel/btf/vmlinux")
	}
	b, err := OpenRunning("", nil)
	if err != nil {
		t.Fatal(err)
	}
	funcs, err := BTFSignatures("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range funcs {
		f, ok := b.Function(fn.Signature.Name)
		if !ok {
			t.Fatalf("BTF function %s is not in the build", fn.Signature.Name)
		}
		if f.Inline != InlineUnknown || f.Collision != CollisionUnknown || f.Instances != nil || f.Signature == nil {
			t.Fatalf("%s: %v %v %d instances, signature %v", f.Name, f.Inline, f.Collision, len(f.Instances), f.Signature)
		}
	}
	// Every function of every loaded module's BTF too.
	ents, _ := os.ReadDir("/sys/kernel/btf")
	mods := 0
	for _, e := range ents {
		if e.Name() == "vmlinux" {
			continue
		}
		mods++
		mf, err := os.Open(filepath.Join("/sys/kernel/btf", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		base, err := os.Open("/sys/kernel/btf/vmlinux")
		if err != nil {
			t.Fatal(err)
		}
		fns, err := ModuleBTFSignatures(mf, e.Name(), base, "vmlinux")
		mf.Close()
		base.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range fns {
			if _, ok := b.Function(fn.Signature.Name); !ok {
				t.Fatalf("module %s: BTF function %s is not in the build", e.Name(), fn.Signature.Name)
			}
		}
	}
	t.Logf("%d loaded modules with BTF", mods)
	if b.Meta.Release == "" || b.Meta.Arch == "" {
		t.Errorf("Meta = %+v", b.Meta)
	}
	t.Logf("%s %s: %d functions from %d BTF FUNCs", b.Meta.Release, b.Meta.Arch, b.Len(), len(funcs))
	if d, err := b.LookupType(Ref{Kind: KindStruct, Name: "task_struct"}); err != nil || len(d.Members) == 0 || d.Size <= 0 {
		t.Errorf("struct task_struct from BTF: %v", err)
	}
	tds := 0
	for range b.Typedefs() {
		tds++
	}
	t.Logf("types: %d structs, %d unions, %d enums, %d typedefs", b.TypeLen(KindStruct), b.TypeLen(KindUnion), b.TypeLen(KindEnum), tds)
}

func TestRunningNoBTF(t *testing.T) {
	_, err := OpenRunning(t.TempDir(), nil)
	if !errors.Is(err, ErrNoKernelBTF) || !strings.Contains(err.Error(), "-dbg") {
		t.Fatalf("error %v; want ErrNoKernelBTF saying how to get a debug package", err)
	}
}

// TestRunningFixture reads the fake tree testdata/running, made from the
// fixture build cmp-6.1.99-1-amd64.elf by gen-running.sh, and checks it
// against that build read from its DWARF.
func TestRunningFixture(t *testing.T) {
	b, d := runningFixture(t)
	m, dm := b.Meta, d.Meta
	if m.Release != dm.Release || m.Arch != dm.Arch || m.BuildID != dm.BuildID || m.Compiler != dm.Compiler || m.Flavor != dm.Flavor {
		t.Errorf("Meta = %+v\nwant the build's %+v", m, dm)
	}
	funcs, err := BTFSignatures("testdata/running/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	if len(funcs) < 20 {
		t.Fatalf("%d BTF functions", len(funcs))
	}
	same := 0
	for _, fn := range funcs {
		f, ok := b.Function(fn.Signature.Name)
		if !ok {
			t.Fatalf("BTF function %s missing", fn.Signature.Name)
		}
		if f.Inline != InlineUnknown || f.Collision != CollisionUnknown || f.Instances != nil {
			t.Errorf("%s: inline %v, collision %v, %d instances; want unknown", f.Name, f.Inline, f.Collision, len(f.Instances))
		}
		df, ok := d.Function(f.Name)
		if !ok {
			continue
		}
		// The symbols are the ELF file's, at the kallsyms offset.
		var got, want []string
		for _, s := range f.Symbols {
			got = append(got, fmt.Sprintf("%s %x %v", s.Name, s.Address-0xffffffff80000000, s.Bind))
		}
		for _, s := range df.Symbols {
			want = append(want, fmt.Sprintf("%s %x %v", s.Name, s.Address, s.Bind))
		}
		slices.Sort(got) // kallsyms lists by address, the symbol table not
		slices.Sort(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: symbols %v; the ELF file has %v", f.Name, got, want)
		}
		if f.Transformation != df.Transformation {
			t.Errorf("%s: transformation %v; want %v", f.Name, f.Transformation, df.Transformation)
		}
		if f.Signature != nil && df.Signature != nil && f.Signature.String() == df.Signature.String() {
			same++
		}
	}
	if f, _ := b.Function("kfx_cmp_config"); f == nil || f.Signature == nil || f.Signature.String() != "int kfx_cmp_config(int a, long int b, char *c);" {
		t.Errorf("kfx_cmp_config: %v", f)
	}
	t.Logf("%d BTF functions, %d with the DWARF signature", len(funcs), same)
	if b.Len() != len(funcs) {
		// One Function per name: the fixture has no duplicate static names in BTF.
		t.Errorf("%d functions for %d BTF FUNCs", b.Len(), len(funcs))
	}

	// Through an index: the same dump.
	l := viaIndex(t, b, "running.kabi")
	if !bytes.Equal(dumpOf(t, l), dumpOf(t, b)) {
		t.Error("the index's dump differs from the running kernel's")
	}
	if !bytes.Contains(dumpOf(t, b), []byte(`"inline":"Unknown","transformation":false,"signature":"int kfx_cmp_config(int a, long int b, char *c);","issues":[],"instances":null`)) {
		t.Error("the dump does not say the instances are unknown")
	}
}

func TestKallsymsBad(t *testing.T) {
	for _, c := range []struct{ text, msg string }{
		{"ffffffff81000000 T _text\ngarbage\n", ":2: bad kallsyms line \"garbage\""},
		{"zzzz T x\n", "not hexadecimal"},
		{"ffffffff81000000 TT x\n", "type"},
		{"ffffffff81000000 T x ext4\n", "brackets"},
		{"ffffffff81000000 T x [a] y\n", "ADDRESS TYPE NAME"},
		{"ffffffff81000000 T " + strings.Repeat("x", 5000) + "\n", "longer than"},
		{"ffffffff81000000 \x00 x\n", "type"},
	} {
		_, err := parseKallsyms(strings.NewReader(c.text), "kallsyms")
		if !errors.Is(err, ErrKallsyms) || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "kallsyms:") {
			t.Errorf("%q: error %v; want ErrKallsyms naming the file and saying %q", c.text[:min(len(c.text), 40)], err, c.msg)
		}
	}
	// A tree whose kallsyms is garbage: OpenRunning fails naming it.
	dir := t.TempDir()
	copyTree(t, "testdata/running", dir)
	os.WriteFile(filepath.Join(dir, "proc/kallsyms"), []byte("\x7fELF garbage\n"), 0o644)
	if _, err := OpenRunning(dir, nil); !errors.Is(err, ErrKallsyms) || !strings.Contains(err.Error(), "proc/kallsyms:1") {
		t.Errorf("error %v; want ErrKallsyms at proc/kallsyms:1", err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzKallsyms: any text gives symbols or an error wrapping ErrKallsyms,
// never a panic; every symbol kept is one line's.
func FuzzKallsyms(f *testing.F) {
	data, _ := os.ReadFile("testdata/running/proc/kallsyms")
	f.Add(data)
	f.Add([]byte("ffffffff81000000 T _text\nffffffffc0a01000 t x.isra.0\t[m]\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		fuzzcount.Count("FuzzKallsyms")
		syms, err := parseKallsyms(bytes.NewReader(text), "kallsyms")
		if err != nil {
			if !errors.Is(err, ErrKallsyms) {
				t.Fatalf("error %v does not wrap ErrKallsyms", err)
			}
			return
		}
		if len(syms) > bytes.Count(text, []byte("\n"))+1 {
			t.Fatalf("%d symbols from %d lines", len(syms), bytes.Count(text, []byte("\n"))+1)
		}
		for _, s := range kallsymsFunctions(syms) {
			if s.Stem == "" && s.Name != "" && s.Name[0] != '.' {
				t.Fatalf("symbol %q without a stem", s.Name)
			}
		}
		for _, s := range kallsymsSyscalls(syms, "amd64") {
			if len(s.Entries) != 1 || s.Entries[0].Number != -1 || !strings.HasSuffix(s.Entries[0].Wrapper, "sys_"+s.Name) {
				t.Fatalf("syscall %+v", s)
			}
		}
	})
}

// FuzzRunningModule: any bytes in a loaded module's place
// (/sys/kernel/btf/MODULE) give its functions, types and hooks over the
// fixture's vmlinux BTF, or an error naming the file; never a panic.
func FuzzRunningModule(f *testing.F) {
	mod, _ := os.ReadFile("testdata/running-hooks/sys/kernel/btf/kfx_mod")
	f.Add(mod)
	vm, err := os.ReadFile("testdata/running-hooks/sys/kernel/btf/vmlinux")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcount.Count("FuzzRunningModule")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		base, err := loadBTFSpec(vm, "vmlinux", nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := btfBytes(bytes.NewReader(data), "sys/kernel/btf/m")
		if err != nil {
			return
		}
		m := runningModule{name: "m", path: "sys/kernel/btf/m"}
		if err := m.read(raw, base); err != nil {
			if !strings.HasPrefix(err.Error(), m.path) {
				t.Fatalf("error %v does not name the file", err)
			}
			return
		}
		for _, fn := range m.funcs {
			_ = fn.Signature.String()
		}
		if _, err := btfTypeDefs(&btfConv{types: map[btf.Type]*Type{}}, m.spec, m.path); err != nil {
			return
		}
		if _, err := btfTypedefs(&btfConv{types: map[btf.Type]*Type{}}, m.spec, m.path); err != nil {
			return
		}
		if _, err := runningHooks(base, []runningModule{m}, nil, "amd64", "vmlinux"); err != nil {
			return
		}
	})
}

// TestRunningTypes: the running kernel's structs, unions and enums, read
// from its BTF, have the layouts (sizes, members' declarations, bit
// offsets and widths, enum values) of the DWARF definitions of the build
// the fake tree was made from; a BTF type has no location; without types
// asked for, none are read, and an index keeps them.
func TestRunningTypes(t *testing.T) {
	b, d := runningFixture(t)
	n := 0
	for def := range b.Types(0) {
		n++
		if len(def.Locations) != 0 {
			t.Errorf("%s %s: locations %v from BTF", def.Kind, def.Name, def.Locations)
		}
		got := layout(def, "")
		var want []string
		for _, v := range d.TypeVariants(def.Kind, def.Name) {
			want = append(want, layout(v, ""))
		}
		if !slices.Contains(want, got) {
			t.Errorf("from BTF:\n%s\nfrom DWARF:\n%s", got, strings.Join(want, "\n"))
		}
	}
	if n == 0 || b.TypeLen(KindStruct) == 0 || b.TypeLen(KindEnum) == 0 {
		t.Fatalf("%d types (%d structs, %d enums) from the fixture's BTF", n, b.TypeLen(KindStruct), b.TypeLen(KindEnum))
	}
	t.Logf("%d types from BTF, each equal to a DWARF definition", n)
	if nb, err := OpenRunning("testdata/running", &Options{NoTypes: true}); err != nil || nb.TypeLen(0) != 0 {
		t.Errorf("NoTypes: %v, %d types", err, nb.TypeLen(0))
	}
	ib := viaIndex(t, b, "running.kabi")
	if ib.TypeLen(0) != n {
		t.Errorf("%d types through the index, want %d", ib.TypeLen(0), n)
	}
}

// runningFixture reads the fake tree testdata/running and the fixture
// build it was made from, from its DWARF.
func runningFixture(t *testing.T) (running, dwarf *Build) {
	t.Helper()
	running, err := OpenRunning("testdata/running", nil)
	if err != nil {
		t.Fatal(err)
	}
	dwarf, err = Open("testdata/cmp-6.1.99-1-amd64.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	return running, dwarf
}

// TestRunningTypedefs: the running kernel's typedefs, read from its BTF,
// stand for the types the DWARF typedefs of the build the fake tree was
// made from do (an anonymous definition with the same layout), with no
// location; Resolve follows them; an index keeps them.
func TestRunningTypedefs(t *testing.T) {
	b, d := runningFixture(t)
	n, anon := 0, 0
	for a := range b.Typedefs() {
		n++
		if len(a.Locations) != 0 {
			t.Errorf("typedef %s: locations %v from BTF", a.Name, a.Locations)
		}
		da, ok := d.Typedef(a.Name)
		if !ok {
			t.Errorf("typedef %s from BTF is not in the DWARF build", a.Name)
			continue
		}
		if got, want := Declare(a.Type, a.Name), Declare(da.Type, da.Name); got != want {
			t.Errorf("typedef %s: %s from BTF, %s from DWARF", a.Name, got, want)
		}
		if (a.Def == nil) != (da.Def == nil) {
			t.Errorf("typedef %s: anonymous definition %v from BTF, %v from DWARF", a.Name, a.Def, da.Def)
		} else if a.Def != nil {
			anon++
			if got, want := layout(a.Def, ""), layout(da.Def, ""); got != want {
				t.Errorf("typedef %s:\n%s\nfrom DWARF:\n%s", a.Name, got, want)
			}
		}
	}
	dn := 0
	for range d.Typedefs() {
		dn++
	}
	if n == 0 || n > dn {
		t.Fatalf("%d typedefs from BTF, %d from DWARF", n, dn)
	}
	t.Logf("%d typedefs from BTF (%d of an anonymous type), %d from DWARF", n, anon, dn)
	ib := viaIndex(t, b, "running.kabi")
	in := 0
	for a := range ib.Typedefs() {
		in++
		if o, _ := b.Typedef(a.Name); o == nil || Declare(o.Type, "x") != Declare(a.Type, "x") {
			t.Errorf("typedef %s through the index: %v", a.Name, a)
		}
	}
	if in != n {
		t.Errorf("%d typedefs through the index, want %d", in, n)
	}
}

// TestRunningMachineHooks reads the hooks of this machine's running
// kernel, where it has BTF: each kind is listed or said to be unknown;
// every btf_trace_ typedef is a tracepoint with its prototype; every LSM
// hook has its bpf_lsm_ function where the kernel has the BPF LSM; every
// syscall names a wrapper kallsyms lists; and, where tracefs is readable,
// the tracepoints are about as many as its events.
func TestRunningMachineHooks(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no /sys/kernel/btf/vmlinux")
	}
	b, err := OpenRunning("", nil)
	if err != nil {
		t.Fatal(err)
	}
	count := map[Kind]int{}
	for _, k := range HookKinds() {
		for range b.Hooks(k) {
			count[k]++
		}
		if (count[k] == 0) == (b.HooksUnknown(k) == "") {
			t.Errorf("%s: %d hooks, unknown: %q", k, count[k], b.HooksUnknown(k))
		}
		t.Logf("%s: %d %s", k, count[k], b.HooksUnknown(k))
	}
	for tp := range b.Tracepoints() {
		if !tp.EventUnknown || tp.RawSignature == nil || !strings.HasPrefix(tp.RawPrototype(), "typedef void (*btf_trace_"+tp.Name+")(void *") {
			t.Fatalf("tracepoint %s: %+v %q", tp.Name, tp, tp.RawPrototype())
		}
	}
	if _, ok := b.Function("bpf_lsm_file_open"); ok {
		for l := range b.LSMHooks() {
			if l.BPF == nil && !strings.HasPrefix(l.Name, "CONFIG") {
				t.Errorf("LSM hook %s without %s", l.Name, l.BPFName())
			}
		}
	}
	for s := range b.Syscalls() {
		if len(s.Entries) != 1 || s.Entries[0].Number != -1 || s.Entries[0].Table != "" {
			t.Fatalf("syscall %s: %+v", s.Name, s.Entries)
		}
		if f, ok := b.Function(s.Entries[0].Wrapper); ok && len(f.Symbols) == 0 {
			t.Errorf("syscall %s: wrapper %s without a symbol", s.Name, s.Entries[0].Wrapper)
		}
	}
	if count[KindSyscall] > 0 {
		if _, ok := b.Syscall("openat"); !ok {
			t.Error("no syscall openat")
		}
	}
	for _, dir := range []string{"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"} {
		systems, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		events := 0
		for _, s := range systems {
			evs, _ := os.ReadDir(filepath.Join(dir, s.Name()))
			for _, e := range evs {
				if e.IsDir() && s.Name() != "syscalls" && s.Name() != "ftrace" {
					events++
				}
			}
		}
		// Every trace event of a tracepoint has a btf_trace_ typedef; bare
		// tracepoints add some, kprobe and other dynamic events are not.
		t.Logf("%s: %d events, %d tracepoints from BTF", dir, events, count[KindTracepoint])
		if events > 0 && (count[KindTracepoint] < events/2 || count[KindTracepoint] > 2*events) {
			t.Errorf("%d tracepoints from BTF for %d events in %s", count[KindTracepoint], events, dir)
		}
		break
	}
}

// TestRunningHooksFixture reads the hooks of the fake tree
// testdata/running-hooks, made from the hooks fixture by gen-running.sh,
// and checks them against that build's hooks read from its tables: every
// tracepoint with a raw tracepoint function, with its prototype and an
// unknown event; the LSM hooks; the kfuncs, with unknown sets; the
// syscalls of sys_call_table, by their wrappers, with unknown numbers.
// An index keeps all of it, and the renderers' facts say unknown.
func TestRunningHooksFixture(t *testing.T) {
	b, err := OpenRunning("testdata/running-hooks", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for tp := range d.Tracepoints() {
		if tp.RawSignature != nil {
			want = append(want, tp.Name+" "+tp.RawPrototype())
		}
	}
	for tp := range b.Tracepoints() {
		if !tp.EventUnknown || tp.Class != "" || tp.System != "" || tp.Format != "" || tp.ProbeName() != "" || tp.EventStruct() != "" {
			t.Errorf("tracepoint %s: %+v; want its event unknown", tp.Name, tp)
		}
		got = append(got, tp.Name+" "+tp.RawPrototype())
	}
	if len(want) < 3 || !slices.Equal(got, want) {
		t.Errorf("tracepoints:\n%s\nthe build's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	names := func(b *Build, k Kind) (out []string) {
		for h := range b.Hooks(k) {
			out = append(out, h.Ref().Name)
		}
		return out
	}
	for _, k := range []Kind{KindLSM, KindKfunc} {
		if g, w := names(b, k), names(d, k); len(w) == 0 || !slices.Equal(g, w) {
			t.Errorf("%s: %v; the build's: %v", k, g, w)
		}
		if why := b.HooksUnknown(k); why != "" {
			t.Errorf("%s unknown: %s", k, why)
		}
	}
	for l := range b.LSMHooks() {
		dl, _ := d.LSMHook(l.Name)
		if l.BPF == nil || dl.BPF == nil || l.BPF.String() != dl.BPF.String() {
			t.Errorf("LSM hook %s: bpf_lsm %v; the build's %v", l.Name, l.BPF, dl.BPF)
		}
	}
	for k := range b.Kfuncs() {
		if !k.SetsUnknown || k.Sets != nil || k.Signature == nil {
			t.Errorf("kfunc %+v", k)
		}
	}
	var wsys, gsys []string
	for s := range d.Syscalls() {
		if e, ok := s.Entry("sys_call_table"); ok {
			wsys = append(wsys, s.Name+" "+e.Wrapper)
		}
	}
	for s := range b.Syscalls() {
		if len(s.Entries) != 1 || s.Entries[0].Number != -1 || s.Entries[0].Table != "" {
			t.Errorf("syscall %s: %+v", s.Name, s.Entries)
			continue
		}
		gsys = append(gsys, s.Name+" "+s.Entries[0].Wrapper)
	}
	if len(wsys) == 0 || !slices.Equal(gsys, wsys) {
		t.Errorf("syscalls %v; the build's sys_call_table: %v", gsys, wsys)
	}
	// The configuration: proc/config.gz, the one the build embeds.
	var gc, wc []string
	for o := range b.Config() {
		gc = append(gc, o.Name+"="+o.Value)
	}
	for o := range d.Config() {
		wc = append(wc, o.Name+"="+o.Value)
	}
	if len(wc) == 0 || !slices.Equal(gc, wc) || b.ConfigSource() != filepath.Join("testdata/running-hooks", "proc/config.gz") || b.HooksUnknown(KindConfig) != "" {
		t.Errorf("config from %q: %v; the build's: %v", b.ConfigSource(), gc, wc)
	}
	// Without one (the other tree), it is unknown; one given is read.
	c, _ := runningFixture(t)
	if why := c.HooksUnknown(KindConfig); why == "" {
		t.Error("the configuration is not said to be unknown")
	}
	if _, err := c.LookupHook(Ref{Kind: KindConfig, Name: "CONFIG_HZ"}); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("LookupHook config: %v", err)
	}
	if c, err := OpenRunning("testdata/running", &Options{Config: "testdata/src/kernel/config_data.v2"}); err != nil || c.HooksUnknown(KindConfig) != "" {
		t.Errorf("a config file given: %v", err)
	} else if o, ok := c.ConfigOption("CONFIG_HZ"); !ok || o.Value != "1000" {
		t.Errorf("CONFIG_HZ from the file given: %v", o)
	}
	bad := t.TempDir()
	copyTree(t, "testdata/running-hooks", bad)
	os.WriteFile(filepath.Join(bad, "proc/config.gz"), []byte("not gzip"), 0o644)
	if _, err := OpenRunning(bad, nil); err == nil || !strings.Contains(err.Error(), "proc/config.gz") {
		t.Errorf("a bad config.gz: %v; want an error naming it", err)
	}

	// Through an index: the same dump, with the unknowns.
	l := viaIndex(t, b, "running-hooks.kabi")
	if !bytes.Equal(dumpOf(t, l), dumpOf(t, b)) {
		t.Error("the index's dump differs from the running kernel's")
	}
	dump := b.AppendHooksJSON(nil)
	if !bytes.Equal(l.AppendHooksJSON(nil), dump) {
		t.Errorf("the index's hooks differ from the running kernel's:\n%s\n%s", l.AppendHooksJSON(nil), dump)
	}
	for _, s := range []string{
		`{"kind":"tracepoint","name":"block_rq_issue","class":null,"system":null,"bare":null,"syscall":null,"flags":null,"format":null,"event_struct":"","probe":"",`,
		`"raw_prototype":"typedef void (*btf_trace_block_rq_issue)(void *__data, void *q, struct kfx_request *rq);"`,
		`{"kind":"kfunc","name":"bpf_kfx_file_acquire","sets":null,"signature":`,
		`{"kind":"syscall","name":"openat","entries":[{"table":null,"number":null,"wrapper":"__x64_sys_openat"}]}`,
	} {
		if !bytes.Contains(dump, []byte(s)) {
			t.Errorf("the dump lacks %s", s)
		}
	}
	if l.HooksUnknown(KindConfig) != b.HooksUnknown(KindConfig) {
		t.Errorf("through the index, config unknown: %q", l.HooksUnknown(KindConfig))
	}
	if nb, err := OpenRunning("testdata/running-hooks", &Options{NoHooks: true}); err != nil || nb.HooksUnknown(KindKfunc) != "" {
		t.Errorf("NoHooks: %v", err)
	} else {
		for range nb.Hooks(KindTracepoint) {
			t.Fatal("NoHooks: tracepoints read")
		}
	}
}

// TestRunningModules: the loaded module of testdata/running-hooks
// (kfx_mod: its split BTF over vmlinux's, and its kallsyms symbols) gives
// its functions, held by the module through their symbols, with the
// signatures its DWARF gives in the module-tree build; its own types are
// the build's; a module BTF file that is not split BTF is an error
// naming it.
func TestRunningModules(t *testing.T) {
	b, err := OpenRunning("testdata/running-hooks", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: filepath.Join("testdata", "modules", "6.1.99-1-amd64")})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/running-hooks/sys/kernel/btf/kfx_mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base, err := os.Open("testdata/running-hooks/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	modFuncs, err := ModuleBTFSignatures(f, "kfx_mod", base, "vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	if len(modFuncs) == 0 {
		t.Fatal("no functions in kfx_mod's BTF")
	}
	for _, mf := range modFuncs {
		fn, ok := b.Function(mf.Signature.Name)
		if !ok {
			t.Errorf("kfx_mod's BTF function %s is not in the build", mf.Signature.Name)
			continue
		}
		if fn.Signature == nil || fn.Signature.String() != mf.Signature.String() {
			t.Errorf("%s: signature %v; the module's BTF has %s", fn.Name, fn.Signature, mf.Signature.String())
		}
		if !slices.Contains(fn.Modules(), "kfx_mod") {
			t.Errorf("%s: modules %v; want kfx_mod (its kallsyms symbol)", fn.Name, fn.Modules())
		}
		if df, ok := d.Function(fn.Name); ok && df.Signature != nil && df.Signature.String() != fn.Signature.String() {
			t.Errorf("%s: %s from BTF, %s from the module's DWARF", fn.Name, fn.Signature, df.Signature)
		}
		if fn.Inline != InlineUnknown || fn.InstancesKnown() {
			t.Errorf("%s: inline %v, instances known", fn.Name, fn.Inline)
		}
	}
	if b.ModuleAttachSources("kfx_mod") != (AttachSources{BTF: true}) {
		t.Errorf("kfx_mod attach sources %+v", b.ModuleAttachSources("kfx_mod"))
	}
	t.Logf("%d functions from kfx_mod's BTF", len(modFuncs))

	// The modules' own types: each has the layout of a definition the
	// whole-kernel build (the hooks vmlinux and the fixture modules, from
	// DWARF) gives to those modules; struct kfx_file of kfx_trace is a
	// variant beside vmlinux's.
	w, err := Open("testdata/hooks-6.1.99-1-amd64.elf", &Options{ModuleDir: filepath.Join("testdata", "modules", "6.1.99-1-amd64")})
	if err != nil {
		t.Fatal(err)
	}
	own := 0
	for def := range b.Types(0) {
		if len(def.Modules) == 0 {
			continue
		}
		own++
		found := false
		for _, v := range w.TypeVariants(def.Kind, def.Name) {
			if layout(v, "") == layout(def, "") && len(v.Modules) > 0 && slices.Contains(v.Modules, def.Modules[0]) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %s of %v: no such definition of those modules in the whole-kernel build:\n%s", def.Kind, def.Name, def.Modules, layout(def, ""))
		}
	}
	if vs := b.TypeVariants(KindStruct, "kfx_file"); own == 0 || len(vs) != 2 || len(vs[0].Modules) != 0 || !slices.Equal(vs[1].Modules, []string{"kfx_trace"}) {
		t.Errorf("%d module types; struct kfx_file variants %v", own, vs)
	}

	// A standalone BTF in the module's place.
	dir := t.TempDir()
	copyTree(t, "testdata/running-hooks", dir)
	vm, _ := os.ReadFile("testdata/running/sys/kernel/btf/vmlinux")
	os.WriteFile(filepath.Join(dir, "sys/kernel/btf/kfx_mod"), vm, 0o644)
	if _, err := OpenRunning(dir, nil); err == nil || !strings.Contains(err.Error(), "sys/kernel/btf/kfx_mod: not split BTF") {
		t.Errorf("error %v; want one naming the module's BTF", err)
	}
	// A truncated one.
	mod, _ := os.ReadFile("testdata/running-hooks/sys/kernel/btf/kfx_mod")
	os.WriteFile(filepath.Join(dir, "sys/kernel/btf/kfx_mod"), mod[:len(mod)/2], 0o644)
	if _, err := OpenRunning(dir, nil); !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "kfx_mod") {
		t.Errorf("error %v; want ErrTruncated naming the module's BTF", err)
	}
}

// TestRunningTracepointModule: a tracepoint whose btf_trace_ typedef is
// in a loaded module's BTF is that module's, one in vmlinux's BTF and a
// module's is vmlinux's.
func TestRunningTracepointModule(t *testing.T) {
	spec := func(names ...string) *btf.Spec {
		t.Helper()
		bld, err := btf.NewBuilder(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			proto := &btf.FuncProto{Return: &btf.Void{}, Params: []btf.FuncParam{{Name: "__data", Type: &btf.Pointer{Target: &btf.Void{}}}}}
			if _, err := bld.Add(&btf.Typedef{Name: "btf_trace_" + n, Type: &btf.Pointer{Target: proto}}); err != nil {
				t.Fatal(err)
			}
		}
		raw, err := bld.Marshal(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	mods := []runningModule{{name: "kfx_trace", path: "kfx_trace", spec: spec("kfx_trace_hit", "sched_switch")}}
	h, err := runningHooks(spec("sched_switch"), mods, nil, "amd64", "vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tp := range h.tracepoints {
		got[tp.Name] = tp.Module
	}
	if want := map[string]string{"kfx_trace_hit": "kfx_trace", "sched_switch": ""}; !maps.Equal(got, want) {
		t.Errorf("tracepoints and their modules: %v, want %v", got, want)
	}
}
