package kabi

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
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

	type counts struct{ fns, insts, syms int }
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
		fmt.Fprintf(&sb, "module\tfunctions\tinstances\tsymbols\n")
		var tf, ti, ts int
		for _, m := range mods {
			c := per[m]
			name := m
			if name == "" {
				name = "(vmlinux)"
			}
			fmt.Fprintf(&sb, "%s\t%d\t%d\t%d\n", name, c.fns, c.insts, c.syms)
			tf, ti, ts = tf+c.fns, ti+c.insts, ts+c.syms
		}
		fmt.Fprintf(&sb, "(total, functions by name: %d)\t%d\t%d\t%d\n", b.Len(), tf, ti, ts)
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
