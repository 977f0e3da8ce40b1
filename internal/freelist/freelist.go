// Package freelist keeps values between the uses of a resource that a
// long read takes over and over (tables, scratch memory), in a bounded
// stack that, unlike a sync.Pool's, no garbage collection empties: a
// whole kernel's read runs dozens of collections, and every value a
// pool loses is allocated again, on a machine where touching fresh
// memory is dear.
package freelist

import "sync"

// A List holds at most Max values (none when Max is 0); its zero value
// with Max set is ready to use, and it is safe for concurrent use. Its
// first Put registers it with DropAll for the life of the process, so a
// List is meant to be a package-level variable: one made per use would
// stay reachable from the registry.
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

// Put keeps v for a later Get, unless the list holds Max values; it
// reports whether v was kept.
func (l *List[T]) Put(v T) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) >= l.Max {
		return false
	}
	if !l.registered {
		l.registered = true
		Register(l.Drop)
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
// between uses that is not a List.
func Register(drop func()) {
	droppers.Lock()
	defer droppers.Unlock()
	droppers.f = append(droppers.f, drop)
}

// DropAll empties every List that was given a value and calls the
// functions given to Register: the long read whose uses the values
// waited for is over, and they would otherwise stay beside what it
// made for the life of the process. A later use allocates again.
func DropAll() {
	droppers.Lock()
	f := droppers.f
	droppers.Unlock()
	for _, drop := range f {
		drop()
	}
}
