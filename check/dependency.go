package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi"
)

// Via is how a program depends on a kernel object.
type Via uint8

// The ways a program depends on the kernel.
const (
	ViaAttach    Via = iota + 1 // the program attaches to it (its section names it)
	ViaField                    // a CO-RE field relocation: the program reads a member
	ViaType                     // a CO-RE type relocation: the program asks whether the type exists, its size, its ID
	ViaEnumValue                // a CO-RE enum value relocation
	ViaKfunc                    // the program calls a kfunc (an extern function in .ksyms)
	ViaKsym                     // the program takes a kernel variable's address (an extern variable in .ksyms)
	ViaKconfig                  // the program reads a kernel config value (an extern in .kconfig)
)

var viaNames = [...]string{"", "attach", "field", "type", "enum value", "kfunc", "ksym", "kconfig"}

// String is "attach", "field", "type", "enum value", "kfunc", "ksym" or "kconfig".
func (v Via) String() string {
	if int(v) < len(viaNames) && v != 0 {
		return viaNames[v]
	}
	return fmt.Sprintf("Via(%d)", uint8(v))
}

// MarshalText writes the name.
func (v Via) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// A Dependency is one thing an object asks of a kernel build.
type Dependency struct {
	// Ref is the kernel object: a function, a struct, a tracepoint, ...
	// Its name is the kernel's: libbpf's flavor suffix ("task_struct___old")
	// is stripped, as libbpf strips it when it matches types.
	Ref kabi.Ref
	Via Via
	// Attach is the attach kind, for Via ViaAttach.
	Attach Attach
	// System is a tracepoint/ section's trace system ("sched" of
	// tracepoint/sched/sched_switch); empty for the other kinds.
	System string
	// Pattern says Ref.Name is a glob pattern (kprobe.multi): '*' and '?'.
	Pattern bool
	// Member is the member a CO-RE field relocation reads, as a path of
	// named members ("se.vruntime"; anonymous members are not named, as
	// libbpf walks through them), or the value of an enum value
	// relocation. Empty for the other kinds.
	Member string
	// MemberType is the type the program reads Member as (a field
	// relocation's local type, flavors stripped), nil for the other kinds;
	// EnumValue is the value the program's own enum gives Member.
	MemberType *kabi.Type
	EnumValue  int64
	// Relocs are the CO-RE relocation kinds seen, in libbpf's names
	// ("byte_off", "field_exists", "type_size", ...), sorted; "struct_ops"
	// for the type a struct_ops map implements and the members its
	// programs fill in.
	Relocs []string
	// Guarded says every use is behind an existence check: the program
	// tests bpf_core_field_exists, bpf_core_type_exists,
	// bpf_core_enum_value_exists or bpf_ksym_exists (a __weak extern)
	// and skips the use where the kernel lacks it.
	Guarded bool
	// Alternatives are members of the same type that the same program
	// reads under an existence check through another flavor of the type
	// (the "several kernels" idiom): when one of them exists in a build,
	// an unguarded read of this member is dead code there.
	Alternatives []string
	// Flavors are the local type names the object uses for Ref
	// ("task_struct", "task_struct___old"), sorted.
	Flavors []string
	// Expect is the prototype the program expects of its attach target
	// (fentry, fexit, fmod_ret, lsm, tp_btf), read from the object's DWARF
	// (libbpf's BPF_PROG macro keeps it there, not in BTF); nil when the
	// object does not say; with several programs on one target, the first
	// one's (in program order) that has one. Its parameters leave out the
	// ctx pointer.
	Expect *kabi.Signature
	// Slots is the number of argument slots the program reads from its
	// context (fentry, fexit, fmod_ret, lsm, tp_btf), counting fexit's
	// return value, the most any of its programs reads; -1 when unknown.
	Slots int
	// Programs are the programs with this dependency, sorted.
	Programs []string
	// Sources are where the object uses it: each program's first line
	// for an attach, the relocated instruction's line for CO-RE, in
	// first-use order, without repeats.
	Sources []Source
}

// String names the dependency on one line: "fentry kfx_cmp_open",
// "field struct:task_struct.pid", "kfunc bpf_task_acquire".
func (d *Dependency) String() string {
	var b strings.Builder
	switch d.Via {
	case ViaAttach:
		b.WriteString(d.Attach.String())
	default:
		b.WriteString(d.Via.String())
	}
	b.WriteByte(' ')
	if d.Ref.Name == "" {
		b.WriteString("(target set at load time)")
	} else {
		b.WriteString(d.Name())
	}
	if d.Member != "" {
		b.WriteByte('.')
		b.WriteString(d.Member)
	}
	if d.System != "" {
		b.WriteString(" (system ")
		b.WriteString(d.System)
		b.WriteByte(')')
	}
	return b.String()
}

// Name is the dependency's reference as [kabi.ParseRef] reads it
// ("vfs_read", "struct:task_struct"); a kernel variable (ksym), which has
// no kind, is its name alone.
func (d *Dependency) Name() string {
	if d.Ref.Kind == 0 {
		return d.Ref.Name
	}
	return d.Ref.String()
}

// depKey identifies a dependency within an object.
type depKey struct {
	ref    kabi.Ref
	via    Via
	attach Attach
	member string
	system string
}

// depSet accumulates an object's dependencies.
type depSet struct {
	m     map[depKey]*Dependency
	order []*Dependency
	// unguarded counts, per dependency, the uses not behind a check.
	unguarded map[*Dependency]int
}

// add returns the dependency for k, made on first use, and records the
// program and source.
func (s *depSet) add(k depKey, prog string, src Source) *Dependency {
	if s.m == nil {
		s.m = map[depKey]*Dependency{}
		s.unguarded = map[*Dependency]int{}
	}
	d := s.m[k]
	if d == nil {
		d = &Dependency{Ref: k.ref, Via: k.via, Attach: k.attach, Member: k.member, Slots: -1, Guarded: true}
		s.m[k] = d
		s.order = append(s.order, d)
	}
	if prog != "" && !slices.Contains(d.Programs, prog) {
		d.Programs = append(d.Programs, prog)
	}
	if src.File != "" && !slices.ContainsFunc(d.Sources, func(x Source) bool { return x.File == src.File && x.Line == src.Line }) {
		d.Sources = append(d.Sources, src)
	}
	return d
}

// use records one use of d, guarded or not.
func (s *depSet) use(d *Dependency, guarded bool) {
	if !guarded {
		d.Guarded = false
	}
}

// sorted returns the dependencies in order: kind, name, via, attach,
// member; with their lists sorted.
func (s *depSet) sorted() []*Dependency {
	out := slices.Clone(s.order)
	for _, d := range out {
		slices.Sort(d.Programs)
		slices.Sort(d.Relocs)
		d.Relocs = slices.Compact(d.Relocs)
		slices.Sort(d.Flavors)
		d.Flavors = slices.Compact(d.Flavors)
		slices.Sort(d.Alternatives)
		d.Alternatives = slices.Compact(d.Alternatives)
	}
	slices.SortStableFunc(out, compareDeps)
	return out
}

func compareDeps(a, b *Dependency) int {
	return cmp.Or(
		cmp.Compare(a.Ref.Kind, b.Ref.Kind),
		strings.Compare(a.Ref.Name, b.Ref.Name),
		cmp.Compare(a.Via, b.Via),
		cmp.Compare(a.Attach, b.Attach),
		strings.Compare(a.Member, b.Member),
		strings.Compare(a.System, b.System),
	)
}
