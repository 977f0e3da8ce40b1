package dwarfx

import (
	"errors"
	"strings"
	"testing"
)

// More tags, attributes and forms for the synthetic type definitions.
const (
	tagMember       = 0x0d
	tagUnion        = 0x17
	atByteSize      = 0x0b
	atBitSize       = 0x0d
	atMemberLoc     = 0x38
	atDataBitOffset = 0x6b
	atDeclaration   = 0x3c
)

// typesFile builds a file of one unit: a base type int at a known
// offset, then the entries body writes (which may refer to int with
// ref4 intRef), with the abbreviations below.
func typesFile(body func(w *dw, intRef uint32)) []byte {
	ab := abbrevTable(
		abbrevDecl{1, tagCU, true, [][2]uint64{{atName, uint64(FormString)}}},
		abbrevDecl{2, tagBase, false, [][2]uint64{{atName, uint64(FormString)}, {atByteSize, uint64(FormData1)}}},
		// struct: name, byte_size (data8)
		abbrevDecl{3, tagStruct, true, [][2]uint64{{atName, uint64(FormString)}, {atByteSize, uint64(FormData8)}}},
		// member: name, type (ref4), data_member_location (udata)
		abbrevDecl{4, tagMember, false, [][2]uint64{{atName, uint64(FormString)}, {atType, uint64(FormRef4)}, {atMemberLoc, uint64(FormUdata)}}},
		// anonymous struct: byte_size only
		abbrevDecl{5, tagStruct, true, [][2]uint64{{atByteSize, uint64(FormData8)}}},
		// bitfield member: name, type, bit size, data_bit_offset
		abbrevDecl{6, tagMember, false, [][2]uint64{{atName, uint64(FormString)}, {atType, uint64(FormRef4)},
			{atBitSize, uint64(FormUdata)}, {atDataBitOffset, uint64(FormUdata)}}},
	)
	var w dw
	w.uleb(1).str("t.c")
	intRef := uint32(11 + len(w.b))
	w.uleb(2).str("int").u8(4)
	body(&w, intRef)
	w.uleb(0)
	return buildELF(section{name: ".debug_info", data: unit4(0, w.b, nil)}, section{name: ".debug_abbrev", data: ab})
}

// extractTypes runs Extract with Types and returns the definitions.
func extractTypes(t *testing.T, d *Data) ([]*TypeDefinition, error) {
	t.Helper()
	var defs []*TypeDefinition
	var err error
	within(t, func() {
		err = d.Extract(&ExtractOptions{Types: true, Concurrency: 2}, func(cu *CompileUnit) error {
			defs = append(defs, cu.Types...)
			return nil
		})
	})
	return defs, err
}

// TestTypeDefinitionBad: hostile definitions are errors naming what is
// wrong, never a panic, a hang or unbounded memory.
func TestTypeDefinitionBad(t *testing.T) {
	for _, c := range []struct {
		what string
		body func(w *dw, intRef uint32)
		msg  string
	}{
		{"absurd size", func(w *dw, intRef uint32) {
			w.uleb(3).str("huge").u64(1 << 50)
			w.uleb(4).str("a").u32(intRef).uleb(0)
			w.uleb(0)
		}, "absurd type size"},
		{"member past the end", func(w *dw, intRef uint32) {
			w.uleb(3).str("s").u64(8)
			w.uleb(4).str("a").u32(intRef).uleb(0)
			w.uleb(4).str("b").u32(intRef).uleb(64)
			w.uleb(0)
		}, `member "b" at bit 512 (width 0) lies past the end of its 8-byte type`},
		{"bitfield past the end", func(w *dw, intRef uint32) {
			w.uleb(3).str("s").u64(4)
			w.uleb(6).str("f").u32(intRef).uleb(3).uleb(30)
			w.uleb(0)
		}, `member "f" at bit 30 (width 3) lies past the end of its 4-byte type`},
		{"absurd member offset", func(w *dw, intRef uint32) {
			w.uleb(3).str("s").u64(4)
			w.uleb(4).str("a").u32(intRef).uleb(1 << 62)
			w.uleb(0)
		}, "absurd member offset"},
		{"anonymous cycle", func(w *dw, intRef uint32) {
			// struct s { struct <anon> { struct <anon> (itself) m; } x; }
			start := uint32(11 + len(w.b))
			w.uleb(3).str("s").u64(8)
			anon := start + 1 + 2 + 8 + 1 + 2 + 4 + 1 + 1 // after s's header and its member x
			w.uleb(4).str("x").u32(anon).uleb(0)
			w.uleb(0)
			w.uleb(5).u64(8)
			w.uleb(4).str("m").u32(anon).uleb(0)
			w.uleb(0)
		}, "a type contains itself"},
	} {
		t.Run(c.what, func(t *testing.T) {
			d := mustNew(t, typesFile(c.body))
			_, err := extractTypes(t, d)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "synthetic") {
				t.Errorf("error %v, want ErrMalformed saying %q and naming the file", err, c.msg)
			}
		})
	}
}

// TestTypeDefinitionMembers: a definition with more members than BTF
// allows is refused; one just at the limit is read.
func TestTypeDefinitionMembers(t *testing.T) {
	for _, n := range []int{maxMembers, maxMembers + 1} {
		d := mustNew(t, typesFile(func(w *dw, intRef uint32) {
			w.uleb(3).str("wide").u64(4)
			for range n {
				w.uleb(4).str("").u32(intRef).uleb(0)
			}
			w.uleb(0)
		}))
		defs, err := extractTypes(t, d)
		switch {
		case n <= maxMembers && (err != nil || len(defs) != 1 || len(defs[0].Members) != n):
			t.Errorf("%d members: %v", n, err)
		case n > maxMembers && (!errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "too many members")):
			t.Errorf("%d members: error %v", n, err)
		}
	}
}

// TestTypeDefinitionWantType: WantType sees each key, and what it refuses
// is not decoded; declarations and anonymous types are not offered.
func TestTypeDefinitionWantType(t *testing.T) {
	d := mustNew(t, typesFile(func(w *dw, intRef uint32) {
		w.uleb(3).str("a").u64(4)
		w.uleb(4).str("x").u32(intRef).uleb(0)
		w.uleb(0)
		w.uleb(3).str("b").u64(4)
		w.uleb(4).str("y").u32(intRef).uleb(0)
		w.uleb(0)
		w.uleb(5).u64(4) // anonymous
		w.uleb(0)
	}))
	var asked []string
	var got []string
	err := d.Extract(&ExtractOptions{Types: true, WantType: func(unit int, k *TypeKey) bool {
		asked = append(asked, k.Name)
		return k.Name == "b"
	}}, func(cu *CompileUnit) error {
		for _, t := range cu.Types {
			got = append(got, t.Name+"."+t.Members[0].Name)
		}
		return nil
	})
	if err != nil || strings.Join(asked, " ") != "a b" || strings.Join(got, " ") != "b.y" {
		t.Errorf("asked %v, got %v, err %v", asked, got, err)
	}
}
