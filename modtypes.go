package kabi

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
)

// The types of a whole kernel. Every module defines again the types of
// the headers it includes, most of them vmlinux's. Before a module
// decodes a named definition, it asks kernelTypes about its place (kind,
// name, size, declaration file and line, the file as kabi shows it):
// a place vmlinux has is vmlinux's type, and the module does not decode
// it; of the others, the first module in path order to have a place
// decodes it, and the later ones only say that they define it too. As
// typeClaims does for the units of one file, a module decodes a place
// unless a module before it claimed it, and the merge, in module order,
// keeps the claimant's definition: the result does not depend on the
// workers' timing. The merge then joins definitions by their contents,
// as it does for vmlinux's units: a type defined identically in two
// places is one type, and one name defined differently is two variants,
// each saying which modules define it.

// A place is where a named definition is written: its kind, name, size,
// declaration file (as Location.File; "" when DWARF gives none) and line.
// The files of a kernel share one definition by its place before decoding
// it. A place is known by a placeKey, a 128-bit hash of its fields under
// two seeds made for the read: a module asks about each of its places
// (8.3 million asks on Debian 6.1.0-56-amd64, 7.3 million of them
// vmlinux's places), and a key of two words is hashed and compared
// without reading the strings again, where a key holding the strings
// cost 800 ns an ask. Two of a kernel's million places would share a key
// with odds below 2^-87, and the seeds are the process's own, so a file
// cannot be made to collide with another.
type placeKey [2]uint64

// placeSeeds are the seeds of a kernel's place keys.
type placeSeeds [2]maphash.Seed

func newPlaceSeeds() placeSeeds { return placeSeeds{maphash.MakeSeed(), maphash.MakeSeed()} }

// fileKey is the key of a place's file, which placeKey folds in.
func (ps *placeSeeds) fileKey(file string) placeKey {
	return placeKey{maphash.String(ps[0], file), maphash.String(ps[1], file)}
}

// key returns the key of a place, with file given by its fileKey; buf
// is scratch.
func (ps *placeSeeds) key(buf []byte, kind dwarfx.TypeKind, name string, size int64, file placeKey, line uint64) ([]byte, placeKey) {
	buf = append(buf[:0], byte(kind))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(size))
	buf = binary.LittleEndian.AppendUint64(buf, line)
	buf = binary.LittleEndian.AppendUint64(buf, file[0])
	buf = binary.LittleEndian.AppendUint64(buf, file[1])
	buf = append(buf, name...)
	return buf, placeKey{maphash.Bytes(ps[0], buf), maphash.Bytes(ps[1], buf)}
}

// kernelTypes decides which file of a kernel decodes each place; safe for
// concurrent use by the modules' walks.
type kernelTypes struct {
	seed  maphash.Seed // the content hashes' seed, vmlinux's surface's
	seeds placeSeeds
	// noFile is the file key of a place without one.
	noFile placeKey

	// vmlinux holds the places of vmlinux's definitions; it is not
	// written once the modules are read, and is read without mu.
	vmlinux map[placeKey]struct{}

	mu    sync.Mutex
	ids   map[placeKey]int32 // the modules' places
	owner []int32            // per id: the module (index in path order) that claimed it

	// mods, per id, are the Modules of the kernel's definition the place
	// went to, once its claimant is merged (nil: not yet).
	mods []*[]string
}

const fromVmlinux = -1

// newKernelTypes returns the places of vmlinux's definitions, from s,
// vmlinux's surface after its walk.
func newKernelTypes(s *surface) *kernelTypes {
	kt := &kernelTypes{seed: s.keySeed, seeds: newPlaceSeeds(), vmlinux: make(map[placeKey]struct{}), ids: make(map[placeKey]int32)}
	kt.noFile = kt.seeds.fileKey("")
	var buf []byte
	files := make(map[string]placeKey)
	add := func(kind dwarfx.TypeKind, name string, size int64, locs []Location) {
		for _, l := range locs {
			fk, ok := files[l.File]
			if !ok {
				fk = kt.seeds.fileKey(l.File)
				files[l.File] = fk
			}
			var k placeKey
			buf, k = kt.seeds.key(buf, kind, name, size, fk, uint64(l.Line))
			kt.vmlinux[k] = struct{}{}
		}
	}
	for r, v := range s.typeVars {
		kind := dwarfx.TypeStruct
		switch r.Kind {
		case KindUnion:
			kind = dwarfx.TypeUnion
		case KindEnum:
			kind = dwarfx.TypeEnum
		}
		for _, d := range v.defs {
			add(kind, d.Name, d.Size, d.Locations)
		}
	}
	for _, v := range s.typedefVars {
		for _, td := range v.tds {
			add(dwarfx.TypeTypedef, td.Name, -1, td.Locations)
		}
	}
	return kt
}

// want claims place k for module mod: its id, and whether mod should
// decode it. id is fromVmlinux for a place of vmlinux's.
func (kt *kernelTypes) want(mod int32, k placeKey) (id int32, decode bool) {
	if _, ok := kt.vmlinux[k]; ok {
		return fromVmlinux, false
	}
	kt.mu.Lock()
	defer kt.mu.Unlock()
	id, ok := kt.ids[k]
	if !ok {
		id = int32(len(kt.owner))
		kt.ids[k] = id
		kt.owner = append(kt.owner, mod)
		kt.mods = append(kt.mods, nil)
		return id, true
	}
	if o := kt.owner[id]; o <= mod {
		return id, o == mod
	}
	kt.owner[id] = mod
	return id, true
}

// moduleTypes is what a module's walk keeps of its types for the
// kernel's merge.
type moduleTypes struct {
	kt  *kernelTypes
	mod int32

	// Of the worker (a module is walked by one): the keys of the places'
	// files, the id of each key it asked about, and scratch.
	mu sync.Mutex
	*placeMemo
	asked []int32 // ids of places it has, claimed by another module or not
	buf   []byte
	// last is the file of the last place asked about, and lastKey its
	// key: a header's definitions come one after the other.
	last    pathKey
	lastKey placeKey

	defs []moduleDef // its definitions, in unit order (see surface.mergeTypes)
}

// A placeMemo is the lookup tables of one module's walk: the keys of its
// places' files, the place id of each definition it decodes, and its
// units' claims (see typeClaims). The tables of a walk that ended go to
// the next module's: made anew for each module, their growth cost more
// than their lookups.
type placeMemo struct {
	files  map[pathKey]placeKey
	ids    map[dwarfx.TypeKey]int32
	claims map[dwarfx.TypeKey]int32
}

var placeMemos sync.Pool

func newPlaceMemo() *placeMemo {
	if m, ok := placeMemos.Get().(*placeMemo); ok {
		return m
	}
	return &placeMemo{files: make(map[pathKey]placeKey), ids: make(map[dwarfx.TypeKey]int32), claims: make(map[dwarfx.TypeKey]int32)}
}

// release empties the memo (its keys point into the module's sections)
// and gives it to the next module.
func (m *placeMemo) release() {
	if len(m.ids) > 1<<14 || len(m.files) > 1<<12 {
		// A map keeps the room it grew to: a big module's would spread
		// a small module's keys over memory the caches do not hold.
		return
	}
	clear(m.files)
	clear(m.ids)
	clear(m.claims)
	placeMemos.Put(m)
}

// A moduleDef is a definition a module decoded.
type moduleDef struct {
	def  *TypeDef
	td   *Alias
	hash uint64
	key  []byte // of the contents (see pendingDef)
	loc  Location
	id   int32
}

// want is the module walk's ExtractOptions.WantType.
func (s *surface) wantModuleType(unit int, k *dwarfx.TypeKey) bool {
	mt := s.modTypes
	mt.mu.Lock()
	var fk placeKey
	if k.File.Name != "" {
		u := &s.d.Units()[unit]
		pk := pathKey{unsafe.StringData(k.File.Dir), unsafe.StringData(k.File.Name), unsafe.StringData(u.CompDir),
			int32(len(k.File.Dir)), int32(len(k.File.Name)), int32(len(u.CompDir))}
		if pk == mt.last {
			fk = mt.lastKey
		} else {
			var ok bool
			if fk, ok = mt.files[pk]; !ok {
				fk = mt.kt.seeds.fileKey(s.rule(cleanPath(k.File.Path()), u.CompDir))
				mt.files[pk] = fk
			}
			mt.last, mt.lastKey = pk, fk
		}
	} else {
		fk = mt.kt.noFile
	}
	var pk placeKey
	mt.buf, pk = mt.kt.seeds.key(mt.buf, k.Kind, k.Name, k.Size, fk, k.Line)
	id, decode := mt.kt.want(mt.mod, pk)
	if id != fromVmlinux {
		mt.asked = append(mt.asked, id)
	}
	if decode {
		mt.ids[*k] = id
	}
	mt.mu.Unlock()
	return decode && s.claims.want(unit, k)
}

// kernelID is the place id of a definition the module decoded.
func (mt *moduleTypes) kernelID(k *dwarfx.TypeKey) int32 {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if id, ok := mt.ids[*k]; ok {
		return id
	}
	return fromVmlinux
}

// mergeModuleTypes adds the types of module mt, named name, in module
// order: each definition whose place the module holds joins the
// kernel's definition with its contents (a new variant when there is
// none), and the module is one of the Modules of each definition it
// defines, unless vmlinux defines it.
func (s *surface) mergeModuleTypes(mt *moduleTypes, name string) {
	kt := mt.kt
	kt.mu.Lock() // the places of modules still being walked are claimed meanwhile
	defer kt.mu.Unlock()
	addMod := func(mods *[]string) {
		if mods != nil && len(*mods) > 0 && (*mods)[len(*mods)-1] != name {
			*mods = append(*mods, name)
		}
	}
	for i := range mt.defs {
		md := &mt.defs[i]
		if md.id < 0 || kt.owner[md.id] != mt.mod {
			continue // an earlier module's place: see asked
		}
		p := pendingDef{def: md.def, td: md.td, hash: md.hash, key: md.key}
		v, j, added := s.variantOf(&p)
		if added {
			if md.td != nil {
				md.td.Modules = []string{name}
			} else {
				md.def.Modules = []string{name}
			}
		}
		var locs *[]Location
		var mods *[]string
		if md.td != nil {
			locs, mods = &v.tds[j].Locations, &v.tds[j].Modules
		} else {
			locs, mods = &v.defs[j].Locations, &v.defs[j].Modules
		}
		if md.loc != (Location{}) {
			loc := Location{File: s.files[s.file(md.loc.File)], Line: md.loc.Line}
			if !containsLocation(*locs, loc) {
				*locs = append(*locs, loc)
			}
		}
		addMod(mods)
		kt.mods[md.id] = mods
	}
	for _, id := range mt.asked {
		if kt.owner[id] != mt.mod {
			addMod(kt.mods[id])
		}
	}
	mt.defs, mt.asked = nil, nil
}
