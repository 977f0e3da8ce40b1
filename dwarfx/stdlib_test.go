package dwarfx

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtures returns the committed fixture binaries: every file listed in
// ../testdata/SHA256SUMS, which must all be there (and no other .elf).
func fixtures(t testing.TB) []string {
	t.Helper()
	sums, err := os.ReadFile("../testdata/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			listed = append(listed, filepath.Join("../testdata", f[1]))
		}
	}
	files, err := filepath.Glob("../testdata/*.elf")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	if len(files) == 0 || !slices.Equal(files, listed) {
		t.Fatalf("fixtures in ../testdata %v are not those in SHA256SUMS %v", files, listed)
	}
	return files
}

// kernelFixtures are the fixtures shaped like a kernel (functions,
// clones, callers): all but the type fixtures (types-*.elf), which hold
// struct, union and enum definitions and little code, and units.elf (two
// units of one source, for the unit key).
func kernelFixtures(t testing.TB) []string {
	return slices.DeleteFunc(fixtures(t), func(p string) bool {
		return strings.HasPrefix(filepath.Base(p), "types-") || filepath.Base(p) == "units.elf"
	})
}

// realKernel returns $KABI_VMLINUX or skips the test.
func realKernel(t testing.TB) string {
	t.Helper()
	p := os.Getenv("KABI_VMLINUX")
	if p == "" {
		t.Skip("KABI_VMLINUX is not set (README.md, under Getting a real kernel, says how to fetch one)")
	}
	return p
}

// stdValue converts one of our fields to the value debug/dwarf gives for it.
func stdValue(f *Field) any {
	switch f.Form {
	case FormAddr, FormAddrx, FormAddrx1, FormAddrx2, FormAddrx3, FormAddrx4, FormRefSig8, FormRefSup8,
		FormStrpSup, FormLoclistx:
		return f.Val
	case FormRefSup4:
		return uint32(f.Val)
	case FormBlock, FormBlock1, FormBlock2, FormBlock4, FormExprloc, FormData16:
		return f.Data
	case FormData1, FormData2, FormData4, FormData8, FormSdata, FormUdata, FormImplicitConst,
		FormSecOffset, FormGNURefAlt, FormGNUStrpAlt:
		return int64(f.Val)
	case FormFlag, FormFlagPresent:
		return f.Val == 1
	case FormRef1, FormRef2, FormRef4, FormRef8, FormRefUdata, FormRefAddr:
		return dwarf.Offset(f.Val)
	case FormString, FormStrp, FormLineStrp, FormStrx, FormStrx1, FormStrx2, FormStrx3, FormStrx4:
		return f.Str()
	}
	return nil
}

func sameValue(a, b any) bool {
	// debug/dwarf gives a DW_FORM_strp_sup offset at the unit's width
	// (uint32 in 32-bit DWARF); ours is always a uint64: the value counts.
	if a32, ok := a.(uint32); ok {
		if b64, ok := b.(uint64); ok {
			return uint64(a32) == b64
		}
	}
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && bytes.Equal(ab, bb)
	}
	return a == b
}

// entryDiffs compares an entry read by debug/dwarf with ours: offset, tag,
// children flag and every attribute's value. It returns the differences.
func entryDiffs(se *dwarf.Entry, oe *Entry) []string { return entryDiffsTol(se, oe, nil) }

// entryDiffsTol is entryDiffs ignoring the value differences tolerate
// accepts.
func entryDiffsTol(se *dwarf.Entry, oe *Entry, tolerate func(std, ours any) bool) []string {
	if se.Tag != oe.Tag || se.Children != oe.Children {
		return []string{fmt.Sprintf("at %#x: tag/children %v/%v vs %v/%v", oe.Offset, se.Tag, se.Children, oe.Tag, oe.Children)}
	}
	if se.Tag == 0 {
		return nil // debug/dwarf gives null entries no offset
	}
	var out []string
	if uint64(se.Offset) != oe.Offset {
		out = append(out, fmt.Sprintf("offset %#x vs %#x", se.Offset, oe.Offset))
	}
	if len(se.Field) != len(oe.Fields) {
		return append(out, fmt.Sprintf("at %#x: %d fields vs %d", oe.Offset, len(se.Field), len(oe.Fields)))
	}
	for i := range se.Field {
		sf, of := &se.Field[i], &oe.Fields[i]
		if sf.Attr != of.Attr {
			out = append(out, fmt.Sprintf("at %#x: field %d attr %v vs %v", oe.Offset, i, sf.Attr, of.Attr))
			continue
		}
		if of.Form == FormRnglistx {
			continue // debug/dwarf resolves the index to a section offset; we keep it
		}
		if v := stdValue(of); !sameValue(sf.Val, v) && (tolerate == nil || !tolerate(sf.Val, v)) {
			out = append(out, fmt.Sprintf("at %#x: %v (form %#x): debug/dwarf %#v, dwarfx %#v", oe.Offset, sf.Attr, of.Form, sf.Val, v))
		}
	}
	return out
}

// diffAgainstStdlib walks every .debug_info entry with both readers and
// reports the first differences. It returns the number of entries compared.
func diffAgainstStdlib(t testing.TB, path string) int {
	t.Helper()
	return diffAgainstStdlibExcept(t, path, nil, nil)
}

// diffAgainstStdlibExcept is diffAgainstStdlib ignoring the attributes
// for which skip returns true (where debug/dwarf is known to be wrong).
func diffAgainstStdlibExcept(t testing.TB, path string, skip func(dwarf.Attr) bool, tolerate func(std, ours any) bool) int {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	std, err := ef.DWARF()
	if err != nil {
		t.Fatalf("debug/dwarf: %v", err)
	}
	ours, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sr := std.Reader()
	or := ours.Reader(nil)
	or.limit = ours.nInfo
	n, bad := 0, 0
	report := func(format string, args ...any) {
		bad++
		if bad <= 10 {
			t.Errorf("%s: entry %d: %s", filepath.Base(path), n, fmt.Sprintf(format, args...))
		}
	}
	for {
		se, serr := sr.Next()
		oe, oerr := or.Next()
		if serr != nil || oerr != nil {
			t.Fatalf("%s: entry %d: errors: debug/dwarf %v, dwarfx %v", path, n, serr, oerr)
		}
		if se == nil || oe == nil {
			if (se == nil) != (oe == nil) {
				t.Fatalf("%s: entry %d: one reader ended early: debug/dwarf %v, dwarfx %v", path, n, se, oe)
			}
			break
		}
		n++
		if skip != nil {
			se, oe = withoutAttrs(se, oe, skip)
		}
		for _, msg := range entryDiffsTol(se, oe, tolerate) {
			report("%s", msg)
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d differences in all", path, bad)
	}
	return n
}

// TestDifferentialFixtures compares every .debug_info entry of every
// fixture with debug/dwarf. debug/dwarf's Reader does not walk the DWARF 4
// .debug_types section (it reads type units only to resolve ref_sig8
// types), so x86_64-dwarf4-types.elf's type units are checked against
// debug/dwarf's type resolution in TestTypeUnitsAgainstStdlib instead.
// debug/dwarf reads 64-bit DWARF, DWARF 5 type units in .debug_info and
// compressed sections, so those are compared here entry by entry.
func TestDifferentialFixtures(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			n := diffAgainstStdlib(t, p)
			if n == 0 {
				t.Fatal("no entries compared")
			}
		})
	}
}

func TestDifferentialKernel(t *testing.T) {
	p := realKernel(t)
	n := diffAgainstStdlib(t, p)
	t.Logf("%d entries identical", n)
}

// withoutAttrs returns copies of se and oe without the skipped attributes.
func withoutAttrs(se *dwarf.Entry, oe *Entry, skip func(dwarf.Attr) bool) (*dwarf.Entry, *Entry) {
	s2, o2 := *se, *oe
	s2.Field = slices.DeleteFunc(slices.Clone(se.Field), func(f dwarf.Field) bool { return skip(f.Attr) })
	o2.Fields = slices.DeleteFunc(slices.Clone(oe.Fields), func(f Field) bool { return skip(f.Attr) })
	return &s2, &o2
}
