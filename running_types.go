package kabi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// btfTypeDefs returns the struct, union and enum definitions of a BTF
// spec: every named one, with the anonymous ones its members use in
// their Def. BTF says nothing of where a type is written, so Locations
// are empty (renderers say the place is unknown). Two different
// definitions of one name (BTF deduplication keeps both) are two
// variants, in the order of their BTF IDs. c converts the types the
// definitions use; one c serves vmlinux's spec and its modules' split
// specs, whose base types are vmlinux's, so each is converted once.
func btfTypeDefs(c *btfConv, spec *btf.Spec, name string) ([]*TypeDef, error) {
	var defs []*TypeDef
	for t, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if t.TypeName() == "" {
			continue
		}
		switch t.(type) {
		case *btf.Struct, *btf.Union, *btf.Enum:
		default:
			continue
		}
		d, err := c.typeDef(t, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", name, kindOfBTF(t), t.TypeName(), err)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// btfTypedefs returns the typedefs of a BTF spec, in name order: where
// several share a name (BTF deduplication keeps different ones), the one
// with the lowest BTF ID. As for the structs, BTF does not say where a
// typedef is written: Locations are empty. c is as for btfTypeDefs.
func btfTypedefs(c *btfConv, spec *btf.Spec, name string) ([]*Alias, error) {
	var out []*Alias
	seen := map[string]bool{}
	for t, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		td, ok := t.(*btf.Typedef)
		if !ok || td.Name == "" || seen[td.Name] {
			continue
		}
		seen[td.Name] = true
		a := &Alias{Name: td.Name}
		var err error
		if a.Type, err = c.conv(td.Type, 0); err != nil {
			return nil, fmt.Errorf("%s: typedef %s: %w", name, td.Name, err)
		}
		if anon := anonymousDef(td.Type); anon != nil {
			if a.Def, err = c.anonDef(anon, 1); err != nil {
				return nil, fmt.Errorf("%s: typedef %s: %w", name, td.Name, err)
			}
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b *Alias) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// kindOfBTF names the kind of a BTF struct, union or enum as kabi does.
func kindOfBTF(t btf.Type) Kind {
	switch t.(type) {
	case *btf.Union:
		return KindUnion
	case *btf.Enum:
		return KindEnum
	}
	return KindStruct
}

// errBTFNesting is returned for anonymous types nested past maxTypeNesting
// (only a damaged or hostile BTF nests them that deep).
var errBTFNesting = errors.New("anonymous types nested too deep")

// typeDef converts a BTF struct, union or enum to a definition.
func (c *btfConv) typeDef(t btf.Type, depth int) (*TypeDef, error) {
	if depth > maxTypeNesting {
		return nil, errBTFNesting
	}
	switch t := t.(type) {
	case *btf.Enum:
		d := &TypeDef{Kind: KindEnum, Name: t.Name, Size: int64(t.Size), Unsigned: !t.Signed}
		for _, v := range t.Values {
			d.Values = append(d.Values, EnumValue{Name: v.Name, Value: int64(v.Value)})
		}
		return d, nil
	case *btf.Struct:
		return c.members(&TypeDef{Kind: KindStruct, Name: t.Name, Size: int64(t.Size)}, t.Members, depth)
	case *btf.Union:
		return c.members(&TypeDef{Kind: KindUnion, Name: t.Name, Size: int64(t.Size)}, t.Members, depth)
	}
	return nil, fmt.Errorf("BTF type %T is not a struct, union or enum", t)
}

// members converts the members of a struct or union into d.
func (c *btfConv) members(d *TypeDef, ms []btf.Member, depth int) (*TypeDef, error) {
	d.Members = make([]Member, 0, len(ms))
	for _, m := range ms {
		mt, err := c.conv(m.Type, 0)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Name, err)
		}
		dm := Member{Name: m.Name, Type: mt, BitOffset: int64(m.Offset), BitSize: int64(m.BitfieldSize)}
		if anon := anonymousDef(m.Type); anon != nil {
			if dm.Def, err = c.anonDef(anon, depth+1); err != nil {
				return nil, err
			}
		}
		d.Members = append(d.Members, dm)
	}
	return d, nil
}

// anonDef is typeDef for the anonymous struct, union or enum a member
// or typedef uses. Each is converted once: a BTF can use one from many
// members, and one whose members use the next twice, down a chain, would
// otherwise be converted 2^depth times. One that uses itself again (only a
// hostile BTF: C cannot name an anonymous type) gets no Def inside itself.
func (c *btfConv) anonDef(t btf.Type, depth int) (*TypeDef, error) {
	if d, ok := c.anon[t]; ok {
		return d, nil
	}
	if c.anon == nil {
		c.anon = map[btf.Type]*TypeDef{}
	}
	c.anon[t] = nil
	d, err := c.typeDef(t, depth)
	if err != nil {
		return nil, err
	}
	c.anon[t] = d
	return d, nil
}

// anonymousDef returns the anonymous struct, union or enum a member's
// type is, through qualifiers, typedef-free arrays and pointers, as
// Member.Def documents; nil when there is none.
func anonymousDef(t btf.Type) btf.Type {
	for range maxTypeNesting {
		switch u := t.(type) {
		case *btf.Struct, *btf.Union, *btf.Enum:
			if t.TypeName() == "" {
				return t
			}
			return nil
		case *btf.Const:
			t = u.Type
		case *btf.Volatile:
			t = u.Type
		case *btf.Restrict:
			t = u.Type
		case *btf.TypeTag:
			t = u.Type
		case *btf.Array:
			t = u.Type
		case *btf.Pointer:
			t = u.Target
		default:
			return nil
		}
	}
	return nil
}
