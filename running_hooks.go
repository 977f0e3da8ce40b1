package kabi

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// The hooks of a running kernel, from what it publishes: its BTF and
// /proc/kallsyms. The tables a vmlinux file holds (the trace event array,
// the kfunc ID sets in .BTF_ids, the syscall tables) are in the kernel's
// memory, which this source cannot read; each hook is found by what it
// leaves in the BTF or the symbols, and what only the tables say is
// unknown (see [Tracepoint.EventUnknown], [Kfunc.SetsUnknown],
// [SyscallEntry.Number], [Build.HooksUnknown]).
//
//   - Tracepoints: one per btf_trace_<name> typedef (a pointer to the
//     prototype tp_btf/ programs receive: void *__data, then the
//     tracepoint's arguments). The event class, system, format and flags
//     are in struct trace_event_call, in memory: unknown.
//   - LSM hooks: the members of struct security_hook_heads, else of struct
//     lsm_static_calls_table, as BTF defines them (the rule the vmlinux
//     path applies to its DWARF).
//   - Kfuncs: the BTF functions with a bpf_kfunc declaration tag (which
//     pahole writes, from the ID sets, for kernels built with a pahole
//     that does); the sets are unknown. Without such tags the kfuncs are
//     unknown.
//   - Syscalls: the architecture's syscall wrappers in kallsyms
//     (__x64_sys_<name>, __arm64_sys_<name>, ...; a weak one is the
//     not-implemented stub of a syscall the configuration leaves out);
//     the tables and numbers are unknown.
//   - The configuration: /proc/config.gz, else /boot/config-RELEASE (or
//     the file Options.Config names); unknown without one.

// Why a kind's hooks are unknown for a running kernel.
const (
	unknownTracepoints = "the running kernel's BTF has no btf_trace_ typedefs (a kernel without CONFIG_BPF_EVENTS)"
	unknownLSM         = "the running kernel's BTF defines neither struct security_hook_heads nor struct lsm_static_calls_table"
	unknownKfuncs      = "the running kernel's BTF has no bpf_kfunc declaration tags (they are written by pahole 1.27 and later): its kfunc ID sets are in its memory, which this source cannot read"
	unknownSyscalls    = "the running kernel's kallsyms lists no syscall wrappers"
)

// readRunningConfig reads a running kernel's configuration: the file
// given (Options.Config), else /proc/config.gz (CONFIG_IKCONFIG_PROC),
// else /boot/config-RELEASE, under root (at joins root and a path). None
// leaves the configuration unknown; a file that cannot be read is an
// error naming it.
func (h *hookSet) readRunningConfig(at func(string) string, release, given string) error {
	if given != "" {
		return h.readConfigFile("", release, given)
	}
	gz := at("proc/config.gz")
	f, err := os.Open(gz)
	if err == nil {
		defer f.Close()
		blob, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
		if err != nil {
			return fmt.Errorf("%s: %w", gz, err)
		}
		if len(blob) > maxConfigSize {
			return fmt.Errorf("%s: more than %d bytes", gz, maxConfigSize)
		}
		opts, err := parseGzipConfig(blob)
		if err != nil {
			return fmt.Errorf("%s: %w", gz, err)
		}
		h.config, h.configFrom = opts, gz
		return nil
	}
	if release == "" {
		return nil
	}
	return h.readConfigFile(at("boot/vmlinuz-"+release), release, "")
}

// runningHooks reads the hooks of a running kernel from its BTF (spec,
// named name in errors), its loaded modules' and its kallsyms; arch is the
// Debian architecture, naming the syscall wrappers. A module's
// tracepoints and kfuncs are the kernel's as vmlinux's are.
func runningHooks(spec *btf.Spec, mods []runningModule, ks []kallsym, arch, name string) (h *hookSet, err error) {
	h = &hookSet{fromBTF: true, unknown: map[Kind]string{}}
	var lsm *btf.Struct
	lsmRank := 0 // 2: security_hook_heads, 1: lsm_static_calls_table
	kfuncs := map[string]bool{}
	tps := map[string]string{} // tracepoint: the module whose BTF has it first ("": vmlinux)
	type named struct {
		spec         *btf.Spec
		name, module string
	}
	all := []named{{spec, name, ""}}
	for _, m := range mods {
		all = append(all, named{m.spec, m.path, m.name})
	}
	for _, s := range all {
		for t, err := range s.spec.All() {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			switch t := t.(type) {
			case *btf.Typedef:
				tp, ok := strings.CutPrefix(t.Name, "btf_trace_")
				if !ok || tp == "" {
					continue
				}
				if _, seen := tps[tp]; seen {
					continue
				}
				if p, ok := t.Type.(*btf.Pointer); ok {
					if _, ok := p.Target.(*btf.FuncProto); ok {
						tps[tp] = s.module
					}
				}
			case *btf.Struct:
				r := 0
				switch t.Name {
				case "security_hook_heads":
					r = 2
				case "lsm_static_calls_table":
					r = 1
				}
				if r > lsmRank {
					lsm, lsmRank = t, r
				}
			case *btf.Func:
				// The library folds a function's declaration tags into Tags.
				if t.Name != "" && slices.Contains(t.Tags, "bpf_kfunc") {
					kfuncs[t.Name] = true
				}
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(tps)) {
		h.tracepoints = append(h.tracepoints, &Tracepoint{Name: n, EventUnknown: true, Module: tps[n]})
	}
	if len(h.tracepoints) == 0 {
		h.unknown[KindTracepoint] = unknownTracepoints
	}
	if lsm == nil {
		h.unknown[KindLSM] = unknownLSM
	} else {
		seen := map[string]bool{}
		for _, m := range lsm.Members {
			if m.Name != "" && !seen[m.Name] {
				seen[m.Name] = true
				h.lsm = append(h.lsm, &LSMHook{Name: m.Name})
			}
		}
		slices.SortFunc(h.lsm, func(a, b *LSMHook) int { return strings.Compare(a.Name, b.Name) })
	}
	for _, n := range slices.Sorted(maps.Keys(kfuncs)) {
		h.kfuncs = append(h.kfuncs, &Kfunc{Name: n, SetsUnknown: true})
	}
	if len(h.kfuncs) == 0 {
		h.unknown[KindKfunc] = unknownKfuncs
	}
	h.syscalls = kallsymsSyscalls(ks, arch)
	if len(h.syscalls) == 0 {
		h.unknown[KindSyscall] = unknownSyscalls
	}
	return h, nil
}

// kallsymsSyscalls returns the syscalls whose wrappers vmlinux's kallsyms
// lists, with the prefixes of the architecture's native table (see
// tablePrefixes; the first that names a syscall wins), in name order. A
// weak wrapper is the stub of a syscall the configuration leaves out,
// and sys_ni_syscall is none; compiler-made parts (.cold) are not
// wrappers.
func kallsymsSyscalls(ks []kallsym, arch string) []*Syscall {
	prefixes := tablePrefixes(arch, "sys_call_table")
	byName := map[string]*Syscall{}
	rank := map[string]int{}
	for _, k := range ks {
		if k.module != "" || (k.typ != 'T' && k.typ != 't') {
			continue
		}
		for i, p := range prefixes {
			sc, ok := strings.CutPrefix(k.name, p)
			if !ok || sc == "" || sc == "ni_syscall" || strings.ContainsAny(sc, ".$") {
				continue
			}
			if byName[sc] != nil && rank[sc] <= i {
				break
			}
			byName[sc] = &Syscall{Name: sc, Entries: []SyscallEntry{{Number: -1, Wrapper: k.name}}}
			rank[sc] = i
			break
		}
	}
	out := make([]*Syscall, 0, len(byName))
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		out = append(out, byName[n])
	}
	return out
}

// typedefSignature is the prototype a btf_trace_<name> typedef points to,
// as a signature named after the typedef; nil when the build has no
// such typedef of a function pointer.
func typedefSignature(b *Build, name string) *Signature {
	td, ok := b.Typedef(name)
	if !ok || td.Type == nil || td.Type.Kind != Pointer || td.Type.Elem == nil || td.Type.Elem.Kind != Func {
		return nil
	}
	f := td.Type.Elem
	return &Signature{Name: name, Return: f.Elem, Params: f.Params, Variadic: f.Variadic, Prototyped: f.Prototyped}
}
