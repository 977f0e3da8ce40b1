package kabi

import "strconv"

// AppendJSON appends the definition as one JSON object, as kabi dump
// writes it (docs/json.md): "kind" first, then "name", "size", the
// "locations", the "modules" when modules define it and vmlinux does
// not, and, for a struct or union, "members" (each with "name", "type",
// "bit_offset", "bit_size" and, for an anonymous member type, its
// definition in "def"), for an enum "unsigned" and "values" (each with
// "name" and "value", a JSON number in the enum's signedness).
func (t *TypeDef) AppendJSON(b []byte) []byte { return t.appendJSON(b, 0) }

func (t *TypeDef) appendJSON(b []byte, depth int) []byte {
	if depth > maxTypeNesting {
		return append(b, "null"...)
	}
	b = append(b, `{"kind":`...)
	b = appendJSONString(b, t.Kind.String())
	b = append(b, `,"name":`...)
	b = appendJSONString(b, t.Name)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, t.Size, 10)
	if depth == 0 {
		if len(t.Locations) == 0 {
			// No place known (a running kernel's BTF says none):
			// unknown, not "written nowhere".
			b = append(b, `,"locations":null`...)
		} else {
			b = append(b, `,"locations":[`...)
			for i, l := range t.Locations {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"file":`...)
				b = appendJSONString(b, l.File)
				b = append(b, `,"line":`...)
				b = strconv.AppendInt(b, int64(l.Line), 10)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		if len(t.Modules) > 0 {
			b = append(b, `,"modules":`...)
			b = appendJSONStrings(b, t.Modules)
		}
	}
	if t.Kind == KindEnum {
		b = append(b, `,"unsigned":`...)
		b = strconv.AppendBool(b, t.Unsigned)
		b = append(b, `,"values":[`...)
		for i, v := range t.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, v.Name)
			b = append(b, `,"value":`...)
			b = append(b, t.ValueString(v)...)
			b = append(b, '}')
		}
		return append(b, "]}"...)
	}
	b = append(b, `,"members":[`...)
	for i := range t.Members {
		m := &t.Members[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONString(b, m.Name)
		b = append(b, `,"type":`...)
		b = appendJSONString(b, Declare(m.Type, ""))
		b = append(b, `,"bit_offset":`...)
		b = strconv.AppendInt(b, m.BitOffset, 10)
		b = append(b, `,"bit_size":`...)
		b = strconv.AppendInt(b, m.BitSize, 10)
		if m.Def != nil {
			b = append(b, `,"def":`...)
			b = m.Def.appendJSON(b, depth+1)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
