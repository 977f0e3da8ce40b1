package kabi

import (
	"hash/maphash"
	"strings"
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

// typePlace is where a named definition is written: the key by which
// the files of a kernel share one definition before decoding it.
type typePlace struct {
	kind dwarfx.TypeKind
	name string
	size int64
	file string // as Location.File; "" when DWARF gives none
	line uint64
}

// kernelTypes decides which file of a kernel decodes each place; safe for
// concurrent use by the modules' walks.
type kernelTypes struct {
	seed maphash.Seed // the content hashes' seed, vmlinux's surface's

	mu    sync.Mutex
	ids   map[typePlace]int32
	owner []int32 // per id: the module (index in path order) that claimed it, or fromVmlinux

	// mods, per id, are the Modules of the kernel's definition the place
	// went to, once its claimant is merged (nil: vmlinux's, or not yet).
	mods []*[]string
}

const fromVmlinux = -1

// newKernelTypes returns the places of vmlinux's definitions, from s,
// vmlinux's surface after its walk.
func newKernelTypes(s *surface) *kernelTypes {
	kt := &kernelTypes{seed: s.keySeed, ids: make(map[typePlace]int32)}
	add := func(kind dwarfx.TypeKind, name string, size int64, locs []Location) {
		for _, l := range locs {
			p := typePlace{kind: kind, name: name, size: size, file: l.File, line: uint64(l.Line)}
			if _, ok := kt.ids[p]; !ok {
				kt.ids[p] = int32(len(kt.owner))
				kt.owner = append(kt.owner, fromVmlinux)
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
	kt.mods = make([]*[]string, len(kt.owner))
	return kt
}

// want claims place p for module mod: its id, and whether mod should
// decode it. id is fromVmlinux for a place of vmlinux's.
func (kt *kernelTypes) want(mod int32, p *typePlace) (id int32, decode bool) {
	kt.mu.Lock()
	defer kt.mu.Unlock()
	id, ok := kt.ids[*p]
	if !ok {
		q := *p
		q.name = strings.Clone(q.name)
		id = int32(len(kt.owner))
		kt.ids[q] = id
		kt.owner = append(kt.owner, mod)
		kt.mods = append(kt.mods, nil)
		return id, true
	}
	switch o := kt.owner[id]; {
	case o == fromVmlinux:
		return fromVmlinux, false
	case o <= mod:
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

	// Of the worker (a module is walked by one): the places' files, and
	// the id of each key it asked about.
	mu    sync.Mutex
	files map[pathKey]string
	ids   map[dwarfx.TypeKey]int32
	asked []int32 // ids of places it has, claimed by another module or not

	defs []moduleDef // its definitions, in unit order (see surface.mergeTypes)
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
	p := typePlace{kind: k.Kind, name: k.Name, size: k.Size, line: k.Line}
	if k.File.Name != "" {
		u := &s.d.Units()[unit]
		pk := pathKey{unsafe.StringData(k.File.Dir), unsafe.StringData(k.File.Name), unsafe.StringData(u.CompDir),
			int32(len(k.File.Dir)), int32(len(k.File.Name)), int32(len(u.CompDir))}
		f, ok := mt.files[pk]
		if !ok {
			f = strings.Clone(s.rule(cleanPath(k.File.Path()), u.CompDir))
			mt.files[pk] = f
		}
		p.file = f
	}
	id, decode := mt.kt.want(mt.mod, &p)
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
		if o := kt.owner[id]; o != mt.mod && o != fromVmlinux {
			addMod(kt.mods[id])
		}
	}
	mt.defs, mt.asked = nil, nil
}
