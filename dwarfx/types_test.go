package dwarfx

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// tyUnit builds one DWARF 4 unit in memory for type-decoder tests: a
// compile_unit root whose children are added with entry, references
// written as labels and patched by data.
type tyUnit struct {
	body    []byte
	labels  map[string]uint32
	patches map[int]string
}

// Abbreviation codes of tyAbbrev.
const (
	tyCU         = 1
	tyPointer    = 2  // DW_AT_type ref4
	tyBase       = 3  // DW_AT_name string
	tyArray      = 4  // children; DW_AT_type ref4
	tySubrange   = 5  // DW_AT_upper_bound data8
	tySubprogram = 6  // children; DW_AT_type ref4, DW_AT_prototyped flag_present
	tySubroutine = 7  // children; DW_AT_type ref4, DW_AT_prototyped flag_present
	tyParam      = 8  // DW_AT_name string, DW_AT_type ref4
	tyCopy       = 9  // DW_AT_abstract_origin ref4
	tySubrange1  = 10 // DW_AT_upper_bound data1
)

func tyAbbrev() []byte {
	var b []byte
	add := func(code, tag uint8, children bool, attrs ...uint16) {
		b = append(b, code, tag)
		if children {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		for i := 0; i < len(attrs); i += 2 {
			b = binary.AppendUvarint(b, uint64(attrs[i]))
			b = binary.AppendUvarint(b, uint64(attrs[i+1]))
		}
		b = append(b, 0, 0)
	}
	add(tyCU, uint8(dwarf.TagCompileUnit), true)
	add(tyPointer, uint8(dwarf.TagPointerType), false, uint16(dwarf.AttrType), uint16(FormRef4))
	add(tyBase, uint8(dwarf.TagBaseType), false, uint16(dwarf.AttrName), uint16(FormString))
	add(tyArray, uint8(dwarf.TagArrayType), true, uint16(dwarf.AttrType), uint16(FormRef4))
	add(tySubrange, uint8(dwarf.TagSubrangeType), false, uint16(dwarf.AttrUpperBound), uint16(FormData8))
	add(tySubprogram, uint8(dwarf.TagSubprogram), true, uint16(dwarf.AttrType), uint16(FormRef4), uint16(dwarf.AttrPrototyped), uint16(FormFlagPresent))
	add(tySubroutine, uint8(dwarf.TagSubroutineType), true, uint16(dwarf.AttrType), uint16(FormRef4), uint16(dwarf.AttrPrototyped), uint16(FormFlagPresent))
	add(tyParam, uint8(dwarf.TagFormalParameter), false, uint16(dwarf.AttrName), uint16(FormString), uint16(dwarf.AttrType), uint16(FormRef4))
	add(tyCopy, uint8(dwarf.TagSubprogram), true, uint16(dwarf.AttrAbstractOrigin), uint16(FormRef4))
	add(tySubrange1, uint8(dwarf.TagSubrangeType), false, uint16(dwarf.AttrUpperBound), uint16(FormData1))
	return append(b, 0)
}

const tyHeader = 11 // DWARF 4 unit header size

func newTyUnit() *tyUnit {
	u := &tyUnit{labels: map[string]uint32{}, patches: map[int]string{}}
	u.body = append(u.body, tyCU)
	return u
}

// entry appends an entry labelled label. Each arg is a string (a
// DW_FORM_string), "@label" (a ref4 to that label), or a uint64 (data8).
func (u *tyUnit) entry(label string, code uint8, args ...any) {
	if label != "" {
		u.labels[label] = uint32(tyHeader + len(u.body))
	}
	u.body = append(u.body, code)
	for _, a := range args {
		switch v := a.(type) {
		case string:
			if strings.HasPrefix(v, "@") {
				u.patches[len(u.body)] = v[1:]
				u.body = append(u.body, 0, 0, 0, 0)
			} else {
				u.body = append(append(u.body, v...), 0)
			}
		case uint64:
			u.body = binary.LittleEndian.AppendUint64(u.body, v)
		case uint8:
			u.body = append(u.body, v)
		}
	}
}

func (u *tyUnit) end() { u.body = append(u.body, 0) }

func (u *tyUnit) data(t *testing.T) *Data {
	t.Helper()
	u.body = append(u.body, 0) // close the root
	for at, l := range u.patches {
		off, ok := u.labels[l]
		if !ok {
			off = 0xfffff // a dangling reference, on purpose
		}
		binary.LittleEndian.PutUint32(u.body[at:], off)
	}
	var info []byte
	info = binary.LittleEndian.AppendUint32(info, uint32(tyHeader-4+len(u.body)))
	info = binary.LittleEndian.AppendUint16(info, 4)
	info = binary.LittleEndian.AppendUint32(info, 0)
	info = append(info, 8)
	info = append(info, u.body...)
	d := &Data{name: "synthetic", info: info, abbrev: tyAbbrev()}
	if err := d.parseUnits(); err != nil {
		t.Fatal(err)
	}
	return d
}

func (u *tyUnit) at(l string) uint64 { return uint64(u.labels[l]) }

// tyString writes a decoded type compactly, for assertions.
func tyString(ty *Type) string {
	if ty == nil {
		return "void"
	}
	switch ty.Kind {
	case TypeBase, TypeTypedef, TypeStruct, TypeUnion, TypeEnum:
		return ty.Kind.String() + ":" + ty.Name
	case TypeArray:
		return fmt.Sprintf("array%v(%s)", ty.Dims, tyString(ty.Elem))
	case TypeFunc:
		var ps []string
		for _, p := range ty.Params {
			ps = append(ps, tyString(p))
		}
		if ty.Variadic {
			ps = append(ps, "...")
		}
		return fmt.Sprintf("func(%s)%s", strings.Join(ps, ","), tyString(ty.Elem))
	}
	return ty.Kind.String() + "(" + tyString(ty.Elem) + ")"
}

func TestTypesSynthetic(t *testing.T) {
	u := newTyUnit()
	u.entry("int", tyBase, "int")
	u.entry("arr", tyArray, "@int")
	u.entry("", tySubrange, uint64(3))
	u.entry("", tySubrange, uint64(^uint64(0))) // gcc's zero-length dimension
	u.entry("", tySubrange1, uint8(255))        // one byte, unsigned: 256 elements
	u.end()
	u.entry("parr", tyPointer, "@arr")
	u.entry("fn", tySubroutine, "@parr")
	u.entry("", tyParam, "", "@int")
	u.end()
	u.entry("f", tySubprogram, "@int")
	u.entry("", tyParam, "cb", "@pfn")
	u.end()
	u.entry("pfn", tyPointer, "@fn")
	u.entry("copy", tyCopy, "@f")
	u.end()
	d := u.data(t)
	td := d.NewTypeDecoder()

	ty, err := td.Type(u.at("pfn"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tyString(ty), "pointer(func(base:int)pointer(array[4 0 256](base:int)))"; got != want {
		t.Errorf("type = %s, want %s", got, want)
	}
	for _, off := range []uint64{u.at("f"), u.at("copy")} {
		p, err := td.Prototype(off)
		if err != nil {
			t.Fatal(err)
		}
		if tyString(p.Return) != "base:int" || len(p.Params) != 1 || p.Params[0].Name != "cb" || p.Params[0].Type != ty || !p.Prototyped {
			t.Errorf("prototype at %#x = %+v", off, p)
		}
		if p.IsCopy != (off == u.at("copy")) || len(p.Copy) != 0 {
			t.Errorf("prototype at %#x: IsCopy %v, Copy %v", off, p.IsCopy, p.Copy)
		}
	}
}

func TestTypesHostile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(u *tyUnit) string // returns the label to decode
		proto bool
		want  error
	}{
		{"pointer cycle", func(u *tyUnit) string {
			u.entry("a", tyPointer, "@b")
			u.entry("b", tyPointer, "@a")
			return "a"
		}, false, ErrMalformed},
		{"self reference", func(u *tyUnit) string {
			u.entry("a", tyPointer, "@a")
			return "a"
		}, false, ErrMalformed},
		{"deep chain", func(u *tyUnit) string {
			for i := range 300 {
				u.entry(fmt.Sprint(i), tyPointer, fmt.Sprint("@", i+1))
			}
			u.entry("300", tyBase, "int")
			return "0"
		}, false, ErrMalformed},
		{"dangling type", func(u *tyUnit) string {
			u.entry("a", tyPointer, "@nowhere")
			return "a"
		}, false, ErrBadReference},
		{"absurd bound", func(u *tyUnit) string {
			u.entry("int", tyBase, "int")
			u.entry("a", tyArray, "@int")
			u.entry("", tySubrange, uint64(1)<<62)
			u.end()
			return "a"
		}, false, ErrMalformed},
		{"exponential expansion", func(u *tyUnit) string {
			// Each level is a function taking the next level twice:
			// 2^40 nodes written out, 40 entries stored.
			for i := range 40 {
				u.entry(fmt.Sprint(i), tySubroutine, "@int")
				u.entry("", tyParam, "", fmt.Sprint("@", i+1))
				u.entry("", tyParam, "", fmt.Sprint("@", i+1))
				u.end()
			}
			u.entry("40", tyBase, "int")
			u.entry("int", tyBase, "int")
			return "0"
		}, false, ErrMalformed},
		{"origin cycle", func(u *tyUnit) string {
			u.entry("a", tyCopy, "@b")
			u.end()
			u.entry("b", tyCopy, "@a")
			u.end()
			return "a"
		}, true, ErrBadReference},
		{"origin not a subprogram", func(u *tyUnit) string {
			u.entry("int", tyBase, "int")
			u.entry("a", tyCopy, "@int")
			u.end()
			return "a"
		}, true, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newTyUnit()
			l := tc.build(u)
			d := u.data(t)
			td := d.NewTypeDecoder()
			var err error
			if tc.proto {
				_, err = td.Prototype(u.at(l))
			} else {
				_, err = td.Type(u.at(l))
			}
			var fe *FormatError
			if !errors.Is(err, tc.want) || !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FormatError wrapping %v", err, tc.want)
			}
			// A second attempt must fail the same way (no half-built cache entry).
			if tc.proto {
				_, err = td.Prototype(u.at(l))
			} else {
				_, err = td.Type(u.at(l))
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("second attempt: err = %v", err)
			}
		})
	}
}
