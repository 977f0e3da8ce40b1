package dwarfx

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"unsafe"
)

// TestTypeMemo: the memo's index answers as a map of the keys met in this
// walk would, across growth and walks that reuse its arrays (a key of an
// earlier walk is not met, though its name is at the same place).
func TestTypeMemo(t *testing.T) {
	m := &typeMemo{fileIDs: make(map[FileEntry]uint32), r0: 0x9e3779b97f4a7c15, r1: 0xbf58476d1ce4e5b9}
	var last *seenKey
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 700
	for walk := range 8 {
		m.reset()
		if walk > 0 && m.size != firstSlots {
			t.Fatalf("walk %d: an index of %d slots", walk, m.size)
		}
		ref := map[seenKey]int32{}
		keys := n
		if walk == 0 {
			keys = 4 * n // the table grows, and no later walk grows it
		}
		for i := range keys {
			k := seenKey{name: uintptr(0x1000 + rng.IntN(n)), size: int64(rng.IntN(3)) - 1, line: uint64(rng.IntN(3)),
				file: uint32(rng.IntN(2)), nameLen: uint32(1 + rng.IntN(2)), kind: TypeKind(1 + rng.IntN(2))}
			unit := int32(i / 50)
			want, had := ref[k]
			s, slot := m.find(&k)
			if found := s != nil; found != had {
				t.Fatalf("walk %d, key %d %+v: found %v, met before %v", walk, i, k, found, had)
			}
			if s != nil {
				if s.unit != want || !s.same(&k) {
					t.Fatalf("walk %d, key %d %+v: slot %+v, want unit %d", walk, i, k, *s, want)
				}
				s.unit = unit
			} else {
				k.unit = unit
				m.add(slot, &k)
			}
			k.unit = 0
			ref[k] = unit
		}
		if m.n != len(ref) {
			t.Fatalf("walk %d: %d keys held for %d met", walk, m.n, len(ref))
		}
		if walk > 0 && m.key(0) != last {
			t.Fatalf("walk %d: the keys were not kept from the walk before", walk)
		}
		last = m.key(0)
	}
	// Each field tells keys apart.
	base := seenKey{name: 0x1000, size: 8, line: 3, file: 2, nameLen: 4, kind: TypeStruct}
	for i, f := range []func(*seenKey){
		func(k *seenKey) { k.name++ }, func(k *seenKey) { k.size++ }, func(k *seenKey) { k.line++ },
		func(k *seenKey) { k.file++ }, func(k *seenKey) { k.nameLen++ }, func(k *seenKey) { k.kind = TypeUnion },
	} {
		k := base
		f(&k)
		if base.same(&k) {
			t.Errorf("field %d: %+v is the key %+v", i, k, base)
		}
	}
	if k := base; !k.same(&base) {
		t.Error("a key is not itself")
	}
}

// TestWantTypeOncePerKey: over a build of several units sharing headers,
// a walk of one worker asks WantType about a key in no unit after one it
// asked it for (ExtractOptions.WantType), the last unit included, and
// asks about every key of every unit that no earlier unit asked.
func TestWantTypeOncePerKey(t *testing.T) {
	for _, file := range []string{"x86_64-dwarf4.elf", "x86_64-dwarf5.elf"} {
		d, err := Open("../testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			name    *byte
			nameLen int
			kind    TypeKind
			size    int64
			file    FileEntry
			line    uint64
		}
		asked := map[key]int{}
		lastAsks := 0
		last := len(d.Units()) - 1
		err = d.Extract(&ExtractOptions{Concurrency: 1, Types: true, WantType: func(unit int, k *TypeKey) bool {
			kk := key{unsafe.StringData(k.Name), len(k.Name), k.Kind, k.Size, k.File, k.Line}
			if u, ok := asked[kk]; ok && u < unit {
				t.Errorf("%s: %s asked for unit %d, and for unit %d before", file, k.Name, unit, u)
			}
			if unit == last {
				lastAsks++
			}
			asked[kk] = unit
			return false
		}}, func(*CompileUnit) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		// Every key of every unit: decoding all of them finds no key that
		// was not asked.
		err = d.Extract(&ExtractOptions{Concurrency: 1, Types: true}, func(cu *CompileUnit) error {
			for _, def := range cu.Types {
				if def.Name == "" {
					continue
				}
				kk := key{unsafe.StringData(def.Name), len(def.Name), def.Kind, def.Size, def.File, def.Line}
				if _, ok := asked[kk]; !ok {
					t.Errorf("%s: unit %d: %s never asked", file, cu.Unit.Index, def.Name)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Units()) < 2 || lastAsks == 0 {
			t.Errorf("%s: %d units, %d asks for the last: the fixture should show a walk across units", file, len(d.Units()), lastAsks)
		}
		d.Close()
	}
}

// TestTypeMemoKeptBounded checks that a memo given to the next walk keeps
// at most its bounds, however large the walk that filled it, and none of
// that walk's file entries.
func TestTypeMemoKeptBounded(t *testing.T) {
	for _, files := range []int{3, 2 * maxMemoFileIDs} {
		m := newTypeMemo()
		for i := range files {
			fe := FileEntry{Name: strconv.Itoa(i)}
			m.fileEntries = append(m.fileEntries, fe)
			m.fileIDs[fe] = uint32(i + 2)
		}
		x := &extractor{typeMemo: m}
		x.releaseTypeMemo()
		got, ok := typeMemos.Get()
		if !ok || got != m {
			t.Fatal("the released memo was not kept")
		}
		if len(got.fileIDs) != 0 || len(got.fileEntries) != 0 || cap(got.fileEntries) > maxMemoFileIDs {
			t.Errorf("%d files: kept memo holds %d file ids, %d entries (room for %d)", files, len(got.fileIDs), len(got.fileEntries), cap(got.fileEntries))
		}
		for _, fe := range got.fileEntries[:cap(got.fileEntries)] {
			if fe != (FileEntry{}) {
				t.Fatalf("%d files: kept memo holds the walk's file %+v", files, fe)
			}
		}
		got.reset()
		typeMemos.Put(got)
	}
}
