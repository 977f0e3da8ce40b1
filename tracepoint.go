package kabi

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/internal/kmem"
)

// A Tracepoint is one trace event of a build, as the kernel registers
// it: a struct trace_event_call in the array between the linker symbols
// __start_ftrace_events and __stop_ftrace_events. tracepoint/ programs
// attach to it by System and Name, raw_tp/ and tp_btf/ programs by Name;
// tp_btf/ programs receive the arguments of the btf_trace_<name>
// typedef (see RawSignature).
type Tracepoint struct {
	Name string // "block_rq_issue"
	// Class is the event class (DECLARE_EVENT_CLASS) whose record layout,
	// probe and format the event shares: "block_rq". It is read from the
	// class's symbol (event_class_<class>); "" when the build has none.
	Class string
	// System is the trace system (TRACE_SYSTEM: the directory under
	// events/ in tracefs), read from the class: "block".
	System string
	// Bare marks a tracepoint without a trace event (DECLARE_TRACE: the
	// scheduler's pelt_cfs_tp, ...): it has a struct tracepoint and a
	// btf_trace_ typedef but no class, system, format or record, and only
	// raw_tp/ and tp_btf/ programs attach to it. It is found through its
	// __tracepoint_<name> symbol.
	Bare bool
	// Syscall marks the system call events (sys_enter_*, sys_exit_*, in
	// system "syscalls"): they share one class per direction, have no
	// btf_trace_ typedef and are counted apart.
	Syscall bool
	// Format is the event's print format (print_fmt), as tracefs shows it
	// in the format file; "" when the event has none.
	Format string
	// Flags are the event's static TRACE_EVENT_FL_* flags, as the build
	// numbers them.
	Flags uint64
	// Probe is the signature of the function that records the event,
	// trace_event_raw_event_<class>; nil when the build has none (the
	// syscall events record through one shared function).
	Probe *Signature
	// RawSignature is the signature of __bpf_trace_<class>, the function
	// a raw tracepoint calls: its parameters are the btf_trace_<name>
	// typedef's, which tp_btf/ programs receive (see RawPrototype); nil
	// when the build has none. Where EventUnknown, it is the prototype
	// the typedef itself points to, named btf_trace_<name>.
	RawSignature *Signature
	// EventUnknown says the build's source cannot see the trace event
	// (a running kernel, whose btf_trace_<name> typedef shows the
	// tracepoint, and whose struct trace_event_call is in its memory):
	// then Class, System, Format, Flags, Bare, Syscall and Probe are
	// unknown, not empty.
	EventUnknown bool
	// Module is the kernel module that defines the event ("xfs"), read
	// from the module's own _ftrace_events section (or its __tracepoint_
	// symbol, for a bare tracepoint); "" for vmlinux's.
	Module string
}

// ProbeName is the name of the function that records the event:
// "trace_event_raw_event_<class>"; "" for a syscall event or an unknown
// class.
func (t *Tracepoint) ProbeName() string {
	if t.Class == "" || t.Syscall {
		return ""
	}
	return "trace_event_raw_event_" + t.Class
}

// EventStruct names the struct type of the event's record,
// "trace_event_raw_<class>" (its fields and their changes are those of
// the type); "" when the class is unknown or the event is a syscall
// event, whose records are struct syscall_trace_enter and
// syscall_trace_exit.
func (t *Tracepoint) EventStruct() string {
	if t.Class == "" || t.Syscall {
		return ""
	}
	return "trace_event_raw_" + t.Class
}

// RawPrototype is the btf_trace_<name> typedef as C declares it, from
// RawSignature's parameters: "typedef void (*btf_trace_block_rq_issue)(void
// *__data, struct request *rq);". It is "" when RawSignature is nil.
func (t *Tracepoint) RawPrototype() string {
	if t.RawSignature == nil || !t.RawSignature.Known() {
		return ""
	}
	var b strings.Builder
	b.WriteString("typedef void (*btf_trace_")
	b.WriteString(t.Name)
	b.WriteString(")(")
	for i, p := range t.RawSignature.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Declare(p.Type, p.Name))
	}
	b.WriteString(");")
	return b.String()
}

func (t *Tracepoint) link(b *Build) {
	if t.EventUnknown {
		t.RawSignature = typedefSignature(b, "btf_trace_"+t.Name)
		return
	}
	if t.Bare {
		t.RawSignature = signatureOf(b, "__bpf_trace_"+t.Name)
		return
	}
	if t.ProbeName() == "" {
		return
	}
	t.Probe = signatureOf(b, t.ProbeName())
	t.RawSignature = signatureOf(b, "__bpf_trace_"+t.Class)
}

// Tracepoint returns the trace event named name ("block_rq_issue").
func (b *Build) Tracepoint(name string) (*Tracepoint, bool) {
	h := b.hooks()
	t, ok := findByName(h.tracepoints, name, func(t *Tracepoint) string { return t.Name })
	if ok {
		h.ready(t)
	}
	return t, ok
}

// Tracepoints yields the build's trace events in name order.
func (b *Build) Tracepoints() iter.Seq[*Tracepoint] {
	h := b.hooks()
	return linkedSeq(h, h.tracepoints)
}

// maxTracepoints bounds the events read from one build (a 6.12 kernel
// has about 2000).
const maxTracepoints = 1 << 20

// A tracepointLayout is what reading a trace event needs of the build's
// DWARF: the members of struct trace_event_call, trace_event_class and
// tracepoint, and the TRACE_EVENT_FL_TRACEPOINT flag. vmlinux's serves
// its modules too.
type tracepointLayout struct {
	cm, km  map[string]memberLayout
	tm      memberLayout
	tpKnown bool   // struct tracepoint has a name member
	tpSize  uint64 // its size; 0 unknown
	tpBit   uint64
	hasBit  bool
}

// eventMemory is where trace events are read: a vmlinux's memory image,
// or a module's sections, relocated.
type eventMemory interface {
	Pointer(addr uint64) (uint64, error)
	Uint(addr uint64, size int) (uint64, error)
	String(addr uint64, max int) (string, error)
}

var _ eventMemory = (*kmem.Image)(nil)

// readTracepoints reads the struct trace_event_call array.
func (h *hookSet) readTracepoints(img *kmem.Image, syms *hookSymbols, layouts map[string]*structLayout, enums map[string]int64) {
	start, ok1 := syms.byName["__start_ftrace_events"]
	stop, ok2 := syms.byName["__stop_ftrace_events"]
	if !ok1 || !ok2 {
		return // a build without trace events
	}
	call, class, tp := layouts["trace_event_call"], layouts["trace_event_class"], layouts["tracepoint"]
	need := func(l *structLayout, s string, members ...string) (map[string]memberLayout, bool) {
		out := map[string]memberLayout{}
		if l == nil {
			h.skip(KindTracepoint, "struct "+s, "the build's DWARF defines no struct %s: trace events not read", s)
			return nil, false
		}
		for _, m := range members {
			ml, ok := l.member(m)
			if !ok {
				h.skip(KindTracepoint, "struct "+s, "struct %s has no member %s: trace events not read", s, m)
				return nil, false
			}
			out[m] = ml
		}
		return out, true
	}
	cm, ok := need(call, "trace_event_call", "class", "name", "print_fmt", "flags")
	if !ok {
		return
	}
	km, ok := need(class, "trace_event_class", "system")
	if !ok {
		return
	}
	l := &tracepointLayout{cm: cm, km: km}
	l.tm, l.tpKnown = tp.member("name")
	if tp != nil && tp.Size > 0 {
		l.tpSize = uint64(tp.Size)
	}
	tpBit, hasBit := enums["TRACE_EVENT_FL_TRACEPOINT"]
	l.tpBit, l.hasBit = uint64(tpBit), hasBit
	h.tpl = l
	ptr := uint64(img.PointerSize())
	if stop.Value < start.Value || (stop.Value-start.Value)%ptr != 0 {
		h.skip(KindTracepoint, "__start_ftrace_events", "the array's end %#x is not a whole number of pointers from its start %#x", stop.Value, start.Value)
		return
	}
	n := (stop.Value - start.Value) / ptr
	if n > maxTracepoints {
		h.skip(KindTracepoint, "__start_ftrace_events", "%d events: too many", n)
		return
	}
	calls, err := img.Pointers(start.Value, int(n))
	if err != nil {
		h.skip(KindTracepoint, "__start_ftrace_events", "%v", err)
		return
	}
	h.tracepoints = readEvents(h, img, syms, l, calls, "__start_ftrace_events", "")
	slices.SortFunc(h.tracepoints, func(a, b *Tracepoint) int { return strings.Compare(a.Name, b.Name) })
}

// readEvents reads the trace events calls points to, and the bare
// tracepoints of syms, of the module named module ("" for vmlinux);
// what cannot be read is a skip of h, at array[i] (and the module).
func readEvents(h *hookSet, mem eventMemory, syms *hookSymbols, l *tracepointLayout, calls []uint64, array, module string) []*Tracepoint {
	var out []*Tracepoint
	in := ""
	if module != "" {
		in = " [" + module + "]"
	}
	seen := make(map[uint64]bool, len(calls))
	byName := make(map[string]bool, len(calls))
	lost := false
	for i, p := range calls {
		where := fmt.Sprintf("%s[%d]%s", array, i, in)
		if seen[p] {
			h.skip(KindTracepoint, where, "the event at %#x is listed twice", p)
			lost = true
			continue
		}
		seen[p] = true
		t, err := readEvent(mem, syms, p, l)
		if err != nil {
			h.skip(KindTracepoint, where, "%v", err)
			lost = true
			continue
		}
		if byName[t.Name] {
			h.skip(KindTracepoint, where, "a second event named %q", t.Name)
			continue
		}
		byName[t.Name] = true
		t.Module = module
		out = append(out, t)
	}
	// Bare tracepoints: a struct tracepoint of that name, no event. (In a
	// module whose events were not all read, a tracepoint without an
	// event may be one of those: none is taken to be bare.)
	if l.tpKnown && !(lost && module != "") {
		for _, s := range syms.tps {
			name := strings.TrimPrefix(s.Name, "__tracepoint_")
			if byName[name] || (l.tpSize > 0 && s.Size != l.tpSize) {
				continue
			}
			np, err := mem.Pointer(s.Value + l.tm.Offset)
			if err != nil {
				h.skip(KindTracepoint, s.Name+in, "name: %v", err)
				continue
			}
			got, err := mem.String(np, 1024)
			if err != nil {
				h.skip(KindTracepoint, s.Name+in, "name: %v", err)
				continue
			}
			if got != name {
				h.skip(KindTracepoint, s.Name+in, "the tracepoint is named %q", got)
				continue
			}
			byName[name] = true
			out = append(out, &Tracepoint{Name: name, Bare: true, Module: module})
		}
	}
	return out
}

// readEvent decodes the struct trace_event_call at p.
func readEvent(img eventMemory, syms *hookSymbols, p uint64, l *tracepointLayout) (*Tracepoint, error) {
	cm, km, tm, tpKnown := l.cm, l.km, l.tm, l.tpKnown
	uint := func(base uint64, m memberLayout) (uint64, error) {
		size := int(m.Size)
		if size != 1 && size != 2 && size != 4 && size != 8 {
			return 0, fmt.Errorf("member %s has size %d", m.Name, m.Size)
		}
		return img.Uint(base+m.Offset, size)
	}
	classPtr, err := img.Pointer(p + cm["class"].Offset)
	if err != nil {
		return nil, fmt.Errorf("class: %w", err)
	}
	namePtr, err := img.Pointer(p + cm["name"].Offset)
	if err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	flags, err := uint(p, cm["flags"])
	if err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	fmtPtr, err := img.Pointer(p + cm["print_fmt"].Offset)
	if err != nil {
		return nil, fmt.Errorf("print_fmt: %w", err)
	}
	t := &Tracepoint{Flags: flags}
	// The name: in the struct tracepoint the call points to when the
	// event is a tracepoint (TRACE_EVENT_FL_TRACEPOINT; where the build's
	// DWARF does not number that flag, when the pointer is a
	// __tracepoint_ symbol), else the string the call points to.
	isTP := strings.HasPrefix(syms.objAt[namePtr], "__tracepoint_")
	if l.hasBit {
		isTP = flags&l.tpBit != 0
	}
	if isTP {
		if !tpKnown {
			return nil, fmt.Errorf("a tracepoint event, but the build's DWARF defines no struct tracepoint")
		}
		if namePtr, err = img.Pointer(namePtr + tm.Offset); err != nil {
			return nil, fmt.Errorf("tracepoint name: %w", err)
		}
	}
	if t.Name, err = img.String(namePtr, 1024); err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	if t.Name == "" {
		return nil, fmt.Errorf("an event without a name")
	}
	sysPtr, err := img.Pointer(classPtr + km["system"].Offset)
	if err != nil {
		return nil, fmt.Errorf("%s: class: %w", t.Name, err)
	}
	if t.System, err = img.String(sysPtr, 1024); err != nil {
		return nil, fmt.Errorf("%s: system: %w", t.Name, err)
	}
	if fmtPtr != 0 {
		if t.Format, err = img.String(fmtPtr, kmem.MaxString); err != nil {
			return nil, fmt.Errorf("%s: print_fmt: %w", t.Name, err)
		}
	}
	t.Class = strings.TrimPrefix(syms.objAt[classPtr], "event_class_")
	if !strings.HasPrefix(syms.objAt[classPtr], "event_class_") {
		t.Class = ""
	}
	t.Syscall = t.System == "syscalls"
	return t, nil
}
