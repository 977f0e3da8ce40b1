package kabi

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"
)

// The hooks fixtures (testdata/README.md, "Hooks fixtures"): one source
// tree with a miniature of each mechanism, for x86_64, i386 (32-bit
// pointers) and s390x (big endian), and a version 2 with changes.
var hookFixtures = []string{"hooks-6.1.99-1-amd64", "hooks-6.1.99-1-686-pae", "hooks-6.1.99-1-s390x"}

func openFixture(t testing.TB, name string) *Build {
	t.Helper()
	b, err := Open("testdata/"+name+".elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHooksFixtures(t *testing.T) {
	for _, name := range hookFixtures {
		t.Run(name, func(t *testing.T) {
			b := openFixture(t, name)
			for s := range b.HookSkips() {
				t.Errorf("skip: %v", s)
			}
			var tps []string
			for tp := range b.Tracepoints() {
				tps = append(tps, tp.Name)
			}
			if want := []string{"block_rq_insert", "block_rq_issue", "pelt_kfx_tp", "sched_switch", "sys_enter_openat"}; !slices.Equal(tps, want) {
				t.Errorf("tracepoints %q, want %q", tps, want)
			}
			tp, ok := b.Tracepoint("block_rq_issue")
			if !ok {
				t.Fatal("no block_rq_issue")
			}
			if tp.Class != "block_rq" || tp.System != "block" || tp.Syscall || tp.Flags != 1<<5 ||
				tp.Format != `"%d %llu + %u", REC->dev, REC->sector, REC->nr_sector` {
				t.Errorf("block_rq_issue: %+v", *tp)
			}
			if got := tp.Probe.String(); got != "void trace_event_raw_event_block_rq(void *__data, void *q, struct kfx_request *rq);" {
				t.Errorf("probe %q", got)
			}
			if got := tp.RawPrototype(); got != "typedef void (*btf_trace_block_rq_issue)(void *__data, void *q, struct kfx_request *rq);" {
				t.Errorf("raw prototype %q", got)
			}
			if tp.EventStruct() != "trace_event_raw_block_rq" || tp.ProbeName() != "trace_event_raw_event_block_rq" {
				t.Errorf("event struct %q, probe %q", tp.EventStruct(), tp.ProbeName())
			}
			sc, _ := b.Tracepoint("sys_enter_openat")
			if sc == nil || !sc.Syscall || sc.System != "syscalls" || sc.Class != "syscall_enter" || sc.Format != "" ||
				sc.ProbeName() != "" || sc.EventStruct() != "" || sc.Probe != nil || sc.RawPrototype() != "" {
				t.Errorf("sys_enter_openat: %+v", sc)
			}

			bare, _ := b.Tracepoint("pelt_kfx_tp")
			if bare == nil || !bare.Bare || bare.Class != "" || bare.System != "" || bare.ProbeName() != "" || bare.EventStruct() != "" ||
				bare.RawPrototype() != "typedef void (*btf_trace_pelt_kfx_tp)(void *__data, struct kfx_request *rq);" {
				t.Errorf("pelt_kfx_tp: %+v", bare)
			}

			var hooks []string
			for l := range b.LSMHooks() {
				hooks = append(hooks, l.Name)
			}
			if want := []string{"bprm_check_security", "file_open"}; !slices.Equal(hooks, want) {
				t.Errorf("LSM hooks %q, want %q", hooks, want)
			}
			fo, _ := b.LSMHook("file_open")
			if fo.Security.String() != "int security_file_open(struct kfx_file *file);" || fo.BPF.String() != "int bpf_lsm_file_open(struct kfx_file *file);" {
				t.Errorf("file_open: %v / %v", fo.Security, fo.BPF)
			}
			if bc, _ := b.LSMHook("bprm_check_security"); bc.Security != nil || bc.BPF == nil {
				t.Errorf("bprm_check_security: %v / %v (the fixture has no security_bprm_check_security)", bc.Security, bc.BPF)
			}

			var kf []string
			for k := range b.Kfuncs() {
				kf = append(kf, k.Name+"@"+strings.Join(k.Sets, ","))
			}
			if want := []string{"bpf_kfx_file_acquire@kfx_file_kfunc_ids", "bpf_kfx_file_release@kfx_file_kfunc_ids"}; !slices.Equal(kf, want) {
				t.Errorf("kfuncs %q, want %q (bpf_kfx_not_a_kfunc is outside the set)", kf, want)
			}

			prefix := map[string]string{"amd64": "__x64_sys_", "i386": "__ia32_sys_", "s390x": "__s390x_sys_"}[b.Meta.Arch]
			var sys []string
			for s := range b.Syscalls() {
				for _, e := range s.Entries {
					sys = append(sys, s.Name+"="+e.Table+"["+string(rune('0'+e.Number))+"]:"+strings.TrimPrefix(e.Wrapper, prefix))
				}
			}
			want := []string{"openat=sys_call_table[3]:openat", "read=sys_call_table[0]:read", "write=sys_call_table[1]:write"}
			if !slices.Equal(sys, want) {
				t.Errorf("syscalls %q, want %q", sys, want)
			}

			if b.ConfigSource() != "embedded" {
				t.Errorf("config source %q", b.ConfigSource())
			}
			var cfg []string
			for o := range b.Config() {
				cfg = append(cfg, o.Name+"="+o.Value)
			}
			if want := []string{"CONFIG_BPF=y", "CONFIG_BPF_LSM=y", "CONFIG_HZ=250", "CONFIG_KFX_DEBUG=n", "CONFIG_KFX_OLD=m", `CONFIG_LOCALVERSION=""`}; !slices.Equal(cfg, want) {
				t.Errorf("config %q, want %q", cfg, want)
			}
			if o, ok := b.ConfigOption("CONFIG_HZ"); !ok || o.Value != "250" {
				t.Errorf("CONFIG_HZ: %v %v", o, ok)
			}
		})
	}
}

// TestHooksAcrossLayouts checks that the three fixtures, of other pointer
// sizes and byte orders, give the same hooks but for the wrappers' names.
func TestHooksAcrossLayouts(t *testing.T) {
	var first []byte
	for _, name := range hookFixtures {
		b := openFixture(t, name)
		out := b.AppendHooksJSON(nil)
		for _, p := range []string{"__x64_sys_", "__ia32_sys_", "__s390x_sys_"} {
			out = bytes.ReplaceAll(out, []byte(p), []byte("WRAPPER_"))
		}
		if first == nil {
			first = out
		} else if !bytes.Equal(out, first) {
			t.Errorf("%s: hooks differ from %s's:\n%s\n%s", name, hookFixtures[0], out, first)
		}
	}
}

func TestHooksIndexRoundTrip(t *testing.T) {
	for _, name := range append(hookFixtures, "hooks-6.2.5-1-amd64") {
		b := openFixture(t, name)
		ib := viaIndex(t, b, name+".kabi")
		if got, want := ib.AppendHooksJSON(nil), b.AppendHooksJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("%s: from the index:\n%s\nwant\n%s", name, got, want)
		}
		if ib.ConfigSource() != b.ConfigSource() || ib.Err() != nil {
			t.Errorf("%s: config source %q, err %v", name, ib.ConfigSource(), ib.Err())
		}
	}
}

func TestNoHooks(t *testing.T) {
	b, err := Open("testdata/hooks-6.1.99-1-amd64.elf", &Options{NoHooks: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.AppendHooksJSON(nil)) != 0 || b.ConfigSource() != "" {
		t.Errorf("hooks read with NoHooks")
	}
	if _, ok := b.Function("security_file_open"); !ok {
		t.Error("functions missing")
	}
}

// TestConfigFile reads the configuration from a file next to a build
// that embeds none, and from Options.Config.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/x86_64-dwarf5.elf")
	if err != nil {
		t.Fatal(err)
	}
	p := dir + "/vmlinux"
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.ConfigSource() != "" {
		t.Fatalf("config %q without a file", b.ConfigSource())
	}
	cfg := "# comment\nCONFIG_A=y\n\n# CONFIG_B is not set\nCONFIG_C=\"x y\"\nCONFIG_A=m\n"
	if err := os.WriteFile(dir+"/config-"+b.Meta.Release, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err = Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for o := range b.Config() {
		got = append(got, o.Name+"="+o.Value)
	}
	if want := []string{"CONFIG_A=m", "CONFIG_B=n", `CONFIG_C="x y"`}; !slices.Equal(got, want) || b.ConfigSource() != dir+"/config-"+b.Meta.Release {
		t.Errorf("config %q from %q", got, b.ConfigSource())
	}
	if err := os.WriteFile(dir+"/bad", []byte("CONFIG_A=y\nnot a line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, &Options{Config: dir + "/bad"}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad config: %v", err)
	}
	if _, err := Open(p, &Options{Config: dir + "/none"}); err == nil {
		t.Error("a missing config file named by Options.Config is no error")
	}
}

// patchFixture returns the bytes of a fixture with fn's changes; fn gets
// the ELF file to find addresses in and a function to write at a virtual
// address.
func patchFixture(t *testing.T, name string, fn func(ef *elf.File, sym func(string) elf.Symbol, put func(addr uint64, b []byte))) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name + ".elf")
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := ef.Symbols()
	sym := func(n string) elf.Symbol {
		for _, s := range syms {
			if s.Name == n {
				return s
			}
		}
		t.Fatalf("no symbol %s", n)
		return elf.Symbol{}
	}
	put := func(addr uint64, b []byte) {
		for _, s := range ef.Sections {
			if s.Type != elf.SHT_NOBITS && addr >= s.Addr && addr+uint64(len(b)) <= s.Addr+s.Size {
				copy(data[s.Offset+addr-s.Addr:], b)
				return
			}
		}
		t.Fatalf("no section at %#x", addr)
	}
	fn(ef, sym, put)
	return data
}

// TestHooksBadInput damages the hook data of a fixture: each damage is
// a counted skip with its reason, and the rest is read.
func TestHooksBadInput(t *testing.T) {
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	cases := []struct {
		name  string
		patch func(ef *elf.File, sym func(string) elf.Symbol, put func(uint64, []byte))
		skip  string // in the one skip expected
		tps   int    // tracepoints left
	}{
		{"pointer outside every section", func(ef *elf.File, sym func(string) elf.Symbol, put func(uint64, []byte)) {
			put(sym("__start_ftrace_events").Value, u64(0xdead0000))
		}, "address outside every section", 4},
		{"an event listed twice", func(ef *elf.File, sym func(string) elf.Symbol, put func(uint64, []byte)) {
			first := make([]byte, 8)
			s := sym("__start_ftrace_events")
			for _, sec := range ef.Sections {
				if s.Value >= sec.Addr && s.Value < sec.Addr+sec.Size {
					d, _ := sec.Data()
					copy(first, d[s.Value-sec.Addr:])
				}
			}
			put(s.Value+8, first)
		}, "listed twice", 5}, // the event overwritten is still found as a bare tracepoint, through its symbol
		{"a name without terminator", func(ef *elf.File, sym func(string) elf.Symbol, put func(uint64, []byte)) {
			// The event's name pointer to the last byte of its section, not NUL.
			tp := sym("__tracepoint_sched_switch")
			for _, sec := range ef.Sections {
				if sec.Name == ".BTF_ids" {
					put(sec.Addr+sec.Size-1, []byte{'x'})
					put(tp.Value, u64(sec.Addr+sec.Size-1))
				}
			}
		}, "string without terminator", 4},
		{"a lying table size", func(ef *elf.File, sym func(string) elf.Symbol, put func(uint64, []byte)) {
			// sys_call_table's st_size: patched in .symtab below.
		}, "", 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := patchFixture(t, "hooks-6.1.99-1-amd64", c.patch)
			if c.name == "a lying table size" {
				data = lieAboutSize(t, data, "sys_call_table", 1<<20)
			}
			b, err := New(bytes.NewReader(data), "patched", nil)
			if err != nil {
				t.Fatal(err)
			}
			var skips []HookSkip
			for s := range b.HookSkips() {
				skips = append(skips, s)
			}
			n := 0
			for range b.Tracepoints() {
				n++
			}
			if n != c.tps {
				t.Errorf("%d tracepoints, want %d", n, c.tps)
			}
			if c.skip == "" {
				if len(skips) != 1 || skips[0].Kind != KindSyscall || len(b.hooks().syscalls) != 0 {
					t.Errorf("skips %v, syscalls %d", skips, len(b.hooks().syscalls))
				}
				return
			}
			if len(skips) == 0 {
				t.Errorf("no skips, want %q", c.skip)
			}
			for _, s := range skips {
				if !strings.Contains(s.Reason, c.skip) {
					t.Errorf("skip %v, want %q", s, c.skip)
				}
			}
		})
	}
}

// lieAboutSize sets the st_size of the named symbol in an ELF64
// little-endian file's .symtab.
func lieAboutSize(t *testing.T, data []byte, name string, size uint64) []byte {
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	st := ef.Section(".symtab")
	strs := ef.Sections[st.Link]
	sd, _ := st.Data()
	sn, _ := strs.Data()
	for off := 0; off+24 <= len(sd); off += 24 {
		ni := binary.LittleEndian.Uint32(sd[off:])
		if int(ni) < len(sn) {
			end := bytes.IndexByte(sn[ni:], 0)
			if end >= 0 && string(sn[ni:int(ni)+end]) == name {
				binary.LittleEndian.PutUint64(data[st.Offset+uint64(off)+16:], size)
				return data
			}
		}
	}
	t.Fatalf("no symbol %s", name)
	return nil
}
