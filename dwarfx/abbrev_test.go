package dwarfx

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// synthTable returns a Data whose one unit uses the abbreviation table
// ab (its root entry uses code 1, a compile unit with a name).
func synthTable(t *testing.T, ab []byte) *Data {
	t.Helper()
	var body dw
	body.uleb(1).str("u.c").uleb(0)
	info := unit4(0, body.b, nil)
	return mustNew(t, buildELF(section{name: ".debug_info", data: info}, section{name: ".debug_abbrev", data: ab}))
}

// TestCompileTableErrors checks what compiling a damaged table says: a
// code defined twice (in a dense table and in a sparse one), an
// abbreviation with too many attributes, a form no DWARF version defines;
// and that a good table compiles the same with a room, with a room too
// small for it, and without one.
func TestCompileTableErrors(t *testing.T) {
	cu := abbrevDecl{1, tagCU, true, [][2]uint64{{atName, uint64(FormString)}}}
	sub := func(code uint64) abbrevDecl {
		return abbrevDecl{code, tagSub, false, [][2]uint64{{atName, uint64(FormString)}, {atType, uint64(FormRef4)}}}
	}
	many := abbrevDecl{9, tagSub, false, nil}
	for range 1<<12 + 1 {
		many.attrs = append(many.attrs, [2]uint64{atName, uint64(FormData1)})
	}
	for _, c := range []struct {
		name string
		ab   []byte
		want string
		err  error
	}{
		{"dense duplicate", abbrevTable(cu, sub(2), sub(3), sub(2)), "abbreviation code 2 defined twice", ErrMalformed},
		{"sparse duplicate", abbrevTable(cu, sub(1000), sub(3), sub(1000)), "abbreviation code 1000 defined twice", ErrMalformed},
		{"too many attributes", abbrevTable(cu, sub(2), many), "abbreviation with too many attributes", ErrMalformed},
		{"bad form", abbrevTable(cu, sub(2), abbrevDecl{3, tagSub, false, [][2]uint64{{atName, 0x7e}}}), "gives Name the form 0x7e, which no DWARF version defines", ErrMalformed},
		{"vendor form", abbrevTable(cu, abbrevDecl{3, tagSub, false, [][2]uint64{{atName, 0x1f77}}}), "a vendor form this reader does not know", ErrUnsupported},
	} {
		d := synthTable(t, c.ab)
		_, err := d.compileTable(&d.units[0], oneView(nil), nil)
		if !errors.Is(err, c.err) || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %v saying %q", c.name, err, c.err, c.want)
		}
	}
	var decls []abbrevDecl
	decls = append(decls, cu)
	for code := uint64(2); code < 40; code++ {
		decls = append(decls, sub(code))
	}
	decls = append(decls, sub(5000)) // sparse codes with few abbreviations
	decls = append(decls, abbrevDecl{41, 0x34, false, [][2]uint64{{0x3a, uint64(FormData1)}, {0x3b, uint64(FormData2)}, {0x02, uint64(FormExprloc)}}},
		abbrevDecl{42, 0x34, false, [][2]uint64{{0x3a, uint64(FormData1)}, {0x3b, uint64(FormData2)}}},
		abbrevDecl{43, tagBase, false, [][2]uint64{{0x0b, uint64(FormData1)}, {atSibling, uint64(FormRef4)}}},
		abbrevDecl{44, tagBase, false, nil})
	d := synthTable(t, abbrevTable(decls...))
	u := &d.units[0]
	vs := &views{want: [2]wantFunc{extractProtoWant, typesView}, n: 2}
	want, err := d.compileTable(u, vs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range decls {
		w := want.lookup(a.code)
		for v := range 2 {
			if w.fixed[v] != fixedPlan(w.ops, 1<<v) {
				t.Fatalf("code %d view %d: fixed size %d, want %d", a.code, v, w.fixed[v], fixedPlan(w.ops, 1<<v))
			}
		}
	}
	for _, room := range []*tableRoom{
		{abbrev: make([]abbrev, 1<<10), op: make([]attrOp, 1<<10)},
		{abbrev: make([]abbrev, 4), op: make([]attrOp, 5)}, // too small
	} {
		for range 2 {
			got, err := d.compileTable(u, vs, room)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range decls {
				g, w := got.lookup(a.code), want.lookup(a.code)
				if g == nil || w == nil || g.tag != w.tag || g.children != w.children || g.fixed != w.fixed || len(g.ops) != len(a.attrs) || len(g.ops) != len(w.ops) {
					t.Fatalf("room of %d ops: code %d compiles to %+v, want %+v", len(room.op), a.code, g, w)
				}
				for i := range g.ops {
					if g.ops[i] != w.ops[i] {
						t.Fatalf("room of %d ops: code %d op %d is %+v, want %+v", len(room.op), a.code, i, g.ops[i], w.ops[i])
					}
				}
			}
			if got.lookup(45) != nil || got.lookup(4999) != nil {
				t.Fatal("an undefined code is defined")
			}
		}
		for i, o := range room.op[room.nop:] {
			if o != (attrOp{}) {
				t.Fatalf("room of %d ops: op %d, not handed out, is %+v", len(room.op), room.nop+i, o)
			}
		}
	}
}

// TestWantMemo checks that the memo of the want functions answers what
// they do, for many more tags and attributes than it holds (so entries
// are replaced), asked twice and in both orders.
func TestWantMemo(t *testing.T) {
	vs := &views{want: [2]wantFunc{extractProtoWant, typesView}, n: 2}
	ref := &views{want: vs.want, n: 2}
	var tags []dwarf.Tag
	var attrs []dwarf.Attr
	for tag := dwarf.Tag(0); tag < 0x50; tag++ {
		tags = append(tags, tag)
	}
	tags = append(tags, 0x4106, 0x4109, 0x410a, 1<<16+0x2e)
	for attr := dwarf.Attr(0); attr < 0x90; attr++ {
		attrs = append(attrs, attr)
	}
	attrs = append(attrs, 0x2107, 0x2116, 0x2117, 0x2137, 0x2138, 1<<16+3)
	wanted := sameWants(t, "in order", vs, ref, tags, attrs)
	slices.Reverse(tags)
	slices.Reverse(attrs)
	wanted += sameWants(t, "reversed", vs, ref, tags, attrs)
	if wanted == 0 {
		t.Fatal("nothing wanted")
	}
	if one := oneView(nil); one.wants(dwarf.TagMember, dwarf.AttrName) != 1 {
		t.Fatal("a nil want function does not want everything")
	}
}

// TestRootsAgainstStdlib checks every unit's root attributes, which
// parseUnits reads with one reader and one table's memory for all the
// units, against debug/dwarf's compile unit entries, in every fixture
// and fixture module.
func TestRootsAgainstStdlib(t *testing.T) {
	paths := append(fixtures(t), moduleFixtures(t)...)
	for _, p := range paths {
		ef, err := elf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := ef.DWARF()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sr := sd.Reader()
		n := 0
		for i := 0; i < d.InfoUnits(); i++ {
			u := &d.Units()[i]
			se, err := sr.Next()
			if err != nil || se == nil {
				t.Fatalf("%s: unit %d: debug/dwarf has none (%v)", p, i, err)
			}
			str := func(a dwarf.Attr) string { s, _ := se.Val(a).(string); return s }
			lang, _ := se.Val(dwarf.AttrLanguage).(int64)
			stmt, hasStmt := se.Val(dwarf.AttrStmtList).(int64)
			if u.Tag != se.Tag || u.Name != str(dwarf.AttrName) || u.CompDir != str(dwarf.AttrCompDir) ||
				u.Producer != str(dwarf.AttrProducer) || u.Language != uint64(lang) ||
				u.hasStmtList != hasStmt || u.stmtList != uint64(stmt) {
				t.Fatalf("%s: unit %d: %v %q %q %q %d %v %d, debug/dwarf %v", p, i, u.Tag, u.Name, u.CompDir, u.Producer, u.Language, u.hasStmtList, u.stmtList, se)
			}
			sr.SkipChildren()
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no units", p)
		}
		d.Close()
		ef.Close()
	}
}

// TestExtractViewsTable: a walk's views answer from the table they share
// with every walk of the same options as their functions do, for every
// tag and attribute in the table's ranges and past them.
func TestExtractViewsTable(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	for _, o := range []ExtractOptions{{Prototypes: true}, {Types: true}, {Prototypes: true, Types: true}} {
		x := newExtractor(d, &o, nil)
		vs := x.r.views
		if vs.static == nil {
			t.Fatalf("%+v: no table", o)
		}
		if y := newExtractor(d, &o, nil); y.r.views.static != vs.static {
			t.Errorf("%+v: two walks, two tables", o)
		}
		fn := &views{want: vs.want, n: vs.n}
		tags := []dwarf.Tag{0x4106, 0x4107, 0x8765}
		attrs := []dwarf.Attr{0x2007, 0x2111, 0x2137, 0x3fff}
		for tag := range dwarf.Tag(wantTags + 4) {
			tags = append(tags, tag)
		}
		for attr := range dwarf.Attr(wantAttrs + 4) {
			attrs = append(attrs, attr)
		}
		if sameWants(t, fmt.Sprintf("%+v", o), vs, fn, tags, attrs) == 0 {
			t.Errorf("%+v: no attribute wanted", o)
		}
		x.release()
	}
}

// sameWants fails t at the first tag and attribute, in the order given,
// for which the views vs answer otherwise than ref asking its want
// functions, and returns how many of them are wanted.
func sameWants(t *testing.T, what string, vs, ref *views, tags []dwarf.Tag, attrs []dwarf.Attr) int {
	t.Helper()
	wanted := 0
	for _, tag := range tags {
		for _, attr := range attrs {
			got, want := vs.wants(tag, attr), ref.ask(tag, attr)
			if got != want {
				t.Fatalf("%s: tag %#x attr %#x: views %b, functions %b", what, tag, attr, got, want)
			}
			if want != 0 {
				wanted++
			}
		}
	}
	return wanted
}
