package kabi

import (
	"encoding/binary"
	"testing"

	"github.com/kabi-dev/kabi/internal/index"
)

// TestReadLengthsWrap: a string length so large that adding it wraps the
// running total below the section's size is refused, not taken as an
// offset that goes backwards (string slices then panicked).
func TestReadLengthsWrap(t *testing.T) {
	data := binary.AppendUvarint(nil, 3)
	data = binary.AppendUvarint(data, ^uint64(0))
	data = append(data, "abcdef"...)
	d := index.NewDec(data, "x.kabi", "strings 0")
	offs := make([]uint32, 3)
	if _, ok := readLengths(d, offs); ok || d.Err() == nil {
		t.Fatalf("lengths 3 and 2^64-1 accepted: offsets %v", offs)
	}
	d = index.NewDec(append(binary.AppendUvarint(binary.AppendUvarint(nil, 2), 3), "abcde"...), "x.kabi", "strings 0")
	if total, ok := readLengths(d, offs); !ok || total != 5 || offs[1] != 2 || offs[2] != 5 {
		t.Fatalf("lengths 2 and 3: %d %v %v", total, ok, offs)
	}
}
