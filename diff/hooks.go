package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi"
)

// HookChangeKind is the kind of a HookChange.
type HookChangeKind uint8

// The kinds of change of a hook (tracepoint, LSM hook, kfunc, syscall,
// configuration option), in the order a comparison lists them.
const (
	HookAdded        HookChangeKind = iota + 1 // the hook is in the new build only
	HookRemoved                                // the hook is in the old build only
	FuncChanged                                // a function of the hook changed its signature (Func, Changes)
	EventChanged                               // a tracepoint's record struct differs (Fields; Old, New: the struct)
	FormatChanged                              // a tracepoint's print format differs
	ClassChanged                               // a tracepoint's class or system differs ("class/system")
	Renumbered                                 // a syscall's number in Table differs ("" when not in the table)
	WrapperChanged                             // a syscall's wrapper in Table differs
	ValueChanged                               // a configuration option's value differs
	HookMoved                                  // a tracepoint moved between vmlinux and a module, or two modules ("vmlinux", "xfs")
	PrototypeChanged                           // a tracepoint's raw prototype (tp_btf) has other parameter types, where its probes are not both known (Old, New: the prototypes)
)

var hookChangeNames = [...]string{
	HookAdded: "Added", HookRemoved: "Removed", FuncChanged: "Func changed", EventChanged: "Event changed",
	FormatChanged: "Format changed", ClassChanged: "Class changed", Renumbered: "Renumbered",
	WrapperChanged: "Wrapper changed", ValueChanged: "Value changed", HookMoved: "Moved",
	PrototypeChanged: "Prototype changed",
}

// String returns the kind's name: "Func changed", ...
func (k HookChangeKind) String() string {
	if int(k) < len(hookChangeNames) && hookChangeNames[k] != "" {
		return hookChangeNames[k]
	}
	return fmt.Sprintf("HookChangeKind(%d)", uint8(k))
}

// MarshalText encodes the kind as its name.
func (k HookChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind from its name.
func (k *HookChangeKind) UnmarshalText(b []byte) error {
	for i, n := range hookChangeNames {
		if n != "" && n == string(b) {
			*k = HookChangeKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown hook change kind %q", b)
}

// A HookChange is one difference between two builds' versions of a hook.
type HookChange struct {
	Kind HookChangeKind
	// Func names the function whose signature changed, for FuncChanged:
	// "trace_event_raw_event_block_rq", "security_file_open",
	// "bpf_lsm_file_open", a kfunc's name.
	Func string
	// Changes are that function's signature changes, as for functions.
	Changes []Change
	// Fields are the record struct's changes, for EventChanged, as the
	// types diff gives them (TypeDefs).
	Fields []TypeChange
	// Table is the syscall table, for Renumbered and WrapperChanged.
	Table string
	// Old and New are the two sides as text (a format, a number, a
	// value, a struct's definition, "class/system"); "" for a side that
	// lacks it.
	Old, New string
}

// String describes the change on one line.
func (c HookChange) String() string {
	switch c.Kind {
	case HookAdded, HookRemoved:
		return c.Kind.String()
	case FuncChanged:
		var parts []string
		for _, ch := range c.Changes {
			parts = append(parts, ch.String())
		}
		return c.Kind.String() + ": " + c.Func + ": " + strings.Join(parts, "; ")
	case EventChanged:
		var parts []string
		for _, f := range c.Fields {
			parts = append(parts, f.String())
		}
		return c.Kind.String() + ": " + strings.Join(parts, "; ")
	case Renumbered, WrapperChanged:
		return fmt.Sprintf("%s in %s: %s -> %s", c.Kind, c.Table, orNone(c.Old), orNone(c.New))
	}
	return fmt.Sprintf("%s: %s -> %s", c.Kind, c.Old, c.New)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// A HookSide is a hook in one build, with what a comparison needs beside
// it: the record struct of a tracepoint, when the build has it.
type HookSide struct {
	Hook  kabi.Hook     // nil when the build lacks the hook
	Event *kabi.TypeDef // a tracepoint's struct trace_event_raw_<class>; nil when unknown
}

// Side returns hook r of build b as a HookSide.
func Side(b *kabi.Build, r kabi.Ref) HookSide {
	h, ok := b.Hook(r)
	if !ok {
		return HookSide{}
	}
	s := HookSide{Hook: h}
	if tp, ok := h.(*kabi.Tracepoint); ok && tp.EventStruct() != "" {
		if t, ok := b.Type(kabi.KindStruct, tp.EventStruct()); ok {
			s.Event = t
		}
	}
	return s
}

// Hooks compares one hook in two builds: HookAdded or HookRemoved when
// only one has it, else every change, in HookChangeKind order.
func Hooks(old, new HookSide) []HookChange {
	switch {
	case old.Hook == nil && new.Hook == nil:
		return nil
	case old.Hook == nil:
		return []HookChange{{Kind: HookAdded}}
	case new.Hook == nil:
		return []HookChange{{Kind: HookRemoved}}
	}
	var out []HookChange
	fn := func(name string, o, n *kabi.Signature) {
		if ch := Signatures(o, n); len(ch) > 0 {
			out = append(out, HookChange{Kind: FuncChanged, Func: name, Changes: ch})
		}
	}
	switch o := old.Hook.(type) {
	case *kabi.Tracepoint:
		n, ok := new.Hook.(*kabi.Tracepoint)
		if !ok {
			return nil
		}
		fn(n.ProbeName(), o.Probe, n.Probe)
		if o.Probe == nil || n.Probe == nil {
			// No probe to compare (a bare tracepoint; a running kernel's,
			// whose event is unknown): the raw prototype tp_btf programs
			// receive is, by its parameter types in order (a typedef's
			// parameters have no names).
			if ot, nt := paramTypes(o.RawSignature), paramTypes(n.RawSignature); ot != "" && nt != "" && ot != nt {
				out = append(out, HookChange{Kind: PrototypeChanged, Old: o.RawPrototype(), New: n.RawPrototype()})
			}
		}
		if old.Event != nil && new.Event != nil {
			if fs := TypeDefs(old.Event, new.Event); len(fs) > 0 {
				out = append(out, HookChange{Kind: EventChanged, Fields: fs, Old: StructText(old.Event), New: StructText(new.Event)})
			}
		}
		if !o.EventUnknown && !n.EventUnknown { // else a side's event is unknown (a running kernel): not compared
			if o.Format != n.Format {
				out = append(out, HookChange{Kind: FormatChanged, Old: o.Format, New: n.Format})
			}
			if o.Class != n.Class || o.System != n.System {
				out = append(out, HookChange{Kind: ClassChanged, Old: o.Class + "/" + o.System, New: n.Class + "/" + n.System})
			}
		}
		if o.Module != n.Module { // known on both sides, a running kernel's too
			out = append(out, HookChange{Kind: HookMoved, Old: cmp.Or(o.Module, "vmlinux"), New: cmp.Or(n.Module, "vmlinux")})
		}
	case *kabi.LSMHook:
		n, ok := new.Hook.(*kabi.LSMHook)
		if !ok {
			return nil
		}
		fn(n.SecurityName(), o.Security, n.Security)
		fn(n.BPFName(), o.BPF, n.BPF)
	case *kabi.Kfunc:
		n, ok := new.Hook.(*kabi.Kfunc)
		if !ok {
			return nil
		}
		fn(n.Name, o.Signature, n.Signature)
	case *kabi.Syscall:
		n, ok := new.Hook.(*kabi.Syscall)
		if !ok {
			return nil
		}
		if !numbered(o) || !numbered(n) {
			break // a side's tables are unknown (a running kernel): not compared
		}
		var tables []string
		for _, e := range append(slices.Clone(o.Entries), n.Entries...) {
			if !slices.Contains(tables, e.Table) {
				tables = append(tables, e.Table)
			}
		}
		for _, t := range tables {
			oe, ook := o.Entry(t)
			ne, nok := n.Entry(t)
			num := func(e kabi.SyscallEntry, ok bool) string {
				if !ok {
					return ""
				}
				return strconv.Itoa(e.Number)
			}
			if ook != nok || oe.Number != ne.Number {
				out = append(out, HookChange{Kind: Renumbered, Table: t, Old: num(oe, ook), New: num(ne, nok)})
			}
			if ook && nok && oe.Wrapper != ne.Wrapper {
				out = append(out, HookChange{Kind: WrapperChanged, Table: t, Old: oe.Wrapper, New: ne.Wrapper})
			}
		}
		slices.SortStableFunc(out, func(a, b HookChange) int { return int(a.Kind) - int(b.Kind) })
	case kabi.ConfigOption:
		n, ok := new.Hook.(kabi.ConfigOption)
		if ok && o.Value != n.Value {
			out = append(out, HookChange{Kind: ValueChanged, Old: o.Value, New: n.Value})
		}
	}
	return out
}

// unseen reports whether build b's source cannot show hook h: a syscall
// event where b's tracepoints are known by their btf_trace_ typedefs
// only (a running kernel's).
func unseen(h kabi.Hook, b *kabi.Build) bool {
	tp, ok := h.(*kabi.Tracepoint)
	return ok && tp.Syscall && eventsUnknown(b)
}

// paramTypes is a known signature's parameter types, in order, as C
// declares them ("void *, struct request *"); "" when s is nil or unknown.
func paramTypes(s *kabi.Signature) string {
	if s == nil || !s.Known() {
		return ""
	}
	var b strings.Builder
	for i, p := range s.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kabi.Declare(p.Type, ""))
	}
	if s.Variadic {
		b.WriteString(", ...")
	}
	return "(" + b.String() + ")"
}

// eventsUnknown reports whether build b's source cannot see its trace
// events (a running kernel's: see kabi.Tracepoint.EventUnknown).
func eventsUnknown(b *kabi.Build) bool {
	for t := range b.Tracepoints() {
		return t.EventUnknown
	}
	return false
}

// numbered reports whether the syscall's tables and numbers are known.
func numbered(s *kabi.Syscall) bool {
	for _, e := range s.Entries {
		if e.Number < 0 {
			return false
		}
	}
	return true
}

// StructText writes a struct, union or enum definition as C, members
// indented by four spaces as the reference pages show them.
func StructText(t *kabi.TypeDef) string { return defText(t, (*kabi.Member).Decl) }

// TypeText writes a definition as C in the reference pages' style:
// members indented by four spaces, as MemberDecl writes them (without
// bitfield widths, anonymous member types inline); enum values with their
// values.
func TypeText(t *kabi.TypeDef) string { return defText(t, MemberDecl) }

// defText writes t as C, each member as decl writes it.
func defText(t *kabi.TypeDef, decl func(*kabi.Member) string) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(t.Kind.String())
	if t.Name != "" {
		b.WriteString(" " + t.Name)
	}
	b.WriteString(" {\n")
	for i := range t.Members {
		b.WriteString("    " + decl(&t.Members[i]) + ";\n")
	}
	for i, v := range t.Values {
		b.WriteString("    " + v.Name + " = " + t.ValueString(v))
		if i < len(t.Values)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("};")
	return b.String()
}

// A HookDiff is what changed in one kind of hook between two builds.
type HookDiff struct {
	Kind kabi.Kind
	// Added and Removed name the hooks only one build has, in name order.
	Added, Removed []string
	// Changed lists the hooks both have that changed, in name order.
	Changed []HookChanges
	// Common is the number of hooks both builds have.
	Common int
	// Unknown says why the kind could not be compared ("" when it was):
	// a configuration that one build lacks is unknown, not empty.
	Unknown string
	// Unseen names the hooks one build has that the other's source
	// cannot show, in name order: neither added nor removed (a running
	// kernel's tracepoints come from btf_trace_ typedefs, which syscall
	// events have none of).
	Unseen []string
	// Partial says which facts of the hooks both builds have were not
	// compared, and why ("" when all were): where a build's trace events
	// are unknown (a running kernel's), a tracepoint's class, system,
	// format and record struct are not compared, only its raw prototype
	// and its module.
	Partial string
}

// HookChanges is the changes of one hook.
type HookChanges struct {
	Name    string
	Changes []HookChange
}

// HookSurfaces compares every hook of two builds, kind by kind in
// kabi.HookKinds order.
func HookSurfaces(old, new *kabi.Build) []HookDiff {
	var out []HookDiff
	for _, k := range kabi.HookKinds() {
		d := HookDiff{Kind: k}
		if ou, nu := old.HooksUnknown(k), new.HooksUnknown(k); ou != "" || nu != "" {
			switch {
			case k == kabi.KindConfig && ou != "" && nu != "":
				d.Unknown = "neither build's configuration is known"
			case k == kabi.KindConfig && ou != "":
				d.Unknown = "the old build's configuration is unknown"
			case k == kabi.KindConfig:
				d.Unknown = "the new build's configuration is unknown"
			case ou != "" && nu != "":
				d.Unknown = "unknown in both builds: " + ou
			case ou != "":
				d.Unknown = "unknown in the old build: " + ou
			default:
				d.Unknown = "unknown in the new build: " + nu
			}
			out = append(out, d)
			continue
		}
		if k == kabi.KindTracepoint {
			ou, nu := eventsUnknown(old), eventsUnknown(new)
			switch {
			case ou && nu:
				d.Partial = "both builds' trace events are unknown (their sources show btf_trace_ typedefs only): only their raw prototypes and modules are compared"
			case ou:
				d.Partial = "the old build's trace events are unknown (its source shows btf_trace_ typedefs only): only their raw prototypes and modules are compared"
			case nu:
				d.Partial = "the new build's trace events are unknown (its source shows btf_trace_ typedefs only): only their raw prototypes and modules are compared"
			}
		}
		for h := range old.Hooks(k) {
			r := h.Ref()
			if _, ok := new.Hook(r); !ok {
				if unseen(h, new) {
					d.Unseen = append(d.Unseen, r.Name)
				} else {
					d.Removed = append(d.Removed, r.Name)
				}
				continue
			}
			d.Common++
			if ch := Hooks(Side(old, r), Side(new, r)); len(ch) > 0 {
				d.Changed = append(d.Changed, HookChanges{Name: r.Name, Changes: ch})
			}
		}
		for h := range new.Hooks(k) {
			if _, ok := old.Hook(h.Ref()); !ok {
				if unseen(h, old) {
					d.Unseen = append(d.Unseen, h.Ref().Name)
				} else {
					d.Added = append(d.Added, h.Ref().Name)
				}
			}
		}
		slices.Sort(d.Unseen)
		out = append(out, d)
	}
	return out
}

// A HookReport is one hook across groups of builds: its status in each
// build and the changes between compared builds. It is FunctionReport's
// counterpart for the other kinds of dependency.
type HookReport struct {
	Ref    kabi.Ref
	Groups []HookGroupReport
}

// Found reports whether any build of the report has the hook, as
// [FunctionReport.Found] does for a function.
func (r *HookReport) Found() bool {
	for _, g := range r.Groups {
		for _, s := range g.Status {
			if s.Hook != nil {
				return true
			}
		}
	}
	return false
}

// A HookGroupReport is a HookReport's view of one group.
type HookGroupReport struct {
	Name    string
	Pairing Pairing
	Status  []HookStatus // one per member, as GroupReport.Status
	Pairs   []HookPair   // one per compared pair, in order
}

// A HookStatus is the hook in one build.
type HookStatus struct {
	Label     string
	Elsewhere string // as BuildStatus.Elsewhere
	HookSide         // Hook is nil when the build lacks it
}

// A HookPair is the comparison of one pair of builds.
type HookPair struct {
	Old, New               string
	OldPresent, NewPresent bool
	Changes                []HookChange
}

// Hook reports on the hook r across groups of builds; the groups' Build
// indexes refer to builds.
func Hook(r kabi.Ref, builds []*kabi.Build, groups []Group) *HookReport {
	return HookReportOf(r, func(i int) HookSide {
		if i < 0 || i >= len(builds) || builds[i] == nil {
			return HookSide{}
		}
		return Side(builds[i], r)
	}, groups)
}

// HookReportOf is Hook for callers that hold hooks rather than builds:
// look returns the hook in build i (a zero HookSide when absent).
func HookReportOf(r kabi.Ref, look func(build int) HookSide, groups []Group) *HookReport {
	rep := &HookReport{Ref: r}
	member, shown := map[int]bool{}, map[int]string{}
	for _, g := range groups {
		for _, m := range g.Members {
			member[m.Build] = true
		}
	}
	for _, g := range groups {
		gr := HookGroupReport{Name: g.Name, Pairing: g.Pairing}
		if g.Base != nil && !member[g.Base.Build] {
			gr.Status = append(gr.Status, HookStatus{Label: g.Base.Label, HookSide: look(g.Base.Build)})
			member[g.Base.Build] = true
			shown[g.Base.Build] = g.Name
		}
		for _, m := range g.Members {
			gr.Status = append(gr.Status, HookStatus{Label: m.Label, Elsewhere: shown[m.Build], HookSide: look(m.Build)})
			if shown[m.Build] == "" {
				shown[m.Build] = g.Name
			}
		}
		for _, p := range g.Pairs() {
			o, n := look(p[0].Build), look(p[1].Build)
			gr.Pairs = append(gr.Pairs, HookPair{Old: p[0].Label, New: p[1].Label,
				OldPresent: o.Hook != nil, NewPresent: n.Hook != nil, Changes: Hooks(o, n)})
		}
		rep.Groups = append(rep.Groups, gr)
	}
	return rep
}
