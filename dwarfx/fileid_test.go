package dwarfx

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/kabi-dev/kabi/internal/slots"
)

// TestFileIDsPerFile: a worker numbers the files of definitions by their
// entries, not by where a unit's line table keeps their strings: over
// the units of a DWARF 4 build (each line table has strings of its own)
// it holds one number per distinct file, and equal entries of different
// units get the same number; in a DWARF 5 build, where the units share
// the strings, too; distinct entries get distinct numbers; and a walk
// that reuses an earlier walk's memo numbers them the same way. Each
// number names one entry, with the strings of the first unit that had
// it, whatever unit asks (WantType knows a file by where they are).
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
	canon := map[uint32]FileEntry{}
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
			got, ok := x.typeMemo.fileOf(id)
			if !ok || got != fe {
				t.Fatalf("unit %d: file %d is %+v, want %+v", u.Index, id, got, fe)
			}
			if first := canon[id]; first == (FileEntry{}) {
				canon[id] = got
			} else if unsafe.StringData(got.Dir) != unsafe.StringData(first.Dir) || unsafe.StringData(got.Name) != unsafe.StringData(first.Name) {
				t.Fatalf("unit %d: file %d has strings other than the first unit's", u.Index, id)
			}
		}
	}
	if entries <= len(ids) {
		t.Fatalf("%d file entries, %d distinct: the fixture's units should share files", entries, len(ids))
	}
	if len(x.fileEntries) != len(ids) {
		t.Fatalf("the worker holds %d file numbers for %d distinct files", len(x.fileEntries), len(ids))
	}
}

// TestWantTypeFileStrings: where each unit's line table has strings of
// its own (DWARF 4 headers hold them; ld -r merges no .debug_line_str),
// WantType is given equal files of different units with one entry's
// strings, so that a file is known by where its strings are (kabi's
// module walk, of one worker, counts on it).
func TestWantTypeFileStrings(t *testing.T) {
	shared := 0
	for _, file := range []string{"x86_64-dwarf4.elf", "types-v1-dwarf4.elf", "modules/6.1.99-1-amd64/kernel/drivers/kfx/kfx_mod.ko"} {
		d, err := Open("../testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		type strs struct{ dir, name *byte }
		seen := map[FileEntry]strs{}
		units := map[FileEntry]map[int]bool{}
		err = d.Extract(&ExtractOptions{Concurrency: 1, Types: true, WantType: func(u int, k *TypeKey) bool {
			if k.File.Name == "" {
				return true
			}
			p := strs{unsafe.StringData(k.File.Dir), unsafe.StringData(k.File.Name)}
			if q, ok := seen[k.File]; ok && q != p {
				t.Errorf("%s: unit %d: %s is given with other strings than before", file, u, k.File.Path())
			}
			seen[k.File] = p
			if units[k.File] == nil {
				units[k.File] = map[int]bool{}
			}
			units[k.File][u] = true
			return u%2 == 0
		}}, func(*CompileUnit) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		// Only a file asked about from units whose own entries have
		// strings of their own shows anything.
		for fe, us := range units {
			var own []strs
			for u := range us {
				lt, err := d.LineTable(&d.Units()[u])
				if err != nil || lt == nil {
					t.Fatalf("%s: unit %d: line table %v, %v", file, u, lt, err)
				}
				for _, e := range lt.Files {
					if e == fe {
						own = append(own, strs{unsafe.StringData(e.Dir), unsafe.StringData(e.Name)})
						break
					}
				}
			}
			if len(own) >= 2 && own[0] != own[1] {
				shared++
			}
		}
		d.Close()
	}
	if shared == 0 {
		t.Fatal("no file asked about from two units whose line tables have strings of their own: the fixtures should show it")
	}
}

// TestFileNumbers numbers thousands of files, met again with strings of
// their own (as each unit of a module has), against a map: equal entries
// get one number, distinct ones (the same name in other directories, the
// same directory with other names) distinct numbers, through the index's
// growth and a walk that reuses the memo.
func TestFileNumbers(t *testing.T) {
	m := newTypeMemo()
	defer func() {
		x := &extractor{typeMemo: m}
		x.releaseTypeMemo()
	}()
	for walk := range 2 {
		want := map[FileEntry]uint32{}
		for round := range 3 {
			for i := range 3000 {
				// Fresh strings each round: equal by what they say only.
				fe := FileEntry{Dir: fmt.Sprintf("include/d%d", i%37), Name: fmt.Sprintf("f%d.h", i%1013)}
				id := m.fileNumber(&fe)
				if w, ok := want[fe]; ok && w != id {
					t.Fatalf("walk %d round %d: %+v is file %d, was %d", walk, round, fe, id, w)
				} else if !ok {
					if id != uint32(len(want)+2) {
						t.Fatalf("walk %d: new file %+v numbered %d, want %d", walk, fe, id, len(want)+2)
					}
					want[fe] = id
				}
				if got, _ := m.fileOf(id); got != fe {
					t.Fatalf("walk %d: file %d is %+v, want %+v", walk, id, got, fe)
				}
			}
		}
		if len(want) != 3000 || len(m.fileEntries) != len(want) {
			t.Fatalf("walk %d: %d distinct files, the memo holds %d", walk, len(want), len(m.fileEntries))
		}
		m.reset()
	}
}

// TestFileNumbersCollision: a file whose hash has the slot and the tag of
// another's is told from it by its strings.
func TestFileNumbersCollision(t *testing.T) {
	m := newTypeMemo()
	defer func() {
		x := &extractor{typeMemo: m}
		x.releaseTypeMemo()
	}()
	a := FileEntry{Dir: "include/linux", Name: "list.h"}
	for _, b := range []FileEntry{{Dir: "include/uapi/linux", Name: "list.h"}, {Dir: "include/linux", Name: "types.h"}} {
		if m.fileNumber(&a) != 2 {
			t.Fatal("the first file is not numbered 2")
		}
		// Make b's slot hold a, under b's tag.
		h := m.fileHash(&b)
		mask := uint64(m.fileSize - 1)
		clear(m.fileSlots[:m.fileSize])
		m.fileSlots[h&mask] = slots.Slot(h, 0)
		if id := m.fileNumber(&b); id != 3 {
			t.Errorf("%+v, whose hash is %+v's, numbered %d, want 3", b, a, id)
		}
		m.reset()
	}
}
