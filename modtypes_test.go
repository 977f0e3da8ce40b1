package kabi

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
)

// TestPlaceSet: a set of place keys answers as a map would, with the ids
// it was given, across growth and packing.
func TestPlaceSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	set := placeSet{ids: []int32{}}
	ref := map[placeKey]int32{}
	key := func() placeKey {
		// Few distinct first words: keys that share a slot.
		return placeKey{uint64(rng.IntN(3000)) << 20, 1 + uint64(rng.IntN(4))} // never {}, the empty slot's
	}
	for i := range 20000 {
		k := key()
		j := set.slot(k)
		id, had := ref[k]
		if found := set.keys[j] == k; found != had || had && set.ids[j] != id {
			t.Fatalf("key %d %x: found %v (id %d), want %v (id %d)", i, k, found, set.ids[j], had, id)
		}
		if !had {
			set.add(j, k, int32(i))
			ref[k] = int32(i)
		}
	}
	if set.n != len(ref) {
		t.Fatalf("%d keys held for %d added", set.n, len(ref))
	}
	before := len(set.keys)
	set.pack()
	if len(set.keys) >= before || 4*set.n > 3*len(set.keys) {
		t.Errorf("packed %d keys from %d slots into %d", set.n, before, len(set.keys))
	}
	for k, id := range ref {
		if !set.has(k) || set.ids[set.slot(k)] != id {
			t.Fatalf("%x lost in packing", k)
		}
	}
	for range 1000 {
		k := key()
		if _, ok := ref[k]; set.has(k) != ok {
			t.Fatalf("has(%x) is wrong", k)
		}
	}
	var empty placeSet
	if empty.has(placeKey{1, 2}) {
		t.Error("an empty set has a key")
	}
}

// TestPlaceFile: a module's walk finds a file's key by where its strings
// are, and the key is that of the path the rule makes, whatever the
// strings' places: equal files of two walks (or two units' line tables)
// have one key, and a walk does not take an earlier walk's file for its
// own, though its strings are where the earlier walk's were.
func TestPlaceFile(t *testing.T) {
	kt := &kernelTypes{seeds: newPlaceSeeds(), read: reads.Add(1)}
	rules := 0
	rule := func(p, compDir string) string {
		rules++
		return SourceRootRule(p, compDir)
	}
	const comp = "/build/linux-6.1"
	// One buffer holds the strings of every walk, as the sections of
	// successive modules may be at the same place.
	buf := make([]byte, 64)
	str := func(at int, s string) string {
		copy(buf[at:], s)
		return unsafe.String(&buf[at], len(s))
	}
	for walk := range 3 {
		// A walk's memo knows strings by where they are, which holds
		// while the module's sections do (its keys keep the strings it
		// was given).
		mt := &moduleTypes{kt: kt, placeMemo: newPlaceMemo()}
		names := []string{"list.h", "page.h", "sched.h"}
		name := names[walk] // at the same place in each walk
		f := dwarfx.FileEntry{Dir: str(0, "include/linux"), Name: str(20, name)}
		got := mt.placeFile(&f, comp, rule)
		if want := kt.seeds.fileKey("include/linux/" + name); got != want {
			t.Errorf("walk %d: key of %s is not its path's", walk, name)
		}
		// The same file, its strings elsewhere (a unit's own line table).
		g := dwarfx.FileEntry{Dir: strings.Clone(f.Dir), Name: strings.Clone(f.Name)}
		if mt.placeFile(&g, comp, rule) != got {
			t.Errorf("walk %d: %s has two keys", walk, name)
		}
		other := dwarfx.FileEntry{Dir: f.Dir, Name: "types.h"}
		if mt.placeFile(&other, comp, rule) == got || mt.placeFile(&f, comp, rule) != got {
			t.Errorf("walk %d: two files share a key", walk)
		}
		if walk < 2 {
			// The next walk's index is this one's, unless it grows.
			mt.placeMemo.release()
			continue
		}
		// Many files: the index grows.
		for i := range 2000 {
			h := dwarfx.FileEntry{Dir: f.Dir, Name: strings.Repeat("x", i%7+1) + string(rune('a'+i%26)) + strings.Repeat("y", i/182)}
			if mt.placeFile(&h, comp, rule) != kt.seeds.fileKey("include/linux/"+h.Name) {
				t.Fatalf("walk %d: file %d has another's key", walk, i)
			}
		}
		mt.placeMemo.release()
	}
	if rules == 0 {
		t.Error("the rule was never asked")
	}
}

// TestPlaceMemoRelease: a memo given to the next module holds none of
// the strings of the walk that ended (they point into its module's
// sections), and the next walk starts empty.
func TestPlaceMemoRelease(t *testing.T) {
	kt := &kernelTypes{seeds: newPlaceSeeds(), read: reads.Add(1)}
	m := newPlaceMemo()
	mt := &moduleTypes{kt: kt, placeMemo: m}
	for _, name := range []string{"list.h", "page.h", "sched.h"} {
		mt.placeFile(&dwarfx.FileEntry{Dir: "include/linux", Name: name}, "/build", SourceRootRule)
	}
	if len(m.paths) != 3 {
		t.Fatalf("the walk has %d files, want 3", len(m.paths))
	}
	m.release()
	for i, p := range m.paths[:cap(m.paths)] {
		if p != (pathFile{}) {
			t.Errorf("file %d of a released memo is kept: %+v", i, p)
		}
	}
	if n := newPlaceMemo(); len(n.paths) != 0 {
		t.Errorf("a new walk's memo has %d files", len(n.paths))
	} else {
		n.release()
	}
}

// TestUnitCompDir: equal compilation directories of a module's units are
// given with the first unit's strings (placeFile knows a file by where
// its strings are), and each unit gets its own when they differ.
func TestUnitCompDir(t *testing.T) {
	dir := func(s string) string { return strings.Clone(s) }
	units := []dwarfx.Unit{{CompDir: dir("/build/a")}, {CompDir: dir("/build/a")}, {CompDir: dir("/build/b")}, {CompDir: dir("/build/a")}}
	mt := &moduleTypes{}
	var got []string
	for _, i := range []int{0, 1, 1, 2, 3, 0} {
		cd := mt.unitCompDir(i, units)
		if cd != units[i].CompDir {
			t.Fatalf("unit %d: %q, want %q", i, cd, units[i].CompDir)
		}
		got = append(got, cd)
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	if !same(got[0], got[1]) || !same(got[1], got[2]) {
		t.Error("units 0 and 1 have equal directories with two strings")
	}
	if !same(got[3], units[2].CompDir) || !same(got[4], units[3].CompDir) || !same(got[5], units[3].CompDir) {
		t.Error("a unit whose directory differs from the last one's is not given its own")
	}
}
