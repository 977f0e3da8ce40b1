package check

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"strings"

	"github.com/kabi-dev/kabi"
)

// expectedPrototypes reads, from an object's DWARF, the prototypes of the
// functions named "____NAME": libbpf's BPF_PROG(NAME, args...) macro
// declares the program's typed arguments as such an inline function
// (after the ctx pointer), which BTF does not keep (it is inlined away)
// but DWARF does, as an abstract subprogram. The result maps the
// function's name to its prototype without the ctx parameter; ok says
// the object has DWARF at all.
//
// The sections are read unrelocated: in an object file every relocation
// of them is against a section symbol of value 0 with the addend in
// place, so the bytes already hold the right offsets.
func expectedPrototypes(ef *elf.File) (map[string]*kabi.Signature, bool) {
	raw := func(name string) []byte {
		s := ef.Section(name)
		if s == nil || s.Type == elf.SHT_NOBITS {
			return nil
		}
		b, err := s.Data()
		if err != nil {
			return nil
		}
		return b
	}
	info := raw(".debug_info")
	if info == nil {
		return nil, false
	}
	d, err := dwarf.New(raw(".debug_abbrev"), nil, nil, info, raw(".debug_line"), nil, raw(".debug_ranges"), raw(".debug_str"))
	if err != nil {
		return nil, true
	}
	for _, s := range []string{".debug_str_offsets", ".debug_addr", ".debug_line_str", ".debug_rnglists"} {
		if b := raw(s); b != nil {
			if d.AddSection(s, b) != nil {
				return nil, true
			}
		}
	}
	out := map[string]*kabi.Signature{}
	conv := &dwarfConv{d: d, seen: map[dwarf.Offset]*kabi.Type{}}
	r := d.Reader()
	// Every entry takes at least one byte of .debug_info, so a reader
	// that returns more entries than that is stuck: debug/dwarf returns
	// a null entry without moving for a LEB128 number left unterminated
	// at the end of a unit, forever.
	// A DWARF error of any kind makes the whole DWARF unusable: no
	// prototypes, rather than those read before it.
	budget := len(info)
	next := func() (*dwarf.Entry, error) {
		if budget--; budget < 0 {
			return nil, errDWARFStuck
		}
		return r.Next()
	}
	for {
		e, err := next()
		if err != nil {
			return nil, true
		}
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagSubprogram {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if !strings.HasPrefix(name, "____") || !e.Children {
			if e.Children && e.Tag != dwarf.TagCompileUnit {
				r.SkipChildren()
			}
			continue
		}
		sig := &kabi.Signature{Name: name, Prototyped: true, Return: conv.typeAt(e, 0)}
		for {
			c, err := next()
			if err != nil {
				return nil, true
			}
			if c == nil || c.Tag == 0 {
				break
			}
			if c.Tag == dwarf.TagFormalParameter {
				pname, _ := c.Val(dwarf.AttrName).(string)
				sig.Params = append(sig.Params, kabi.Param{Name: pname, Type: conv.typeAt(c, 0)})
			} else if c.Tag == dwarf.TagUnspecifiedParameters {
				sig.Variadic = true
			}
			if c.Children {
				r.SkipChildren()
			}
		}
		if len(sig.Params) > 0 {
			sig.Params = sig.Params[1:] // the ctx pointer
		}
		if _, dup := out[name]; !dup {
			out[name] = sig
		}
	}
	return out, true
}

// errDWARFStuck says the DWARF reader returned more entries than the
// section has bytes.
var errDWARFStuck = errors.New("the DWARF reader does not advance")

// dwarfConv converts the DWARF types of an object to kabi types.
type dwarfConv struct {
	d    *dwarf.Data
	seen map[dwarf.Offset]*kabi.Type
}

// typeAt is the type of an entry's DW_AT_type: void when it has none.
func (c *dwarfConv) typeAt(e *dwarf.Entry, depth int) *kabi.Type {
	off, ok := e.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		return &kabi.Type{Kind: kabi.Void}
	}
	return c.typeOf(off, depth)
}

func (c *dwarfConv) typeOf(off dwarf.Offset, depth int) *kabi.Type {
	if t, ok := c.seen[off]; ok {
		return t
	}
	unknown := &kabi.Type{Kind: kabi.Unspecified, Name: "?"}
	if depth > 64 {
		return unknown
	}
	r := c.d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return unknown
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	var t *kabi.Type
	switch e.Tag {
	case dwarf.TagBaseType:
		t = &kabi.Type{Kind: kabi.Base, Name: name}
	case dwarf.TagPointerType:
		t = &kabi.Type{Kind: kabi.Pointer, Elem: c.typeAt(e, depth+1)}
	case dwarf.TagStructType:
		t = &kabi.Type{Kind: kabi.Struct, Name: essentialName(name)}
	case dwarf.TagUnionType:
		t = &kabi.Type{Kind: kabi.Union, Name: essentialName(name)}
	case dwarf.TagEnumerationType:
		t = &kabi.Type{Kind: kabi.Enum, Name: essentialName(name)}
	case dwarf.TagTypedef:
		t = &kabi.Type{Kind: kabi.Typedef, Name: name}
	case dwarf.TagConstType, dwarf.TagVolatileType, dwarf.TagRestrictType:
		inner := *c.typeAt(e, depth+1)
		switch e.Tag {
		case dwarf.TagConstType:
			inner.Qual |= kabi.Const
		case dwarf.TagVolatileType:
			inner.Qual |= kabi.Volatile
		default:
			inner.Qual |= kabi.Restrict
		}
		t = &inner
	case dwarf.TagArrayType:
		t = &kabi.Type{Kind: kabi.Array, Elem: c.typeAt(e, depth+1), Len: -1}
	case dwarf.TagSubroutineType:
		t = &kabi.Type{Kind: kabi.Func, Elem: c.typeAt(e, depth+1), Prototyped: true}
	default:
		t = unknown
	}
	c.seen[off] = t
	return t
}
