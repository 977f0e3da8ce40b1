package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/internal/cputime"
)

const fixture = "../../testdata/x86_64-dwarf5.elf"

func runOut(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, &out)
	return out.String(), err
}

func TestShowText(t *testing.T) {
	out, err := runOut(t, "show", "vmap", fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Function: vmap\n", "Collision: Unique Global\n", "Inline: No\n", "Transformation: False\n",
		"  In mm/vmalloc_fix.c (", "  Location: mm/vmalloc_fix.c:173\n", "  Direct callers:\n    - init/main.c:start_kernel (4010c6)\n",
		": vmap (STB_GLOBAL)\n",
		"Signature: void *vmap(struct page **pages, unsigned int count, long unsigned int flags, pgprot_t prot);\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("show vmap: no %q in\n%s", want, out)
		}
	}
	// A .constprop clone: the copy's own parameters are shown.
	out, err = runOut(t, "show", "vm_scale", fixture)
	if err != nil {
		t.Fatal(err)
	}
	if want := ": long unsigned int vm_scale(long unsigned int v); /* not passed: mode = 1, shift = 12 */\n"; !strings.Contains(out, want) {
		t.Errorf("show vm_scale: no %q in\n%s", want, out)
	}
}

func TestShowJSONAndDump(t *testing.T) {
	out, err := runOut(t, "show", "-format", "json", "memset", fixture)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"function","name":"memset","collision":"Unique Global","inline":"No","transformation":false,"signature":"void *memset(void *, int, size_t);","issues":[],` +
		`"instances":[{"file":"","location":"","address":null,"external":true,"declared_inline":false,"inlined":false,` +
		`"inline_callers":[],"direct_callers":[{"caller":"mm/vmalloc_fix.c:kfx_alloc","site":"","address":"0x40135d"}],"signature":"void *memset(void *, int, size_t);"}],` +
		`"symbols":[{"name":"memset","address":"0x`
	if !strings.HasPrefix(out, want) {
		t.Errorf("show -format json memset:\n got %s\nwant %s...", out, want)
	}
	dump, err := runOut(t, "dump", fixture)
	if err != nil {
		t.Fatal(err)
	}
	var lines, kinds []string
	for _, l := range strings.Split(strings.TrimSuffix(dump, "\n"), "\n") {
		if !strings.HasPrefix(l, `{"kind":`) {
			t.Fatalf("dump line without a kind first: %s", l)
		}
		if !strings.HasPrefix(l, `{"kind":"function",`) {
			kinds = append(kinds, l) // types and hooks, after the functions
			continue
		}
		if len(kinds) > 0 {
			t.Errorf("function line after a %s", kinds[len(kinds)-1])
		}
		lines = append(lines, l)
	}
	if len(lines) != 45 {
		t.Fatalf("dump: %d function lines, want 45", len(lines))
	}
	var got []string
	for _, l := range kinds {
		var obj struct{ Kind, Name string }
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("dump line %q: %v", l, err)
		}
		got = append(got, obj.Kind+":"+obj.Name)
	}
	if want := "struct:__va_list_tag struct:kfx_node struct:kfx_req struct:page struct:vm_ops union:kfx_key enum:kfx_state"; strings.Join(got, " ") != want {
		t.Errorf("dump: kinds\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	prev := ""
	for _, l := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("dump line %q: %v", l, err)
		}
		name := obj["name"].(string)
		if name <= prev {
			t.Errorf("dump: %s after %s", name, prev)
		}
		prev = name
		if len(obj) != 10 { // kind, name, collision, inline, transformation, signature, issues, instances, symbols, attach
			t.Errorf("dump %s: %d fields", name, len(obj))
		}
		if name == "memset" && l+"\n" != out {
			t.Errorf("dump and show disagree on memset:\n%s\n%s", l, out)
		}
	}
}

// TestDumpWithoutSignatures checks dump -signatures=false: every line as
// dump writes it, but for empty signatures.
func TestDumpWithoutSignatures(t *testing.T) {
	with, err := runOut(t, "dump", fixture)
	if err != nil {
		t.Fatal(err)
	}
	without, err := runOut(t, "dump", "-signatures=false", fixture)
	if err != nil {
		t.Fatal(err)
	}
	blank := regexp.MustCompile(`"signature":"(\\.|[^"\\])*"`)
	n := len(blank.FindAllString(with, -1))
	if n < 90 || strings.Count(with, `"signature":""`) == n {
		t.Fatalf("dump: %d signature fields, %d empty", n, strings.Count(with, `"signature":""`))
	}
	if e := strings.Count(without, `"signature":""`); e != n {
		t.Errorf("dump -signatures=false: %d of %d signatures empty", e, n)
	}
	if got, want := blank.ReplaceAllString(without, `"signature":""`), blank.ReplaceAllString(with, `"signature":""`); got != want {
		t.Errorf("dump -signatures=false differs from dump in more than signatures:\n%s", without)
	}
}

func TestStats(t *testing.T) {
	out, err := runOut(t, "stats", fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"release:     6.1.99-1-amd64 (version 6.1.99, revision 1, flavor amd64)", "functions:                      45",
		"  Static-Static Collision        1 (2.2%)", "  Full                           4 (8.9%)", "    two or more                  1",
		"  without DWARF                  1"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats: no %q in\n%s", want, out)
		}
	}
}

// TestStatsReadsMore: stats -signatures -types -hooks reads what dump
// reads and counts it; without them it reads and says none of it.
func TestStatsReadsMore(t *testing.T) {
	hooksFixture := "../../testdata/hooks-6.1.99-1-amd64.elf"
	out, err := runOut(t, "stats", "-signatures", "-types", "-hooks", hooksFixture)
	if err != nil {
		t.Fatal(err)
	}
	b, err := kabi.Open(hooksFixture, nil)
	if err != nil {
		t.Fatal(err)
	}
	sigs, structs, tps := 0, 0, 0
	for f := range b.Functions() {
		if f.Signature != nil {
			sigs++
		}
	}
	for range b.Types(kabi.KindStruct) {
		structs++
	}
	for range b.Hooks(kabi.KindTracepoint) {
		tps++
	}
	if sigs == 0 || structs == 0 || tps == 0 {
		t.Fatalf("fixture has %d signatures, %d structs, %d tracepoints: want some of each", sigs, structs, tps)
	}
	for _, want := range []string{
		fmt.Sprintf("signatures:\n  %-24s %7d ", "functions with one", sigs),
		fmt.Sprintf("types:\n  %-24s %7d\n", "struct", structs),
		fmt.Sprintf("hooks:\n  %-24s %7d\n", "tracepoint", tps),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats -signatures -types -hooks: no %q in\n%s", want, out)
		}
	}
	// A kind the source cannot list is unknown, not 0.
	noConfig := "../../testdata/x86_64-dwarf5.elf"
	nb, err := kabi.Open(noConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	why := nb.HooksUnknown(kabi.KindConfig)
	if why == "" {
		t.Fatalf("%s: its configuration is known", noConfig)
	}
	if out, err := runOut(t, "stats", "-hooks", noConfig); err != nil || !strings.Contains(out, fmt.Sprintf("  %-24s unknown: %s\n", "config", why)) {
		t.Errorf("stats -hooks %s: %v, want config unknown:\n%s", noConfig, err, out)
	}
	plain, err := runOut(t, "stats", hooksFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, no := range []string{"signatures:", "types:", "hooks:"} {
		if strings.Contains(plain, no) {
			t.Errorf("stats: %q without its flag:\n%s", no, plain)
		}
	}
}

func TestDemo(t *testing.T) {
	out, err := runOut(t)
	if err != nil {
		t.Fatal(err)
	}
	// The fixtures' metadata gives four groups; kfx_cmp_config changes
	// between 6.2 and 6.3 and exists only in the comparison builds.
	for _, want := range []string{
		"\nkfx_cmp_config\nRegular\n", "\nArch\n  arm64  Absent\n", "  amd64 → arm64  only in amd64\n", "\nFlavor\n", "\nRevision\n",
		"  6.2 → 6.3  changed\n", "      Return type changed: int -> long int\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo lacks %q:\n%s", want, out)
		}
	}
}

func TestErrors(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notELF, []byte("hello"), 0o644)
	// A sparse 2 GB file: btfcheck decides from its first bytes, and no
	// longer reads 1 GiB of it first.
	sparse := filepath.Join(t.TempDir(), "sparse")
	if f, err := os.Create(sparse); err == nil {
		f.Truncate(2 << 30)
		f.Close()
	}
	rawBTF := filepath.Join(t.TempDir(), "vmlinux.btf")
	os.WriteFile(rawBTF, []byte("\x9f\xeb\x01\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00"), 0o644)
	for _, c := range []struct {
		args  []string
		usage bool
		text  string
	}{
		{[]string{"show", "no_such_function", fixture}, false, `no such function: "no_such_function"`},
		{[]string{"show", "memcpy", fixture}, false, "DWARF has no function of that name"},
		{[]string{"stats", notELF}, false, "notes.txt: ELF header at offset 0x0: not an ELF file"},
		{[]string{"dump", "/nonexistent/vmlinux"}, false, "no such file"},
		{[]string{"show"}, true, "show takes FUNCTION [BUILD]"},
		{[]string{"show", "-root", "/nonexistent", "vmap"}, false, "the running kernel has no BTF"},
		{[]string{"show", "-format", "xml", "vmap", fixture}, true, `unknown format "xml"`},
		{[]string{"frobnicate"}, true, `unknown command "frobnicate"`},
		{[]string{"btfcheck", fixture}, false, "x86_64-dwarf5.elf: no BTF"},
		{[]string{"btfcheck"}, true, "btfcheck takes BUILD"},
		{[]string{"btfcheck", sparse}, false, "sparse: ELF header at offset 0x0: not an ELF file: it starts with 00 00 00 00"},
		{[]string{"btfcheck", rawBTF}, false, "vmlinux.btf: ELF header at offset 0x0: not an ELF file: raw BTF (as /sys/kernel/btf/vmlinux), which has no DWARF"},
		{[]string{"btfcheck", "-base", rawBTF, fixture}, false, "x86_64-dwarf5.elf: no BTF"},
		{[]string{"report", "no_such_function", fixture}, false, "no_such_function: in none of the 1 build reported on (no function of that name; a type or hook is named KIND:NAME"},
		{[]string{"report", "-format", "xml", "vmap", fixture}, true, `unknown format "xml"`},
		{[]string{"diff", fixture}, true, "diff takes OLD NEW"},
	} {
		_, err := runOut(t, c.args...)
		var u usageError
		if err == nil || !strings.Contains(err.Error(), c.text) || errors.As(err, &u) != c.usage {
			t.Errorf("%v: error %v, want one saying %q (usage %v)", c.args, err, c.text, c.usage)
		}
	}
}

// TestCommandHelp: kabi CMD -h prints the command's usage and each of its
// flags with its meaning and default, and succeeds.
func TestCommandHelp(t *testing.T) {
	for cmd, want := range map[string][]string{
		"show":     {"  kabi show [-format text|json]", "-format string\n    \toutput format: text or json (default \"text\")", "-root string", "-modules string"},
		"dump":     {"  kabi dump [", "-signatures\n    \tderive signatures (false: leave them out, faster) (default true)", "-types\n", "-hooks\n", "-config string"},
		"stats":    {"  kabi stats [", "-config string", "-modules string"},
		"report":   {"  kabi report [-format", "  kabi report -all", "-default int\n    \tthe default build", "(default -1)", "-manifest string", "-all\n", "-o string"},
		"diff":     {"  kabi diff [-format text|json] OLD NEW", "-format string"},
		"export":   {"  kabi export ", "(default \"parquet\")", "-o string"},
		"index":    {"  kabi index ", "-j int", "-running\n", "-root string", "(default \".\")", "-modules string"},
		"btfcheck": {"  kabi btfcheck ", "-n int", "(default 10)", "-btf string", "-base string"},
		"check":    {"  kabi check ", "-fail-on string", "(default \"wrong-data\")", "-target value", "-source-root string"},
	} {
		for _, h := range []string{"-h", "-help"} {
			out, err := runOut(t, cmd, h)
			if err != nil {
				t.Errorf("kabi %s %s: %v", cmd, h, err)
				continue
			}
			if !strings.HasPrefix(out, "usage:\n  kabi "+cmd+" ") || !strings.Contains(out, "\nflags:\n") {
				t.Errorf("kabi %s %s: no usage and flags:\n%s", cmd, h, out)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("kabi %s %s: no %q in\n%s", cmd, h, w, out)
				}
			}
		}
	}
	// A bad flag is still a usage error.
	if _, err := runOut(t, "diff", "-frobnicate"); exitStatus(err) != 2 {
		t.Errorf("kabi diff -frobnicate: %v (exit %d), want a usage error", err, exitStatus(err))
	}
}

// TestUnknownName: a name that no build has is said, with exit status 3,
// rather than reported Absent everywhere; a name some build has is not.
func TestUnknownName(t *testing.T) {
	for _, c := range []struct {
		args []string
		text string // "" when the name is known
	}{
		{[]string{"report", "no_such_function", hooksV1, hooksV2}, "no_such_function: in none of the 2 builds reported on"},
		{[]string{"report", "-format", "json", "struct:no_such_struct", hooksV1, hooksV2}, "struct:no_such_struct: in none of the 2 builds reported on"},
		{[]string{"report", "-format", "md", "lsm:no_such_hook", hooksV1, hooksV2}, "lsm:no_such_hook: in none of the 2 builds reported on"},
		{[]string{"show", "no_such_function", hooksV1}, `no such function: "no_such_function"`},
		{[]string{"show", "lsm:no_such_hook", hooksV1}, `no such LSM hook: "no_such_hook"`},
		{[]string{"show", "union:no_such_union", hooksV1}, `no such union: "no_such_union"`},
		{[]string{"report", "lsm:file_open", hooksV1, hooksV2}, ""},
	} {
		_, err := runOut(t, c.args...)
		if c.text == "" {
			if err != nil {
				t.Errorf("%v: %v", c.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.text) || exitStatus(err) != 3 {
			t.Errorf("%v: error %v (exit %d), want exit 3 saying %q", c.args, err, exitStatus(err), c.text)
		}
	}
}

// BenchmarkKernelDump runs kabi dump on $KABI_VMLINUX into io.Discard,
// without and with signatures: what signatures cost. Besides the wall
// time it reports the process's CPU time per dump, steadier on a shared
// machine. Compare the two in separate processes
// (-bench 'KernelDump/signatures=true$'), interleaved: a dump that follows
// another in one process finds the heap grown and is faster.
func BenchmarkKernelDump(b *testing.B) {
	vmlinux := os.Getenv("KABI_VMLINUX")
	if vmlinux == "" {
		b.Skip("KABI_VMLINUX is not set")
	}
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("signatures=%v", on), func(b *testing.B) {
			b.ReportAllocs()
			args := []string{"dump", fmt.Sprintf("-signatures=%v", on), vmlinux}
			start, n := cputime.Process(), 0
			for b.Loop() {
				if err := run(args, io.Discard); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(cputime.Process()-start)/float64(n)/1e6, "cpu-ms/op")
		})
	}
}

// TestMemoryLimit checks the heap limit of the one-build commands: for a
// build whose .debug_info is mapped, three quarters of it and half as much
// again as the sections read onto the heap, 128 MiB at least; otherwise
// 7/8 of an uncompressed build, room for the decompressed sections of a
// compressed one, 256 MiB at least.
func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		file int64
		l    layout
		want int64
	}{
		{631 << 20, layout{heap: 4 << 20, mapped: 166 << 20}, 166<<20*3/4 + 6<<20}, // Debian's vmlinux, mapped
		{631 << 20, layout{heap: 229 << 20}, 631 << 20 * 7 / 8},                    // not mapped: the file's 7/8
		{250 << 20, layout{heap: 600 << 20}, 900 << 20},                            // compressed sections: half as much again as they take
		{1 << 20, layout{heap: 1 << 20}, 256 << 20},                                // small: the floor
		{1 << 20, layout{mapped: 1 << 20}, 128 << 20},                              // small and mapped: the floor
	} {
		if got := memoryLimit(c.file, c.l, false); got != c.want {
			t.Errorf("memoryLimit(%d, %+v, no types) = %d, want %d", c.file, c.l, got, c.want)
		}
	}
	// With the types, a mapped build's limit has an eighth of .debug_info
	// more; an unmapped one's is unchanged.
	if got, want := memoryLimit(631<<20, layout{heap: 4 << 20, mapped: 166 << 20}, true), int64(166<<20*7/8+6<<20); got != want {
		t.Errorf("memoryLimit with types = %d, want %d", got, want)
	}
	if got, want := memoryLimit(631<<20, layout{heap: 229 << 20}, true), int64(631<<20*7/8); got != want {
		t.Errorf("memoryLimit with types, not mapped = %d, want %d", got, want)
	}
	// The zstd fixture's sections take more decompressed than in the file,
	// and all go to the heap; the plain fixture's .debug_info is mapped.
	const zpath = "../../testdata/x86_64-zstd.elf"
	f, err := elf.Open(zpath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var onFile int64
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") {
			onFile += int64(s.FileSize)
		}
	}
	if got := debugLayout(zpath); got.heap <= onFile || got.mapped != 0 {
		t.Errorf("debugLayout: %+v for the zstd fixture (%d bytes in the file)", got, onFile)
	}
	if got := debugLayout(fixture); canMap && (got.mapped == 0 || got.heap == 0) || !canMap && got.mapped != 0 {
		t.Errorf("debugLayout: %+v for the plain fixture", got)
	}
	if debugLayout("main.go") != (layout{}) {
		t.Error("debugLayout of a non-ELF file is not zero")
	}
}

// TestShowRunning: kabi show with no build reads the running kernel, here
// the fake tree testdata/running, and says what it cannot know.
func TestShowRunning(t *testing.T) {
	out, err := runOut(t, "show", "-root", "../../testdata/running", "kfx_cmp_config")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Signature: int kfx_cmp_config(int a, long int b, char *c);",
		"Inline: Unknown",
		"who calls it\n  (inline and direct callers) are unknown",
		": kfx_cmp_config (STB_GLOBAL)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	dir := t.TempDir()
	for _, want := range []string{"58 functions of the running kernel", "up to date"} {
		out, err := runOut(t, "index", "-o", dir, "-running", "-root", "../../testdata/running")
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("index -running: %q, %v; want %q", out, err, want)
		}
	}
}

// TestStatsModulesKind: stats says whether a build's modules are a running
// kernel's loaded ones or a module tree read with vmlinux, for the build
// and for its index file.
func TestStatsModulesKind(t *testing.T) {
	dir := t.TempDir()
	if out, err := runOut(t, "index", "-o", dir, "-running", "-root", "../../testdata/running-hooks"); err != nil {
		t.Fatalf("index -running: %v\n%s", err, out)
	}
	ix, err := filepath.Glob(filepath.Join(dir, "*.kabi"))
	if err != nil || len(ix) != 1 {
		t.Fatalf("index files %q, %v; want one", ix, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stats", ix[0]}, "modules:     2 loaded, whose BTF was read"},
		{[]string{"stats", "-modules", "../../testdata/modules/6.1.99-1-amd64", "../../testdata/x86_64-dwarf5.elf"}, "modules:     5, read with vmlinux (its module tree)"},
	} {
		out, err := runOut(t, c.args...)
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("%q: %v; want %q in\n%s", c.args, err, c.want, out)
		}
	}
}
