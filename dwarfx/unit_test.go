package dwarfx

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unitShape is what a fixture's unit headers and root entries should say,
// from gen.sh's flags and testdata/README.md.
type unitShape struct {
	Version  int
	Kind     UnitKind
	AddrSize int
	Format64 bool
	Name     string
	Language uint64
}

// DW_LANG values: gcc 12 writes C11 for -std=gnu11 only in DWARF 5 (the
// code is new in 5) and C99 before.
const (
	langC99 = 0x0c
	langC11 = 0x1d
	langAsm = 0x8001 // DW_LANG_Mips_Assembler, what gas writes
	langRs  = 0x1c
)

// gccUnits are the eight compile units of every gcc fixture, in order.
var gccUnitNames = []string{"arch/entry.S", "init/main.c", "mm/vmalloc_fix.c", "fs/file_fix.c",
	"kernel/sched_fix.c", "lib/sig_fix.c", "version_fix.c", "/build/reproducible-path/linux-6.1.99/kernel/printk_fix.c"}

func gccUnits(version, addrSize int, format64C bool) []unitShape {
	var out []unitShape
	for i, n := range gccUnitNames {
		lang := uint64(langC11)
		if version < 5 {
			lang = langC99
		}
		s := unitShape{Version: version, Kind: UnitCompile, AddrSize: addrSize, Name: n, Language: lang}
		if i == 0 {
			s.Language = langAsm // gas writes 32-bit DWARF even with -gdwarf64
		} else {
			s.Format64 = format64C
		}
		out = append(out, s)
	}
	return out
}

// fixtureVersion is the kernel version a fixture's paths name: the
// comparison fixtures are built in their version's tree, the others in
// 6.1.99's.
func fixtureVersion(name string) string {
	for _, prefix := range []string{"cmp-", "hooks-"} {
		if v, ok := strings.CutPrefix(name, prefix); ok {
			return v[:strings.IndexByte(v, '-')]
		}
	}
	return "6.1.99"
}

// cmpUnits are the units of a comparison fixture (testdata/README.md): the
// gcc DWARF 5 units, the absolute path naming the version's tree, and the
// two units the versions differ in.
func cmpUnits(version string) []unitShape {
	us := gccUnits(5, 8, false)
	us[len(us)-1].Name = "/build/reproducible-path/linux-" + version + "/kernel/printk_fix.c"
	for _, n := range []string{"drivers/cmp_fix.c", "net/cmp_twin_fix.c"} {
		us = append(us, unitShape{Version: 5, Kind: UnitCompile, AddrSize: 8, Name: n, Language: langC11})
	}
	return us
}

// hookUnits are the units of a hooks fixture (testdata/README.md): the gcc
// DWARF 5 units, the absolute path naming the version's tree, and the
// hook mechanisms' units.
func hookUnits(version string, addrSize int) []unitShape {
	us := gccUnits(5, addrSize, false)
	us[len(us)-1].Name = "/build/reproducible-path/linux-" + version + "/kernel/printk_fix.c"
	for _, n := range []string{"kernel/trace/trace_events.c", "security/security.c", "kernel/bpf/bpf_lsm.c", "arch/hooks/syscall.c"} {
		us = append(us, unitShape{Version: 5, Kind: UnitCompile, AddrSize: addrSize, Name: n, Language: langC11})
	}
	return us
}

// TestUnits checks every fixture's unit headers and root entries.
func TestUnits(t *testing.T) {
	typeUnits := func(n int) []unitShape {
		return slices.Repeat([]unitShape{{Version: 4, Kind: UnitTypeUnit, AddrSize: 8}}, n)
	}
	// DWARF 5 type units (in .debug_info) come before the compile unit that
	// uses them: 0 before unit 0 (the assembler's), one or more before the
	// others; count them rather than fix gcc's interleaving.
	tests := []struct {
		name     string
		class    elf.Class
		big      bool
		info     []unitShape // .debug_info units (compile units only for -types5)
		types    []unitShape // .debug_types units
		types5   int         // DW_UT_type units in .debug_info
		producer string      // of the C units
	}{
		{"x86_64-dwarf5.elf", elf.ELFCLASS64, false, gccUnits(5, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"x86_64-dwarf4.elf", elf.ELFCLASS64, false, gccUnits(4, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"x86_64-dwarf3.elf", elf.ELFCLASS64, false, gccUnits(3, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"x86_64-dwarf2.elf", elf.ELFCLASS64, false, gccUnits(2, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"x86_64-dwarf4-64bit.elf", elf.ELFCLASS64, false, gccUnits(4, 8, true), nil, 0, "GNU C11 12.2.0"},
		{"x86_64-dwarf4-types.elf", elf.ELFCLASS64, false, gccUnits(4, 8, false), typeUnits(8), 0, "GNU C11 12.2.0"},
		{"x86_64-dwarf5-types.elf", elf.ELFCLASS64, false, gccUnits(5, 8, false), nil, 8, "GNU C11 12.2.0"},
		{"x86_64-zlib.elf", elf.ELFCLASS64, false, gccUnits(5, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"x86_64-zstd.elf", elf.ELFCLASS64, false, gccUnits(5, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"i386.elf", elf.ELFCLASS32, false, gccUnits(5, 4, false), nil, 0, "GNU C11 12.2.0"},
		{"aarch64.elf", elf.ELFCLASS64, false, gccUnits(5, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"s390x.elf", elf.ELFCLASS64, true, gccUnits(5, 8, false), nil, 0, "GNU C11 12.2.0"},
		{"rust.elf", elf.ELFCLASS64, false, append(gccUnits(5, 8, false), unitShape{Version: 4, Kind: UnitCompile, AddrSize: 8,
			// The name is relative (testdata/README.md says absolute; readelf agrees with this).
			Name: "rust/kfx_rust.rs/@/kfx_rust.7c0ec5fb00e7877a-cgu.0", Language: langRs}), nil, 0, "GNU C11 12.2.0"},
		{"clang.elf", elf.ELFCLASS64, false, clangUnits(), nil, 0, "Debian clang version 14.0.6"},
		{"cmp-6.1.99-1-amd64.elf", elf.ELFCLASS64, false, cmpUnits("6.1.99"), nil, 0, "GNU C11 12.2.0"},
		{"cmp-6.2.5-1-amd64.elf", elf.ELFCLASS64, false, cmpUnits("6.2.5"), nil, 0, "GNU C11 12.2.0"},
		{"cmp-6.3.1-2-amd64.elf", elf.ELFCLASS64, false, cmpUnits("6.3.1"), nil, 0, "GNU C11 12.2.0"},
		{"cmp-6.1.99-1-cloud-amd64.elf", elf.ELFCLASS64, false, cmpUnits("6.1.99"), nil, 0, "GNU C11 12.2.0"},
		{"cmp-6.1.99-3-amd64.elf", elf.ELFCLASS64, false, cmpUnits("6.1.99"), nil, 0, "GNU C11 12.2.0"},
		{"hooks-6.1.99-1-amd64.elf", elf.ELFCLASS64, false, hookUnits("6.1.99", 8), nil, 0, "GNU C11 12.2.0"},
		{"hooks-6.2.5-1-amd64.elf", elf.ELFCLASS64, false, hookUnits("6.2.5", 8), nil, 0, "GNU C11 12.2.0"},
		{"hooks-6.1.99-1-686-pae.elf", elf.ELFCLASS32, false, hookUnits("6.1.99", 4), nil, 0, "GNU C11 12.2.0"},
		{"hooks-6.1.99-1-s390x.elf", elf.ELFCLASS64, true, hookUnits("6.1.99", 8), nil, 0, "GNU C11 12.2.0"},
	}
	if len(tests) != len(kernelFixtures(t)) {
		t.Fatalf("%d fixtures, %d described here", len(kernelFixtures(t)), len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := openFixture(t, tc.name)
			if d.class != tc.class || d.BigEndian() != tc.big {
				t.Errorf("class %v big-endian %v, want %v %v", d.class, d.BigEndian(), tc.class, tc.big)
			}
			var info, types []unitShape
			types5 := 0
			var prev *Unit
			for i := range d.Units() {
				u := &d.Units()[i]
				if u.Index != i {
					t.Errorf("unit %d has Index %d", i, u.Index)
				}
				if prev != nil && prev.End > u.Offset && (prev.Offset&TypesBit == u.Offset&TypesBit) {
					t.Errorf("unit %d at %#x overlaps unit %d", i, u.Offset, i-1)
				}
				if u.EntryOffset <= u.Offset || u.EntryOffset >= u.End {
					t.Errorf("unit %d: header %#x, root %#x, end %#x", i, u.Offset, u.EntryOffset, u.End)
				}
				prev = u
				s := unitShape{Version: u.Version, Kind: u.Kind, AddrSize: u.AddrSize, Format64: u.Format64, Name: u.Name, Language: u.Language}
				switch {
				case i >= d.InfoUnits():
					if u.Offset&TypesBit == 0 {
						t.Errorf("unit %d is after the .debug_info units but has no TypesBit", i)
					}
					checkTypeUnit(t, d, u)
					types = append(types, unitShape{Version: u.Version, Kind: u.Kind, AddrSize: u.AddrSize})
				case u.Kind == UnitTypeUnit:
					checkTypeUnit(t, d, u)
					types5++
				default:
					info = append(info, s)
					if u.Tag != dwarf.TagCompileUnit || u.CompDir != "/build/reproducible-path/linux-"+fixtureVersion(tc.name) {
						t.Errorf("unit %d: tag %v comp dir %q", i, u.Tag, u.CompDir)
					}
					if u.Language != langAsm && u.Language != langRs && !strings.HasPrefix(u.Producer, tc.producer) {
						t.Errorf("unit %d: producer %q", i, u.Producer)
					}
				}
			}
			if diff := cmp.Diff(tc.info, info); diff != "" {
				t.Errorf(".debug_info compile units (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.types, types); diff != "" {
				t.Errorf(".debug_types units (-want +got):\n%s", diff)
			}
			if types5 != tc.types5 {
				t.Errorf("%d DW_UT_type units in .debug_info, want %d", types5, tc.types5)
			}
			if got := d.InfoUnits(); got != len(tc.info)+tc.types5 {
				t.Errorf("InfoUnits = %d, want %d", got, len(tc.info)+tc.types5)
			}
		})
	}
}

// clangUnits are clang.elf's units (testdata/README.md): ThinLTO gives the
// functions imported into another module units of their own.
func clangUnits() []unitShape {
	var out []unitShape
	for _, n := range []string{"arch/entry.S", "init/main.c", "mm/vmalloc_fix.c", "fs/file_fix.c", "kernel/sched_fix.c",
		"mm/vmalloc_fix.c", "/build/reproducible-path/linux-6.1.99/kernel/printk_fix.c", "fs/file_fix.c",
		"kernel/sched_fix.c", "lib/sig_fix.c", "version_fix.c", "/build/reproducible-path/linux-6.1.99/kernel/printk_fix.c"} {
		lang := uint64(langC99) // clang 14 writes C99 for gnu11
		if n == "arch/entry.S" {
			lang = langAsm
		}
		out = append(out, unitShape{Version: 5, Kind: UnitCompile, AddrSize: 8, Name: n, Language: lang})
	}
	return out
}

// checkTypeUnit checks a type unit's header: its signature finds it, and
// its type offset names an entry of the unit.
func checkTypeUnit(t *testing.T, d *Data, u *Unit) {
	t.Helper()
	if got, ok := d.TypeUnit(u.Signature); !ok || got != u {
		t.Errorf("TypeUnit(%#x) = %v, %v; want unit %d", u.Signature, got, ok, u.Index)
	}
	if u.TypeOffset <= u.EntryOffset || u.TypeOffset >= u.End {
		t.Errorf("type unit %d: type offset %#x outside [%#x, %#x)", u.Index, u.TypeOffset, u.EntryOffset, u.End)
	}
	e, err := d.EntryAt(u.TypeOffset)
	if err != nil || e.Offset != u.TypeOffset || e.Tag == 0 {
		t.Errorf("type unit %d: EntryAt(%#x) = %v, %v", u.Index, u.TypeOffset, e, err)
	}
}

// TestTypeUnits follows every DW_FORM_ref_sig8 of the two type-unit
// fixtures (type references from compile units, and DW_AT_signature
// declarations inside type units) to its type unit, and checks that the
// type units describe exactly the types of include/kfx/types.h plus the
// x86-64 va_list's __va_list_tag (used by kfx_printk): kind, name and
// member names in order. debug/dwarf cannot be the oracle here: its Reader
// does not walk .debug_types, and go1.26's Type fails on both files (an
// out-of-range offset in .debug_types; "no type unit with signature" for
// DWARF 5 type units in .debug_info), while the DWARF 5 type units'
// entries themselves are compared in TestDifferentialFixtures.
func TestTypeUnits(t *testing.T) {
	want := []string{
		"enum kfx_state",
		"struct  {pgprot}", // pgprot_t: a typedef of an anonymous struct
		"struct __va_list_tag {gp_offset fp_offset overflow_arg_area reg_save_area}",
		"struct kfx_node {val left right}",
		"struct kfx_req {id flags pad name state}",
		"struct page {flags virtual next}",
		"struct vm_ops {map index}",
		"union kfx_key {ul ptr bytes}",
	}
	for _, name := range []string{"x86_64-dwarf4-types.elf", "x86_64-dwarf5-types.elf"} {
		t.Run(name, func(t *testing.T) {
			d := openFixture(t, name)
			var got []string
			for i := range d.Units() {
				if u := &d.Units()[i]; u.Kind == UnitTypeUnit {
					got = append(got, describeOurs(t, d, u.TypeOffset))
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("type units (-want +got):\n%s", diff)
			}
			refs, fromTypes := 0, 0
			for e, err := range d.Reader(nil).All() {
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range e.Fields {
					if f.Form != FormRefSig8 {
						continue
					}
					refs++
					if u, _ := d.UnitAt(e.Offset); u.Kind == UnitTypeUnit {
						fromTypes++
					}
					u, ok := d.TypeUnit(f.Val)
					if !ok {
						t.Fatalf("%#x %v: no type unit with signature %#x", e.Offset, f.Attr, f.Val)
					}
					if desc := describeOurs(t, d, u.TypeOffset); !slices.Contains(want, desc) {
						t.Errorf("%#x %v -> %q", e.Offset, f.Attr, desc)
					}
				}
			}
			if refs == 0 || fromTypes == 0 {
				t.Errorf("%d ref_sig8 references, %d from type units", refs, fromTypes)
			}
			if _, ok := d.TypeUnit(0x0123456789abcdef); ok {
				t.Error("TypeUnit found a signature that is not there")
			}
		})
	}
}

// describeOurs describes the type entry at off like describeStd.
func describeOurs(t *testing.T, d *Data, off uint64) string {
	t.Helper()
	r := d.Reader(nil)
	if err := r.Seek(off); err != nil {
		t.Fatal(err)
	}
	e, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	name := ""
	if f := e.Field(dwarf.AttrName); f != nil {
		name = f.Str()
	}
	switch e.Tag {
	case dwarf.TagStructType, dwarf.TagUnionType:
		kind := "struct"
		if e.Tag == dwarf.TagUnionType {
			kind = "union"
		}
		var fields []string
		// e is the reader's reused entry: read Children before moving on.
		for depth, more := 1, e.Children; more && depth > 0; {
			c, err := r.Next()
			if err != nil || c == nil {
				t.Fatal(c, err)
			}
			switch {
			case c.Tag == 0:
				depth--
			case depth == 1 && c.Tag == dwarf.TagMember:
				if f := c.Field(dwarf.AttrName); f != nil {
					fields = append(fields, f.Str())
				} else {
					fields = append(fields, "")
				}
			}
			if c.Children {
				r.SkipChildren()
			}
		}
		return fmt.Sprintf("%s %s {%s}", kind, name, strings.Join(fields, " "))
	case dwarf.TagEnumerationType:
		return "enum " + name
	}
	return name
}

// TestLineTableAgainstStdlib compares every unit's file table with
// debug/dwarf's LineReader on every fixture: file i of debug/dwarf (1-based
// before DWARF 5, with a nil entry 0; 0-based from DWARF 5) must be our
// File(i), both made absolute with the compilation directory.
func TestLineTableAgainstStdlib(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			std, ours := openBoth(t, p)
			sr := std.Reader()
			for i := 0; i < ours.InfoUnits(); i++ {
				u := &ours.Units()[i]
				se, err := sr.Next()
				if err != nil || se == nil || uint64(se.Offset) != u.EntryOffset {
					t.Fatalf("unit %d: debug/dwarf root %v, %v", i, se, err)
				}
				sr.SkipChildren()
				lr, err := std.LineReader(se)
				if err != nil {
					t.Fatal(err)
				}
				lt, err := ours.LineTable(u)
				if err != nil {
					t.Fatalf("unit %d: %v", i, err)
				}
				if (lr == nil) != (lt == nil) {
					t.Fatalf("unit %d: debug/dwarf line reader %v, ours %v", i, lr, lt)
				}
				if lt == nil {
					continue
				}
				files := lr.Files()
				if u.Version < 5 && (len(files) == 0 || files[0] != nil) {
					t.Fatalf("unit %d: debug/dwarf's file 0 is not empty before DWARF 5", i)
				}
				for j, sf := range files {
					of, ok := lt.File(uint64(j))
					if sf == nil {
						if ok {
							t.Errorf("unit %d: File(%d) = %+v, debug/dwarf has none", i, j, of)
						}
						continue
					}
					got, want := abs(u.CompDir, of.Path()), abs(u.CompDir, sf.Name)
					if path.IsAbs(of.Name) && u.Version >= 5 {
						// An absolute name stands alone; debug/dwarf joins it
						// to its DWARF 5 directory anyway (clang.elf's file 0).
						want = abs(u.CompDir, strings.TrimPrefix(sf.Name, path.Clean(of.Dir)))
					}
					if !ok || got != want {
						t.Errorf("unit %d: File(%d) = %q (%v), debug/dwarf %q", i, j, got, ok, sf.Name)
					}
				}
				if _, ok := lt.File(uint64(len(files))); ok {
					t.Errorf("unit %d: File(%d) exists past the table", i, len(files))
				}
			}
		})
	}
}

// abs joins a relative path to dir. debug/dwarf joins DWARF 5 file names
// to their directory only, as written (often relative), and earlier ones
// to the compilation directory.
func abs(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(dir, p)
}

// TestLineTableIndexRules states the index rules on fs/file_fix.c and
// version_fix.c (testdata/README.md): before DWARF 5 file indexes are
// 1-based (0 is no file) and directory 0 is the compilation directory;
// from DWARF 5 both are 0-based, directory 0 is the compilation directory
// as written in the table and file 0 the primary source file.
func TestLineTableIndexRules(t *testing.T) {
	const comp = "/build/reproducible-path/linux-6.1.99"
	type file struct {
		Dir, Name string
		OK        bool
	}
	tests := []struct {
		fixture string
		unit    int
		want    []file // File(0), File(1), ...
		dirs    []string
	}{
		{"x86_64-dwarf4.elf", 3, []file{{}, {"fs", "file_fix.c", true}, {"include/kfx", "kernel.h", true}, {"include/kfx", "types.h", true}, {}},
			[]string{comp, "fs", "include/kfx"}},
		{"x86_64-dwarf4.elf", 6, []file{{}, {comp, "version_fix.c", true}, {comp, "kfx_version.h", true}, {"include/kfx", "types.h", true}, {}},
			[]string{comp, "include/kfx"}},
		{"x86_64-dwarf2.elf", 6, []file{{}, {comp, "version_fix.c", true}, {comp, "kfx_version.h", true}, {"include/kfx", "types.h", true}, {}},
			[]string{comp, "include/kfx"}},
		{"x86_64-dwarf5.elf", 3, []file{{"fs", "file_fix.c", true}, {"include/kfx", "kernel.h", true}, {"fs", "file_fix.c", true},
			{"include/kfx", "types.h", true}, {}}, []string{comp, "fs", "include/kfx"}},
		// s390x: DWARF 5 units whose line tables gcc wrote as version 3:
		// the table's version, not the unit's, sets the rule.
		{"s390x.elf", 3, []file{{}, {"fs", "file_fix.c", true}, {"include/kfx", "kernel.h", true}, {"include/kfx", "types.h", true}, {}},
			[]string{comp, "fs", "include/kfx"}},
	}
	for _, tc := range tests {
		d := openFixture(t, tc.fixture)
		u := &d.Units()[tc.unit]
		lt, err := d.LineTable(u)
		if err != nil {
			t.Fatal(err)
		}
		if tc.fixture == "s390x.elf" && (u.Version != 5 || lt.Version != 3) {
			t.Errorf("s390x.elf unit %d: unit version %d, line table version %d; want 5 and 3", tc.unit, u.Version, lt.Version)
		}
		var got []file
		for i := range tc.want {
			f, ok := lt.File(uint64(i))
			got = append(got, file{f.Dir, f.Name, ok})
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s unit %d (%s) files (-want +got):\n%s", tc.fixture, tc.unit, u.Name, diff)
		}
		if diff := cmp.Diff(tc.dirs, lt.Dirs); diff != "" {
			t.Errorf("%s unit %d dirs (-want +got):\n%s", tc.fixture, tc.unit, diff)
		}
	}
	// Path: an absolute name stands alone.
	if p := (FileEntry{Dir: "include", Name: "/abs/x.h"}).Path(); p != "/abs/x.h" {
		t.Errorf("Path = %q", p)
	}
	if p := (FileEntry{Name: "x.h"}).Path(); p != "x.h" {
		t.Errorf("Path = %q", p)
	}
}

// TestCompressedSameEntries checks that the compressed fixtures decode to
// the entries of the uncompressed x86_64-dwarf5.elf: x86_64-zstd.elf is
// that file compressed by objcopy, so everything is identical;
// x86_64-zlib.elf was compiled with -gz=zlib, which gcc records in
// DW_AT_producer, so .debug_str offsets and the producer differ and all
// else (offsets, tags, attributes, forms, values, other strings) is equal.
func TestCompressedSameEntries(t *testing.T) {
	plain := openFixture(t, "x86_64-dwarf5.elf")
	for _, name := range []string{"x86_64-zstd.elf", "x86_64-zlib.elf"} {
		t.Run(name, func(t *testing.T) {
			z := openFixture(t, name)
			exact := name == "x86_64-zstd.elf"
			pr, zr := plain.Reader(nil), z.Reader(nil)
			n := 0
			for {
				pe, err1 := pr.Next()
				ze, err2 := zr.Next()
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if pe == nil || ze == nil {
					if pe != ze {
						t.Fatal("one file has more entries")
					}
					break
				}
				n++
				if pe.Offset != ze.Offset || pe.Tag != ze.Tag || pe.Children != ze.Children || len(pe.Fields) != len(ze.Fields) {
					t.Fatalf("entry %d: %#x %v %d fields vs %#x %v %d fields", n, pe.Offset, pe.Tag, len(pe.Fields), ze.Offset, ze.Tag, len(ze.Fields))
				}
				for i := range pe.Fields {
					pf, zf := &pe.Fields[i], &ze.Fields[i]
					sameVal := pf.Val == zf.Val || !exact && pf.Form == FormStrp
					sameData := string(pf.Data) == string(zf.Data) || !exact && pf.Attr == dwarf.AttrProducer &&
						strings.Replace(zf.Str(), " -gz=zlib", "", 1) == pf.Str()
					if pf.Attr != zf.Attr || pf.Form != zf.Form || !sameVal || !sameData {
						t.Fatalf("entry %d at %#x: %+v vs %+v", n, pe.Offset, *pf, *zf)
					}
				}
			}
			if n < 500 {
				t.Errorf("only %d entries", n)
			}
			for i := range plain.Units() {
				lp, err1 := plain.LineTable(&plain.Units()[i])
				lz, err2 := z.LineTable(&z.Units()[i])
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if diff := cmp.Diff(lp, lz); diff != "" {
					t.Errorf("unit %d line table (-plain +%s):\n%s", i, name, diff)
				}
			}
		})
	}
}
