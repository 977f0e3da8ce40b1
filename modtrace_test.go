package kabi

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/internal/elfcraft"
)

// TestModuleTracepoints: kfx_trace's trace events, read from its own
// _ftrace_events section with the relocations applied (every pointer in
// the .ko is zero), join vmlinux's and name their module; a name vmlinux
// has too is a skip naming the module; the index keeps the module.
func TestModuleTracepoints(t *testing.T) {
	b := kernelFixture(t, "hooks-6.1.99-1-amd64.elf", "6.1.99-1-amd64", nil)
	check := func(b *Build) {
		t.Helper()
		var names []string
		for tp := range b.Tracepoints() {
			names = append(names, tp.Name+"@"+tp.Module)
		}
		want := []string{"block_rq_insert@", "block_rq_issue@", "kfx_trace_hit@kfx_trace", "kfx_trace_miss@kfx_trace", "pelt_kfx_tp@", "sched_switch@", "sys_enter_openat@"}
		if !slices.Equal(names, want) {
			t.Errorf("tracepoints %q, want %q", names, want)
		}
		hit, ok := b.Tracepoint("kfx_trace_hit")
		if !ok {
			t.Fatal("no kfx_trace_hit")
		}
		if hit.Module != "kfx_trace" || hit.Class != "kfx_trace_hit" || hit.System != "kfx_trace" ||
			hit.Format != `"pid=%d cookie=%ld", REC->pid, REC->cookie` || hit.Bare || hit.Syscall {
			t.Errorf("kfx_trace_hit: %+v", hit)
		}
		if hit.Probe == nil || hit.Probe.String() != "void trace_event_raw_event_kfx_trace_hit(void *__data, int pid, long int cookie);" {
			t.Errorf("kfx_trace_hit's probe: %v", hit.Probe)
		}
		if got := hit.RawPrototype(); got != "typedef void (*btf_trace_kfx_trace_hit)(void *__data, int pid, long int cookie);" {
			t.Errorf("kfx_trace_hit's raw prototype %q", got)
		}
		miss, _ := b.Tracepoint("kfx_trace_miss")
		if miss == nil || miss.Class != "kfx_trace_hit" || miss.Module != "kfx_trace" {
			t.Errorf("kfx_trace_miss: %+v", miss)
		}
		if issue, _ := b.Tracepoint("block_rq_issue"); issue == nil || issue.Module != "" || issue.System != "block" {
			t.Errorf("block_rq_issue is not vmlinux's: %+v", issue)
		}
		var skips []string
		for s := range b.HookSkips() {
			skips = append(skips, s.String())
		}
		if want := []string{`tracepoint _ftrace_events [kfx_trace]: a second event named "block_rq_issue" (also in vmlinux)`}; !slices.Equal(skips, want) {
			t.Errorf("skips %q, want %q", skips, want)
		}
		if j := string(hit.AppendJSON(nil)); !strings.Contains(j, `"module":"kfx_trace"`) {
			t.Errorf("JSON %s", j)
		}
	}
	check(b)
	check(viaIndex(t, b, "x.kabi"))
	// Without its vmlinux (no layout of struct trace_event_call), or
	// without hooks, a module's events are not read.
	if n := kernelFixture(t, "hooks-6.1.99-1-amd64.elf", "6.1.99-1-amd64", &Options{NoHooks: true}); len(slices.Collect(n.Tracepoints())) != 0 {
		t.Error("tracepoints read with NoHooks")
	}
}

// kfxTraceKO is the fixture module with trace events.
var kfxTraceKO = filepath.Join("testdata", "modules", "6.1.99-1-amd64", "kernel", "drivers", "kfx", "kfx_trace.ko")

// kfxTraceFile returns the bytes of kfx_trace.ko, and the file they
// make.
func kfxTraceFile(t testing.TB) ([]byte, *elf.File) {
	t.Helper()
	return elfcraft.ReadFile(t, kfxTraceKO)
}

// badEventRelocs returns kfx_trace.ko with the type of the first
// relocation of its _ftrace_events set to typ.
func badEventRelocs(t testing.TB, typ uint32) []byte {
	t.Helper()
	b, ef := kfxTraceFile(t)
	rs := ef.Section(".rela" + moduleEventsSection)
	if rs == nil {
		t.Fatal("kfx_trace.ko: no .rela_ftrace_events")
	}
	binary.LittleEndian.PutUint32(b[rs.Offset+8:], typ) // r_info's type of entry 0
	return b
}

// TestModuleTracepointsBad: a module whose trace event pointers cannot
// be relocated (a relocation of another type, relocations removed, a
// debug-only copy) has its events reported as skips naming the file, not
// guessed and not a failure of the whole kernel.
func TestModuleTracepointsBad(t *testing.T) {
	objcopy, _ := exec.LookPath("objcopy")
	for _, c := range []struct {
		name    string
		make    func(out string) // writes the module to out
		want    []string         // the module's tracepoints
		skipSub string           // in the module's tracepoint skip
	}{
		{"PC32", func(out string) {
			if err := os.WriteFile(out, badEventRelocs(t, uint32(elf.R_X86_64_PC32)), 0o644); err != nil {
				t.Fatal(err)
			}
		}, nil, "relocation of type R_X86_64_PC32, not R_X86_64_64"},
		{"no relocations", func(out string) {
			if objcopy == "" {
				t.Skip("no objcopy")
			}
			if msg, err := exec.Command(objcopy, "--remove-section", ".rela_ftrace_events", kfxTraceKO, out).CombinedOutput(); err != nil {
				t.Fatalf("objcopy: %v\n%s", err, msg)
			}
		}, nil, "a NULL pointer (no relocation)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "kfx_trace.ko")
			c.make(out)
			b, err := Open(filepath.Join("testdata", "hooks-6.1.99-1-amd64.elf"), &Options{ModuleDir: dir, NoTypes: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for tp := range b.Tracepoints() {
				if tp.Module != "" {
					got = append(got, tp.Name)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("module tracepoints %q, want %q", got, c.want)
			}
			found := false
			for s := range b.HookSkips() {
				if s.Kind == KindTracepoint && strings.Contains(s.Where, "[kfx_trace]") {
					found = found || strings.Contains(s.Reason, c.skipSub) && strings.Contains(s.Reason, out)
				}
			}
			if !found {
				t.Errorf("no skip with %q naming %s: %q", c.skipSub, out, slices.Collect(b.HookSkips()))
			}
		})
	}
	// A debug-only copy without the relocations: the events are unknown.
	if objcopy == "" {
		t.Skip("no objcopy")
	}
	v, err := Open(filepath.Join("testdata", "hooks-6.1.99-1-amd64.elf"), &Options{NoTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "kfx_trace.ko")
	if msg, err := exec.Command(objcopy, "--only-keep-debug", "--remove-section", ".rela_ftrace_events", kfxTraceKO, out).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, msg)
	}
	ef, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	all, err := readSymtab(ef, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookSet{}
	if err := h.readModuleTracepoints(ef, all, out, "kfx_trace", nil, v.hk.tpl); err != nil {
		t.Fatal(err)
	}
	if len(h.tracepoints) != 0 || len(h.skips) != 1 || !strings.Contains(h.skips[0].Reason, "the module's trace events are unknown") {
		t.Errorf("debug-only copy: %v, skips %v", h.tracepoints, h.skips)
	}
}

// TestModuleTracepointsREL: with REL relocations (i386's and armhf's
// kind) the addend is the word the relocation applies to: kfx_trace.ko
// with its .rela_ftrace_events rewritten as a .rel section, the addends
// moved into _ftrace_events' words, reads the same events; with those
// words zero every pointer is the start of .data, one event, met again:
// skips, not guesses.
func TestModuleTracepointsREL(t *testing.T) {
	b, ef := kfxTraceFile(t)
	relaIdx := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == ".rela"+moduleEventsSection })
	ev := ef.Section(moduleEventsSection)
	if relaIdx < 0 || ev == nil {
		t.Fatal("kfx_trace.ko: no _ftrace_events or its relocations")
	}
	rela, err := ef.Sections[relaIdx].Data()
	if err != nil {
		t.Fatal(err)
	}
	words, err := ev.Data()
	if err != nil {
		t.Fatal(err)
	}
	var rel []byte
	withAddends := bytes.Clone(words)
	for i := 0; i+24 <= len(rela); i += 24 {
		rel = append(rel, rela[i:i+16]...)
		off := binary.LittleEndian.Uint64(rela[i:])
		binary.LittleEndian.PutUint64(withAddends[off:], binary.LittleEndian.Uint64(rela[i+16:]))
	}
	for _, c := range []struct {
		name  string
		words []byte
		want  []string
		skips int
	}{
		{"addends", withAddends, []string{"kfx_trace_hit", "kfx_trace_miss"}, 1}, // the second block_rq_issue
		// Every pointer is .data's start, the call of block_rq_issue (a
		// second event of that name), listed twice more; kfx_trace_hit's
		// struct tracepoint is not taken for a bare tracepoint.
		{"zero words", words, nil, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := elfcraft.ReplaceSection(b, ".rela"+moduleEventsSection, rel)
			if err != nil {
				t.Fatal(err)
			}
			if out, err = elfcraft.ReplaceSection(out, moduleEventsSection, c.words); err != nil {
				t.Fatal(err)
			}
			sh := elfcraft.SectionHeader64(out, relaIdx)
			binary.LittleEndian.PutUint32(sh[0x04:], uint32(elf.SHT_REL))
			binary.LittleEndian.PutUint64(sh[0x38:], 16)
			got, skips := kfxTraceEvents(t, out)
			if !slices.Equal(got, c.want) || len(skips) != c.skips {
				t.Errorf("module tracepoints %q, want %q; skips %q, want %d", got, c.want, skips, c.skips)
			}
		})
	}
}

// kfxTraceEvents reads the fixture kernel with ko as its kfx_trace.ko,
// and returns the module's tracepoints and the kernel's hook skips.
func kfxTraceEvents(t *testing.T, ko []byte) (names, skips []string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kfx_trace.ko"), ko, 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := Open(filepath.Join("testdata", "hooks-6.1.99-1-amd64.elf"), &Options{ModuleDir: dir, NoTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	for tp := range v.Tracepoints() {
		if tp.Module == "kfx_trace" {
			names = append(names, tp.Name)
		}
	}
	for s := range v.HookSkips() {
		skips = append(skips, s.String())
	}
	return names, skips
}

// TestModuleTracepointsNOBITS: an _ftrace_events without contents
// (SHT_NOBITS) but with its RELA relocations reads as the .ko does, each
// pointer being its relocation's symbol plus addend; a word of it without
// a relocation is unknown, a skip.
func TestModuleTracepointsNOBITS(t *testing.T) {
	for _, c := range []struct {
		name  string
		ko    []byte
		want  []string
		skips []string
	}{
		{"relocated", badEventRelocs(t, uint32(elf.R_X86_64_64)), []string{"kfx_trace_hit", "kfx_trace_miss"},
			[]string{`tracepoint _ftrace_events [kfx_trace]: a second event named "block_rq_issue" (also in vmlinux)`}},
		{"a word without a relocation", badEventRelocs(t, uint32(elf.R_X86_64_NONE)), nil,
			[]string{"_ftrace_events+0x0: the section has no contents"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ef, err := elf.NewFile(bytes.NewReader(c.ko))
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(ef.Sections, func(s *elf.Section) bool { return s.Name == moduleEventsSection })
			binary.LittleEndian.PutUint32(elfcraft.SectionHeader64(c.ko, i)[0x04:], uint32(elf.SHT_NOBITS))
			got, skips := kfxTraceEvents(t, c.ko)
			if !slices.Equal(got, c.want) || len(skips) != len(c.skips) {
				t.Fatalf("module tracepoints %q, want %q; skips %q, want %q", got, c.want, skips, c.skips)
			}
			for j, s := range skips {
				if !strings.Contains(s, c.skips[j]) {
					t.Errorf("skip %q, want one with %q", s, c.skips[j])
				}
			}
		})
	}
}

// TestModuleTracepointsOddReloc: a relocation of .data not at a whole
// word (a 4-byte one in the middle of a word) spoils only the pointers it
// may change: the events whose pointers it touches are skips naming it,
// the others read.
func TestModuleTracepointsOddReloc(t *testing.T) {
	b, ef := kfxTraceFile(t)
	rs := ef.Section(".rela.data")
	if rs == nil {
		t.Fatal("kfx_trace.ko: no .rela.data")
	}
	rela, err := rs.Data()
	if err != nil {
		t.Fatal(err)
	}
	dup := `tracepoint _ftrace_events [kfx_trace]: a second event named "block_rq_issue" (also in vmlinux)`
	for _, c := range []struct {
		name  string
		off   uint64 // in .data: the events' calls are at 0, 0x60 (kfx_trace_miss) and 0xc0 (kfx_trace_hit)
		want  []string
		skips []string
	}{
		{"touching no pointer", 0x5c, []string{"kfx_trace_hit", "kfx_trace_miss"}, []string{dup}},
		{"in kfx_trace_hit's class", 0xd4, []string{"kfx_trace_miss"}, []string{dup,
			"tracepoint _ftrace_events[2] [kfx_trace]: class: KO: .rela.data: relocation 12 at 0xd4 is not at a word of .data: the pointer at 0xd0 is unknown"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := make([]byte, 24)
			binary.LittleEndian.PutUint64(e, c.off)
			binary.LittleEndian.PutUint64(e[8:], 8<<32|uint64(elf.R_X86_64_PC32)) // against .data's section symbol
			ko, err := elfcraft.ReplaceSection(b, ".rela.data", append(slices.Clone(rela), e...))
			if err != nil {
				t.Fatal(err)
			}
			got, skips := kfxTraceEvents(t, ko)
			for i := range skips {
				skips[i] = regexp.MustCompile(`\S+/kfx_trace\.ko`).ReplaceAllString(skips[i], "KO")
			}
			slices.Sort(skips)
			if !slices.Equal(got, c.want) || !slices.Equal(skips, c.skips) {
				t.Errorf("module tracepoints %q, want %q; skips %q, want %q", got, c.want, skips, c.skips)
			}
		})
	}
}
