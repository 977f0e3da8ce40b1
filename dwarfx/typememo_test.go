package dwarfx

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/kabi-dev/kabi/internal/freelist"
)

// TestTypeMemo: the memo's index answers as a map of the keys met in this
// walk would, across growth and walks that reuse its arrays (a key of an
// earlier walk is not met, though its name is at the same place). A name
// is known by what it says: a module's units each have their own copy
// of a name (ld -r merges no .debug_str), and a key met with a copy is
// met.
func TestTypeMemo(t *testing.T) {
	m := &typeMemo{r0: 0x9e3779b97f4a7c15, r1: 0xbf58476d1ce4e5b9, seed: maphash.MakeSeed()}
	var last *seenKey
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 700
	type refKey struct {
		name string
		size int64
		line uint64
		file uint32
		kind TypeKind
	}
	for walk := range 8 {
		m.reset()
		if walk > 0 && m.size != firstSlots {
			t.Fatalf("walk %d: an index of %d slots", walk, m.size)
		}
		// Each name twice in .debug_str, and a third time in .debug_info;
		// the strings of each walk are other strings.
		var str, info []byte
		var at [][3]int
		for i := range n {
			name := strconv.Itoa(i*7919%1000+walk) + "\x00"
			at = append(at, [3]int{len(str), len(str) + len(name), len(info)})
			str = append(append(str, name...), name...)
			info = append(info, name...)
		}
		m.secs = [4][]byte{str, nil, info, nil}
		ref := map[refKey]int32{}
		keys := n
		if walk == 0 {
			keys = 4 * n // the table grows, and no later walk grows it
		}
		for i := range keys {
			j := rng.IntN(n)
			var name string
			switch c := rng.IntN(3); c {
			case 2:
				name = bytesString(info[at[j][2]:])
			default:
				name = bytesString(str[at[j][c]:])
			}
			name = name[:len(strconv.Itoa(j*7919%1000+walk))]
			sec, off := m.place(name)
			if sec == 0 {
				t.Fatalf("walk %d: %q is in no section", walk, name)
			}
			k := seenKey{hash: maphash.String(m.seed, name), name: off, nameSec: sec, size: int64(rng.IntN(3)) - 1, line: uint64(rng.IntN(3)),
				file: uint32(rng.IntN(2)), nameLen: uint32(len(name)), kind: TypeKind(1 + rng.IntN(2))}
			if m.name(&k) != name {
				t.Fatalf("walk %d: the key of %q names %q", walk, name, m.name(&k))
			}
			rk := refKey{name, k.size, k.line, k.file, k.kind}
			unit := int32(i / 50)
			want, had := ref[rk]
			s, slot := m.find(&k)
			if found := s != nil; found != had {
				t.Fatalf("walk %d, key %d %q %+v: found %v, met before %v", walk, i, name, k, found, had)
			}
			if s != nil {
				if s.unit != want || !m.same(s, &k) || m.name(s) != name {
					t.Fatalf("walk %d, key %d %+v: slot %+v, want unit %d", walk, i, k, *s, want)
				}
				s.unit = unit
			} else {
				k.unit = unit
				m.add(slot, &k)
			}
			ref[rk] = unit
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
	m.secs = [4][]byte{[]byte("abcdabce")}
	base := seenKey{hash: 7, name: 0, size: 8, line: 3, file: 2, nameLen: 4, kind: TypeStruct, nameSec: 1}
	for i, f := range []func(*seenKey){
		func(k *seenKey) { k.name = 4 }, func(k *seenKey) { k.hash++ }, func(k *seenKey) { k.size++ }, func(k *seenKey) { k.line++ },
		func(k *seenKey) { k.file++ }, func(k *seenKey) { k.nameLen++ }, func(k *seenKey) { k.kind = TypeUnion },
	} {
		k := base
		f(&k)
		if m.same(&base, &k) {
			t.Errorf("field %d: %+v is the key %+v", i, k, base)
		}
	}
	if k := base; !m.same(&k, &base) {
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
		type key = TypeKey // equal names are one, wherever they are
		asked := map[key]int{}
		lastAsks := 0
		last := len(d.Units()) - 1
		err = d.Extract(&ExtractOptions{Concurrency: 1, Types: true, WantType: func(unit int, k *TypeKey) bool {
			kk := *k
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
				kk := key{Kind: def.Kind, Name: def.Name, Size: def.Size, File: def.File, Line: def.Line}
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
// that walk's file entries or names.
func TestTypeMemoKeptBounded(t *testing.T) {
	defer freelist.Hold()() // memos are kept from walk to walk while a read holds the lists
	for _, files := range []int{3, 2 * maxMemoFileIDs} {
		m := newTypeMemo()
		for i := range files {
			fe := FileEntry{Name: strconv.Itoa(i)}
			if id := m.fileNumber(&fe); id != uint32(i+2) {
				t.Fatalf("file %d numbered %d", i, id)
			}
		}
		m.names = append(m.names, make([]byte, files*maxMemoNames/maxMemoFileIDs)...) // as many names
		x := &extractor{typeMemo: m}
		x.releaseTypeMemo()
		got, ok := typeMemos.Get()
		if !ok || got != m {
			t.Fatal("the released memo was not kept")
		}
		if len(got.fileEntries) != 0 || len(got.fileLast) != 0 || cap(got.fileEntries) > maxMemoFileIDs || cap(got.fileLast) > maxMemoFileIDs || len(got.fileSlots) > 4*maxMemoFileIDs {
			t.Errorf("%d files: kept memo holds %d entries (room for %d, %d, %d slots)", files, len(got.fileEntries), cap(got.fileEntries), cap(got.fileLast), len(got.fileSlots))
		}
		for _, fe := range append(got.fileEntries[:cap(got.fileEntries)], got.fileLast[:cap(got.fileLast)]...) {
			if fe != (FileEntry{}) {
				t.Fatalf("%d files: kept memo holds the walk's file %+v", files, fe)
			}
		}
		if fe := (FileEntry{Name: "0"}); got.fileNumber(&fe) != 2 {
			t.Errorf("%d files: the kept memo numbers a new walk's first file %d", files, got.fileNumber(&fe))
		}
		if got.reset(); len(got.names) != 0 || cap(got.names) > maxMemoNames {
			t.Errorf("%d files: kept memo holds %d bytes of names (room for %d)", files, len(got.names), cap(got.names))
		}
		typeMemos.Put(got)
	}
}

// TestWantTypeOnceUnmergedNames: a definition that each unit names with
// a string of its own (ld -r merges no .debug_str; here DW_FORM_string)
// is asked about once, for the first unit, by a walk of one worker.
func TestWantTypeOnceUnmergedNames(t *testing.T) {
	const atByteSize = 0x0b
	ab := abbrevTable(
		abbrevDecl{1, tagCU, true, [][2]uint64{{atName, uint64(FormString)}}},
		abbrevDecl{2, tagStruct, false, [][2]uint64{{atName, uint64(FormString)}, {atByteSize, uint64(FormData1)}}},
	)
	var info []byte
	for u := range 3 {
		var body dw
		body.uleb(1).str("u" + strconv.Itoa(u) + ".c")
		body.uleb(2).str("kfx_dev").u8(16) // in every unit
		body.uleb(2).str("kfx_" + strconv.Itoa(u)).u8(8)
		body.uleb(2).str("kfx_dev").u8(24) // another size: another key
		body.uleb(0)
		info = append(info, unit4(0, body.b, nil)...)
	}
	d := mustNew(t, buildELF(section{name: ".debug_info", data: info}, section{name: ".debug_abbrev", data: ab}))
	asks := map[string][]int{}
	err := d.Extract(&ExtractOptions{Concurrency: 1, Types: true, WantType: func(u int, k *TypeKey) bool {
		key := k.Name + "/" + strconv.FormatInt(k.Size, 10)
		asks[key] = append(asks[key], u)
		return true
	}}, func(*CompileUnit) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"kfx_dev/16": {0}, "kfx_dev/24": {0}, "kfx_0/8": {0}, "kfx_1/8": {1}, "kfx_2/8": {2}}
	if fmt.Sprint(asks) != fmt.Sprint(want) {
		t.Errorf("asks by key and unit: %v, want %v", asks, want)
	}
}
