package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi"
)

// TypeChangeKind is the kind of a TypeChange.
type TypeChangeKind uint8

// The kinds of change of a struct, union or enum, in the order a
// comparison lists them. The first eight are the reference tool's; the
// last three are what CO-RE and non-CO-RE programs also need: a field
// that moved, a bitfield that changed width, a type that changed size.
const (
	TypeAdded        TypeChangeKind = iota + 1 // the type is in the new build only
	TypeRemoved                                // the type is in the old build only
	FieldAdded                                 // a field only the new definition has (by name)
	FieldRemoved                               // a field only the old definition has
	FieldTypeChanged                           // a field's declaration differs (Old, New)
	EnumValueAdded                             // an enum value only the new definition has
	EnumValueRemoved                           // an enum value only the old definition has
	EnumValueChanged                           // an enum value's value differs (Old, New)
	FieldMoved                                 // a field's bit offset differs (OldBit, NewBit)
	BitfieldChanged                            // a field's bitfield width differs (OldBit, NewBit; 0: not a bitfield)
	SizeChanged                                // the type's size in bytes differs (OldBit, NewBit hold the sizes)
)

var typeChangeNames = [...]string{
	TypeAdded: "Added", TypeRemoved: "Removed", FieldAdded: "Field added", FieldRemoved: "Field removed",
	FieldTypeChanged: "Field type changed", EnumValueAdded: "Value added", EnumValueRemoved: "Value removed",
	EnumValueChanged: "Value changed", FieldMoved: "Field moved", BitfieldChanged: "Bitfield changed",
	SizeChanged: "Size changed",
}

// String returns the kind's name, as the reference pages write it:
// "Field added", "Value changed", ...
func (k TypeChangeKind) String() string {
	if int(k) < len(typeChangeNames) && typeChangeNames[k] != "" {
		return typeChangeNames[k]
	}
	return fmt.Sprintf("TypeChangeKind(%d)", uint8(k))
}

// Reference reports whether the reference tool lists this kind of change
// (its pages show only those).
func (k TypeChangeKind) Reference() bool { return k >= TypeAdded && k <= EnumValueChanged }

// MarshalText encodes the kind as its name.
func (k TypeChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind from its name.
func (k *TypeChangeKind) UnmarshalText(b []byte) error {
	for i, n := range typeChangeNames {
		if n != "" && n == string(b) {
			*k = TypeChangeKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown type change kind %q", b)
}

// A TypeChange is one difference between two definitions of a type.
type TypeChange struct {
	Kind TypeChangeKind
	// Name is the field's or enum value's name; for a field inside an
	// anonymous struct or union member, its name as C reaches it. Empty
	// for TypeAdded, TypeRemoved and SizeChanged.
	Name string
	// Old and New are the two sides as C: a field's declaration as the
	// reference pages write it ("char buf[128]", without a bitfield's
	// width), an enum value ("KFX_B = 2"); "" for a side without it.
	Old, New string
	// OldBit and NewBit are the numbers that changed: bit offsets from
	// the start of the type (FieldMoved), bitfield widths
	// (BitfieldChanged), sizes in bytes (SizeChanged).
	OldBit, NewBit int64
}

// String describes the change on one line.
func (c TypeChange) String() string {
	switch c.Kind {
	case TypeAdded, TypeRemoved:
		return c.Kind.String()
	case FieldAdded, EnumValueAdded:
		return c.Kind.String() + ": " + c.New
	case FieldRemoved, EnumValueRemoved:
		return c.Kind.String() + ": " + c.Old
	case FieldTypeChanged, EnumValueChanged:
		return c.Kind.String() + ": " + c.Old + " -> " + c.New
	case FieldMoved:
		return fmt.Sprintf("%s: %s: offset %s -> %s", c.Kind, c.Name, bitPos(c.OldBit), bitPos(c.NewBit))
	case BitfieldChanged:
		return fmt.Sprintf("%s: %s: width %s -> %s", c.Kind, c.Name, width(c.OldBit), width(c.NewBit))
	case SizeChanged:
		return fmt.Sprintf("%s: %d -> %d bytes", c.Kind, c.OldBit, c.NewBit)
	}
	return c.Kind.String()
}

// bitPos writes a bit offset as bytes, and bits where it is not whole.
func bitPos(bit int64) string {
	if bit < 0 {
		return "unknown"
	}
	if bit%8 == 0 {
		return strconv.FormatInt(bit/8, 10)
	}
	return fmt.Sprintf("%d bit %d", bit/8, bit%8)
}

func width(bits int64) string {
	if bits == 0 {
		return "not a bitfield"
	}
	return strconv.FormatInt(bits, 10) + " bits"
}

// A Field is a member of a struct or union as C and CO-RE reach it by
// name: the members of anonymous struct and union members are fields of
// the type that holds them.
type Field struct {
	Name string
	Decl string // as the reference pages write it: `unsigned int secureexec`, without a bitfield width
	// BitOffset is from the start of the type (-1 unknown); BitSize is a
	// bitfield's width, 0 when not a bitfield.
	BitOffset, BitSize int64
	Member             *kabi.Member
}

// Fields lists the fields of t in declaration order, looking through
// anonymous struct and union members.
func Fields(t *kabi.TypeDef) []Field {
	var out []Field
	var walk func(t *kabi.TypeDef, base int64, depth int)
	walk = func(t *kabi.TypeDef, base int64, depth int) {
		if t == nil || depth > 32 {
			return
		}
		for i := range t.Members {
			m := &t.Members[i]
			off := int64(-1)
			if base >= 0 && m.BitOffset >= 0 {
				off = base + m.BitOffset
			}
			if m.Name == "" {
				if m.Def != nil && m.Def.Kind != kabi.KindEnum {
					walk(m.Def, off, depth+1)
				}
				continue
			}
			out = append(out, Field{Name: m.Name, Decl: MemberDecl(m), BitOffset: off, BitSize: m.BitSize, Member: m})
		}
	}
	walk(t, 0, 0)
	return out
}

// MemberDecl writes a member as the reference pages do: its declaration
// without a bitfield's width; a named member of an anonymous type with
// that type's members inline (`struct { char tag; int count; } named_anon`).
func MemberDecl(m *kabi.Member) string {
	d := kabi.Declare(m.Type, m.Name)
	if m.Def != nil && m.Type != nil {
		d = strings.Replace(d, "{...}", inlineBody(m.Def, 0), 1)
	}
	return d
}

func inlineBody(t *kabi.TypeDef, depth int) string {
	if depth > 8 {
		return "{...}"
	}
	var b strings.Builder
	b.WriteString("{")
	for i := range t.Members {
		m := &t.Members[i]
		d := kabi.Declare(m.Type, m.Name)
		if m.Def != nil {
			d = strings.Replace(d, "{...}", inlineBody(m.Def, depth+1), 1)
		}
		b.WriteString(" " + d + ";")
	}
	for i, v := range t.Values {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + v.Name + " = " + t.ValueString(v))
	}
	b.WriteString(" }")
	return b.String()
}

// TypeDefs compares two definitions of a type: nil on either side gives
// TypeAdded or TypeRemoved (nothing when both are nil); else every change,
// in TypeChangeKind order, each kind in declaration order (the new
// definition's, but for removals).
func TypeDefs(old, new *kabi.TypeDef) []TypeChange {
	switch {
	case old == nil && new == nil:
		return nil
	case old == nil:
		return []TypeChange{{Kind: TypeAdded}}
	case new == nil:
		return []TypeChange{{Kind: TypeRemoved}}
	}
	var out []TypeChange
	add := func(c TypeChange) { out = append(out, c) }
	if old.Kind == kabi.KindEnum || new.Kind == kabi.KindEnum {
		ov := map[string]kabi.EnumValue{}
		for _, v := range old.Values {
			ov[v.Name] = v
		}
		nv := map[string]kabi.EnumValue{}
		for _, v := range new.Values {
			nv[v.Name] = v
		}
		text := func(t *kabi.TypeDef, v kabi.EnumValue) string { return v.Name + " = " + t.ValueString(v) }
		for _, v := range new.Values {
			if _, ok := ov[v.Name]; !ok {
				add(TypeChange{Kind: EnumValueAdded, Name: v.Name, New: text(new, v)})
			}
		}
		for _, v := range old.Values {
			if _, ok := nv[v.Name]; !ok {
				add(TypeChange{Kind: EnumValueRemoved, Name: v.Name, Old: text(old, v)})
			}
		}
		for _, v := range new.Values {
			if o, ok := ov[v.Name]; ok && text(old, o) != text(new, v) {
				add(TypeChange{Kind: EnumValueChanged, Name: v.Name, Old: text(old, o), New: text(new, v)})
			}
		}
	} else {
		of, nf := Fields(old), Fields(new)
		oi := map[string]int{}
		for i, f := range of {
			if _, dup := oi[f.Name]; !dup {
				oi[f.Name] = i
			}
		}
		ni := map[string]int{}
		for i, f := range nf {
			if _, dup := ni[f.Name]; !dup {
				ni[f.Name] = i
			}
		}
		for _, f := range nf {
			if _, ok := oi[f.Name]; !ok {
				add(TypeChange{Kind: FieldAdded, Name: f.Name, New: f.Decl})
			}
		}
		for _, f := range of {
			if _, ok := ni[f.Name]; !ok {
				add(TypeChange{Kind: FieldRemoved, Name: f.Name, Old: f.Decl})
			}
		}
		var moved, widths []TypeChange
		for _, f := range nf {
			i, ok := oi[f.Name]
			if !ok {
				continue
			}
			o := of[i]
			if o.Decl != f.Decl {
				add(TypeChange{Kind: FieldTypeChanged, Name: f.Name, Old: o.Decl, New: f.Decl})
			}
			if o.BitOffset != f.BitOffset {
				moved = append(moved, TypeChange{Kind: FieldMoved, Name: f.Name, OldBit: o.BitOffset, NewBit: f.BitOffset})
			}
			if o.BitSize != f.BitSize {
				widths = append(widths, TypeChange{Kind: BitfieldChanged, Name: f.Name, OldBit: o.BitSize, NewBit: f.BitSize})
			}
		}
		out = append(append(out, moved...), widths...)
	}
	if old.Size != new.Size {
		add(TypeChange{Kind: SizeChanged, OldBit: old.Size, NewBit: new.Size})
	}
	return out
}

// HasReferenceChanges reports whether cs holds a change the reference
// tool lists (see TypeChangeKind.Reference).
func HasReferenceChanges(cs []TypeChange) bool {
	for _, c := range cs {
		if c.Kind.Reference() {
			return true
		}
	}
	return false
}

// A TypeReport is one struct, union or enum across groups of builds: its
// definitions in each build and the changes between compared builds.
type TypeReport struct {
	Ref    kabi.Ref
	Groups []TypeGroupReport
}

// Found reports whether any build of the report has the type, as
// [FunctionReport.Found] does for a function.
func (r *TypeReport) Found() bool {
	for _, g := range r.Groups {
		for _, s := range g.Status {
			if len(s.Defs) > 0 {
				return true
			}
		}
	}
	return false
}

// A TypeGroupReport is a TypeReport's view of one group.
type TypeGroupReport struct {
	Name    string
	Pairing Pairing
	Status  []TypeStatus // one per member, as GroupReport.Status
	Pairs   []TypePair   // one per compared pair, in order
}

// A TypeStatus is the type in one build.
type TypeStatus struct {
	Label     string
	Elsewhere string // as BuildStatus.Elsewhere
	// Defs are the build's definitions of the name: none when the build
	// lacks the type, more than one when different definitions share the
	// name (variants, each with its locations).
	Defs []*kabi.TypeDef
}

// A TypePair is the comparison of one pair of builds. Where a build has
// variants, its first definition is compared (the one Build.Type
// returns).
type TypePair struct {
	Old, New               string
	OldPresent, NewPresent bool
	Changes                []TypeChange
}

// Type reports on the type r across groups of builds; the groups' Build
// indexes refer to builds.
func Type(r kabi.Ref, builds []*kabi.Build, groups []Group) *TypeReport {
	return TypeReportOf(r, func(i int) []*kabi.TypeDef {
		if i < 0 || i >= len(builds) || builds[i] == nil {
			return nil
		}
		return builds[i].TypeVariants(r.Kind, r.Name)
	}, groups)
}

// TypeReportOf is Type for callers that hold definitions rather than
// builds: look returns the definitions of the type in build i.
func TypeReportOf(r kabi.Ref, look func(build int) []*kabi.TypeDef, groups []Group) *TypeReport {
	rep := &TypeReport{Ref: r}
	member, shown := map[int]bool{}, map[int]string{}
	for _, g := range groups {
		for _, m := range g.Members {
			member[m.Build] = true
		}
	}
	first := func(ds []*kabi.TypeDef) *kabi.TypeDef {
		if len(ds) == 0 {
			return nil
		}
		return ds[0]
	}
	for _, g := range groups {
		gr := TypeGroupReport{Name: g.Name, Pairing: g.Pairing}
		if g.Base != nil && !member[g.Base.Build] {
			gr.Status = append(gr.Status, TypeStatus{Label: g.Base.Label, Defs: look(g.Base.Build)})
			member[g.Base.Build] = true
			shown[g.Base.Build] = g.Name
		}
		for _, m := range g.Members {
			gr.Status = append(gr.Status, TypeStatus{Label: m.Label, Elsewhere: shown[m.Build], Defs: look(m.Build)})
			if shown[m.Build] == "" {
				shown[m.Build] = g.Name
			}
		}
		for _, p := range g.Pairs() {
			o, n := first(look(p[0].Build)), first(look(p[1].Build))
			gr.Pairs = append(gr.Pairs, TypePair{Old: p[0].Label, New: p[1].Label,
				OldPresent: o != nil, NewPresent: n != nil, Changes: TypeDefs(o, n)})
		}
		rep.Groups = append(rep.Groups, gr)
	}
	return rep
}

// A TypeDiff is what changed in one kind of type between two builds.
type TypeDiff struct {
	Kind kabi.Kind // KindStruct, KindUnion or KindEnum
	// Added and Removed name the types only one build has, in name order.
	Added, Removed []string
	// Changed lists the types both have that changed, in name order.
	Changed []TypeChanges
	// Moved lists the types both have whose definition (the first, as
	// kabi.Build.Type returns it) moved between vmlinux and modules: From
	// and To are "vmlinux" or its modules ("kfx_blk, kfx_noname"). A
	// module's type that more or fewer modules define has not moved.
	Moved []Moved
	// Common is the number of names both builds have.
	Common int
}

// definedIn is where a definition lives, as Moved says it: "vmlinux" or
// its modules.
func definedIn(d *kabi.TypeDef) string {
	if len(d.Modules) == 0 {
		return "vmlinux"
	}
	return strings.Join(d.Modules, ", ")
}

// typeMoved reports whether a type's definition moved between vmlinux
// and modules, or to modules that share none with the old ones.
func typeMoved(o, n *kabi.TypeDef) bool {
	if (len(o.Modules) == 0) != (len(n.Modules) == 0) {
		return true
	}
	for _, m := range o.Modules {
		if slices.Contains(n.Modules, m) {
			return false
		}
	}
	return len(o.Modules) > 0
}

// TypeChanges is the changes of one type.
type TypeChanges struct {
	Name    string
	Changes []TypeChange
}

// TypeSurfaces compares every struct, union and enum of two builds, kind
// by kind.
func TypeSurfaces(old, new *kabi.Build) []TypeDiff {
	var out []TypeDiff
	for _, k := range []kabi.Kind{kabi.KindStruct, kabi.KindUnion, kabi.KindEnum} {
		d := TypeDiff{Kind: k}
		prev := ""
		for t := range old.Types(k) {
			if t.Name == prev {
				continue // a variant: the first is compared
			}
			prev = t.Name
			n, ok := new.Type(k, t.Name)
			if !ok {
				d.Removed = append(d.Removed, t.Name)
				continue
			}
			d.Common++
			if ch := TypeDefs(t, n); len(ch) > 0 {
				d.Changed = append(d.Changed, TypeChanges{Name: t.Name, Changes: ch})
			}
			if typeMoved(t, n) {
				d.Moved = append(d.Moved, Moved{Name: t.Name, From: definedIn(t), To: definedIn(n)})
			}
		}
		prev = ""
		for t := range new.Types(k) {
			if t.Name == prev {
				continue
			}
			prev = t.Name
			if _, ok := old.Type(k, t.Name); !ok {
				d.Added = append(d.Added, t.Name)
			}
		}
		out = append(out, d)
	}
	return out
}

// Traits returns the traits the type shows anywhere in the group:
// TraitAbsence, TraitChange (any change, layout ones too), and
// TraitDuplication where a build has several definitions of the name.
func (g *TypeGroupReport) Traits() []Trait {
	var out []Trait
	absent, changed, dup := false, false, false
	for _, s := range g.Status {
		absent = absent || len(s.Defs) == 0
		dup = dup || len(s.Defs) > 1
	}
	for _, p := range g.Pairs {
		absent = absent || !p.OldPresent || !p.NewPresent
		changed = changed || p.OldPresent && p.NewPresent && len(p.Changes) > 0
	}
	for _, t := range []struct {
		on bool
		t  Trait
	}{{absent, TraitAbsence}, {changed, TraitChange}, {dup, TraitDuplication}} {
		if t.on {
			out = append(out, t.t)
		}
	}
	return out
}
