package kabi

import (
	"strconv"
	"testing"
	"unsafe"

	"github.com/kabi-dev/kabi/dwarfx"
)

func TestChunks(t *testing.T) {
	var c chunks[int]
	const n = 3*chunkLen + 5
	for i := range n {
		if got := c.add(i * 2); got != int32(i) {
			t.Fatalf("add #%d returned index %d", i, got)
		}
	}
	if c.len() != n {
		t.Fatalf("len %d, want %d", c.len(), n)
	}
	next := int32(0)
	for i, p := range c.all {
		if i != next || *p != int(i)*2 || c.at(i) != p {
			t.Fatalf("entry %d (want index %d): %d", i, next, *p)
		}
		next++
	}
	if next != n {
		t.Fatalf("all visited %d entries, want %d", next, n)
	}
	for _, keep := range []int{2*chunkLen + 1, 2 * chunkLen, chunkLen - 1, 0} {
		c.truncate(keep)
		count := 0
		for i, p := range c.all {
			if *p != int(i)*2 {
				t.Fatalf("after truncate(%d): entry %d is %d", keep, i, *p)
			}
			count++
		}
		if c.len() != keep || count != keep {
			t.Fatalf("truncate(%d): len %d, all visited %d", keep, c.len(), count)
		}
	}
	// Adding after a truncate continues at the new end.
	for i := range chunkLen + 2 {
		if got := c.add(i * 2); got != int32(i) {
			t.Fatalf("add #%d after truncate returned index %d", i, got)
		}
	}
	if *c.at(chunkLen + 1) != (chunkLen+1)*2 {
		t.Fatalf("entry %d is %d", chunkLen+1, *c.at(chunkLen + 1))
	}
}

// TestTableSizes pins the sizes of the surface's per-instance and
// per-site records: a whole kernel holds millions of them.
func TestTableSizes(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"acc", unsafe.Sizeof(acc{}), 48},
		{"callRec", unsafe.Sizeof(callRec{}), 24},
		{"callerName", unsafe.Sizeof(callerName{}), 32},
	} {
		if c.got > c.want && unsafe.Sizeof(uintptr(0)) == 8 {
			t.Errorf("%s is %d bytes, want at most %d", c.name, c.got, c.want)
		}
	}
}

// TestChunkPool checks that a table kept in a pool leaves its first
// chunk cleared for the next table, which then holds only its own
// entries, and that a table already started is left alone.
func TestChunkPool(t *testing.T) {
	p := chunkPool[callerName]{max: maxPooledChunks}
	var a chunks[callerName]
	for i := range 100 {
		a.add(callerName{file: "f", function: string(rune('a' + i%26))})
	}
	p.keep(&a)
	if a.len() != 0 || len(a.c) != 0 {
		t.Fatalf("a kept table still holds %d entries", a.len())
	}
	if n := len(p.free); n != 1 {
		t.Fatalf("pool keeps %d chunks", n)
	}
	c := p.free[0]
	if len(c) != 0 || cap(c) < 100 {
		t.Fatalf("kept chunk has length %d, capacity %d", len(c), cap(c))
	}
	for i, v := range c[:100] {
		if v != (callerName{}) {
			t.Fatalf("kept chunk entry %d is %+v", i, v)
		}
	}
	var b chunks[callerName]
	p.start(&b)
	if len(p.free) != 0 || len(b.c) != 1 {
		t.Fatal("start did not take the kept chunk")
	}
	b.add(callerName{file: "g", function: "x"})
	if b.len() != 1 || *b.at(0) != (callerName{file: "g", function: "x"}) {
		t.Errorf("b holds %d entries, first %+v", b.len(), *b.at(0))
	}
	p.keep(&a) // empty: nothing kept
	if len(p.free) != 0 {
		t.Error("an empty table's nothing was kept")
	}
	p.keep(&b)
	var c2 chunks[callerName]
	c2.add(callerName{})
	p.start(&c2) // already started: left alone
	if len(p.free) != 1 || c2.len() != 1 {
		t.Error("start touched a started table")
	}
	// It keeps at most max chunks; a zero pool keeps none.
	for range maxPooledChunks + 2 {
		var d chunks[callerName]
		d.add(callerName{})
		p.keep(&d)
	}
	if len(p.free) != maxPooledChunks {
		t.Errorf("pool keeps %d chunks, want %d", len(p.free), maxPooledChunks)
	}
	var zero chunkPool[callerName]
	var e chunks[callerName]
	e.add(callerName{})
	zero.keep(&e)
	if len(zero.free) != 0 {
		t.Error("a zero pool kept a chunk")
	}
	p.drop()
	if len(p.free) != 0 {
		t.Error("drop left chunks")
	}
}

// TestTablePoolsLookups: a small module's walk gives back its lookup
// tables emptied, and a later small module's walk takes them; a large
// module's tables, or large tables, are not kept, and a large module
// takes none.
func TestTablePoolsLookups(t *testing.T) {
	walked := func(names int) *surface {
		s := &surface{
			strs: map[string]string{"s": "s"}, fileIdx: map[string]int32{"f": 0}, paths: map[pathKey]int32{{lname: 1}: 0},
			fns: map[string]int32{}, static: map[staticKey]int32{{fn: 1}: 2}, kept: make([][maxShared]sigRef, 1, 4),
			pool: &stringPool{m: map[string]string{"p": "p"}},
		}
		for i := range names {
			s.fns[strconv.Itoa(i)] = int32(i)
		}
		return s
	}
	p := newTablePools()
	if p.takeLookups(1) != nil {
		t.Fatal("an empty pool gave lookups")
	}
	s := walked(3)
	fns := s.fns
	p.keepLookups(s, 1<<10)
	if s.fns != nil || s.strs != nil || s.static != nil || s.kept != nil || s.pool != nil {
		t.Error("the surface keeps its lookups")
	}
	if p.takeLookups(pooledInfo+1) != nil {
		t.Error("a large module took pooled lookups")
	}
	lk := p.takeLookups(pooledInfo)
	if lk == nil {
		t.Fatal("a small module's lookups were not kept")
	}
	if len(lk.strs)+len(lk.fileIdx)+len(lk.paths)+len(lk.fns)+len(lk.static)+len(lk.kept)+len(lk.pool) != 0 || lk.pool == nil {
		t.Errorf("kept lookups not empty: %v %v %v %v %v %v %v", lk.strs, lk.fileIdx, lk.paths, lk.fns, lk.static, lk.kept, lk.pool)
	}
	fns["x"] = 1
	if lk.fns["x"] != 1 {
		t.Error("the kept lookups are not the walk's own")
	}
	if p.takeLookups(1) != nil {
		t.Error("one kept set of lookups was taken twice")
	}
	// Lookups not kept are dropped all the same, with the string pool:
	// nothing reads it once the converters are gone.
	large, many := walked(3), walked(maxPooledNames+1)
	p.keepLookups(large, pooledInfo+1)
	p.keepLookups(many, 1)
	if p.takeLookups(1) != nil {
		t.Error("a large module's, or large, lookups were kept")
	}
	// A surface whose converters are not gone keeps its pool, and gives
	// no lookups.
	open := walked(1)
	open.d = new(dwarfx.Data)
	p.keepLookups(open, 1)
	if open.fns != nil || open.pool == nil || open.pool.m["p"] != "p" {
		t.Error("a surface with converters lost its string pool, or kept its lookups")
	}
	if p.takeLookups(1) != nil {
		t.Error("a surface with converters gave its lookups")
	}
	var none *tablePools
	alone := walked(1)
	none.keepLookups(alone, 1)
	if none.takeLookups(1) != nil {
		t.Error("no pool gave lookups")
	}
	for _, s := range []*surface{large, many, alone} {
		if s.fns != nil || s.pool != nil {
			t.Error("the surface keeps lookups, or a string pool, not given back")
		}
	}
}
