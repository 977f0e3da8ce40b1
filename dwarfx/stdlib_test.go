package dwarfx

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fixtures returns the committed fixture binaries.
func fixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/*.elf")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in ../testdata")
	}
	return files
}

// realKernel returns $KABI_VMLINUX or skips the test.
func realKernel(t testing.TB) string {
	t.Helper()
	p := os.Getenv("KABI_VMLINUX")
	if p == "" {
		t.Skip("KABI_VMLINUX is not set (fetch a kernel with ../shared/tools/fetch-vmlinux)")
	}
	return p
}

// stdValue converts one of our fields to the value debug/dwarf gives for it.
func stdValue(f *Field) any {
	switch f.Form {
	case FormAddr, FormAddrx, FormAddrx1, FormAddrx2, FormAddrx3, FormAddrx4, FormRefSig8, FormRefSup8,
		FormStrpSup, FormLoclistx:
		if f.Form == FormStrpSup {
			return f.Val
		}
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
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && bytes.Equal(ab, bb)
	}
	return a == b
}

// diffAgainstStdlib walks every .debug_info entry with both readers and
// reports the first differences. It returns the number of entries compared.
func diffAgainstStdlib(t testing.TB, path string) int {
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
		if se.Tag != oe.Tag || se.Children != oe.Children {
			report("tag/children %v/%v vs %v/%v", se.Tag, se.Children, oe.Tag, oe.Children)
			continue
		}
		if se.Tag == 0 {
			continue
		}
		if uint64(se.Offset) != oe.Offset {
			report("offset %#x vs %#x", se.Offset, oe.Offset)
		}
		if len(se.Field) != len(oe.Fields) {
			report("at %#x: %d fields vs %d", oe.Offset, len(se.Field), len(oe.Fields))
			continue
		}
		for i := range se.Field {
			sf, of := &se.Field[i], &oe.Fields[i]
			if sf.Attr != of.Attr {
				report("at %#x: field %d attr %v vs %v", oe.Offset, i, sf.Attr, of.Attr)
				continue
			}
			if of.Form == FormRnglistx {
				continue // debug/dwarf resolves the index to a section offset; we keep it
			}
			if v := stdValue(of); !sameValue(sf.Val, v) {
				report("at %#x: %v (form %#x): debug/dwarf %#v, dwarfx %#v", oe.Offset, sf.Attr, of.Form, sf.Val, v)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d differences in all", path, bad)
	}
	return n
}

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
