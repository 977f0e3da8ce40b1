package dwarfx

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Bad input: each test damages a fixture in memory (or builds a small
// file), and checks that the error is a *FormatError of the right class
// whose message names the section and offset, and that nothing panics or
// hangs.

// fixtureCopy returns a fresh copy of a fixture's bytes.
func fixtureCopy(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sectionHeader returns the ELF section header of sec in file b.
func sectionHeader(t testing.TB, b []byte, sec string) *elf.Section {
	t.Helper()
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	s := ef.Section(sec)
	if s == nil {
		t.Fatalf("no section %s", sec)
	}
	return s
}

// sectionOffset returns the file offset of byte off of the uncompressed
// section sec in file b.
func sectionOffset(t testing.TB, b []byte, sec string, off uint64) int {
	t.Helper()
	s := sectionHeader(t, b, sec)
	if s.Flags&elf.SHF_COMPRESSED != 0 {
		t.Fatalf("%s is compressed: cannot patch it in place", sec)
	}
	if off >= s.FileSize {
		t.Fatalf("offset %#x is outside %s (size %#x)", off, sec, s.FileSize)
	}
	return int(s.Offset + off)
}

// patch overwrites bytes of section sec, at offset off within it, in b.
func patch(t testing.TB, b []byte, sec string, off uint64, data ...byte) {
	t.Helper()
	copy(b[sectionOffset(t, b, sec, off):], data)
}

// patchAt returns fixture name with bytes of section sec replaced at off.
func patchAt(t testing.TB, name, sec string, off uint64, data ...byte) *bytes.Reader {
	t.Helper()
	b := fixtureCopy(t, name)
	patch(t, b, sec, off, data...)
	return bytes.NewReader(b)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// within runs f and fails the test if it takes more than a few seconds,
// which for these tiny inputs means a loop that does not end.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("did not return within 10s")
	}
}

// checkFormatError checks that err is a *FormatError wrapping sentinel for
// section sec at offset off, and that its message says so.
func checkFormatError(t *testing.T, err, sentinel error, sec string, off uint64) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FormatError", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap %v", err, sentinel)
	}
	if fe.Section != sec || fe.Offset != off {
		t.Errorf("error names %s offset %#x, want %s offset %#x: %v", fe.Section, fe.Offset, sec, off, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, sec) || !strings.Contains(msg, fmt.Sprintf("offset %#x", off)) {
		t.Errorf("message %q does not name %s and offset %#x", msg, sec, off)
	}
	if strings.Contains(msg, "internal error") {
		t.Errorf("a panic was recovered: %v", err)
	}
}

// abbrevAttr is one attribute specification found in .debug_abbrev.
type abbrevAttr struct {
	code, tag, attr, form uint64
	formOff               uint64 // offset of the form's ULEB128 in .debug_abbrev
}

// abbrevSpecs parses the abbreviation table at off of an uncompressed
// .debug_abbrev, independently of the package, returning its attributes.
func abbrevSpecs(t testing.TB, abbrev []byte, off uint64) []abbrevAttr {
	t.Helper()
	p := int(off)
	uleb := func() uint64 {
		var v uint64
		for shift := 0; ; shift += 7 {
			c := abbrev[p]
			p++
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v
			}
		}
	}
	var out []abbrevAttr
	for {
		code := uleb()
		if code == 0 {
			return out
		}
		tag := uleb()
		p++ // children
		for {
			attr := uleb()
			formOff := uint64(p)
			form := uleb()
			if attr == 0 && form == 0 {
				break
			}
			if form == uint64(FormImplicitConst) {
				uleb()
			}
			out = append(out, abbrevAttr{code, tag, attr, form, formOff})
		}
	}
}

func TestBadNotELF(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("#!/bin/sh\necho this is not an ELF file\n"), bytes.Repeat([]byte{0}, 4096)} {
		within(t, func() {
			_, err := New(bytes.NewReader(in), "notelf")
			checkFormatError(t, err, ErrNotELF, "ELF header", 0)
		})
	}
	// Open of a path that is not ELF.
	within(t, func() {
		_, err := Open("badinput_test.go")
		checkFormatError(t, err, ErrNotELF, "ELF header", 0)
	})
}

// TestBadTruncatedFile is the regression test for ELF files cut short:
// debug/elf then fails with EOF, which New reported as "not an ELF file".
// It now reports truncated data at the offset where the file ends.
func TestBadTruncatedFile(t *testing.T) {
	b := fixtureCopy(t, "x86_64-dwarf5.elf")
	for _, n := range []int{4, 5, 10, 16, 64, 1000, len(b) / 2, len(b) - 1} {
		within(t, func() {
			_, err := New(bytes.NewReader(b[:n]), "cut")
			checkFormatError(t, err, ErrTruncated, "ELF file", uint64(n))
			want := fmt.Sprintf("the file is truncated: it has %d bytes, but its section header table is at [%#x, ", n, binary.LittleEndian.Uint64(b[0x28:]))
			switch {
			case n < 16: // not even the identification bytes
				want = fmt.Sprintf("the file is truncated: it has %d bytes, fewer than the 16 of an ELF identification", n)
			case n < 64:
				want = fmt.Sprintf("the file is truncated: it has %d bytes, fewer than the 64 of an ELF header", n)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("cut at %d: %q does not say %q", n, err, want)
			}
		})
	}
}

// TestBadSectionPastEOF makes .debug_info's header claim bytes past the end
// of the file (the section headers intact, the data cut).
func TestBadSectionPastEOF(t *testing.T) {
	b := fixtureCopy(t, "x86_64-dwarf5.elf")
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Set sh_size (offset 32 in an ELF64 section header) to the file size.
	shoff := binary.LittleEndian.Uint64(b[40:])
	n := 0
	for i, s := range ef.Sections {
		if s.Name == ".debug_info" {
			binary.LittleEndian.PutUint64(b[int(shoff)+64*i+32:], uint64(len(b)))
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d .debug_info sections", n)
	}
	within(t, func() {
		_, err := New(bytes.NewReader(b), "big")
		checkFormatError(t, err, ErrTruncated, ".debug_info", 0)
	})
}

// TestBadNoDebugInfo renames .debug_info in the section name table, as if
// the file had been stripped of it.
func TestBadNoDebugInfo(t *testing.T) {
	for _, name := range []string{"x86_64-dwarf5.elf", "x86_64-zlib.elf", "i386.elf"} {
		b := fixtureCopy(t, name)
		shstr := sectionHeader(t, b, ".shstrtab")
		tab := b[shstr.Offset : shstr.Offset+shstr.Size]
		i := bytes.Index(tab, []byte("\x00.debug_info\x00"))
		if i < 0 {
			t.Fatalf("%s: .debug_info not in .shstrtab", name)
		}
		tab[i+len(".debug_info")] = 'X' // ".debug_infX"
		within(t, func() {
			_, err := New(bytes.NewReader(b), name)
			checkFormatError(t, err, ErrNoDWARF, ".debug_info", 0)
		})
	}
}

// TestBadUnitLength makes the last unit's length run past the end of
// .debug_info, in 32- and 64-bit DWARF.
func TestBadUnitLength(t *testing.T) {
	for _, name := range []string{"x86_64-dwarf5.elf", "x86_64-dwarf4-64bit.elf"} {
		d := openFixture(t, name)
		u := d.Units()[d.InfoUnits()-1]
		var data []byte
		if u.Format64 {
			data = append([]byte{0xff, 0xff, 0xff, 0xff}, binary.LittleEndian.AppendUint64(nil, 1<<40)...)
		} else {
			data = le32(0xfffffff0 - 1)
		}
		within(t, func() {
			_, err := New(patchAt(t, name, ".debug_info", u.Offset, data...), name)
			checkFormatError(t, err, ErrTruncated, ".debug_info", u.Offset)
		})
	}
	// A reserved length value.
	within(t, func() {
		_, err := New(patchAt(t, "x86_64-dwarf5.elf", ".debug_info", 0, le32(0xfffffff5)...), "reserved")
		checkFormatError(t, err, ErrMalformed, ".debug_info", 0)
	})
}

// firstChild returns the offset of the first entry after unit i's root.
func firstChild(t testing.TB, d *Data, i int) uint64 {
	t.Helper()
	r := d.Reader(nil)
	if err := r.SeekUnit(i); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if e, err := r.Next(); err != nil || e == nil {
			t.Fatal(e, err)
		}
	}
	return r.last
}

// TestBadAbbrevCode gives an entry an abbreviation code its table does not
// define, for the Reader and for Extract, and in a root entry for New.
func TestBadAbbrevCode(t *testing.T) {
	const name = "x86_64-dwarf5.elf"
	d := openFixture(t, name)
	off := firstChild(t, d, 2)
	b := fixtureCopy(t, name)
	patch(t, b, ".debug_info", off, 0x7f) // codes run 1..~60 in gcc tables
	bd, err := New(bytes.NewReader(b), name)
	if err != nil {
		t.Fatal(err)
	}
	within(t, func() {
		var last error
		for _, err := range bd.Reader(nil).All() {
			last = err
		}
		checkFormatError(t, last, ErrUnknownAbbrev, ".debug_info", off)
		err := bd.Extract(&ExtractOptions{Concurrency: 2}, func(*CompileUnit) error { return nil })
		checkFormatError(t, err, ErrUnknownAbbrev, ".debug_info", off)
	})
	within(t, func() {
		_, err := New(patchAt(t, name, ".debug_info", d.Units()[1].EntryOffset, 0x7f), name)
		checkFormatError(t, err, ErrUnknownAbbrev, ".debug_info", d.Units()[1].EntryOffset)
	})
}

// TestBadForm changes the form of DW_AT_name in a unit's subprogram
// abbreviations to an undefined form code. It was reported as an
// unsupported form at the first .debug_info entry using it; the table is
// corrupt, and the error says so at the form's .debug_abbrev offset.
func TestBadForm(t *testing.T) {
	const name = "x86_64-dwarf5.elf"
	d := openFixture(t, name)
	const unit = 2
	u := d.Units()[unit]
	b := fixtureCopy(t, name)
	abbrev := sectionHeader(t, b, ".debug_abbrev")
	raw, _ := abbrev.Data()
	var first uint64
	n := 0
	for _, a := range abbrevSpecs(t, raw, u.AbbrevOffset) {
		if a.tag == tagSub && a.attr == atName {
			patch(t, b, ".debug_abbrev", a.formOff, 0x7e)
			if n == 0 {
				first = a.formOff
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no subprogram abbreviation with DW_AT_name")
	}
	within(t, func() {
		bd, err := New(bytes.NewReader(b), name)
		if err == nil {
			err = bd.Extract(nil, func(*CompileUnit) error { return nil })
		}
		checkFormatError(t, err, ErrMalformed, ".debug_abbrev", first)
		want := fmt.Sprintf("the abbreviation table at %#x is corrupt: abbreviation ", u.AbbrevOffset)
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "gives Name the form 0x7e, which no DWARF version defines") {
			t.Errorf("%v does not say %q and name the form", err, want)
		}
	})
}

// TestBadReferencePastEnd points an inlined subroutine's
// DW_AT_abstract_origin past the end of .debug_info, reached through
// Extract: as DW_FORM_ref4 (gcc) the reader rejects the value itself, at
// the attribute; as DW_FORM_ref_addr (clang's ThinLTO build) the value
// can only be checked when Extract resolves it, and the error names the
// referring entry.
func TestBadReferencePastEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		form Form
	}{{"x86_64-dwarf5.elf", FormRef4}, {"clang.elf", FormRefAddr}} {
		d := openFixture(t, tc.name)
		b := fixtureCopy(t, tc.name)
		raw, _ := sectionHeader(t, b, ".debug_abbrev").Data()
		info, _ := sectionHeader(t, b, ".debug_info").Data()
		// The first inlined subroutine whose abbreviation starts with
		// DW_AT_abstract_origin in the wanted form, after a one-byte code.
		var inl uint64
		for e, err := range d.Reader(nil).All() {
			if err != nil {
				t.Fatal(err)
			}
			if e.Tag != tagInlined || info[e.Offset] >= 0x80 {
				continue
			}
			u, _ := d.UnitAt(e.Offset)
			specs := abbrevSpecs(t, raw, u.AbbrevOffset)
			i := slices.IndexFunc(specs, func(a abbrevAttr) bool { return a.code == uint64(info[e.Offset]) })
			if i >= 0 && specs[i].attr == atOrigin && specs[i].form == uint64(tc.form) {
				inl = e.Offset
				break
			}
		}
		if inl == 0 {
			t.Fatalf("%s: no inlined subroutine starting with an abstract origin of form %#x", tc.name, tc.form)
		}
		patch(t, b, ".debug_info", inl+1, le32(uint32(len(info)+0x100))...)
		bd, err := New(bytes.NewReader(b), tc.name)
		if err != nil {
			t.Fatal(err)
		}
		at := inl + 1 // the attribute
		if tc.form == FormRefAddr {
			at = inl // the entry whose reference Extract could not resolve
		}
		for _, c := range []int{1, 2} {
			within(t, func() {
				err := bd.Extract(&ExtractOptions{Concurrency: c}, func(*CompileUnit) error { return nil })
				checkFormatError(t, err, ErrBadReference, ".debug_info", at)
			})
		}
	}
}

// TestBadLineHeaderLength makes a unit's line table header lie about its
// header_length: too short (the file table runs past it) and too long
// (past the end of the line table). LineTable and Extract (which names
// declaration files) both report it.
func TestBadLineHeaderLength(t *testing.T) {
	for _, name := range []string{"x86_64-dwarf5.elf", "x86_64-dwarf4.elf"} {
		d := openFixture(t, name)
		const unit = 2
		u := d.Units()[unit]
		if !u.hasStmtList {
			t.Fatalf("%s: unit %d has no line table", name, unit)
		}
		// unit_length(4) version(2) [address_size(1) seg_sel_size(1)] header_length(4)
		hl := u.stmtList + 6
		if u.Version >= 5 {
			hl += 2
		}
		for _, tc := range []struct {
			length   uint32
			sentinel error
			at       uint64
		}{
			{12, ErrTruncated, 0}, // the file tables run past the header's end
			{1 << 20, ErrMalformed, u.stmtList},
		} {
			bd, err := New(patchAt(t, name, ".debug_line", hl, le32(tc.length)...), name)
			if err != nil {
				t.Fatal(err)
			}
			within(t, func() {
				_, err := bd.LineTable(&bd.Units()[unit])
				if tc.sentinel == ErrTruncated {
					// The offset is that of the item that did not fit,
					// within the header as its header_length bounds it.
					var fe *FormatError
					if !errors.As(err, &fe) {
						t.Fatalf("%s: header_length %d: %v", name, tc.length, err)
					}
					start, end := hl+4, hl+4+uint64(tc.length)
					if fe.Offset < start || fe.Offset >= end {
						t.Errorf("%s: error offset %#x is not within the header [%#x, %#x)", name, fe.Offset, start, end)
					}
					checkFormatError(t, err, ErrTruncated, ".debug_line", fe.Offset)
					if want := fmt.Sprintf("line table header at %#x is longer than its header_length", u.stmtList); !strings.Contains(err.Error(), want) {
						t.Errorf("%s: %v does not say %q", name, err, want)
					}
				} else {
					checkFormatError(t, err, tc.sentinel, ".debug_line", tc.at)
				}
				err2 := bd.Extract(nil, func(*CompileUnit) error { return nil })
				if err2 == nil || err2.Error() != err.Error() {
					t.Errorf("%s: Extract: %v, want %v", name, err2, err)
				}
			})
		}
	}
}

// TestBadZstdSize makes the compression header of x86_64-zstd.elf's
// .debug_info claim an absurd size, and a size one byte too large.
func TestBadZstdSize(t *testing.T) {
	const name = "x86_64-zstd.elf"
	b := fixtureCopy(t, name)
	s := sectionHeader(t, b, ".debug_info")
	if s.Flags&elf.SHF_COMPRESSED == 0 {
		t.Fatal(".debug_info is not compressed")
	}
	chdr := b[s.Offset:]
	if typ := binary.LittleEndian.Uint32(chdr); typ != uint32(elf.COMPRESS_ZSTD) {
		t.Fatalf("compression type %d", typ)
	}
	real := binary.LittleEndian.Uint64(chdr[8:])
	for _, size := range []uint64{1 << 40, 1 << 62, real * 5000, real + 1} {
		c := bytes.Clone(b)
		binary.LittleEndian.PutUint64(c[s.Offset+8:], size)
		within(t, func() {
			_, err := New(bytes.NewReader(c), name)
			checkFormatError(t, err, ErrMalformed, ".debug_info", 0)
		})
	}
}

// overlay reads r with data laid over it at off.
type overlay struct {
	r    io.ReaderAt
	off  int64
	data []byte
}

func (o *overlay) ReadAt(b []byte, off int64) (int, error) {
	n, err := o.r.ReadAt(b, off)
	lo, hi := max(off, o.off), min(off+int64(n), o.off+int64(len(o.data)))
	if lo < hi {
		copy(b[lo-off:hi-off], o.data[lo-o.off:hi-o.off])
	}
	return n, err
}

// TestBadFormKernel gives an attribute of the first unit's abbreviation
// table of a real kernel an undefined form (without copying the file):
// the error names the table and the form's .debug_abbrev offset.
func TestBadFormKernel(t *testing.T) {
	p := realKernel(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := New(f, p)
	if err != nil {
		t.Fatal(err)
	}
	u := d.Units()[0]
	specs := abbrevSpecs(t, d.abbrev, u.AbbrevOffset)
	var at uint64
	for _, a := range specs {
		if a.form < 0x80 && a.attr == atName {
			at = a.formOff
			break
		}
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		t.Fatal(err)
	}
	s := ef.Section(".debug_abbrev")
	if s.Flags&elf.SHF_COMPRESSED != 0 || at == 0 {
		t.Skip("compressed .debug_abbrev, or no DW_AT_name with a one-byte form")
	}
	_, err = New(&overlay{r: f, off: int64(s.Offset + at), data: []byte{0x7e}}, p)
	if err == nil {
		t.Fatal("no error")
	}
	checkFormatError(t, err, ErrMalformed, ".debug_abbrev", at)
	if !strings.Contains(err.Error(), "is corrupt") {
		t.Errorf("%v", err)
	}
	t.Log(err)
}

// TestLineEntriesOfNoBytes makes a DWARF 5 line table's directories a
// timestamp of form DW_FORM_flag_present, which takes no bytes: the
// header is refused, where its count of entries could ask for millions
// of them out of a few bytes.
func TestLineEntriesOfNoBytes(t *testing.T) {
	const name = "x86_64-dwarf5.elf"
	d := openFixture(t, name)
	const unit = 2
	u := d.Units()[unit]
	if !u.hasStmtList || u.Version < 5 {
		t.Fatalf("unit %d has no DWARF 5 line table", unit)
	}
	// unit_length(4) version(2) address_size(1) seg_sel_size(1)
	// header_length(4) min_inst(1) max_ops(1) default_is_stmt(1)
	// line_base(1) line_range(1) opcode_base(1), the standard opcodes'
	// lengths, then directory_entry_format_count and its pairs.
	line := d.line
	base := u.stmtList + 17
	at := base + uint64(line[base-1]) - 1 // directory_entry_format_count
	if line[at] != 1 || line[at+1] != lnctPath {
		t.Fatalf("directory formats %x: want one path", line[at:at+3])
	}
	const lnctTimestamp = 3
	bd, err := New(patchAt(t, name, ".debug_line", at+1, lnctTimestamp, byte(FormFlagPresent)), name)
	if err != nil {
		t.Fatal(err)
	}
	within(t, func() {
		_, err := bd.LineTable(&bd.Units()[unit])
		var fe *FormatError
		if !errors.As(err, &fe) || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "its entries take no bytes") {
			t.Fatalf("LineTable: %v", err)
		}
	})
}
