package kabi

import (
	"bytes"
	"debug/elf"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/kabi-dev/kabi/dwarfx"
)

// TestKernelHooksOnly reads only the hooks of $KABI_VMLINUX (no DWARF
// walk) and logs their counts and skips.
func TestKernelHooksOnly(t *testing.T) {
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
	d, err := dwarfx.NewFromELF(ef, f, p)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	all, err := readSymtab(ef, p, dwarfx.FileBudget(0, -1))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Since(start)
	h, err := readHooks(ef, f, p, d, all)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("symbols %v, hooks %v", t0, time.Since(start)-t0)
	sys := 0
	for _, tp := range h.tracepoints {
		if tp.Syscall {
			sys++
		}
	}
	t.Logf("%d tracepoints (%d syscall events), %d LSM hooks, %d kfuncs, %d syscalls, %d config options (%s), %d skips",
		len(h.tracepoints), sys, len(h.lsm), len(h.kfuncs), len(h.syscalls), len(h.config), h.configFrom, len(h.skips))
	for i, s := range h.skips {
		if i < 20 {
			t.Logf("skip: %v", s)
		}
	}
	for i, tp := range h.tracepoints {
		if i%300 == 0 || tp.Name == "block_rq_issue" {
			t.Logf("%+v", *tp)
		}
	}
}

// TestKernelHooks checks the hooks of $KABI_VMLINUX against the build's
// own BTF and, when $KABI_SYSTEM_MAP names it, its System.map: every
// tracepoint BTF names with a btf_trace_ typedef is a kabi tracepoint (at
// least 99.5%; the misses are logged), the LSM hooks are the BTF
// bpf_lsm_ functions, and the syscall table holds the wrappers that
// System.map shows. It logs the counts.
func TestKernelHooks(t *testing.T) {
	p := realKernel(t)
	b, err := kernelBuild()
	if err != nil {
		t.Fatal(err)
	}
	for s := range b.HookSkips() {
		t.Errorf("skip: %v", s)
	}
	tps, sys := 0, 0
	for tp := range b.Tracepoints() {
		tps++
		if tp.Syscall {
			sys++
		}
	}
	nlsm, nkf, nsc := 0, 0, 0
	for range b.LSMHooks() {
		nlsm++
	}
	for range b.Kfuncs() {
		nkf++
	}
	for range b.Syscalls() {
		nsc++
	}
	ncfg := 0
	for range b.Config() {
		ncfg++
	}
	t.Logf("%s: %d tracepoints (%d syscall events, %d others), %d LSM hooks, %d kfuncs, %d syscalls, config: %d options from %q",
		b.Meta.Release, tps, sys, tps-sys, nlsm, nkf, nsc, ncfg, b.ConfigSource())

	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := btfBytes(f, p)
	if err != nil {
		t.Skipf("no BTF: %v", err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	btfTP, btfLSM, tagged := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for ty, err := range spec.All() {
		if err != nil {
			t.Fatal(err)
		}
		switch ty := ty.(type) {
		case *btf.Typedef:
			if n, ok := strings.CutPrefix(ty.Name, "btf_trace_"); ok {
				btfTP[n] = true
			}
		case *btf.Func:
			if slices.Contains(ty.Tags, "bpf_kfunc") {
				tagged[ty.Name] = true
			}
			if n, ok := strings.CutPrefix(ty.Name, "bpf_lsm_"); ok {
				btfLSM[n] = true
			}
		}
	}
	var missing []string
	for n := range btfTP {
		if _, ok := b.Tracepoint(n); !ok {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	cover := 1 - float64(len(missing))/float64(len(btfTP))
	t.Logf("btf_trace_ typedefs: %d; kabi has %d of them (%.2f%%); missing: %q", len(btfTP), len(btfTP)-len(missing), 100*cover, missing)
	if cover < 0.995 {
		t.Errorf("tracepoint coverage %.2f%% < 99.5%%", 100*cover)
	}
	notBTF := 0
	for tp := range b.Tracepoints() {
		if !tp.Syscall && !btfTP[tp.Name] {
			notBTF++
			if notBTF <= 10 {
				t.Logf("tracepoint without btf_trace_ typedef: %s (class %s, system %s)", tp.Name, tp.Class, tp.System)
			}
		}
	}
	t.Logf("%d non-syscall tracepoints without a btf_trace_ typedef", notBTF)

	var lsmOnly, btfOnly []string
	for l := range b.LSMHooks() {
		if !btfLSM[l.Name] {
			lsmOnly = append(lsmOnly, l.Name)
		}
	}
	for n := range btfLSM {
		if _, ok := b.LSMHook(n); !ok {
			btfOnly = append(btfOnly, n)
		}
	}
	slices.Sort(btfOnly)
	// bpf_lsm_ functions that are not hooks are the BPF LSM's own
	// helpers (bpf_lsm_func_proto, ...): none is in a BTF ID set, where
	// every attachable hook is (bpf_lsm_hooks).
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	inSet := map[string]bool{}
	for _, s := range syms {
		if n, ok := btfIDName(s.Name); ok && strings.HasPrefix(s.Name, "__BTF_ID__func__bpf_lsm_") {
			inSet[strings.TrimPrefix(n, "bpf_lsm_")] = true
		}
	}
	var helpers []string
	for _, n := range btfOnly {
		if inSet[n] {
			t.Errorf("bpf_lsm_%s is in a BTF ID set but not a hook", n)
		} else {
			helpers = append(helpers, n)
		}
	}
	t.Logf("LSM hooks %d, BTF bpf_lsm_ functions %d: the hooks and %d helpers of the BPF LSM in no BTF ID set %q; hooks without a BTF function: %q",
		nlsm, len(btfLSM), len(helpers), helpers, lsmOnly)
	if len(lsmOnly) > 0 || nlsm+len(helpers) != len(btfLSM) {
		t.Errorf("LSM hooks differ from BTF's bpf_lsm_ functions")
	}

	// kfuncs: the bpf_kfunc declaration tags, where the BTF has them.
	var untagged, notKfunc []string
	for k := range b.Kfuncs() {
		if !tagged[k.Name] {
			untagged = append(untagged, k.Name)
		}
	}
	for n := range tagged {
		if _, ok := b.Kfunc(n); !ok {
			notKfunc = append(notKfunc, n)
		}
	}
	slices.Sort(notKfunc)
	t.Logf("kfuncs %d; BTF bpf_kfunc decl tags %d; kfuncs without a tag %d (%q); tagged functions in no kfunc set: %q",
		nkf, len(tagged), len(untagged), untagged, notKfunc)

	if sm := os.Getenv("KABI_SYSTEM_MAP"); sm != "" {
		data, err := os.ReadFile(sm)
		if err != nil {
			t.Fatal(err)
		}
		inTable := map[string]bool{}
		for s := range b.Syscalls() {
			for _, e := range s.Entries {
				inTable[e.Wrapper] = true
			}
		}
		var prefix string
		switch b.Meta.Arch {
		case "amd64":
			prefix = "__x64_sys_"
		case "arm64":
			prefix = "__arm64_sys_"
		default:
			t.Skipf("no wrapper prefix for %s", b.Meta.Arch)
		}
		var notIn []string
		wrappers := 0
		all := map[string]bool{}
		for _, line := range strings.Split(string(data), "\n") {
			fs := strings.Fields(line)
			if len(fs) != 3 || (fs[1] != "T" && fs[1] != "t" && fs[1] != "W") {
				continue
			}
			all[fs[2]] = true
			if !strings.HasPrefix(fs[2], prefix) || fs[2] == prefix+"ni_syscall" || strings.Contains(fs[2], ".") {
				continue
			}
			wrappers++
			if !inTable[fs[2]] {
				notIn = append(notIn, fs[2])
			}
		}
		// A wrapper the table does not call is expected for a syscall of
		// the 32-bit ABI only: the kernel compiles every syscall's
		// wrapper for each ABI (__x64_sys_waitpid beside
		// __ia32_sys_waitpid) and the tables pick theirs.
		var unexplained []string
		for _, w := range notIn {
			if !all["__ia32_sys_"+strings.TrimPrefix(w, prefix)] {
				unexplained = append(unexplained, w)
			}
		}
		t.Logf("System.map: %d %s* wrappers (.cold parts aside), %d in sys_call_table; %d not in it, all but %q with an __ia32_sys_ twin (syscalls of the 32-bit ABI): %q",
			wrappers, prefix, wrappers-len(notIn), len(notIn), unexplained, notIn)
		var missing []string
		for s := range b.Syscalls() {
			for _, e := range s.Entries {
				if !all[e.Wrapper] {
					missing = append(missing, e.Wrapper)
				}
			}
		}
		if len(missing) > 0 {
			t.Errorf("table entries whose wrapper System.map lacks: %q", missing)
		}
	}
}
