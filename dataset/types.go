package dataset

import (
	"strconv"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// Type is a row of the types table: one per definition (variant) of a
// named struct, union or enum.
type Type struct {
	Kind         string   `parquet:"kind,dict"`
	Name         string   `parquet:"name,dict"`
	Variant      int32    `parquet:"variant"`
	Variants     int32    `parquet:"variants"`
	Size         *int64   `parquet:"size,optional"`
	Members      int32    `parquet:"members"`
	Fields       int32    `parquet:"fields"`
	Values       int32    `parquet:"values"`
	Unsigned     bool     `parquet:"unsigned"`
	LocationFile *string  `parquet:"location_file,optional,dict"`
	LocationLine *int32   `parquet:"location_line,optional"`
	Locations    []string `parquet:"locations,list"`
	Modules      []string `parquet:"modules,list"`
}

// Member is a row of the members table: one per data member of a struct
// or union variant, the members of its anonymous struct and union members
// included.
type Member struct {
	Kind      string  `parquet:"kind,dict"`
	Type      string  `parquet:"type,dict"`
	Variant   int32   `parquet:"variant"`
	Member    int32   `parquet:"member"`
	Depth     int32   `parquet:"depth"`
	Index     int32   `parquet:"index"`
	Access    string  `parquet:"access,dict"`
	Name      string  `parquet:"name,dict"`
	Field     bool    `parquet:"field"`
	CType     *string `parquet:"c_type,optional,dict"`
	Decl      string  `parquet:"decl,dict"`
	Offset    *int64  `parquet:"offset,optional"`
	BitOffset *int64  `parquet:"bit_offset,optional"`
	BitSize   int32   `parquet:"bit_size"`
}

// EnumValue is a row of the enum_values table: one per value of an enum
// variant.
type EnumValue struct {
	Enum    string `parquet:"enum,dict"`
	Variant int32  `parquet:"variant"`
	Index   int32  `parquet:"index"`
	Name    string `parquet:"name,dict"`
	Value   int64  `parquet:"value"`
	Text    string `parquet:"text"`
}

// Typedef is a row of the typedefs table: one per typedef name.
type Typedef struct {
	Name         string   `parquet:"name,dict"`
	CType        *string  `parquet:"c_type,optional,dict"`
	Def          *string  `parquet:"def,optional"`
	LocationFile *string  `parquet:"location_file,optional,dict"`
	LocationLine *int32   `parquet:"location_line,optional"`
	Locations    []string `parquet:"locations,list"`
	Modules      []string `parquet:"modules,list"`
}

// locations fills the location columns: the first place, and every place
// as FILE:LINE.
func locations(ls []kabi.Location) (file *string, line *int32, all []string) {
	for _, l := range ls {
		all = append(all, l.String())
	}
	if len(ls) > 0 && ls[0].File != "" {
		file = optString(ls[0].File)
		if ls[0].Line > 0 {
			n := int32(ls[0].Line)
			line = &n
		}
	}
	return file, line, all
}

// variants yields every named type definition of b with its position
// among its name's variants and their number.
func variants(b *kabi.Build, kind kabi.Kind, yield func(d *kabi.TypeDef, variant, n int)) {
	var run []*kabi.TypeDef
	flush := func() {
		for i, d := range run {
			yield(d, i, len(run))
		}
		run = run[:0]
	}
	for d := range b.Types(kind) {
		if len(run) > 0 && (run[0].Kind != d.Kind || run[0].Name != d.Name) {
			flush()
		}
		run = append(run, d)
	}
	flush()
}

func typeRows(b *kabi.Build, add func(Type)) {
	variants(b, 0, func(d *kabi.TypeDef, v, n int) {
		r := Type{
			Kind: d.Kind.String(), Name: d.Name, Variant: int32(v), Variants: int32(n),
			Members: int32(len(d.Members)), Values: int32(len(d.Values)), Unsigned: d.Unsigned,
		}
		if d.Kind != kabi.KindEnum {
			r.Fields = int32(len(diff.Fields(d)))
		}
		if d.Size >= 0 {
			s := d.Size
			r.Size = &s
		}
		r.LocationFile, r.LocationLine, r.Locations = locations(d.Locations)
		r.Modules = d.Modules
		add(r)
	})
}

// maxMemberDepth bounds the anonymous members followed (as the model
// bounds its own walks).
const maxMemberDepth = 32

func memberRows(b *kabi.Build, add func(Member)) {
	for _, kind := range []kabi.Kind{kabi.KindStruct, kabi.KindUnion} {
		variants(b, kind, func(d *kabi.TypeDef, v, _ int) {
			n := int32(0)
			var walk func(t *kabi.TypeDef, base int64, access string, depth int)
			walk = func(t *kabi.TypeDef, base int64, access string, depth int) {
				for i := range t.Members {
					m := &t.Members[i]
					off := int64(-1)
					if base >= 0 && m.BitOffset >= 0 {
						off = base + m.BitOffset
					}
					path := access + ":" + strconv.Itoa(i)
					r := Member{
						Kind: d.Kind.String(), Type: d.Name, Variant: int32(v), Member: n, Depth: int32(depth), Index: int32(i),
						Access: path, Name: m.Name, Field: m.Name != "", Decl: diff.MemberDecl(m), BitSize: int32(m.BitSize),
					}
					if m.Type != nil {
						r.CType = optString(kabi.Declare(m.Type, ""))
					}
					if off >= 0 {
						bit, byt := off, off/8
						r.BitOffset, r.Offset = &bit, &byt
					}
					add(r)
					n++
					if m.Name == "" && m.Def != nil && m.Def.Kind != kabi.KindEnum && depth < maxMemberDepth {
						walk(m.Def, off, path, depth+1)
					}
				}
			}
			walk(d, 0, "0", 0)
		})
	}
}

func enumValueRows(b *kabi.Build, add func(EnumValue)) {
	variants(b, kabi.KindEnum, func(d *kabi.TypeDef, v, _ int) {
		for i, e := range d.Values {
			add(EnumValue{Enum: d.Name, Variant: int32(v), Index: int32(i), Name: e.Name, Value: e.Value, Text: d.ValueString(e)})
		}
	})
}

func typedefRows(b *kabi.Build, add func(Typedef)) {
	for a := range b.Typedefs() {
		r := Typedef{Name: a.Name}
		if a.Type != nil {
			r.CType = optString(kabi.Declare(a.Type, ""))
		}
		if a.Def != nil {
			r.Def = optString(strings.TrimSpace(diff.MemberDecl(&kabi.Member{Type: a.Type, Def: a.Def})))
		}
		r.LocationFile, r.LocationLine, r.Locations = locations(a.Locations)
		r.Modules = a.Modules
		add(r)
	}
}
