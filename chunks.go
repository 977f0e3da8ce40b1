package kabi

import "sync"

// chunks is an append-only table held in chunks of chunkLen entries:
// growing it never copies what it holds. A whole kernel's instance and
// call-site tables reach millions of entries; a slice grown by append
// copies them again at every growth (by a quarter, at that size), with
// the collector's write barriers on, and needs the old and the new array
// at once. The first chunk grows as a slice does, so that the thousands
// of small tables of a module tree stay small.
type chunks[T any] struct {
	c [][]T
	n int
}

const (
	chunkShift = 14
	chunkLen   = 1 << chunkShift
)

// len is the number of entries.
func (t *chunks[T]) len() int { return t.n }

// add appends v and returns its index.
func (t *chunks[T]) add(v T) int32 {
	i := t.n
	if i < chunkLen {
		if len(t.c) == 0 {
			t.c = append(t.c, nil)
		}
		t.c[0] = append(t.c[0], v)
	} else {
		k := i >> chunkShift
		if k == len(t.c) {
			t.c = append(t.c, make([]T, 0, chunkLen))
		}
		t.c[k] = append(t.c[k], v)
	}
	t.n++
	return int32(i)
}

// at returns a pointer to entry i, valid until the next add (the first
// chunk moves as it grows; the others never do).
func (t *chunks[T]) at(i int32) *T {
	return &t.c[i>>chunkShift][i&(chunkLen-1)]
}

// truncate keeps the first n entries.
func (t *chunks[T]) truncate(n int) {
	if n >= t.n {
		return
	}
	k := 0
	if n > 0 {
		k = (n-1)>>chunkShift + 1
	}
	clear(t.c[k:])
	t.c = t.c[:k]
	if k > 0 {
		last := n - (k-1)<<chunkShift
		clear(t.c[k-1][last:])
		t.c[k-1] = t.c[k-1][:last]
	}
	t.n = n
}

// all calls yield with each entry's index and a pointer to it, in order.
func (t *chunks[T]) all(yield func(int32, *T) bool) {
	i := int32(0)
	for _, c := range t.c {
		for j := range c {
			if !yield(i, &c[j]) {
				return
			}
			i++
		}
	}
}

// A chunkPool keeps the first chunks of tables that are done with, for
// new tables to start in: a module tree's thousands of small tables each
// grew their first chunk by doubling, allocating it over and over.
// It keeps at most max chunks (maxPooledChunks for a read's: see
// newTablePools); a zero chunkPool keeps none. It is one read's, and goes
// with it: safe for concurrent use.
type chunkPool[T any] struct {
	mu   sync.Mutex
	max  int
	free [][]T
}

// maxPooledChunks bounds the first chunks a pool keeps.
const maxPooledChunks = 8

// start gives an empty table a kept first chunk, when there is one.
func (p *chunkPool[T]) start(t *chunks[T]) {
	if t.n != 0 || len(t.c) != 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		t.c = append(t.c, p.free[n-1])
		p.free[n-1] = nil
		p.free = p.free[:n-1]
	}
}

// keep empties t, whose entries are no longer used, keeping its first
// chunk cleared (its values may point at what is to be collected).
func (p *chunkPool[T]) keep(t *chunks[T]) {
	if len(t.c) == 0 {
		return
	}
	c := t.c[0]
	*t = chunks[T]{}
	clear(c) // outside the lock, which the module reads share
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < p.max {
		p.free = append(p.free, c[:0])
	}
}

// drop empties the pool: its chunks are left to the collector.
func (p *chunkPool[T]) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = nil
}

// tablePools are the chunk pools of one module tree's read: the first
// chunks of merged modules' tables, for the surfaces of the modules read
// after them.
type tablePools struct {
	insts   chunkPool[acc]
	recs    chunkPool[callRec]
	callers chunkPool[callerName]

	// The lookup tables of small modules' walks, cleared, for the walks
	// of the small modules read after them: a module tree's thousands of
	// surfaces each made their maps anew, grown from nothing, on pages
	// the collector had not yet given back.
	lookupsMu sync.Mutex
	lookups   []*surfaceLookups
}

// surfaceLookups are the lookup tables of a surface's walk (see
// surface.dropLookups).
type surfaceLookups struct {
	strs    map[string]string
	fileIdx map[string]int32
	paths   map[pathKey]int32
	fns     map[string]int32
	static  map[staticKey]int32
	kept    [][maxShared]sigRef
	pool    map[string]string // the stringPool's
}

const (
	// pooledInfo is the largest .debug_info of a module whose walk
	// takes and gives back pooled lookup tables (most modules' are
	// smaller; the larger ones size their own tables from it).
	pooledInfo = 2 << 20
	// maxPooledNames bounds the function names (and files) of the
	// lookup tables kept: a table is cleared at the cost of its size.
	maxPooledNames = 1 << 12
)

func newTablePools() *tablePools {
	return &tablePools{
		insts:   chunkPool[acc]{max: maxPooledChunks},
		recs:    chunkPool[callRec]{max: maxPooledChunks},
		callers: chunkPool[callerName]{max: maxPooledChunks},
	}
}

// start gives a module's new surface kept first chunks; p may be nil.
func (p *tablePools) start(s *surface) {
	if p == nil {
		return
	}
	p.insts.start(&s.insts)
	p.recs.start(&s.recs)
	p.callers.start(&s.callers)
}

// keep takes the tables of m, merged and no longer used.
func (p *tablePools) keep(m *surface) {
	p.insts.keep(&m.insts)
	p.recs.keep(&m.recs)
	p.callers.keep(&m.callers)
}

// drop empties the pools, once the modules are merged: their chunks
// would wait beside the whole kernel's Build while its functions are made.
func (p *tablePools) drop() {
	p.insts.drop()
	p.recs.drop()
	p.callers.drop()
	p.lookupsMu.Lock()
	p.lookups = nil
	p.lookupsMu.Unlock()
}

// takeLookups returns kept lookup tables, empty, for the walk of a module
// of info bytes of .debug_info, or nil when it is too large or none are
// kept; p may be nil.
func (p *tablePools) takeLookups(info uint64) *surfaceLookups {
	if p == nil || info > pooledInfo {
		return nil
	}
	p.lookupsMu.Lock()
	defer p.lookupsMu.Unlock()
	n := len(p.lookups)
	if n == 0 {
		return nil
	}
	lk := p.lookups[n-1]
	p.lookups[n-1] = nil
	p.lookups = p.lookups[:n-1]
	return lk
}

// keepLookups drops the lookup tables of s, a module's surface whose walk
// is done (see surface.dropLookups), and the map of its string pool, which
// nothing reads once s's converters are gone (see surface.drop; while
// they are not, the pool stays). When the module is small (its
// .debug_info of info bytes) and so are they, the tables and the map are
// kept, cleared, for the next small module; p may be nil.
func (p *tablePools) keepLookups(s *surface, info uint64) {
	lk := &surfaceLookups{s.strs, s.fileIdx, s.paths, s.fns, s.static, s.kept, nil}
	s.dropLookups()
	if s.pool == nil || s.d != nil {
		return
	}
	lk.pool, s.pool = s.pool.m, nil
	if p == nil || info > pooledInfo || lk.fns == nil || len(lk.fns) > maxPooledNames || len(lk.static) > 2*maxPooledNames ||
		len(lk.paths) > maxPooledNames || len(lk.fileIdx) > maxPooledNames || len(lk.strs) > maxPooledNames || cap(lk.kept) > 2*maxPooledNames ||
		len(lk.pool) > 4*maxPooledNames {
		return
	}
	// Their keys point into the module's sections and names.
	clear(lk.strs)
	clear(lk.fileIdx)
	clear(lk.paths)
	clear(lk.fns)
	clear(lk.static)
	clear(lk.pool)
	lk.kept = lk.kept[:0]
	p.lookupsMu.Lock()
	defer p.lookupsMu.Unlock()
	if len(p.lookups) < maxPooledChunks {
		p.lookups = append(p.lookups, lk)
	}
}
