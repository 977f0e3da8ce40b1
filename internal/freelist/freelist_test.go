package freelist

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestList(t *testing.T) {
	defer Hold()()
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
	defer Hold()()
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
	defer Hold()()
	a, b := &dropA, &dropB
	a.Put(new(int))
	a.Put(new(int))
	b.Put(new(int))
	var called atomic.Int64 // droppers may run at once (see Register)
	Register(func() { called.Add(1) })
	DropAll()
	if a.Len() != 0 || b.Len() != 0 {
		t.Fatalf("after DropAll the lists hold %d and %d values", a.Len(), b.Len())
	}
	if called.Load() != 1 {
		t.Fatalf("the registered dropper was called %d times, want 1", called.Load())
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
	if a.Len() != 0 || called.Load() != 2 {
		t.Fatalf("a second DropAll left %d values, called the dropper %d times in all", a.Len(), called.Load())
	}
}

// holdA is TestHold's list, holdB TestHoldConcurrent's.
var holdA, holdB = List[*int]{Max: 4}, List[int]{Max: 64}

// waitDrops collects until drops reaches want, and fails t if it does
// not within ten seconds, or goes beyond.
func waitDrops(t *testing.T, drops *atomic.Int64, want int64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); drops.Load() < want; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the lists were dropped %d times, want %d", drops.Load(), want)
		}
		runtime.GC()
	}
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := drops.Load(); got != want {
		t.Fatalf("the lists were dropped %d times, want %d", got, want)
	}
}

// TestHold checks that a List keeps values only while a hold is in
// progress, and that they are dropped at the first collection after the
// last release, once, unless a hold is taken again before it.
func TestHold(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // collections only when the test asks
	l := &holdA
	if l.Put(new(int)) || l.Len() != 0 {
		t.Fatal("a value put while no hold is in progress was kept")
	}
	var drops atomic.Int64
	Register(func() { drops.Add(1) })
	outer := Hold()
	inner := Hold()
	if !Held() {
		t.Fatal("Held is false during a hold")
	}
	if !l.Put(new(int)) {
		t.Fatal("Put during a hold was refused")
	}
	inner()
	inner() // released once
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if l.Len() != 1 || drops.Load() != 0 {
		t.Fatalf("with a hold left the list holds %d values and was dropped %d times; want 1 and 0", l.Len(), drops.Load())
	}
	outer()
	if Held() {
		t.Fatal("Held after the last release")
	}
	if l.Len() != 1 || drops.Load() != 0 {
		t.Fatalf("before a collection, the last release left %d values and dropped %d times; want 1 and 0", l.Len(), drops.Load())
	}
	if l.Put(new(int)) || l.Len() != 1 {
		t.Fatal("a value put after the last release was kept")
	}
	waitDrops(t, &drops, 1)
	if l.Len() != 0 {
		t.Fatalf("after the collection the list holds %d values", l.Len())
	}
	outer()
	waitDrops(t, &drops, 1) // releasing twice releases once

	// A hold taken again before the collection keeps the values: reads
	// one after another reuse them.
	release := Hold()
	l.Put(new(int))
	release()
	again := Hold()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if l.Len() != 1 || drops.Load() != 1 {
		t.Fatalf("a hold taken before the collection: the list holds %d values, dropped %d times in all; want 1 and 1", l.Len(), drops.Load())
	}
	again()
	waitDrops(t, &drops, 2)
	if l.Len() != 0 {
		t.Fatalf("after the later release and a collection the list holds %d values", l.Len())
	}

	// DropIdle empties the lists at once when no hold is in progress,
	// and the collection that follows does not empty them again.
	release = Hold()
	l.Put(new(int))
	DropIdle()
	if l.Len() != 1 || drops.Load() != 2 {
		t.Fatalf("DropIdle during a hold: the list holds %d values, dropped %d times in all; want 1 and 2", l.Len(), drops.Load())
	}
	release()
	DropIdle()
	if l.Len() != 0 || drops.Load() != 3 {
		t.Fatalf("DropIdle after the last release: the list holds %d values, dropped %d times in all; want 0 and 3", l.Len(), drops.Load())
	}
	waitDrops(t, &drops, 3)
}

// TestHoldConcurrent: holds taken and released while values are put and
// taken leave nothing in the list once all are released, whatever the
// order (run with -race).
func TestHoldConcurrent(t *testing.T) {
	l := &holdB
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				release := Hold()
				l.Put(g*1000 + i)
				l.Get()
				l.Put(i)
				release()
				l.Put(-1) // kept only while another goroutine holds
			}
		}()
	}
	wg.Wait()
	if Held() {
		t.Fatal("Held after every hold was released")
	}
	for deadline := time.Now().Add(10 * time.Second); l.Len() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after every hold was released and collections ran the list holds %d values", l.Len())
		}
		runtime.GC()
	}
}
