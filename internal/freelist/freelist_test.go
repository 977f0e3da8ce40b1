package freelist

import (
	"sync"
	"testing"
)

func TestList(t *testing.T) {
	l := List[*int]{Max: 2}
	if _, ok := l.Get(); ok {
		t.Fatal("Get on an empty list found a value")
	}
	a, b, c := new(int), new(int), new(int)
	if !l.Put(a) || !l.Put(b) {
		t.Fatal("Put below Max was refused")
	}
	if l.Put(c) {
		t.Fatal("Put beyond Max was kept")
	}
	if v, ok := l.Get(); !ok || v != b {
		t.Fatalf("Get = %p, %v; want the value put last, %p", v, ok, b)
	}
	if l.free[:2][1] != nil {
		t.Fatal("a taken value is still referenced by the list")
	}
	if v, ok := l.Get(); !ok || v != a {
		t.Fatalf("Get = %p, %v; want %p", v, ok, a)
	}
	if l.Len() != 0 {
		t.Fatalf("Len = %d after taking all", l.Len())
	}
	l.Put(c)
	l.Drop()
	if _, ok := l.Get(); ok || l.Len() != 0 {
		t.Fatal("Drop left a value")
	}
	var none List[int]
	if none.Put(1) {
		t.Fatal("a list of Max 0 kept a value")
	}
}

func TestListConcurrent(t *testing.T) {
	l := List[int]{Max: 4}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				l.Put(g*1000 + i)
				l.Get()
			}
		}()
	}
	wg.Wait()
	if n := l.Len(); n > 4 {
		t.Fatalf("Len = %d, beyond Max", n)
	}
}
