//go:build unix

package cputime

import "testing"

func TestProcessAdvances(t *testing.T) {
	start := Process()
	x := 0
	for i := range 200_000_000 {
		x ^= i * i
	}
	if d := Process() - start; d <= 0 {
		t.Errorf("no CPU time measured over a busy loop (%d)", x)
	}
}
