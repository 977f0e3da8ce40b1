package dwarfx

// An arena hands out zeroed values carved from chunks, a few allocations
// per thousand values instead of one each. A recycling arena keeps its
// chunks and hands them out again after rewind; any other drops a chunk
// once it is used up, leaving the values it gave to their holders.
type arena[T any] struct {
	chunks  [][]T
	ci, i   int // the next free value is chunks[ci][i]
	size    int // values per chunk
	recycle bool
}

// take returns n zeroed values with no spare capacity.
func (a *arena[T]) take(n int) []T {
	if n > a.size/4 {
		return make([]T, n) // large: a chunk of its own would waste the rest
	}
	for {
		if a.ci == len(a.chunks) {
			a.chunks = append(a.chunks, make([]T, a.size))
		}
		c := a.chunks[a.ci]
		if a.i+n <= len(c) {
			s := c[a.i : a.i+n : a.i+n]
			a.i += n
			return s // zero: new, or cleared by rewind
		}
		if a.recycle {
			a.ci++
		} else {
			a.chunks[a.ci] = nil // the holders of its values keep it alive
			a.chunks = a.chunks[:a.ci]
		}
		a.i = 0
	}
}

// one returns a pointer to one zeroed value.
func (a *arena[T]) one() *T { return &a.take(1)[0] }

// rewind makes every value of a recycling arena free again, zeroed: the
// caller promises that none of them is used any more.
func (a *arena[T]) rewind() {
	if !a.recycle {
		return
	}
	for _, c := range a.chunks[:a.ci] {
		clear(c)
	}
	if a.ci < len(a.chunks) {
		clear(a.chunks[a.ci][:a.i])
	}
	a.ci, a.i = 0, 0
}

// shrink rewinds a recycling arena and keeps at most max of its chunks,
// so that one big walk does not leave a kept arena big.
func (a *arena[T]) shrink(max int) {
	if len(a.chunks) > max {
		clear(a.chunks[max:])
		a.chunks = a.chunks[:max]
		if a.ci >= max {
			a.ci, a.i = max, 0 // every kept chunk is used up: clear them all
		}
	}
	a.rewind()
}
