package check

import (
	"fmt"
	"strings"

	"github.com/kabi-dev/kabi"
)

// any reports whether seq yields anything: whether the build's model
// holds hooks of a kind at all.
func anyHook(b *kabi.Build, k kabi.Kind) bool {
	for range b.Hooks(k) {
		return true
	}
	return false
}

// checkSyscall checks ksyscall/NAME: libbpf attaches a kprobe to the
// system call's wrapper function, which the build's syscall table names
// (the architecture's prefix otherwise).
func checkSyscall(d *Dependency, b *kabi.Build) Finding {
	name := ""
	if s, ok := b.Syscall(d.Ref.Name); ok && len(s.Entries) > 0 {
		name = s.Entries[0].Wrapper
		for _, e := range s.Entries {
			if e.Table == "sys_call_table" {
				name = e.Wrapper
				break
			}
		}
	} else if anyHook(b, kabi.KindSyscall) {
		return Finding{Consequence: AttachFailure, Reason: "no such system call in the build's syscall table: the attach fails", Status: []string{"absent"}}
	} else {
		name = syscallWrapper(b.Meta.Arch, d.Ref.Name)
	}
	if name == "" {
		return Finding{Consequence: Unknown, Reason: fmt.Sprintf("kabi does not know the syscall wrapper prefix of architecture %q", b.Meta.Arch)}
	}
	f := checkFunction(d, name, b)
	f.Reason = name + ": " + f.Reason
	return f
}

// checkTracepoint checks tracepoint/, tp/, raw_tp/ and tp_btf/ targets
// against the build's trace events.
func checkTracepoint(d *Dependency, b *kabi.Build) Finding {
	if !anyHook(b, kabi.KindTracepoint) {
		return Finding{Consequence: Unknown, Reason: "the build's model has no trace events"}
	}
	event := d.Ref.Name
	if d.Ref.Kind == kabi.KindSyscall {
		event = "sys_enter_" + d.Ref.Name // tracepoint/syscalls/sys_enter_NAME or sys_exit_NAME: both exist or neither
	}
	tp, ok := b.Tracepoint(event)
	fail := AttachFailure
	if d.Attach == AttachTpBTF {
		fail = LoadFailure // the kernel resolves btf_trace_NAME when the program loads
	}
	if !ok && d.Attach == AttachTracepoint && eventsUnknown(b) {
		return Finding{Consequence: Unknown, Reason: "no btf_trace_ typedef of that name, and the build's source does not show its trace events (syscall events have no typedef)"}
	}
	if !ok {
		return Finding{Consequence: fail, Reason: "no such trace event: the " + failWord(fail) + " fails", Status: []string{"absent"}}
	}
	switch d.Attach {
	case AttachTracepoint:
		if tp.EventUnknown {
			return Finding{Consequence: Unknown, Reason: "the tracepoint exists; whether it has a trace event (which tracepoint/ programs need) and its system are unknown in the build's source"}
		}
		if tp.Bare {
			return Finding{Consequence: AttachFailure, Reason: "a bare tracepoint (no trace event, only raw_tp/ and tp_btf/ attach): the attach fails", Status: []string{"bare"}}
		}
		if want := d.System; want != "" && tp.System != "" && want != tp.System {
			return Finding{Consequence: AttachFailure, Reason: fmt.Sprintf("the event is in system %s here, not %s: the attach fails", tp.System, want), Status: []string{"system changed"}}
		}
	case AttachTpBTF:
		if tp.Syscall {
			return Finding{Consequence: LoadFailure, Reason: "a syscall event has no btf_trace_ typedef: the load fails", Status: []string{"no BTF"}}
		}
		if tp.RawSignature == nil {
			return Finding{Consequence: Fine, Reason: "present (its arguments are not known to compare)"}
		}
		params := tp.RawSignature.Params
		if len(params) > 0 {
			params = params[1:] // void *__data
		}
		if c, why := checkArgs(d, params, nil, b.Meta.Arch); c > Fine {
			return Finding{Consequence: c, Reason: why, Status: []string{"prototype changed"}}
		}
	}
	return Finding{Consequence: Fine, Reason: "present"}
}

// eventsUnknown reports whether the build's tracepoints are known by
// their btf_trace_ typedefs only (a running kernel's).
func eventsUnknown(b *kabi.Build) bool {
	for tp := range b.Tracepoints() {
		return tp.EventUnknown
	}
	return false
}

func failWord(c Consequence) string {
	if c == LoadFailure {
		return "load"
	}
	return "attach"
}

// checkLSM checks an lsm/HOOK program: the kernel attaches it to the BTF
// function bpf_lsm_HOOK.
func checkLSM(d *Dependency, b *kabi.Build) Finding {
	if !anyHook(b, kabi.KindLSM) {
		f := checkFunction(d, "bpf_lsm_"+d.Ref.Name, b)
		f.Reason = "bpf_lsm_" + d.Ref.Name + ": " + f.Reason
		return f
	}
	l, ok := b.LSMHook(d.Ref.Name)
	if !ok {
		return Finding{Consequence: LoadFailure, Reason: "no such LSM hook: the load fails", Status: []string{"absent"}}
	}
	f := checkFunction(d, l.BPFName(), b)
	f.Reason = l.BPFName() + ": " + f.Reason
	return f
}

// checkKfunc checks a kfunc call.
func checkKfunc(d *Dependency, b *kabi.Build) Finding {
	known := anyHook(b, kabi.KindKfunc)
	k, registered := b.Kfunc(d.Ref.Name)
	f, isFunc := b.Function(d.Ref.Name)
	if known && !registered || !known && (!isFunc || f.Inline == kabi.InlineFull) {
		what := "no such kernel function"
		if known && isFunc {
			what = "a kernel function, but no BTF ID set registers it as a kfunc"
		}
		if d.Guarded {
			return Finding{Consequence: Fine, Reason: what + ", but the extern is __weak: the program checks bpf_ksym_exists", Status: []string{"absent"}}
		}
		return Finding{Consequence: LoadFailure, Reason: what + ": the load fails", Status: []string{"absent"}}
	}
	var sig *kabi.Signature
	if registered {
		sig = k.Signature
	} else if isFunc {
		sig = f.Signature
	}
	if d.Expect != nil && sig != nil {
		if why := protoMismatch(d.Expect.Params, sig.Params, b.Meta.Arch); why != "" {
			return Finding{Consequence: LoadFailure, Reason: "prototype differs (" + why + "): libbpf refuses an incompatible kfunc", Status: []string{"prototype changed"}}
		}
		if len(d.Expect.Params) != len(sig.Params) {
			return Finding{Consequence: LoadFailure, Reason: fmt.Sprintf("the program declares %s, the kfunc takes %d: libbpf refuses an incompatible kfunc", plural(len(d.Expect.Params), "argument"), len(sig.Params)), Status: []string{"prototype changed"}}
		}
	}
	if !known {
		return Finding{Consequence: Unknown, Reason: "the function exists; the build's model has no kfunc sets to tell whether it is a kfunc"}
	}
	if k.SetsUnknown {
		return Finding{Consequence: Fine, Reason: "a kfunc (its BTF tags it bpf_kfunc; its ID sets are unknown)"}
	}
	return Finding{Consequence: Fine, Reason: "a kfunc (" + strings.Join(k.Sets, ", ") + ")"}
}

// checkKconfig checks a __kconfig extern.
func checkKconfig(d *Dependency, b *kabi.Build) Finding {
	if b.ConfigSource() == "" {
		if d.Guarded {
			return Finding{Consequence: Unknown, Reason: "the build's configuration is unknown (the extern is __weak: a missing value reads as 0)"}
		}
		return Finding{Consequence: Unknown, Reason: "the build's configuration is unknown"}
	}
	o, ok := b.ConfigOption(d.Ref.Name)
	if !ok {
		if d.Guarded {
			return Finding{Consequence: Fine, Reason: "not set, and the extern is __weak: it reads as 0", Status: []string{"absent"}}
		}
		return Finding{Consequence: LoadFailure, Reason: "not in the build's configuration: libbpf fails the load (declare the extern __weak to read 0)", Status: []string{"absent"}}
	}
	return Finding{Consequence: Fine, Reason: d.Ref.Name + "=" + o.Value}
}
