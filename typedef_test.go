package kabi

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi/dwarfx"
)

// layout writes a definition's members, one a line, with offsets and
// widths, anonymous definitions indented.
func layout(t *TypeDef, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s %s size %d\n", indent, t.Kind, t.Name, t.Size)
	for _, m := range t.Members {
		fmt.Fprintf(&b, "%s  %s @%d:%d\n", indent, m.Decl(), m.BitOffset, m.BitSize)
		if m.Def != nil {
			b.WriteString(layout(m.Def, indent+"    "))
		}
	}
	for _, v := range t.Values {
		fmt.Fprintf(&b, "%s  %s = %s\n", indent, v.Name, t.ValueString(v))
	}
	return b.String()
}

func TestTypesFixture(t *testing.T) {
	b := fixture(t, "types-v1")
	for _, c := range []struct {
		kind Kind
		name string
		want string
	}{
		{KindStruct, "kfx_bits", `struct kfx_bits size 16
  unsigned int a:1 @0:1
  unsigned int b:3 @1:3
  int c:5 @4:5
  long long unsigned int wide:40 @9:40
  unsigned char tail @56:0
  short unsigned int last:7 @64:7
`},
		{KindStruct, "kfx_anon", `struct kfx_anon size 32
  int kind @0:0
  union {...} @64:0
    union  size 8
      int i @0:0
      long int l @0:0
      struct {...} @0:0
        struct  size 4
          short int lo @0:0
          short int hi @16:0
  struct {...} named_anon @128:0
    struct  size 8
      char tag @0:0
      int count @32:0
  unsigned int flags @192:0
`},
		{KindStruct, "kfx_flex", "struct kfx_flex size 8\n  int n @0:0\n  long int data[] @64:0\n"},
		{KindStruct, "kfx_packed", "struct kfx_packed size 13\n  char c @0:0\n  int i @8:0\n  long int l @40:0\n"},
		{KindStruct, "kfx_local", "struct kfx_local size 8\n  int x @0:0\n  short int y @32:0\n"},
		{KindStruct, "kfx_nested", `struct kfx_nested size 88
  struct kfx_bits bits @0:0
  struct kfx_anon anon[2] @128:0
  const volatile struct kfx_bits *cv @640:0
`},
		{KindUnion, "kfx_uver", "union kfx_uver size 4\n  int i @0:0\n  char c @0:0\n"},
		{KindEnum, "kfx_neg", "enum kfx_neg size 4\n  KFX_NEG_MIN = -5\n  KFX_NEG_ZERO = 0\n  KFX_NEG_MAX = 5\n"},
		{KindEnum, "kfx_big", "enum kfx_big size 8\n  KFX_BIG_LOW = 1\n  KFX_BIG_HIGH = 18446744073709551600\n"},
		{KindEnum, "kfx_s64", "enum kfx_s64 size 8\n  KFX_S64_MIN = -9223372036854775808\n  KFX_S64_ONE = 1\n"},
	} {
		d, ok := b.Type(c.kind, c.name)
		if !ok {
			t.Errorf("no %s %s", c.kind, c.name)
			continue
		}
		if got := layout(d, ""); got != c.want {
			t.Errorf("%s %s:\n%s\nwant:\n%s", c.kind, c.name, got, c.want)
		}
	}
}

// TestTypesFixtureVariants: two different private definitions of one
// name are both kept, each with its file; the header's types, defined in
// both units, once, with one location.
func TestTypesFixtureVariants(t *testing.T) {
	b := fixture(t, "types-v1")
	vs := b.TypeVariants(KindStruct, "kfx_priv")
	if len(vs) != 2 {
		t.Fatalf("kfx_priv: %d variants, want 2", len(vs))
	}
	if got := fmt.Sprint(vs[0].Locations, vs[1].Locations); got != "[types/types_fix.c:19] [types/types_twin_fix.c:9]" {
		t.Errorf("kfx_priv locations: %s", got)
	}
	if vs[0].Size != 16 || vs[1].Size != 4 {
		t.Errorf("kfx_priv sizes %d, %d", vs[0].Size, vs[1].Size)
	}
	for _, n := range []string{"kfx_nested", "linux_binprm", "kfx_bits"} {
		vs := b.TypeVariants(KindStruct, n)
		if len(vs) != 1 || len(vs[0].Locations) != 1 {
			t.Errorf("%s: %d variants, want 1 with one location", n, len(vs))
		}
	}
	if d, _ := b.Type(KindStruct, "kfx_priv"); d != vs[0] {
		t.Error("Type does not return the first variant")
	}
}

// TestTypesFixtureEncodings: DWARF 4 (DW_AT_bit_offset, counted from the
// most significant bit) on little- and big-endian targets gives the same
// layouts as DWARF 5 (DW_AT_data_bit_offset).
func TestTypesFixtureEncodings(t *testing.T) {
	want := fixture(t, "types-v1")
	for _, name := range []string{"types-v1-dwarf4", "types-v1-s390x"} {
		b := fixture(t, name)
		n := 0
		for d := range want.Types(0) {
			n++
			var got *TypeDef
			for _, v := range b.TypeVariants(d.Kind, d.Name) {
				if layout(v, "") == layout(d, "") {
					got = v
				}
			}
			if got == nil && d.Name != "__va_list_tag" { // the compiler's own, per architecture
				t.Errorf("%s: %s %s differs:\n%s", name, d.Kind, d.Name, layout(b.TypeVariants(d.Kind, d.Name)[0], ""))
			}
		}
		if n < 15 {
			t.Errorf("only %d types", n)
		}
	}
}

func TestTypeField(t *testing.T) {
	b := fixture(t, "types-v1")
	d, _ := b.Type(KindStruct, "kfx_anon")
	for _, c := range []struct {
		name string
		bit  int64
		path []int
	}{
		{"kind", 0, []int{0}},
		{"i", 64, []int{1, 0}},
		{"l", 64, []int{1, 1}},
		{"lo", 64, []int{1, 2, 0}},
		{"hi", 80, []int{1, 2, 1}},
		{"named_anon", 128, []int{2}},
		{"flags", 192, []int{3}},
	} {
		f, ok := d.Field(c.name)
		if !ok || f.BitOffset != c.bit || !slices.Equal(f.Path, c.path) || f.Member.Name != c.name {
			t.Errorf("Field(%q) = %+v, %v; want bit %d path %v", c.name, f, ok, c.bit, c.path)
		}
	}
	for _, n := range []string{"tag", "count", "", "nope"} {
		if f, ok := d.Field(n); ok {
			t.Errorf("Field(%q) = %+v: a member of a named member is not a field", n, f)
		}
	}
}

func TestLookupType(t *testing.T) {
	b := fixture(t, "types-v1")
	if d, err := b.LookupType(Ref{KindUnion, "kfx_uver"}); err != nil || d.Name != "kfx_uver" {
		t.Errorf("LookupType(union:kfx_uver) = %v, %v", d, err)
	}
	_, err := b.LookupType(Ref{KindStruct, "kfx_uver"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no such struct: "kfx_uver"`) {
		t.Errorf("LookupType(struct:kfx_uver): %v", err)
	}
	if _, err := b.LookupType(Ref{KindFunction, "start_kernel"}); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("LookupType(function): %v", err)
	}
	var names []string
	for d := range b.Types(KindUnion) {
		names = append(names, d.Name)
	}
	if fmt.Sprint(names) != "[kfx_uver]" || b.TypeLen(KindUnion) != 1 {
		t.Errorf("unions: %v", names)
	}
	prev := Ref{}
	for d := range b.Types(0) {
		if r := d.Ref(); r.Kind < prev.Kind || r.Kind == prev.Kind && r.Name < prev.Name {
			t.Errorf("Types(0): %v after %v", r, prev)
		} else {
			prev = r
		}
	}
	nb, err := Open("testdata/types-v1.elf", &Options{NoTypes: true})
	if err != nil {
		t.Fatal(err)
	}
	if nb.TypeLen(0) != 0 {
		t.Errorf("NoTypes: %d types", nb.TypeLen(0))
	}
}

// TestTypesDeterministic: the same definitions, variants and locations
// whatever the number of workers.
func TestTypesDeterministic(t *testing.T) {
	dump := func(b *Build) string {
		var s strings.Builder
		for d := range b.Types(0) {
			fmt.Fprintln(&s, d.Locations)
			s.WriteString(layout(d, ""))
		}
		return s.String()
	}
	for _, name := range []string{"types-v1", "x86_64-dwarf5", "clang"} {
		var want string
		for _, n := range []int{1, 2, 7} {
			b, err := Open("testdata/"+name+".elf", &Options{Concurrency: n})
			if err != nil {
				t.Fatal(err)
			}
			got := dump(b)
			if n == 1 {
				want = got
			} else if got != want {
				t.Errorf("%s: Concurrency %d differs from 1", name, n)
			}
		}
	}
}

// TestTypesFixtureTypeUnits: definitions in type units (DWARF 4
// .debug_types, DWARF 5 DW_UT_type) are found as in ordinary units.
func TestTypesFixtureTypeUnits(t *testing.T) {
	want := fixture(t, "x86_64-dwarf4")
	for _, name := range []string{"x86_64-dwarf4-types", "x86_64-dwarf5-types"} {
		b := fixture(t, name)
		n := 0
		for d := range want.Types(0) {
			if d.Name == "__va_list_tag" {
				continue
			}
			n++
			got, ok := b.Type(d.Kind, d.Name)
			if !ok || layout(got, "") != layout(d, "") || fmt.Sprint(got.Locations) != fmt.Sprint(d.Locations) {
				t.Errorf("%s: %s %s: %v\n%v %s", name, d.Kind, d.Name, ok, got, layout(d, ""))
			}
		}
		if n < 5 {
			t.Errorf("%d types", n)
		}
	}
}

func TestTypeDefJSON(t *testing.T) {
	b := fixture(t, "types-v1")
	for _, c := range []struct {
		kind Kind
		name string
		want string
	}{
		{KindStruct, "kfx_flex", `{"kind":"struct","name":"kfx_flex","size":8,"locations":[{"file":"types/kfx_types.h","line":49}],"members":[{"name":"n","type":"int","bit_offset":0,"bit_size":0},{"name":"data","type":"long int []","bit_offset":64,"bit_size":0}]}`},
		{KindEnum, "kfx_big", `{"kind":"enum","name":"kfx_big","size":8,"locations":[{"file":"types/kfx_types.h","line":66}],"unsigned":true,"values":[{"name":"KFX_BIG_LOW","value":1},{"name":"KFX_BIG_HIGH","value":18446744073709551600}]}`},
		{KindEnum, "kfx_neg", `{"kind":"enum","name":"kfx_neg","size":4,"locations":[{"file":"types/kfx_types.h","line":60}],"unsigned":false,"values":[{"name":"KFX_NEG_MIN","value":-5},{"name":"KFX_NEG_ZERO","value":0},{"name":"KFX_NEG_MAX","value":5}]}`},
	} {
		d, _ := b.Type(c.kind, c.name)
		if got := string(d.AppendJSON(nil)); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	d, _ := b.Type(KindStruct, "kfx_anon")
	var v map[string]any
	if err := json.Unmarshal(d.AppendJSON(nil), &v); err != nil {
		t.Fatal(err)
	}
	m := v["members"].([]any)[1].(map[string]any)
	if m["type"] != "union {...}" || m["def"].(map[string]any)["kind"] != "union" {
		t.Errorf("anonymous member: %v", m)
	}
}

// TestTypeClaimsRace: a later unit that asks before an earlier one
// decodes a definition the earlier unit claims too; the merge keeps the
// earlier unit's only, whatever the order of asking.
func TestTypeClaimsRace(t *testing.T) {
	k := dwarfx.TypeKey{Kind: dwarfx.TypeStruct, Name: "elf_note_info", Size: 248, File: dwarfx.FileEntry{Name: "binfmt_elf.c"}, Line: 1779}
	for _, order := range [][]int{{3, 5}, {5, 3}} {
		c := typeClaims{m: map[dwarfx.TypeKey]int32{}}
		decoded := map[int]bool{}
		for _, u := range order {
			decoded[u] = c.want(u, &k)
		}
		var kept []int
		for _, u := range []int{3, 5} { // the merge, in unit order
			if decoded[u] && c.owns(u, &k) {
				kept = append(kept, u)
			}
		}
		if !slices.Equal(kept, []int{3}) {
			t.Errorf("asked in order %v: kept the definitions of units %v, want [3]", order, kept)
		}
	}
	var c typeClaims // a walk that never claims owns every key
	if !c.owns(7, &k) {
		t.Error("an unclaimed key is not owned")
	}
}
