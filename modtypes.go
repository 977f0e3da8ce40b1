package kabi

import (
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
	"github.com/kabi-dev/kabi/internal/freelist"
	"github.com/kabi-dev/kabi/internal/slots"
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
// seeds made for the read: a module asks about each of its places (8.4
// million asks on Debian 6.1.0-56-amd64, 7.3 million of them about
// vmlinux's 11,000 places), and a key of two words is hashed and compared
// without reading the strings again. Two of a kernel's million places
// would share a key with odds below 2^-80, and the seeds are the
// process's own, so a file cannot be made to collide with another. The
// keys are in tables of open addressing without pointers (placeSet),
// vmlinux's read without a lock; a module finds the key of a file by
// where its strings are (see placeMemo).
type placeKey [2]uint64

// placeSeeds are the seeds of a kernel's place keys.
type placeSeeds struct {
	s [2]maphash.Seed
	r [2][4]uint64
}

func newPlaceSeeds() *placeSeeds {
	ps := &placeSeeds{s: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	for i := range ps.r {
		for j := range ps.r[i] {
			ps.r[i][j] = rand.Uint64()
		}
	}
	return ps
}

// fileKey is the key of a place's file, which placeKey folds in.
func (ps *placeSeeds) fileKey(file string) placeKey {
	return placeKey{maphash.String(ps.s[0], file), maphash.String(ps.s[1], file)}
}

// key returns the key of a place, with file given by its fileKey.
func (ps *placeSeeds) key(kind dwarfx.TypeKind, name string, size int64, file placeKey, line uint64) placeKey {
	var k placeKey
	for i := range k {
		r := &ps.r[i]
		h := slots.Mix(maphash.String(ps.s[i], name)^file[i]^r[0], uint64(size)^r[1])
		k[i] = slots.Mix(h^line^r[2], uint64(kind)^r[3])
	}
	if k == (placeKey{}) {
		k[1] = 1 // the empty slot's
	}
	return k
}

// A placeSet is a set of place keys in open addressing, each with an
// int32 if ids is not nil. It holds no pointers: the collector does not
// scan it.
type placeSet struct {
	keys []placeKey // len a power of two, or 0; {} is empty
	ids  []int32
	n    int
}

// has reports whether k is in the set.
func (t *placeSet) has(k placeKey) bool {
	if len(t.keys) == 0 {
		return false
	}
	mask := uint64(len(t.keys) - 1)
	for i := k[0] & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return true
		case placeKey{}:
			return false
		}
	}
}

// slot returns the slot of k: k's when it is in the set, else the empty
// one where add puts it.
func (t *placeSet) slot(k placeKey) int {
	if 2*(t.n+1) > len(t.keys) {
		t.rehash(max(2*len(t.keys), 1<<10))
	}
	mask := uint64(len(t.keys) - 1)
	for i := k[0] & mask; ; i = (i + 1) & mask {
		if t.keys[i] == k || t.keys[i] == (placeKey{}) {
			return int(i)
		}
	}
}

// add puts k, with id, at the empty slot i that slot returned.
func (t *placeSet) add(i int, k placeKey, id int32) {
	t.keys[i] = k
	if t.ids != nil {
		t.ids[i] = id
	}
	t.n++
}

// rehash puts the keys in n slots, a power of two above t.n.
func (t *placeSet) rehash(n int) {
	keys, ids := t.keys, t.ids
	t.keys = make([]placeKey, n)
	if ids != nil {
		t.ids = make([]int32, n)
	}
	mask := uint64(n - 1)
	for j, k := range keys {
		if k == (placeKey{}) {
			continue
		}
		i := k[0] & mask
		for t.keys[i] != (placeKey{}) {
			i = (i + 1) & mask
		}
		t.keys[i] = k
		if ids != nil {
			t.ids[i] = ids[j]
		}
	}
}

// pack rehashes a set that is no longer added to into fewer slots (up to
// three quarters full), so that more of it stays in the caches.
func (t *placeSet) pack() {
	n := 1 << 10
	for 3*n < 4*t.n {
		n *= 2
	}
	if n < len(t.keys) {
		t.rehash(n)
	}
}

// kernelTypes decides which file of a kernel decodes each place; safe for
// concurrent use by the modules' walks.
type kernelTypes struct {
	seed  maphash.Seed // the content hashes' seed, vmlinux's surface's
	seeds *placeSeeds
	read  uint64 // this read's number, which the memos it fed hold (see placeMemo)
	// noFile is the file key of a place without one.
	noFile placeKey

	// vmlinux holds the places of vmlinux's definitions; it is not
	// written once the modules are read, and is read without mu.
	vmlinux placeSet

	mu    sync.Mutex
	ids   placeSet // the modules' places
	owner []int32  // per id: the module (index in path order) that claimed it

	// mods, per id, are the Modules of the kernel's definition the place
	// went to, once its claimant is merged (nil: not yet).
	mods []*[]string
}

const fromVmlinux = -1

// reads numbers the reads of whole kernels.
var reads atomic.Uint64

// newKernelTypes returns the places of vmlinux's definitions, from s,
// vmlinux's surface after its walk.
func newKernelTypes(s *surface) *kernelTypes {
	kt := &kernelTypes{seed: s.keySeed, seeds: newPlaceSeeds(), read: reads.Add(1), ids: placeSet{ids: []int32{}}}
	kt.noFile = kt.seeds.fileKey("")
	files := make(map[string]placeKey)
	add := func(kind dwarfx.TypeKind, name string, size int64, locs []Location) {
		for _, l := range locs {
			fk, ok := files[l.File]
			if !ok {
				fk = kt.seeds.fileKey(l.File)
				files[l.File] = fk
			}
			k := kt.seeds.key(kind, name, size, fk, uint64(l.Line))
			if i := kt.vmlinux.slot(k); kt.vmlinux.keys[i] != k {
				kt.vmlinux.add(i, k, 0)
			}
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
	kt.vmlinux.pack()
	return kt
}

// want claims place k for module mod: its id, and whether mod should
// decode it. id is fromVmlinux for a place of vmlinux's.
func (kt *kernelTypes) want(mod int32, k placeKey) (id int32, decode bool) {
	if kt.vmlinux.has(k) {
		return fromVmlinux, false
	}
	kt.mu.Lock()
	defer kt.mu.Unlock()
	i := kt.ids.slot(k)
	if kt.ids.keys[i] != k {
		id = int32(len(kt.owner))
		kt.ids.add(i, k, id)
		kt.owner = append(kt.owner, mod)
		kt.mods = append(kt.mods, nil)
		return id, true
	}
	id = kt.ids.ids[i]
	if o := kt.owner[id]; o <= mod {
		return id, o == mod
	}
	kt.owner[id] = mod
	return id, true
}

// moduleTypes is what a module's walk keeps of its types for the
// kernel's merge. A module is walked by one worker (Concurrency 1), which
// alone uses it until the walk ends, but for ids (see placeMemo), which
// the walk's caller reads as units come.
type moduleTypes struct {
	kt  *kernelTypes
	mod int32

	*placeMemo
	asked []int32 // ids of places it has, claimed by another module or not
	// last is the file of the last place asked about, and lastKey its
	// key: a header's definitions come one after the other.
	last    pathKey
	lastKey placeKey
	// compDir is the compilation directory of unit compFor-1, with the
	// strings of the first unit that had it.
	compDir string
	compFor int

	defs []moduleDef // its definitions, in unit order (see surface.mergeTypes)
}

// A placeMemo is the lookup tables of one module's walk: the keys of its
// places' files, the place id of each definition it decodes, and its
// units' claims (see typeClaims). The memo of a walk that ended goes to
// the next module's with its tables: touching memory the process has not
// used is dear, and tables made anew for each module, or grown, are that.
type placeMemo struct {
	// paths are the walk's files, by where their strings are, found by
	// an index of open addressing: the first size of slots, 0 empty,
	// else the high half of the hash and 1 + the place in paths.
	paths []pathFile
	slots []uint64
	size  int
	r     [2]uint64
	// files are the keys of the files of all walks the memo served in
	// the read numbered read, by a 128-bit hash of their strings under
	// the read's seeds: a module's files are mostly other modules' too,
	// and a path made into Location.File costs more than its hash.
	files map[placeKey]placeKey
	read  uint64

	// ids are the place ids of the definitions a walk decodes: its
	// worker writes them (WantType) while its caller's goroutine reads
	// those of the units already walked (kernelID), so idsMu guards them.
	idsMu  sync.Mutex
	ids    map[dwarfx.TypeKey]int32
	claims map[dwarfx.TypeKey]int32
}

// A pathFile is a file of a walk, by where its strings are, and its key.
type pathFile struct {
	pathKey
	key placeKey
}

// The memos of the walks that ended, for the next ones: a sync.Pool's
// would be dropped at every collection, which a whole kernel's read runs
// many of.
var placeMemos = freelist.List[*placeMemo]{Max: maxPlaceMemos}

// Bounds of the memos that are kept: as many as the walks that run at
// once on a machine of a few cores, and of their tables.
const (
	maxPlaceMemos  = 16
	firstPathSlots = 1 << 11
	maxMemoPaths   = 1 << 14
	maxMemoFiles   = 1 << 16
	maxMemoIDs     = 1 << 14
)

func newPlaceMemo() *placeMemo {
	m, ok := placeMemos.Get()
	if !ok {
		m = &placeMemo{files: make(map[placeKey]placeKey), r: [2]uint64{rand.Uint64(), rand.Uint64()},
			ids: make(map[dwarfx.TypeKey]int32), claims: make(map[dwarfx.TypeKey]int32)}
	}
	m.paths = m.paths[:0]
	m.size = min(firstPathSlots, len(m.slots))
	clear(m.slots[:m.size])
	return m
}

// release empties the memo (its keys point into the module's sections)
// and gives it to the next module.
func (m *placeMemo) release() {
	if cap(m.paths) > maxMemoPaths {
		m.paths, m.slots = nil, nil
	}
	clear(m.paths) // and newPlaceMemo empties it
	if len(m.files) > maxMemoFiles {
		m.files = make(map[placeKey]placeKey)
	}
	if len(m.ids) > maxMemoIDs {
		m.ids, m.claims = make(map[dwarfx.TypeKey]int32), make(map[dwarfx.TypeKey]int32)
	} else {
		clear(m.ids)
		clear(m.claims)
	}
	placeMemos.Put(m)
}

// placeFile returns the key of a place's file f, of a unit compiled in
// compDir, whose path rule makes Location.File.
func (mt *moduleTypes) placeFile(f *dwarfx.FileEntry, compDir string, rule PathRule) placeKey {
	pk := newPathKey(f, compDir)
	if pk == mt.last {
		return mt.lastKey
	}
	m := mt.placeMemo
	if 2*(len(m.paths)+1) > m.size {
		m.growPaths()
	}
	h := m.pathHash(&pk)
	n, i := slots.Find(m.slots[:m.size], h, func(n int) bool { return m.paths[n].pathKey == pk })
	if n >= 0 {
		key := m.paths[n].key
		mt.last, mt.lastKey = pk, key
		return key
	}
	key := m.fileKey(mt.kt, f, compDir, rule)
	m.paths = append(m.paths, pathFile{pk, key})
	m.slots[i] = slots.Slot(h, len(m.paths)-1)
	mt.last, mt.lastKey = pk, key
	return key
}

func (m *placeMemo) pathHash(p *pathKey) uint64 {
	addr := func(b *byte) uint64 { return uint64(uintptr(unsafe.Pointer(b))) }
	return slots.Mix(addr(p.name)^m.r[0], (addr(p.dir)+addr(p.compDir)<<1+uint64(p.lname))^m.r[1])
}

// growPaths doubles the index of paths.
func (m *placeMemo) growPaths() {
	m.size = max(2*m.size, firstPathSlots)
	m.slots = slots.Rebuild(m.slots, m.size, len(m.paths), func(n int) uint64 { return m.pathHash(&m.paths[n].pathKey) })
}

// fileKey returns the key of a file of the walk's that paths does not
// hold.
func (m *placeMemo) fileKey(kt *kernelTypes, f *dwarfx.FileEntry, compDir string, rule PathRule) placeKey {
	if m.read != kt.read {
		clear(m.files)
		m.read = kt.read
	}
	var raw placeKey
	for i := range raw {
		r, s := &kt.seeds.r[i], kt.seeds.s[i]
		h := slots.Mix(maphash.String(s, f.Dir)^r[0], maphash.String(s, f.Name)^r[1])
		raw[i] = slots.Mix(h^r[2], maphash.String(s, compDir)^r[3])
	}
	if k, ok := m.files[raw]; ok {
		return k
	}
	k := kt.seeds.fileKey(rule(cleanPath(f.Path()), compDir))
	m.files[raw] = k
	return k
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

// wantModuleType is the module walk's ExtractOptions.WantType; the walk
// has one worker (see moduleTypes), beside the goroutine that takes its
// units.
func (s *surface) wantModuleType(unit int, k *dwarfx.TypeKey) bool {
	mt := s.modTypes
	fk := mt.kt.noFile
	if k.File.Name != "" {
		fk = mt.placeFile(&k.File, mt.unitCompDir(unit, s.d.Units()), s.rule)
	}
	id, decode := mt.kt.want(mt.mod, mt.kt.seeds.key(k.Kind, k.Name, k.Size, fk, k.Line))
	if id == fromVmlinux {
		return false
	}
	mt.asked = append(mt.asked, id)
	if !decode {
		return false
	}
	mt.idsMu.Lock()
	mt.ids[*k] = id
	mt.idsMu.Unlock()
	return s.claims.want(unit, k)
}

// unitCompDir returns the compilation directory of unit i of units,
// with the strings of the unit asked about before it when the two are
// equal (a module's units are asked about in order, and share one): a
// module's units have strings of their own (ld -r merges no
// .debug_line_str), and placeFile, which knows a file by where its
// strings are, would take each unit's files for new ones. The walk gives
// equal files of its units with one entry's strings (see
// dwarfx.TypeKey).
func (mt *moduleTypes) unitCompDir(i int, units []dwarfx.Unit) string {
	if i+1 != mt.compFor {
		if cd := units[i].CompDir; cd != mt.compDir {
			mt.compDir = cd
		}
		mt.compFor = i + 1
	}
	return mt.compDir
}

// kernelID is the place id of a definition the module decoded.
func (mt *moduleTypes) kernelID(k *dwarfx.TypeKey) int32 {
	mt.idsMu.Lock()
	id, ok := mt.ids[*k]
	mt.idsMu.Unlock()
	if ok {
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
