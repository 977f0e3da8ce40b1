package dwarfx

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"os"
	"testing"

	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// The fuzz targets run with the panic firewall off, so that a bug shows as
// a crash instead of an error.

// exercise runs every decoding path over d: all entries, all line tables,
// the extraction. It must end (the inputs are small) and never panic.
func exercise(d *Data) {
	r := d.Reader(nil)
	for n := 0; ; n++ {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if n%3 == 0 {
			r.SkipChildren()
		}
	}
	for i := range d.Units() {
		d.LineTable(&d.Units()[i])
	}
	d.Extract(&ExtractOptions{Concurrency: 1}, func(*CompileUnit) error { return nil })
	// With type definitions, and their invariants: members inside the type.
	d.Extract(&ExtractOptions{Concurrency: 2, Types: true}, func(cu *CompileUnit) error {
		for _, t := range cu.Types {
			checkDefinition(t, 0)
		}
		return nil
	})
}

func fixtureBytes(f *testing.F) [][]byte {
	var out [][]byte
	for _, p := range fixtures(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzOpen feeds whole files to New.
func FuzzOpen(f *testing.F) {
	for _, b := range fixtureBytes(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzcount.Count("FuzzOpen")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		d, err := New(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		exercise(d)
	})
}

// sectionsOf returns the uncompressed debug sections of a fixture.
func sectionsOf(f *testing.F, b []byte) (info, abbrev, str, line, lineStr, strOff, addr []byte, big bool) {
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		f.Fatal(err)
	}
	get := func(name string) []byte {
		s := ef.Section(name)
		if s == nil {
			return nil
		}
		d, err := s.Data()
		if err != nil {
			f.Fatal(err)
		}
		return d
	}
	return get(".debug_info"), get(".debug_abbrev"), get(".debug_str"), get(".debug_line"),
		get(".debug_line_str"), get(".debug_str_offsets"), get(".debug_addr"), ef.ByteOrder == nil
}

// FuzzSections mutates the DWARF sections directly, which reaches the
// decoder far more often than mutating whole ELF files, and checks that
// wherever debug/dwarf accepts the same bytes, both readers agree.
func FuzzSections(f *testing.F) {
	for _, b := range fixtureBytes(f) {
		info, abbrev, str, line, lineStr, strOff, addr, _ := sectionsOf(f, b)
		ef, _ := elf.NewFile(bytes.NewReader(b))
		f.Add(info, abbrev, str, line, lineStr, strOff, addr, ef.ByteOrder.String() == "BigEndian")
	}
	f.Fuzz(func(t *testing.T, info, abbrev, str, line, lineStr, strOff, addr []byte, big bool) {
		fuzzcount.Count("FuzzSections")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		d := &Data{name: "fuzz", big: big, info: info, abbrev: abbrev, str: str, line: line,
			lineStr: lineStr, strOffsets: strOff, addr: addr}
		if err := d.parseUnits(); err != nil {
			return
		}
		exercise(d)
		if big {
			return // debug/dwarf.New assumes the byte order from the unit header; keep it simple
		}
		std, err := dwarf.New(abbrev, nil, nil, info, line, nil, nil, str)
		if err != nil {
			return
		}
		for name, sec := range map[string][]byte{".debug_line_str": lineStr, ".debug_str_offsets": strOff, ".debug_addr": addr} {
			if err := std.AddSection(name, sec); err != nil {
				return
			}
		}
		compareReaders(t, std, d)
	})
}

// compareReaders walks both readers while both succeed and fails on the
// first entry where they disagree.
func compareReaders(t *testing.T, std *dwarf.Data, d *Data) {
	sr, or := std.Reader(), d.Reader(nil)
	or.limit = d.nInfo
	for n := 0; n < 1<<16; n++ {
		se, serr := sr.Next()
		oe, oerr := or.Next()
		if serr != nil || oerr != nil || se == nil || oe == nil {
			return
		}
		if se.Tag != oe.Tag || se.Children != oe.Children {
			t.Fatalf("entry %d: tag %v/%v vs %v/%v", n, se.Tag, se.Children, oe.Tag, oe.Children)
		}
		if se.Tag == 0 {
			continue
		}
		if uint64(se.Offset) != oe.Offset || len(se.Field) != len(oe.Fields) {
			t.Fatalf("entry %d: offset %#x/%#x fields %d/%d", n, se.Offset, oe.Offset, len(se.Field), len(oe.Fields))
		}
		for i := range se.Field {
			of := &oe.Fields[i]
			if of.Form == FormRnglistx || of.Form == FormIndirect {
				continue
			}
			if se.Field[i].Attr != of.Attr || !sameValue(se.Field[i].Val, stdValue(of)) {
				t.Fatalf("entry %d at %#x: %v: debug/dwarf %#v, dwarfx %#v", n, oe.Offset, of.Attr, se.Field[i].Val, stdValue(of))
			}
		}
	}
}

// checkDefinition panics when a decoded definition breaks the bounds the
// decoder promises.
func checkDefinition(t *TypeDefinition, depth int) {
	if depth > maxAnonDepth+1 || len(t.Members) > maxMembers || len(t.Enumerators) > maxMembers || t.Size > maxTypeSize {
		panic("definition out of bounds")
	}
	for _, m := range t.Members {
		if t.Size >= 0 && m.BitOffset > t.Size*8 || m.BitSize < 0 {
			panic("member outside its type")
		}
		if m.Anon != nil {
			checkDefinition(m.Anon, depth+1)
		}
	}
}
