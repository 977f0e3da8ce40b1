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

// TestDropAll checks that DropAll empties the Lists that were given a
// value and calls the registered droppers, and that a List refills
// after it.
// dropA and dropB are TestDropAll's: a List stays registered for good.
var dropA, dropB = List[*int]{Max: 4}, List[*int]{Max: 4}

func TestDropAll(t *testing.T) {
	a, b := &dropA, &dropB
	a.Put(new(int))
	a.Put(new(int))
	b.Put(new(int))
	called := 0
	Register(func() { called++ })
	DropAll()
	if a.Len() != 0 || b.Len() != 0 {
		t.Fatalf("after DropAll the lists hold %d and %d values", a.Len(), b.Len())
	}
	if called != 1 {
		t.Fatalf("the registered dropper was called %d times, want 1", called)
	}
	v := new(int)
	if !a.Put(v) {
		t.Fatal("Put after DropAll was refused")
	}
	if got, ok := a.Get(); !ok || got != v {
		t.Fatal("the value put after DropAll was not kept")
	}
	a.Put(v)
	DropAll()
	if a.Len() != 0 || called != 2 {
		t.Fatalf("a second DropAll left %d values, called the dropper %d times in all", a.Len(), called)
	}
}
