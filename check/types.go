package check

import (
	"fmt"
	"strings"

	"github.com/kabi-dev/kabi"
)

// hasTypes says the build's model holds types at all (a build loaded
// from an older index, or read with Options.NoTypes, has none).
func hasTypes(b *kabi.Build) bool {
	return b.TypeLen(kabi.KindStruct)+b.TypeLen(kabi.KindUnion)+b.TypeLen(kabi.KindEnum) > 0
}

// checkType checks a CO-RE relocation against the build's types, as
// libbpf resolves it when the object is loaded: a relocation that does
// not resolve poisons its instruction, which fails the load where the
// program can reach it, and is dead code where an existence check
// (guarded) or another flavor's resolving member (alternatives) keeps
// the program away from it.
func checkType(d *Dependency, b *kabi.Build) Finding {
	if !hasTypes(b) {
		return Finding{Consequence: Unknown, Reason: "the build's model has no types (read from an index without them, or with types off)"}
	}
	t, ok := b.Type(d.Ref.Kind, d.Ref.Name)
	switch d.Via {
	case ViaType:
		if !ok {
			return unresolved(d, b, d.Ref.Kind.String()+" "+d.Ref.Name+" absent")
		}
		return Finding{Consequence: Fine, Reason: "present"}
	case ViaEnumValue:
		if !ok {
			return unresolved(d, b, "enum "+d.Ref.Name+" absent")
		}
		for _, v := range t.Values {
			if v.Name == d.Member {
				if v.Value != d.EnumValue {
					return Finding{Consequence: Fine, Reason: fmt.Sprintf("value %s here (the program's header says %d; CO-RE relocates it)", t.ValueString(v), d.EnumValue), Status: []string{"value changed"}}
				}
				return Finding{Consequence: Fine, Reason: "present"}
			}
		}
		return unresolved(d, b, "value "+d.Member+" absent")
	}
	if !ok {
		return unresolved(d, b, d.Ref.Kind.String()+" "+d.Ref.Name+" absent")
	}
	m, why := memberAt(b, t, d.Member)
	if m == nil {
		if strings.HasPrefix(why, "unknown: ") {
			return Finding{Consequence: Unknown, Reason: strings.TrimPrefix(why, "unknown: ")}
		}
		return unresolved(d, b, why)
	}
	// The type read: the member's, or its element's for "buf[0]".
	have := m.Type
	for range strings.Count(d.Member[strings.LastIndexByte(d.Member, '.')+1:], "[") {
		if have != nil && have.Kind == kabi.Array {
			have = have.Elem
		}
	}
	if d.MemberType != nil && have != nil && !fieldCompatible(d.MemberType, have, b.Meta.Arch) {
		if class(d.MemberType) != class(have) || (d.MemberType.Kind == kabi.Array) != (have.Kind == kabi.Array) {
			return Finding{Consequence: LoadFailure, Reason: fmt.Sprintf("field is %s here, the program reads %s: libbpf finds no compatible field", kabi.Declare(m.Type, m.Name), kabi.Declare(d.MemberType, "")), Status: []string{"field type changed"}}
		}
		if !has(d.Relocs, "byte_sz") {
			return Finding{Consequence: WrongData, Reason: fmt.Sprintf("field is %s here, the program reads %s", kabi.Declare(m.Type, m.Name), kabi.Declare(d.MemberType, "")), Status: []string{"field type changed"}}
		}
	}
	return Finding{Consequence: Fine, Reason: "present"}
}

// unresolved is the finding of a relocation that does not resolve.
func unresolved(d *Dependency, b *kabi.Build, what string) Finding {
	st := []string{"absent"}
	if d.Guarded {
		return Finding{Consequence: Fine, Reason: what + ": the program checks its existence and skips it", Status: st}
	}
	if d.Via == ViaField && len(d.Alternatives) > 0 {
		if t, ok := b.Type(d.Ref.Kind, d.Ref.Name); ok {
			for _, alt := range d.Alternatives {
				if m, _ := memberAt(b, t, alt); m != nil {
					return Finding{Consequence: Fine, Reason: what + ": the program reads " + alt + " here instead (it checks that one's existence)", Status: st}
				}
			}
		}
		return Finding{Consequence: LoadFailure, Reason: what + ", and so are its alternatives (" + strings.Join(d.Alternatives, ", ") + "): the CO-RE relocation fails the load", Status: st}
	}
	if has(d.Relocs, "struct_ops") {
		return Finding{Consequence: LoadFailure, Reason: what + ": the kernel refuses the struct_ops map, the load fails", Status: st}
	}
	return Finding{Consequence: LoadFailure, Reason: what + ": the CO-RE relocation fails the load", Status: st}
}

// memberAt follows a member path ("se.vruntime", "args[2]") from t
// through the build's types, looking through anonymous members as libbpf
// does; nil and what is missing when it does not resolve, or a reason
// starting "unknown: " when the model cannot tell.
func memberAt(b *kabi.Build, t *kabi.TypeDef, path string) (*kabi.Member, string) {
	parts := strings.Split(path, ".")
	for i, part := range parts {
		name, _, _ := strings.Cut(part, "[")
		f, ok := t.Field(name)
		if !ok {
			return nil, fmt.Sprintf("field %s absent from %s %s", strings.Join(parts[:i+1], "."), t.Kind, t.Name)
		}
		m := f.Member
		if i == len(parts)-1 {
			return &m, ""
		}
		next := m.Def
		if next == nil {
			mt := m.Type
			for mt != nil && mt.Kind == kabi.Array {
				mt = mt.Elem
			}
			if mt != nil && mt.Kind == kabi.Typedef {
				return nil, "unknown: field " + strings.Join(parts[:i+1], ".") + " is a " + mt.Name + ", a typedef kabi's type model does not expand"
			}
			if mt == nil || (mt.Kind != kabi.Struct && mt.Kind != kabi.Union) {
				return nil, fmt.Sprintf("field %s is no struct here", strings.Join(parts[:i+1], "."))
			}
			k := kabi.KindStruct
			if mt.Kind == kabi.Union {
				k = kabi.KindUnion
			}
			var found bool
			if next, found = b.Type(k, mt.Name); !found {
				return nil, fmt.Sprintf("%s %s absent", k, mt.Name)
			}
		}
		t = next
	}
	return nil, "empty member path"
}

// fieldCompatible says a member of type have can be read as want, as a
// CO-RE field read does: like compatible, but a pointer is a pointer
// whatever it points to (libbpf relocates the reads through it
// separately), and composite members of any name match.
func fieldCompatible(want, have *kabi.Type, arch string) bool {
	wc, hc := class(want), class(have)
	if want.Kind == kabi.Typedef || have.Kind == kabi.Typedef {
		return true
	}
	if (want.Kind == kabi.Array) != (have.Kind == kabi.Array) {
		return false
	}
	if want.Kind == kabi.Array {
		return want.Elem == nil || have.Elem == nil || fieldCompatible(want.Elem, have.Elem, arch)
	}
	if wc == kabi.Pointer && hc == kabi.Pointer {
		return true
	}
	if wc == kabi.Struct && hc == kabi.Struct {
		return true
	}
	return compatible(want, have, arch)
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
