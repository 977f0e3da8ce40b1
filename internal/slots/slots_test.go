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
