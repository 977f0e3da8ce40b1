package kabi

import (
	"debug/elf"
	"os"
	"sort"
	"testing"
)

// TestKernelAttachability checks every function's attachability against
// the build's own .BTF (read by github.com/cilium/ebpf, not kabi's walker)
// and symbol table (read by debug/elf), and logs how far the DWARF rule
// for fentry agrees with the .BTF.
func TestKernelAttachability(t *testing.T) {
	path := realKernel(t)
	b, err := kernelBuild()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := btfBytes(f, path)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := loadBTFFuncs(raw, path)
	if err != nil {
		t.Fatal(err)
	}
	inBTF := make(map[string]bool, len(fns))
	for _, fn := range fns {
		inBTF[fn.Name] = true
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	all, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	type symInfo struct {
		n       int
		section string
	}
	plain := make(map[string]*symInfo)
	for _, s := range all {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			continue
		}
		p := plain[s.Name]
		if p == nil {
			p = &symInfo{}
			plain[s.Name] = p
		}
		p.n++
		if int(s.Section) < len(ef.Sections) {
			p.section = ef.Sections[s.Section].Name
		}
	}
	src := b.AttachSources()
	if !src.BTF || !src.FtraceList || !src.KprobeBlacklist {
		t.Fatalf("attach sources %+v: want all three in a Debian kernel", src)
	}
	counts := make(map[string]int)
	disagree := make(map[string][]string)
	for fn := range b.Functions() {
		a := fn.Attach
		p := plain[fn.Name]
		if (a.BTF == AttachYes) != inBTF[fn.Name] {
			t.Errorf("%s: BTF %v, but .BTF has it: %v", fn.Name, a.BTF, inBTF[fn.Name])
		}
		if (a.KprobeWhy == ReasonNoSymbol) != (p == nil) {
			t.Errorf("%s: kprobe %v (%v) but symbols of the name: %v", fn.Name, a.Kprobe, a.KprobeWhy, p)
		}
		for _, v := range []struct {
			probe string
			v     Verdict
		}{{"kprobe", a.Kprobe}, {"fentry", a.Fentry}} {
			if v.v == AttachYes && (p == nil || p.n != 1 || p.section == ".init.text") {
				t.Errorf("%s: %s yes, but the symbols of the name are %+v", fn.Name, v.probe, p)
			}
			if v.v == AttachAmbiguous && (p == nil || p.n < 2) {
				t.Errorf("%s: %s ambiguous, but the symbols of the name are %+v", fn.Name, v.probe, p)
			}
		}
		if a.Fentry == AttachYes && !inBTF[fn.Name] {
			t.Errorf("%s: fentry yes without a BTF FUNC", fn.Name)
		}
		if a.Fentry == AttachYes && !fn.hasDefinition() {
			t.Errorf("%s: fentry yes without a DWARF definition", fn.Name)
		}
		counts["kprobe "+a.Kprobe.String()+" "+a.KprobeWhy.String()]++
		counts["fentry "+a.Fentry.String()+" "+a.FentryWhy.String()]++

		// The DWARF rule for BTF: a definition and a symbol of the plain
		// name. (pahole also encodes notrace functions, whose fentry the
		// kernel refuses for want of an ftrace location.)
		predicted := p != nil && fn.hasDefinition()
		why := ""
		switch {
		case p == nil:
			why = "no symbol"
		case !fn.hasDefinition():
			why = "declared only"
		case p.n > 1:
			why = "several symbols"
		case p.section == ".init.text":
			why = "init"
		}
		if predicted != inBTF[fn.Name] {
			k := "in BTF, not by the DWARF rule: " + why
			if predicted {
				k = "by the DWARF rule, not in BTF: " + why
				if why == "" {
					k += fn.Collision.String() + "/" + fn.Inline.String()
				}
			}
			disagree[k] = append(disagree[k], fn.Name)
		} else {
			counts["agree"]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-50s %d", k, counts[k])
	}
	keys = keys[:0]
	for k := range disagree {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ex := disagree[k]
		t.Logf("%-70s %d (e.g. %v)", k, len(ex), ex[:min(4, len(ex))])
	}
}

// TestKernelArm64FtraceRelocated opens a relocatable arm64 kernel
// (KABI_VMLINUX_ARM64, e.g. Debian's vmlinux-6.1.0-47-arm64), whose
// __mcount_loc list is zero in the file and filled from .rela.dyn at boot,
// and checks that fentry can attach to most functions with a symbol, as
// on amd64, and to vfs_read.
func TestKernelArm64FtraceRelocated(t *testing.T) {
	path := os.Getenv("KABI_VMLINUX_ARM64")
	if path == "" {
		t.Skip("KABI_VMLINUX_ARM64 is not set")
	}
	b, err := Open(path, &Options{NoSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	withSym, fentry := 0, 0
	for f := range b.Functions() {
		if f.Attach.Kprobe == AttachYes {
			withSym++
			if f.Attach.Fentry == AttachYes {
				fentry++
			}
		}
	}
	t.Logf("%s: fentry can attach to %d of the %d functions kprobes can", path, fentry, withSym)
	if fentry < withSym/2 {
		t.Errorf("fentry attaches to %d of %d kprobe-attachable functions: the ftrace list was not relocated", fentry, withSym)
	}
	if f, ok := b.Function("vfs_read"); !ok || f.Attach.Fentry != AttachYes {
		t.Errorf("vfs_read: fentry not attachable")
	}
}
