package kabi

import (
	"debug/elf"
	"fmt"
	"io"
	"iter"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/kmem"
)

// The hooks of a build are what eBPF programs attach to besides functions,
// and what they read besides types: trace events, LSM hooks, kfuncs,
// system calls and the kernel configuration. They are read from the
// build's data as the kernel registers them (arrays of pointers between
// linker symbols, tables at symbol addresses), with the build's own
// layout of the kernel structs involved (see layout.go), while the DWARF
// walk runs.

// hookSet is every hook of a build.
type hookSet struct {
	tracepoints []*Tracepoint // in name order
	lsm         []*LSMHook
	kfuncs      []*Kfunc
	syscalls    []*Syscall
	config      []ConfigOption
	configFrom  string
	skips       []HookSkip
	// fromBTF marks the hooks of a running kernel, read from its BTF and
	// kallsyms (see running_hooks.go): what only the kernel's tables say
	// is unknown. unknown says why a kind's hooks are unknown.
	fromBTF bool
	unknown map[Kind]string
	// tpl is the layout the trace events were read with, for the
	// modules' (nil when they were not read).
	tpl *tracepointLayout

	// From an index file: the build whose functions give the hooks'
	// signatures, linked as each hook is handed out.
	lazy   *Build
	linkMu sync.Mutex
	linked map[linker]bool
}

// A linker is a hook whose signatures are those of functions it names.
type linker interface{ link(*Build) }

// ready links v the first time it is handed out, for hooks loaded from an
// index file (those of an analysis are linked at once).
func (h *hookSet) ready(v linker) {
	if h.lazy == nil {
		return
	}
	h.linkMu.Lock()
	defer h.linkMu.Unlock()
	if !h.linked[v] {
		v.link(h.lazy)
		h.linked[v] = true
	}
}

// linkedSeq is seqOf for hooks that are linked as they are handed out.
func linkedSeq[T linker](h *hookSet, s []T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, v := range s {
			h.ready(v)
			if !yield(v) {
				return
			}
		}
	}
}

// A HookSkip is an entry of the build's hook data that could not be read:
// a pointer outside every section, a string without a terminator, a
// table whose size does not fit its section, an entry met twice. The rest
// of the hooks are read; these are counted and reported (see
// [Build.HookSkips]), never guessed.
type HookSkip struct {
	Kind   Kind   // the kind of hook being read
	Where  string // the table or entry: "__start_ftrace_events[12]", "sys_call_table[3]"
	Reason string
}

func (s HookSkip) String() string { return fmt.Sprintf("%s %s: %s", s.Kind, s.Where, s.Reason) }

// maxHookSkips bounds the skips kept; more are counted in the last one.
const maxHookSkips = 1000

func (h *hookSet) skip(k Kind, where, format string, args ...any) {
	if len(h.skips) >= maxHookSkips {
		return
	}
	h.skips = append(h.skips, HookSkip{Kind: k, Where: where, Reason: fmt.Sprintf(format, args...)})
}

// hookSymbols indexes the symbols the hook readers need.
type hookSymbols struct {
	byName  map[string]symtabEntry // object and no-type symbols of interest, and table symbols
	objAt   map[uint64]string      // __tracepoint_*, event_class_* objects by address
	funcAt  map[uint64][]string    // function symbols by address (syscall wrappers)
	weak    map[string]bool        // which of those are weak
	btfFunc []symtabEntry          // __BTF_ID__func__* symbols, in address order
	btfSet8 []symtabEntry          // __BTF_ID__set8__* symbols
	tps     []symtabEntry          // __tracepoint_* objects, in name order
}

func newHookSymbols(all []symtabEntry) *hookSymbols {
	h := &hookSymbols{byName: map[string]symtabEntry{}, objAt: map[uint64]string{}, funcAt: map[uint64][]string{}, weak: map[string]bool{}}
	for _, s := range all {
		switch {
		case elf.ST_TYPE(s.Info) == elf.STT_FUNC:
			if strings.Contains(s.Name, "sys_") {
				h.funcAt[s.Value] = append(h.funcAt[s.Value], s.Name)
				if elf.ST_BIND(s.Info) == elf.STB_WEAK {
					h.weak[s.Name] = true
				}
			}
		case strings.HasPrefix(s.Name, "__tracepoint_"), strings.HasPrefix(s.Name, "event_class_"):
			h.objAt[s.Value] = s.Name
			if elf.ST_TYPE(s.Info) == elf.STT_OBJECT && strings.HasPrefix(s.Name, "__tracepoint_") {
				h.tps = append(h.tps, s)
			}
		case strings.HasPrefix(s.Name, "__BTF_ID__func__"):
			h.btfFunc = append(h.btfFunc, s)
		case strings.HasPrefix(s.Name, "__BTF_ID__set8__"):
			h.btfSet8 = append(h.btfSet8, s)
		}
		switch s.Name {
		case "__start_ftrace_events", "__stop_ftrace_events", "kernel_config_data", "kernel_config_data_end":
			h.byName[s.Name] = s
		default:
			if strings.HasSuffix(s.Name, "sys_call_table") || strings.HasPrefix(s.Name, "sys_call_table") {
				h.byName[s.Name] = s
			}
		}
	}
	slices.SortStableFunc(h.tps, func(a, b symtabEntry) int { return strings.Compare(a.Name, b.Name) })
	slices.SortStableFunc(h.btfFunc, func(a, b symtabEntry) int { return cmpUint(a.Value, b.Value) })
	return h
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readHooks reads the hooks of the build in ef. It needs the DWARF only
// for the layouts of a few structs; it runs alongside the DWARF walk.
// Errors reading one kind of hook are recorded as skips; only a bug
// returns an error.
func readHooks(ef *elf.File, r io.ReaderAt, name string, d *dwarfx.Data, all []symtabEntry) (h *hookSet, err error) {
	defer recoverBug(name, &err)
	// It reads the mapped DWARF's bytes (member locations, inline
	// strings) itself: a fault there, the file shrinking under the
	// mapping, is an error (see dwarfx.FaultError), not a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	h = &hookSet{}
	img := kmem.New(ef, r, name)
	syms := newHookSymbols(all)
	lf := newLayoutFinder(d, img.PointerSize())
	lf.enumWant["TRACE_EVENT_FL_TRACEPOINT"] = true
	var wants []layoutWant
	if _, ok := syms.byName["__start_ftrace_events"]; ok || len(syms.tps) > 0 {
		wants = append(wants,
			layoutWant{name: "trace_event_call", units: []string{"kernel/trace/trace_events.c", "kernel/trace/trace_output.c"}, anywhere: true},
			layoutWant{name: "trace_event_class", units: []string{"kernel/trace/trace_events.c"}, anywhere: true},
			layoutWant{name: "tracepoint", units: []string{"kernel/tracepoint.c", "kernel/trace/trace_events.c"}, anywhere: true})
	}
	// The LSM hooks: one member per hook in struct security_hook_heads
	// (one list head each, up to 6.7), or in struct
	// lsm_static_calls_table (static calls, 6.8 on), both defined where
	// security/security.c uses them.
	wants = append(wants,
		layoutWant{name: "security_hook_heads", units: []string{"security/security.c"}},
		layoutWant{name: "lsm_static_calls_table", units: []string{"security/security.c"}})
	layouts, lerr := lf.find(wants)
	if lerr != nil {
		h.skip(KindTracepoint, "DWARF", "reading struct layouts: %v", lerr)
	}
	h.readTracepoints(img, syms, layouts, lf.enums)
	h.readLSM(layouts)
	h.readKfuncs(img, syms)
	h.readSyscalls(img, syms, debianArch(ef))
	h.readEmbeddedConfig(img, syms)
	return h, nil
}

// link resolves what the hooks name in the function surface.
func (h *hookSet) link(b *Build) {
	for _, t := range h.tracepoints {
		t.link(b)
	}
	for _, l := range h.lsm {
		l.link(b)
	}
	for _, k := range h.kfuncs {
		k.link(b)
	}
}

// hooks returns the build's hooks; never nil.
func (b *Build) hooks() *hookSet {
	if b.ix != nil {
		return b.ix.loadHooks(b)
	}
	if b.hk == nil {
		return &hookSet{}
	}
	return b.hk
}

// signatureOf returns the signature of the named function of b, or nil.
func signatureOf(b *Build, name string) *Signature {
	if f, ok := b.Function(name); ok {
		return f.Signature
	}
	return nil
}

// HookSkips yields the entries of the build's hook data that could not be
// read, with the reason: pointers outside every section, strings without
// terminators, tables whose size does not fit, entries met twice. A sound
// kernel has none.
func (b *Build) HookSkips() iter.Seq[HookSkip] {
	return func(yield func(HookSkip) bool) {
		for _, s := range b.hooks().skips {
			if !yield(s) {
				return
			}
		}
	}
}

// seqOf yields the elements of s.
func seqOf[T any](s []T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

// findByName finds the element named name in s, sorted by name.
func findByName[T any](s []T, name string, nameOf func(T) string) (T, bool) {
	i, ok := slices.BinarySearchFunc(s, name, func(v T, n string) int { return strings.Compare(nameOf(v), n) })
	if !ok {
		var zero T
		return zero, false
	}
	return s[i], true
}

// A Hook is one dependency of a kind other than function and type: a
// *[Tracepoint], *[LSMHook], *[Kfunc], *[Syscall] or [ConfigOption].
type Hook interface {
	// Ref names the hook: its kind and name.
	Ref() Ref
}

// Ref names the trace event.
func (t *Tracepoint) Ref() Ref { return Ref{Kind: KindTracepoint, Name: t.Name} }

// Ref names the LSM hook.
func (l *LSMHook) Ref() Ref { return Ref{Kind: KindLSM, Name: l.Name} }

// Ref names the kfunc.
func (k *Kfunc) Ref() Ref { return Ref{Kind: KindKfunc, Name: k.Name} }

// Ref names the system call.
func (s *Syscall) Ref() Ref { return Ref{Kind: KindSyscall, Name: s.Name} }

// Ref names the configuration option.
func (o ConfigOption) Ref() Ref { return Ref{Kind: KindConfig, Name: o.Name} }

// Hook returns the hook r names, of kind tracepoint, lsm, kfunc, syscall
// or config; false for another kind or a hook the build lacks.
func (b *Build) Hook(r Ref) (Hook, bool) {
	switch r.Kind {
	case KindTracepoint:
		if t, ok := b.Tracepoint(r.Name); ok {
			return t, true
		}
	case KindLSM:
		if l, ok := b.LSMHook(r.Name); ok {
			return l, true
		}
	case KindKfunc:
		if k, ok := b.Kfunc(r.Name); ok {
			return k, true
		}
	case KindSyscall:
		if s, ok := b.Syscall(r.Name); ok {
			return s, true
		}
	case KindConfig:
		if o, ok := b.ConfigOption(r.Name); ok {
			return o, true
		}
	}
	return nil, false
}

// Hooks yields every hook of kind k in name order (none for a kind that
// is not a hook's).
func (b *Build) Hooks(k Kind) iter.Seq[Hook] {
	return func(yield func(Hook) bool) {
		h := b.hooks()
		switch k {
		case KindTracepoint:
			for _, t := range h.tracepoints {
				h.ready(t)
				if !yield(t) {
					return
				}
			}
		case KindLSM:
			for _, l := range h.lsm {
				h.ready(l)
				if !yield(l) {
					return
				}
			}
		case KindKfunc:
			for _, x := range h.kfuncs {
				h.ready(x)
				if !yield(x) {
					return
				}
			}
		case KindSyscall:
			for _, s := range h.syscalls {
				if !yield(s) {
					return
				}
			}
		case KindConfig:
			for _, o := range h.config {
				if !yield(o) {
					return
				}
			}
		}
	}
}

// HookKinds lists the kinds of hook, in Kinds order.
func HookKinds() []Kind { return []Kind{KindTracepoint, KindLSM, KindKfunc, KindSyscall, KindConfig} }

// LookupHook is Hook with an error for a miss, wrapping [ErrNotFound]
// and naming the build; where the build's source cannot list the hooks of
// that kind (see [Build.HooksUnknown]) it says why.
func (b *Build) LookupHook(r Ref) (Hook, error) {
	if h, ok := b.Hook(r); ok {
		return h, nil
	}
	if why := b.HooksUnknown(r.Kind); why != "" {
		return nil, fmt.Errorf("%w (unknown: %s)", &refNotFound{b.Meta.File, r}, why)
	}
	return nil, &refNotFound{b.Meta.File, r}
}

// HooksUnknown says why the build's source cannot list its hooks of kind
// k, so that a hook missing from it is unknown, not absent; "" when it
// can. The configuration is unknown when the build embeds none and no
// config file was given; a running kernel's kfuncs are unknown when its
// BTF has no bpf_kfunc declaration tags (see [OpenRunning]).
func (b *Build) HooksUnknown(k Kind) string {
	h := b.hooks()
	if why := h.unknown[k]; why != "" {
		return why
	}
	if k == KindConfig && h.configFrom == "" {
		return "the build's configuration is unknown: it embeds none and no config file was given"
	}
	return ""
}
