package slots

import "testing"

// TestRebuild checks that every key is found from its hash by linear
// probing, in an index rebuilt smaller than its memory and larger.
func TestRebuild(t *testing.T) {
	hash := func(i int) uint64 { return uint64(i%7)*0x9e3779b97f4a7c15 ^ uint64(i)<<40 }
	index := make([]uint64, 64)
	for i := range index {
		index[i] = 0xdead // stale slots must be cleared
	}
	for _, tc := range []struct{ size, n int }{{16, 7}, {64, 40}, {256, 100}} {
		index = Rebuild(index, tc.size, tc.n, hash)
		if len(index) < tc.size {
			t.Fatalf("size %d: index of %d slots", tc.size, len(index))
		}
		used := 0
		for _, v := range index[:tc.size] {
			if v != 0 {
				used++
			}
		}
		if used != tc.n {
			t.Fatalf("size %d: %d slots used, want %d", tc.size, used, tc.n)
		}
		mask := uint64(tc.size - 1)
		for k := range tc.n {
			h := hash(k)
			i := h & mask
			for index[i] != Slot(h, k) {
				if index[i] == 0 {
					t.Fatalf("size %d: key %d not found", tc.size, k)
				}
				i = (i + 1) & mask
			}
		}
	}
}

// TestFind checks that Find finds every key of an index, among keys whose
// hashes share their home slot or their high half, and gives a missing
// key's empty slot, from which Find then finds it.
func TestFind(t *testing.T) {
	// Keys 0-9 share the home slot 3; keys 10-19 share the high half
	// of key 0's hash; keys 20-29 neither.
	hash := func(k int) uint64 {
		switch {
		case k < 10:
			return uint64(k)<<32 | 3
		case k < 20:
			return uint64(k)<<3 | 5
		}
		return uint64(k)*0x9e3779b97f4a7c15 | 1<<40
	}
	const size = 64
	var keys []int
	var index []uint64
	for k := range 30 {
		index = Rebuild(index, size, len(keys), func(i int) uint64 { return hash(keys[i]) })
		for _, j := range keys {
			if pos, slot := Find(index[:size], hash(j), func(p int) bool { return keys[p] == j }); pos < 0 || keys[pos] != j || index[slot] != Slot(hash(j), pos) {
				t.Fatalf("key %d: found at position %d, slot %d", j, pos, slot)
			}
		}
		pos, slot := Find(index[:size], hash(k), func(p int) bool { return keys[p] == k })
		if pos != -1 || index[slot] != 0 {
			t.Fatalf("missing key %d: position %d, slot %d holds %#x", k, pos, slot, index[slot])
		}
		keys = append(keys, k)
		index[slot] = Slot(hash(k), len(keys)-1)
		if pos, _ := Find(index[:size], hash(k), func(p int) bool { return keys[p] == k }); pos != len(keys)-1 {
			t.Fatalf("key %d added at its slot: found at %d", k, pos)
		}
	}
}
