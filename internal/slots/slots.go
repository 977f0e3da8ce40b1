// Package slots builds and searches the index of an open-addressing hash
// table whose keys the caller keeps in a slice of its own: each slot
// holds the high half of a key's hash and the key's position plus one
// (zero: empty), so the index holds no pointers for the collector to
// follow, and keys are found by linear probing from their hash's low
// bits (Find).
package slots

import "math/bits"

// Mix is a step of the tables' hashes: the two halves of the product of
// a and b, folded.
func Mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// Slot is the slot of the key at position i whose hash is h.
func Slot(h uint64, i int) uint64 { return h>>32<<32 | uint64(i+1) }

// Rebuild returns the index of n keys in size slots (a power of two,
// more than n), the hash of the key at position i being hash(i). It
// reuses the memory of index, cleared, when it has room.
func Rebuild(index []uint64, size, n int, hash func(i int) uint64) []uint64 {
	if size > len(index) {
		index = make([]uint64, size)
	} else {
		clear(index[:size])
	}
	mask := uint64(size - 1)
	for k := range n {
		h := hash(k)
		i := h & mask
		for index[i] != 0 {
			i = (i + 1) & mask
		}
		index[i] = Slot(h, k)
	}
	return index
}

// Find looks for the key whose hash is h in index, of a power of two
// slots: it returns the key's position, the first whose slot holds h's
// high half for which same is true, and its slot; or -1 and the empty
// slot where the key goes. index must have an empty slot.
func Find(index []uint64, h uint64, same func(pos int) bool) (pos, slot int) {
	mask := len(index) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		v := index[i]
		if v == 0 {
			return -1, i
		}
		if (v^h)>>32 == 0 && same(int(uint32(v))-1) {
			return int(uint32(v)) - 1, i
		}
	}
}
