// Package check checks an eBPF program against kernel builds: on which
// builds will it fail to load, attach to nothing, miss events, or read
// the wrong data — and why.
//
// [Open] or [NewObject] read a compiled eBPF object (a .bpf.o, as clang
// -g -target bpf and libbpf make it; parsed with github.com/cilium/ebpf)
// into an [Object]: its programs and the [Dependency] values they have on
// a kernel. [Check] checks every dependency against every
// [github.com/kabi-dev/kabi.Build] (read from a vmlinux or an index file)
// and gives a [Report]: per dependency and build a [Finding], with its
// [Consequence] and a one-line reason. Package render prints reports as
// text, JSON, Markdown, HTML and SARIF.
//
// # Dependencies
//
// An object's dependencies come from three places:
//
//   - Each program's ELF section (libbpf's conventions, see [Attach]):
//     kprobe/FUNC, kretprobe/FUNC, fentry/FUNC, fexit/FUNC, fmod_ret/FUNC
//     name a function; kprobe.multi/PATTERN and kretprobe.multi/PATTERN a
//     glob; ksyscall/NAME and kretsyscall/NAME a system call (libbpf probes
//     the architecture's wrapper, __x64_sys_NAME on amd64);
//     tracepoint/syscalls/sys_enter_NAME a system call;
//     tracepoint/CAT/EVENT, tp/CAT/EVENT, tp_btf/EVENT, raw_tp/EVENT and
//     raw_tracepoint/EVENT a trace event; lsm/HOOK, lsm.s/HOOK an LSM hook
//     (the kernel attaches to the function bpf_lsm_HOOK); iter/TARGET the
//     function bpf_iter_TARGET; a struct_ops program the member of the
//     struct_ops type it implements, and a .struct_ops.link map the type
//     ("struct_ops" in Relocs; absent: the load fails). A section without a target (SEC("kprobe"),
//     SEC("fentry")) is set at load time: [Options].Targets names it, else
//     it is reported as unknown.
//   - The CO-RE relocations of .BTF.ext: each struct, union or enum the
//     program reads, with the member path ("se.vruntime") and the
//     relocation kinds in libbpf's names (byte_off, byte_sz,
//     field_exists, signed, lshift_u64, rshift_u64, type_exists,
//     type_size, type_matches, target_type_id, enumval_exists,
//     enumval_value). Local type names lose libbpf's flavor suffix
//     ("task_struct___old" is task_struct) as libbpf strips it. A member
//     whose existence the same program checks (bpf_core_field_exists and
//     the like) is Guarded (kabi does not follow the program's branches:
//     a read of a checked member outside the check counts as guarded too);
//     a member read through a flavored type, in a
//     program that checks another member of another flavor of the same
//     type, lists that member in Alternatives (the "several kernels"
//     idiom: one of the reads is dead code on each kernel).
//   - The program's BTF and DWARF: kfunc calls and kernel variables
//     (externs in .ksyms; __weak ones are Guarded), config values
//     (externs in .kconfig, but libbpf's own LINUX_* ones), and the
//     prototype a tracing program expects of its target. libbpf's
//     BPF_PROG and BPF_KPROBE macros declare the typed arguments as an
//     inline function ____NAME that BTF does not keep but DWARF does;
//     [Dependency].Expect is read from there (nil when the object has no
//     DWARF). For fentry-like programs the context slots the program
//     reads ([Dependency].Slots) are also found from its instructions.
//
// # Consequences
//
// The heart of the check: what a dependency's state in a build means for
// the program. "BTF attach" is fentry, fexit, fmod_ret, lsm, tp_btf and
// iter, whose target the kernel resolves when the program is loaded;
// "probe" is kprobe, kretprobe, kprobe.multi and ksyscall, whose target is
// resolved when it is attached.
//
//	state in the build                          probe            BTF attach       CO-RE / extern
//	absent                                      attach failure   load failure     -
//	only a symbol, no DWARF (assembly)          fine             load failure     -
//	fully inlined (no symbol)                   attach failure   load failure     -
//	only transformed symbols (.isra, .constprop) attach failure  load failure     -
//	selectively inlined                         missed events    missed events    -
//	transformed copies beside the symbol        missed events    missed events    -
//	several functions of the name (collision,   missed events    missed events    -
//	  static duplication)
//	expects more context slots than the         -                load failure     -
//	  function has arguments (+1 for fexit's
//	  return value; the verifier refuses)
//	argument moved or of another class/size     wrong data       wrong data       -
//	  than the program reads it as
//	return type of another size/class           wrong data       wrong data       -
//	  (kretprobe, fexit, fmod_ret)
//	argument appended after those read          fine             fine             -
//	pattern matches nothing                     attach failure   -                -
//	pattern matches inlined functions           missed events    -                -
//	kernel refuses kprobes on it (blacklist,     attach failure   -                -
//	  .init.text, no-probe text)
//	notrace or .init.text                       -                attach failure   -
//	not in the build's .BTF                     -                load failure     -
//	system call absent from the syscall table   attach failure   -                -
//	  (ksyscall: the wrapper is then checked
//	  as a kprobe target)
//	trace event absent                          attach failure   load failure     -
//	  (tracepoint/, raw_tp/; tp_btf/)
//	trace event in another system               attach failure   -                -
//	bare tracepoint (no event) for tracepoint/  attach failure   -                -
//	syscall event for tp_btf/ (no btf_trace_)   -                load failure     -
//	LSM hook absent                             -                load failure     -
//	pattern matches nothing                     attach failure   -                -
//	pattern matches inlined functions           missed events    -                -
//	target set at load time, not named          unknown          unknown          -
//
// And for CO-RE relocations and externs, as libbpf resolves them when the
// object is loaded (an unresolved relocation poisons its instruction,
// which fails the load where the program can reach it):
//
//	state in the build                                      consequence
//	type, field or enum value absent, unguarded             load failure
//	absent, but the program checks its existence            fine (the code is skipped)
//	absent, but another flavor's checked member exists      fine (the other branch runs)
//	field of another class (integer/pointer/composite/      load failure (libbpf finds no
//	  array) than the program reads                           compatible field)
//	integer field of another size (no byte_sz relocation)   wrong data
//	field moved, type grew, enum value renumbered           fine (what CO-RE relocates)
//	member path through a typedef (not expanded)            unknown
//	kfunc not registered in any BTF ID set, not __weak      load failure
//	kfunc absent, __weak (bpf_ksym_exists)                  fine
//	kfunc prototype incompatible                            load failure
//	config option not set, not __weak                       load failure
//	config option not set, __weak                           fine (reads 0)
//	build's types / hooks / configuration unknown           unknown
//	kernel variable (.ksyms)                                unknown (not in the model)
//
// Types are compared as a program reads them, not as C spells them: two
// pointers to structs of the same name, integers of the same size (by
// the build's architecture), a typedef against anything (kabi keeps
// typedef names unexpanded, so it cannot tell) are compatible. A
// collision is "missed events" because the program attaches to one of
// several functions; kernels that refuse ambiguous kprobe names (upstream
// since 6.7) fail the attach instead.
//
// # What is not checked
//
// What a build's model does not hold is reported as [Unknown], with a
// reason that says so, never guessed: kernel variables (.ksyms), members
// reached through a typedef (the type model keeps typedef names
// unexpanded), and whatever a given build lacks (types in a build read
// with types off, trace events, LSM hooks, kfunc sets or a configuration
// its file does not carry). Without a syscall table the ksyscall wrapper
// is named by the architecture's prefix (__x64_sys_, __arm64_sys_, ...);
// without LSM hooks, lsm/HOOK is checked as the function bpf_lsm_HOOK. The object
// reader refuses what github.com/cilium/ebpf cannot read: typed __ksym
// variables, plain .struct_ops sections ([ErrUnsupported]).
//
// # Security
//
// Objects are untrusted: they are read whole (at most 256 MiB) and parsed
// by github.com/cilium/ebpf and debug/dwarf behind a panic firewall; a
// bad object gives an error naming the file and wrapping [ErrNotBPF],
// [ErrNoBTF], [ErrCorrupt] or [ErrUnsupported], never a panic.
//
// # Concurrency
//
// An [Object] and a [Report] are values: safe to read from several
// goroutines. [Check] reads the builds, which are safe for concurrent use.
package check
