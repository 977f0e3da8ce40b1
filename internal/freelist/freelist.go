// Package freelist keeps values between the uses of a resource that a
// long read takes over and over (tables, scratch memory), in a bounded
// stack that, unlike a sync.Pool's, no garbage collection empties: a
// whole kernel's read runs dozens of collections, and every value a
// pool loses is allocated again, on a machine where touching fresh
// memory is dear.
//
// The values are kept only while a read holds the lists (see Hold),
// and a little beyond: the first garbage collection after the last hold
// is released drops them all, unless a read has started again since. So
// reads done one after another (a tool reading many files in turn) reuse
// them, and a program that reads one build and goes on with other work
// does not keep them beside what it read. A value put while no hold is
// in progress is not kept.
package freelist

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// holds counts the holds not yet released, taken the holds ever taken
// (see Hold), and dropped is what taken was at the last drop of idle
// lists (see DropIdle, dropIfIdle).
var holds, taken, dropped atomic.Int64

// Hold keeps the values put in the lists until release is called: a
// read holds them from its start to its end, and reads that run at once
// share them. After the last release, the next garbage collection calls
// DropAll, unless a hold was taken again in between (the lists then wait
// for its release). release may be called more than once; it releases
// once.
func Hold() (release func()) {
	holds.Add(1)
	taken.Add(1)
	var done atomic.Bool
	return func() {
		if done.Swap(true) {
			return
		}
		if holds.Add(-1) == 0 {
			dropWhenIdle(taken.Load())
		}
	}
}

// An idleMark is made when the last hold is released, and dropped at
// once: the collection that finds it unreachable runs dropIfIdle. It
// holds a pointer, so that it is never one of the tiny allocations that
// share a block (whose cleanups may wait for their neighbours).
type idleMark struct{ _ *idleMark }

func dropWhenIdle(n int64) {
	runtime.AddCleanup(new(idleMark), dropIfIdle, n)
}

// dropIfIdle empties the lists unless a hold is in progress or was taken
// since the release that made the mark (n holds taken by then), whose
// release makes a mark of its own, or DropIdle has emptied them since.
func dropIfIdle(n int64) {
	if taken.Load() == n && holds.Load() == 0 && dropped.Swap(n) != n {
		DropAll()
	}
}

// DropIdle calls DropAll now, unless a hold is in progress: for a read
// so long that the next loses little by allocating again, whose end
// would rather not wait for a collection to have them dropped.
func DropIdle() {
	n := taken.Load() // before holds: a hold taken after it then makes a mark of another n
	if holds.Load() == 0 {
		dropped.Store(n)
		DropAll()
	}
}

// Held reports whether some hold is not yet released: a store given to
// Register keeps a value only when it is, checked under the lock its
// dropper takes, as List.Put does, so that a value is either kept before
// a DropAll empties the store, or not kept at all.
func Held() bool { return holds.Load() > 0 }

// A List holds at most Max values (none when Max is 0, nor while no
// hold is in progress: see Hold); its zero value with Max set is ready
// to use, and it is safe for concurrent use. Its first Put registers it
// with DropAll for the life of the process, so a List is meant to be a
// package-level variable: one made per use would stay reachable from
// the registry.
type List[T any] struct {
	Max int

	mu         sync.Mutex
	free       []T
	registered bool // Drop is among what DropAll calls
}

// Get takes the value put last, and reports whether there was one.
func (l *List[T]) Get() (T, bool) {
	var zero T
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.free)
	if n == 0 {
		return zero, false
	}
	v := l.free[n-1]
	l.free[n-1] = zero // the list no longer keeps it alive
	l.free = l.free[:n-1]
	return v, true
}

// Put keeps v for a later Get, unless the list holds Max values or no
// hold is in progress (see Hold); it reports whether v was kept.
func (l *List[T]) Put(v T) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.registered {
		// Before Held is asked: a DropAll that runs once the holds
		// are released then either empties the list, or takes the
		// droppers before this registration, and so began after the
		// last release, before Held is asked here.
		l.registered = true
		Register(l.Drop)
	}
	if len(l.free) >= l.Max || !Held() {
		return false
	}
	l.free = append(l.free, v)
	return true
}

// Len returns how many values the list holds.
func (l *List[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.free)
}

// Drop empties the list: its values are left to the collector.
func (l *List[T]) Drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.free = nil
}

// The droppers DropAll calls: those of the Lists that were given a
// value, and those given to Register.
var droppers struct {
	sync.Mutex
	f []func()
}

// Register adds drop to what DropAll calls, for a store of values kept
// between uses that is not a List. The store keeps a value only while
// Held, as a List does. drop may be called from several goroutines at
// once (releases that end holds at about the same time).
func Register(drop func()) {
	droppers.Lock()
	defer droppers.Unlock()
	droppers.f = append(droppers.f, drop)
}

// DropAll empties every List that was given a value and calls the
// functions given to Register: the reads whose uses the values waited
// for are over (the first collection after the last hold's release
// calls it, see Hold), and they would otherwise stay beside what they
// made for the life of the process. A later use allocates again.
func DropAll() {
	droppers.Lock()
	f := droppers.f
	droppers.Unlock()
	for _, drop := range f {
		drop()
	}
}
