package kabi

import (
	"fmt"
	"strconv"
)

// TypeKind says what a C type is.
type TypeKind uint8

const (
	Void        TypeKind = iota // void
	Base                        // a named base type: int, long unsigned int, _Bool, char, float
	Pointer                     // pointer to Elem
	Array                       // array of Len Elem
	Func                        // function returning Elem, taking Params
	Struct                      // struct Name (members are not part of the model)
	Union                       // union Name
	Enum                        // enum Name
	Typedef                     // a typedef name, kept as written, not expanded
	Unspecified                 // an unspecified type, such as an assembler routine's DW_TAG_unspecified_type
	Other                       // a type C cannot spell (another language's); Name says what it is
)

var typeKindNames = [...]string{
	Void: "void", Base: "base", Pointer: "pointer", Array: "array", Func: "func", Struct: "struct",
	Union: "union", Enum: "enum", Typedef: "typedef", Unspecified: "unspecified", Other: "other",
}

func (k TypeKind) String() string {
	if int(k) < len(typeKindNames) {
		return typeKindNames[k]
	}
	return fmt.Sprintf("TypeKind(%d)", uint8(k))
}

// Qualifiers is a set of C type qualifiers. A qualifier on an array type
// applies to its elements (as in C), so the model keeps it there.
type Qualifiers uint8

const (
	Const Qualifiers = 1 << iota
	Volatile
	Restrict
	Atomic
)

// appendTo appends the qualifier words, space-separated.
func (q Qualifiers) appendTo(b []byte) []byte {
	first := true
	for _, w := range [...]struct {
		q    Qualifiers
		word string
	}{{Const, "const"}, {Volatile, "volatile"}, {Restrict, "restrict"}, {Atomic, "_Atomic"}} {
		if q&w.q != 0 {
			if !first {
				b = append(b, ' ')
			}
			b = append(b, w.word...)
			first = false
		}
	}
	return b
}

func (q Qualifiers) String() string { return string(q.appendTo(nil)) }

// A Type is a C type as a function signature uses it, built from DWARF or
// from BTF. Types are values to read: a Type returned by this package is
// never modified afterwards, and may be shared.
//
// Two types are equal (Type.Equal) when they are written the same way:
// typedef names are compared, not expanded, so `size_t` and
// `long unsigned int` differ, as they do for a user reading the signature.
type Type struct {
	Kind TypeKind
	// Name is the name of a Base, Typedef or Unspecified type, or the tag
	// of a Struct, Union or Enum (empty when anonymous).
	Name string
	Qual Qualifiers // qualifiers of this type
	// Elem is what a Pointer points to, an Array's element type or a
	// Func's return type; never nil for those kinds.
	Elem *Type
	// Len is an Array's element count, -1 when unknown (`[]`).
	Len int64
	// Params are a Func's parameters; Name may be empty.
	Params     []Param
	Variadic   bool // a Func ending in `, ...`
	Prototyped bool // a Func with a prototype; false prints `()` where true prints `(void)`
}

// A Param is a function parameter.
type Param struct {
	Name string // may be empty
	Type *Type
}

// maxTypeNesting bounds recursion over a Type; the decoders never build
// deeper ones, so only a hand-made cyclic value can reach it.
const maxTypeNesting = 1024

// Equal reports whether t and u are the same C type: the same kinds,
// names, qualifiers, lengths and, for functions, parameter types (not
// names), variadicity and prototype-ness.
func (t *Type) Equal(u *Type) bool { return typeEqual(t, u, false, 0) }

// typeEqual compares t and u. With btf set, u comes from BTF, which
// writes an array of unknown length (`[]`) as `[0]`: the two match.
func typeEqual(t, u *Type, btf bool, depth int) bool {
	if t == u {
		return true
	}
	if t == nil || u == nil || depth > maxTypeNesting {
		return false
	}
	if t.Kind != u.Kind || t.Name != u.Name || t.Qual != u.Qual {
		return false
	}
	switch t.Kind {
	case Pointer:
		return typeEqual(t.Elem, u.Elem, btf, depth+1)
	case Array:
		sameLen := t.Len == u.Len || btf && t.Len == -1 && u.Len == 0
		return sameLen && typeEqual(t.Elem, u.Elem, btf, depth+1)
	case Func:
		if t.Variadic != u.Variadic || t.Prototyped != u.Prototyped || len(t.Params) != len(u.Params) {
			return false
		}
		for i := range t.Params {
			if !typeEqual(t.Params[i].Type, u.Params[i].Type, btf, depth+1) {
				return false
			}
		}
		return typeEqual(t.Elem, u.Elem, btf, depth+1)
	}
	return true
}

// String writes the type as C writes an abstract declarator: `const char
// *const *`, `int (*)(void *, int)`, `int [4]`.
func (t *Type) String() string { return Declare(t, "") }

// Declare writes a declaration of name with type t, as C writes it: the
// base type, then the declarator with pointers binding to the name and
// parentheses where precedence needs them:
//
//	Declare(ptr-to-func(int), "cb")      int (*cb)(int)
//	Declare(ptr-to-array-4-int, "m")     int (*m)[4]
//	Declare(const-ptr-to-const-char, "") const char *const
//
// An empty name gives an abstract declarator, as in a parameter list
// without names.
func Declare(t *Type, name string) string {
	return string(appendDeclare(nil, t, name, 0, nil))
}

// appendDeclare appends a declaration of name with type t. C writes a
// declarator around the name: what comes before it (the base type,
// pointer stars and their qualifiers, an opening parenthesis where a
// pointer applies to an array or a function) and what comes after it
// (closing parentheses, array bounds, parameter lists), each level's
// suffix before the levels it wraps. With names set, it appends to
// *names the offset in b at which it writes the name.
func appendDeclare(b []byte, t *Type, name string, depth int, names *[]int32) []byte {
	b = appendPrefix(b, t, name == "", depth)
	if names != nil {
		*names = append(*names, int32(len(b)))
	}
	b = append(b, name...)
	return appendSuffix(b, t, depth)
}

// appendPrefix appends what precedes the declarator's inner part; empty
// says that inner part is empty (an abstract declarator with no name).
func appendPrefix(b []byte, t *Type, empty bool, depth int) []byte {
	if t == nil || depth > maxTypeNesting {
		t = &voidType
	}
	switch t.Kind {
	case Pointer:
		b = appendPrefix(b, t.Elem, false, depth+1)
		if wrapsPointer(t) {
			b = append(b, '(')
		}
		b = append(b, '*')
		if t.Qual != 0 {
			b = t.Qual.appendTo(b)
			if !empty {
				b = append(b, ' ')
			}
		}
	case Array, Func:
		b = appendPrefix(b, t.Elem, false, depth+1)
	default:
		if t.Qual != 0 {
			b = t.Qual.appendTo(b)
			b = append(b, ' ')
		}
		b = appendBaseName(b, t)
		if !empty {
			b = append(b, ' ')
		}
	}
	return b
}

// appendSuffix appends what follows the declarator's inner part.
func appendSuffix(b []byte, t *Type, depth int) []byte {
	if t == nil || depth > maxTypeNesting {
		return b
	}
	switch t.Kind {
	case Pointer:
		if wrapsPointer(t) {
			b = append(b, ')')
		}
		b = appendSuffix(b, t.Elem, depth+1)
	case Array:
		b = append(b, '[')
		if t.Len >= 0 {
			b = strconv.AppendInt(b, t.Len, 10)
		}
		b = append(b, ']')
		b = appendSuffix(b, t.Elem, depth+1)
	case Func:
		b = append(b, '(')
		b = appendParams(b, t.Params, t.Variadic, t.Prototyped, depth, nil)
		b = append(b, ')')
		b = appendSuffix(b, t.Elem, depth+1)
	}
	return b
}

// wrapsPointer says a pointer's declarator needs parentheses: it points
// to an array or a function.
func wrapsPointer(t *Type) bool {
	e := t.Elem
	return e != nil && (e.Kind == Array || e.Kind == Func)
}

var voidType = Type{Kind: Void}

// appendParams appends a parameter list, without its parentheses. With
// names set, it appends to *names the offset in b of each parameter's
// name.
func appendParams(b []byte, params []Param, variadic, prototyped bool, depth int, names *[]int32) []byte {
	for i, p := range params {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendDeclare(b, p.Type, p.Name, depth+1, names)
	}
	switch {
	case variadic && len(params) > 0:
		b = append(b, ", ..."...)
	case variadic:
		b = append(b, "..."...)
	case len(params) == 0 && prototyped:
		b = append(b, "void"...)
	}
	return b
}

func appendBaseName(b []byte, t *Type) []byte {
	switch t.Kind {
	case Void:
		return append(b, "void"...)
	case Struct, Union, Enum:
		b = append(b, t.Kind.String()...)
		if t.Name == "" {
			return append(b, " {...}"...)
		}
		return append(append(b, ' '), t.Name...)
	case Unspecified:
		if t.Name == "" {
			return append(b, "void"...)
		}
		return append(b, t.Name...)
	}
	if t.Name == "" {
		return append(append(append(b, '<'), t.Kind.String()...), '>')
	}
	return append(b, t.Name...)
}
