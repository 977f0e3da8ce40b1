package kabi

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestRealKernelModules reads $KABI_VMLINUX with the module tree
// $KABI_MODULES (fetch-vmlinux --modules puts it in
// ~/.cache/kabi/modules-RELEASE), checks each module's signatures against
// the module's own split BTF (≥ 99.9% agreement over all modules), and
// writes the functions, instances and symbols per module to
// $KABI_MODULE_COUNTS when set.
func TestRealKernelModules(t *testing.T) {
	vmlinux, dir := os.Getenv("KABI_VMLINUX"), os.Getenv("KABI_MODULES")
	if vmlinux == "" || dir == "" {
		t.Skip("KABI_VMLINUX and KABI_MODULES are not both set")
	}
	start := time.Now()
	b, err := Open(vmlinux, &Options{ModuleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read in %v: %d functions", time.Since(start), b.Len())
	realModuleTypes(t, b)

	type counts struct{ fns, insts, syms, kprobeYes, fentryYes, btfYes, unknown int }
	per := map[string]*counts{}
	get := func(m string) *counts {
		if per[m] == nil {
			per[m] = &counts{}
		}
		return per[m]
	}
	for f := range b.Functions() {
		seen := map[string]bool{}
		for _, in := range f.Instances {
			get(in.Module).insts++
			if !seen[in.Module] {
				seen[in.Module] = true
				get(in.Module).fns++
			}
		}
	}
	for s := range b.Symbols() {
		get(s.Module).syms++
	}
	// Attach verdicts of the modules' functions (one plain symbol, in a
	// module), by verdict and reason; and the DWARF rule (a definition
	// and a plain symbol are a BTF FUNC) against each module's own .BTF.
	verdicts := map[string]int{}
	var ruleAgree, ruleTotal int
	var ruleMiss []string
	for f := range b.Functions() {
		var plain []*Symbol
		for _, s := range f.Symbols {
			if s.Suffix == "" {
				plain = append(plain, s)
			}
		}
		if len(plain) != 1 || plain[0].Module == "" {
			continue
		}
		c := get(plain[0].Module)
		a := f.Attach
		verdicts["kprobe "+a.Kprobe.String()+" "+a.KprobeWhy.String()]++
		verdicts["fentry "+a.Fentry.String()+" "+a.FentryWhy.String()]++
		verdicts["btf "+a.BTF.String()]++
		if a.Kprobe == AttachYes {
			c.kprobeYes++
		}
		if a.Fentry == AttachYes {
			c.fentryYes++
		}
		if a.BTF == AttachYes {
			c.btfYes++
		}
		if a.Kprobe == AttachUnknown || a.Fentry == AttachUnknown || a.BTF == AttachUnknown {
			c.unknown++
		}
		if a.BTF != AttachUnknown {
			ruleTotal++
			if (a.BTF == AttachYes) == f.hasDefinition() {
				ruleAgree++
			} else if len(ruleMiss) < 10 {
				ruleMiss = append(ruleMiss, fmt.Sprintf("%s [%s]: BTF %v, definition %v", f.Name, plain[0].Module, a.BTF, f.hasDefinition()))
			}
		}
	}
	var vs []string
	for v, n := range verdicts {
		vs = append(vs, fmt.Sprintf("%s: %d", v, n))
	}
	sort.Strings(vs)
	t.Logf("module functions' verdicts:\n%s", strings.Join(vs, "\n"))
	t.Logf("module BTF against the DWARF rule: %d of %d agree; e.g. %q", ruleAgree, ruleTotal, ruleMiss)
	if ruleTotal == 0 || float64(ruleAgree) < 0.999*float64(ruleTotal) {
		t.Errorf("module BTF against the DWARF rule: %d of %d agree (< 99.9%%)", ruleAgree, ruleTotal)
	}
	if verdicts["kprobe unknown no kprobe blacklist"] > 0 || verdicts["fentry unknown no ftrace list"] > 0 || verdicts["btf unknown"] > 0 {
		t.Errorf("unknown verdicts for module functions of a kernel whose lists are all there")
	}
	if f, err := b.Lookup("nf_conntrack_in"); err != nil || f.Instances[0].Module != "nf_conntrack" {
		t.Errorf("nf_conntrack_in: %v %v", f, err)
	}

	// BTF: each module's split BTF against vmlinux's.
	vf, err := os.Open(vmlinux)
	if err != nil {
		t.Fatal(err)
	}
	braw, err := btfBytes(vf, vmlinux)
	vf.Close()
	if err != nil {
		t.Fatal(err)
	}
	base, err := loadBTFSpec(braw, vmlinux, nil)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := listModules(dir)
	if err != nil {
		t.Fatal(err)
	}
	sigs := modulesSignatures(b, func(m string) bool { return m != "" })
	var names, agree, unproto, withBTF int
	classes := map[MismatchClass]int{}
	var examples []string
	for _, p := range paths {
		r, _, c, err := openModuleFile(p, &Options{})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := btfBytes(r, p)
		ef := mustModuleName(t, r, p)
		c.Close()
		if err != nil {
			continue // a module without .BTF
		}
		fns, err := loadSplitBTFFuncs(raw, p, base)
		if err != nil {
			t.Fatal(err)
		}
		funcs, err := btfSignatures(fns, p)
		if err != nil {
			t.Fatal(err)
		}
		rep := compareBTF(funcs, sigs[ef])
		withBTF++
		names += rep.Names
		agree += rep.Agree
		unproto += rep.Unprototyped
		for _, m := range rep.Mismatches {
			classes[m.Class]++
			if len(examples) < 20 {
				d := "none"
				if m.DWARF != nil {
					d = m.DWARF.String()
				}
				examples = append(examples, fmt.Sprintf("%s [%s]: %s: BTF %s, DWARF %s", m.Name, ef, m.Class, m.BTF.String(), d))
			}
		}
	}
	share := float64(agree+unproto) / float64(names)
	t.Logf("module BTF: %d modules with .BTF, %d function names, %d agree, %d unprototyped: %.4f%%; mismatches by class %v",
		withBTF, names, agree, unproto, 100*share, classes)
	for _, e := range examples {
		t.Log(e)
	}
	if share < 0.999 {
		t.Errorf("agreement %.4f%% < 99.9%%", 100*share)
	}

	if out := os.Getenv("KABI_MODULE_COUNTS"); out != "" {
		var mods []string
		for m := range per {
			mods = append(mods, m)
		}
		sort.Strings(mods)
		var sb strings.Builder
		fmt.Fprintf(&sb, "module\tfunctions\tinstances\tsymbols\tkprobe yes\tfentry yes\tin BTF\tunknown\n")
		var tf, ti, ts, tk, tfe, tb, tu int
		for _, m := range mods {
			c := per[m]
			name := m
			if name == "" {
				name = "(vmlinux)"
			}
			fmt.Fprintf(&sb, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", name, c.fns, c.insts, c.syms, c.kprobeYes, c.fentryYes, c.btfYes, c.unknown)
			tf, ti, ts, tk, tfe, tb, tu = tf+c.fns, ti+c.insts, ts+c.syms, tk+c.kprobeYes, tfe+c.fentryYes, tb+c.btfYes, tu+c.unknown
		}
		fmt.Fprintf(&sb, "(total, functions by name: %d)\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", b.Len(), tf, ti, ts, tk, tfe, tb, tu)
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustModuleName(t *testing.T, r io.ReaderAt, path string) string {
	ef, err := elf.NewFile(r)
	if err != nil {
		t.Fatal(err)
	}
	stem, _ := moduleStem(path)
	name, _ := modinfo(ef, stem)
	return name
}

// realModuleTypes checks a whole kernel's types: the modules add
// definitions, each naming modules of the tree; on Debian's 6.1 amd64
// kernels, types checked against each module's own .BTF (bpftool btf dump
// file MOD.ko -B vmlinux): struct xfs_mount is xfs's (2,496 bytes), struct
// bictcp is vmlinux's (tcp_cubic.c, 60 bytes) and tcp_bic's (24 bytes),
// struct nf_conn, defined by nf_conntrack's headers that vmlinux includes
// too, is vmlinux's.
func realModuleTypes(t *testing.T, b *Build) {
	t.Helper()
	var vmlinux, module int
	for d := range b.Types(0) {
		if len(d.Modules) == 0 {
			vmlinux++
			continue
		}
		module++
		for _, m := range d.Modules {
			if _, ok := b.modSrc[m]; !ok {
				t.Errorf("%s %s: module %q is not one of the tree's", d.Kind, d.Name, m)
			}
		}
	}
	t.Logf("types: %d of vmlinux, %d only modules define", vmlinux, module)
	if module == 0 {
		t.Error("no type of a module")
	}
	if !strings.HasPrefix(b.Meta.Release, "6.1.0-") || b.Meta.Arch != "amd64" {
		return
	}
	variants := func(name string) (out []string) {
		for _, d := range b.TypeVariants(KindStruct, name) {
			out = append(out, fmt.Sprintf("%d %v", d.Size, d.Modules))
		}
		return out
	}
	for name, want := range map[string][]string{
		"xfs_mount": {"2496 [xfs]"},
		"bictcp":    {"60 []", "24 [tcp_bic]"},
		"nf_conn":   {"248 []"},
	} {
		if got := variants(name); !slices.Equal(got, want) {
			t.Errorf("struct %s: %q, want %q", name, got, want)
		}
	}
}

// TestRealKernelModuleTracepoints reads a whole kernel's trace events:
// the modules' come from each module's _ftrace_events, relocated, and
// name a module of the tree. On Debian's 6.1 amd64 kernels, xfs's
// xfs_attr_list_sf (its __event_xfs_attr_list_sf pointer in xfs.ko's
// _ftrace_events, 579 of them there; class event_class_xfs_attr_list_class,
// readelf -sW xfs.ko) is xfs's.
func TestRealKernelModuleTracepoints(t *testing.T) {
	vmlinux, dir := os.Getenv("KABI_VMLINUX"), os.Getenv("KABI_MODULES")
	if vmlinux == "" || dir == "" {
		t.Skip("KABI_VMLINUX and KABI_MODULES are not both set")
	}
	b, err := Open(vmlinux, &Options{ModuleDir: dir, NoTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	var vm, mod int
	per := map[string]int{}
	for tp := range b.Tracepoints() {
		if tp.Module == "" {
			vm++
			continue
		}
		mod++
		per[tp.Module]++
		if _, ok := b.modSrc[tp.Module]; !ok {
			t.Errorf("tracepoint %s: module %q is not one of the tree's", tp.Name, tp.Module)
		}
	}
	var skips []string
	for s := range b.HookSkips() {
		if s.Kind == KindTracepoint {
			skips = append(skips, s.String())
		}
	}
	t.Logf("tracepoints: %d of vmlinux, %d of %d modules (xfs %d); %d tracepoint skips: %q", vm, mod, len(per), per["xfs"], len(skips), skips)
	if mod == 0 {
		t.Fatal("no tracepoint of a module")
	}
	if !strings.HasPrefix(b.Meta.Release, "6.1.0-") || b.Meta.Arch != "amd64" {
		return
	}
	if per["xfs"] < 579 {
		t.Errorf("xfs has %d tracepoints, want at least its 579 events", per["xfs"])
	}
	tp, ok := b.Tracepoint("xfs_attr_list_sf")
	if !ok {
		t.Fatal("no tracepoint xfs_attr_list_sf")
	}
	if tp.Module != "xfs" || tp.System != "xfs" || tp.Class != "xfs_attr_list_class" || tp.Format == "" || tp.Probe == nil || tp.RawSignature == nil {
		t.Errorf("xfs_attr_list_sf: %+v", tp)
	}
}

// BenchmarkOpenModules reads $KABI_VMLINUX with its module tree
// $KABI_MODULES, everything included (signatures, types, hooks), under the
// memory limit examples/kabi sets for such a read. Beside ns/op it reports
// the bytes allocated and the collections per read; compare the whole
// process with /usr/bin/time for peak resident memory, which a benchmark
// sharing its process with others cannot give.
func BenchmarkOpenModules(b *testing.B) {
	vmlinux, dir := os.Getenv("KABI_VMLINUX"), os.Getenv("KABI_MODULES")
	if vmlinux == "" || dir == "" {
		b.Skip("KABI_VMLINUX and KABI_MODULES are not both set")
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(850 << 20))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		k, err := Open(vmlinux, &Options{ModuleDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		n++
		b.ReportMetric(float64(k.Len()), "functions")
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(n), "GCs/op")
}
