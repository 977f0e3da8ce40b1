package kabi

import (
	"testing"
	"unsafe"
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
