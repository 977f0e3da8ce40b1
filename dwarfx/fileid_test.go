package dwarfx

import "testing"

// TestFileIDsPerFile: a worker numbers the files of definitions by their
// entries, not by where a unit's line table keeps their strings: over
// the units of a DWARF 4 build (each line table has strings of its own)
// it holds one number per distinct file, and equal entries of different
// units get the same number; in a DWARF 5 build, where the units share
// the strings, too; distinct entries get distinct numbers; and a walk
// that reuses an earlier walk's memo numbers them the same way.
func TestFileIDsPerFile(t *testing.T) {
	for _, file := range []string{"x86_64-dwarf4.elf", "x86_64-dwarf5.elf"} {
		d, err := Open("../testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		for walk := range 2 {
			t.Run(file, func(t *testing.T) { testFileIDs(t, d, walk) })
		}
		d.Close()
	}
	p := filePlace{dir: 8, name: 16, ldir: 1, lname: 2, id: 3}
	for i, f := range []func(*filePlace){
		func(q *filePlace) { q.dir++ }, func(q *filePlace) { q.name++ }, func(q *filePlace) { q.ldir++ }, func(q *filePlace) { q.lname++ },
	} {
		q := p
		f(&q)
		if q.same(&p) {
			t.Errorf("field %d: %+v is %+v", i, q, p)
		}
	}
	if q := p; !q.same(&p) {
		t.Error("a file is not itself")
	}
}

func testFileIDs(t *testing.T, d *Data, walk int) {
	x := newExtractor(d, &ExtractOptions{Types: true, WantType: func(int, *TypeKey) bool { return true }}, nil)
	defer x.release()
	if walk > 0 {
		// The memo is the first walk's, and the strings are where they
		// were: a file of that walk is not this one's.
		x.typeMemo.unitFiles = x.typeMemo.unitFiles[:0]
	}
	ids := map[FileEntry]uint32{}
	files := map[uint32]FileEntry{}
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
			if other, seen := files[id]; seen && other != fe {
				t.Fatalf("unit %d: %+v and %+v are both file %d", u.Index, fe, other, id)
			}
			ids[fe], files[id] = id, fe
		}
	}
	if entries <= len(ids) {
		t.Fatalf("%d file entries, %d distinct: the fixture's units should share files", entries, len(ids))
	}
	if len(x.fileIDs) != len(ids) {
		t.Fatalf("the worker holds %d file numbers for %d distinct files", len(x.fileIDs), len(ids))
	}
}
