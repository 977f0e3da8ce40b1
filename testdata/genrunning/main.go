// Command genrunning writes the BTF of a fake running kernel for kabi's
// tests (gen-running.sh runs it): the BTF pahole encoded from a hooks
// fixture's DWARF, with what a kernel's build adds to it besides:
//
//   - a btf_trace_<event> typedef per trace event with a raw tracepoint
//     function, a pointer to that function's prototype, as the kernel's
//     include/trace/bpf_probe.h declares it (bare tracepoints too; syscall
//     events have none);
//   - a bpf_kfunc declaration tag on each kfunc of the fixture's ID sets,
//     as pahole 1.27 and later write them from the sets.
//
// Both are read from the fixture build with kabi, by the rules of the
// vmlinux path.
//
//	go run ./testdata/genrunning FIXTURE.elf IN.btf OUT.btf
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/cilium/ebpf/btf"
	"github.com/kabi-dev/kabi"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: genrunning FIXTURE.elf IN.btf OUT.btf")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "genrunning:", err)
		os.Exit(1)
	}
}

func run(elfPath, in, out string) error {
	b, err := kabi.Open(elfPath, nil)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	var types []btf.Type
	funcs := map[string]*btf.Func{}
	for t, err := range spec.All() {
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		if _, void := t.(*btf.Void); void {
			continue
		}
		if fn, ok := t.(*btf.Func); ok && funcs[fn.Name] == nil {
			funcs[fn.Name] = fn
		}
		types = append(types, t)
	}
	for tp := range b.Tracepoints() {
		if tp.RawSignature == nil {
			continue
		}
		fn := funcs[tp.RawSignature.Name]
		if fn == nil {
			return fmt.Errorf("%s: no BTF function %s for tracepoint %s", in, tp.RawSignature.Name, tp.Name)
		}
		types = append(types, &btf.Typedef{Name: "btf_trace_" + tp.Name, Type: &btf.Pointer{Target: fn.Type}})
	}
	for k := range b.Kfuncs() {
		fn := funcs[k.Name]
		if fn == nil {
			return fmt.Errorf("%s: no BTF function for kfunc %s", in, k.Name)
		}
		fn.Tags = append(fn.Tags, "bpf_kfunc")
	}
	bld, err := btf.NewBuilder(types, nil)
	if err != nil {
		return err
	}
	data, err := bld.Marshal(nil, &btf.MarshalOptions{Order: binary.LittleEndian})
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}
