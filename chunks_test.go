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
		{"acc", unsafe.Sizeof(acc{}), 64},
		{"callRec", unsafe.Sizeof(callRec{}), 32},
		{"callerName", unsafe.Sizeof(callerName{}), 32},
	} {
		if c.got > c.want && unsafe.Sizeof(uintptr(0)) == 8 {
			t.Errorf("%s is %d bytes, want at most %d", c.name, c.got, c.want)
		}
	}
}
