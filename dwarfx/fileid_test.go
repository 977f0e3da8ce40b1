package dwarfx

import "testing"

// TestFileIDsPerFile: a worker numbers the files of definitions by their
// entries, not by where a unit's line table keeps their strings: over
// the units of a DWARF 4 build (each line table has strings of its own)
// it holds one number per distinct file, and equal entries of different
// units get the same number.
func TestFileIDsPerFile(t *testing.T) {
	d, err := Open("../testdata/x86_64-dwarf4.elf")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	x := newExtractor(d, &ExtractOptions{Types: true, WantType: func(int, *TypeKey) bool { return true }}, nil)
	ids := map[FileEntry]uint32{}
	entries := 0
	units := d.Units()
	for k := range units {
		u := &units[k]
		lt, err := d.LineTable(u)
		if err != nil {
			t.Fatal(err)
		}
		if lt == nil {
			continue
		}
		x.lt, x.unitFiles = lt, x.unitFiles[:0]
		for i := range lt.Files {
			fe, ok := lt.File(uint64(i))
			if !ok {
				continue
			}
			entries++
			id := x.fileID(uint64(i), true)
			if prev, seen := ids[fe]; seen && prev != id {
				t.Fatalf("unit %d: %+v is file %d; an earlier unit's is %d", u.Index, fe, id, prev)
			}
			ids[fe] = id
		}
	}
	if entries <= len(ids) {
		t.Fatalf("%d file entries, %d distinct: the fixture's units should share files", entries, len(ids))
	}
	if len(x.fileIDs) != len(ids) {
		t.Fatalf("the worker holds %d file numbers for %d distinct files", len(x.fileIDs), len(ids))
	}
}
