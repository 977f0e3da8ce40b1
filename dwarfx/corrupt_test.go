package dwarfx

import (
	"bytes"
	"debug/elf"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kabi-dev/kabi/internal/elfcraft"
)

// corruptCase is one damaged copy of a fixture.
type corruptCase struct {
	name string
	data []byte
}

// corruptions returns damaged copies of a fixture: truncated at every
// section boundary and at pseudo-random offsets, and with pseudo-random
// bit flips in the debug sections and anywhere in the file. The seed is
// fixed, so the cases are the same on every run.
func corruptions(t *testing.T, path string) []corruptCase {
	b, ef := elfcraft.ReadFile(t, path)
	var cases []corruptCase
	cut := func(name string, n uint64) {
		if n < uint64(len(b)) {
			cases = append(cases, corruptCase{name, b[:n]})
		}
	}
	type span struct{ off, size uint64 }
	var debug []span
	for _, s := range ef.Sections {
		if s.Type == elf.SHT_NOBITS || s.Size == 0 {
			continue
		}
		cut(fmt.Sprintf("truncated at start of %s", s.Name), s.Offset)
		cut(fmt.Sprintf("truncated in %s", s.Name), s.Offset+s.FileSize/2)
		cut(fmt.Sprintf("truncated at end of %s", s.Name), s.Offset+s.FileSize)
		if len(s.Name) > 7 && s.Name[:7] == ".debug_" {
			debug = append(debug, span{s.Offset, s.FileSize})
		}
	}
	rng := rand.New(rand.NewPCG(1, uint64(len(b))))
	for i := 0; i < 16; i++ {
		cut(fmt.Sprintf("truncated at random #%d", i), rng.Uint64N(uint64(len(b))))
	}
	flip := func(name string, offs ...uint64) {
		c := bytes.Clone(b)
		for _, o := range offs {
			c[o] ^= 1 << rng.UintN(8)
		}
		cases = append(cases, corruptCase{name, c})
	}
	for i := 0; i < 48 && len(debug) > 0; i++ {
		s := debug[rng.IntN(len(debug))]
		var offs []uint64
		for k := 0; k < 1+rng.IntN(3); k++ {
			offs = append(offs, s.off+rng.Uint64N(s.size))
		}
		flip(fmt.Sprintf("bit flips in debug sections #%d at %#x", i, offs), offs...)
	}
	for i := 0; i < 16; i++ {
		o := rng.Uint64N(uint64(len(b)))
		flip(fmt.Sprintf("bit flip anywhere #%d at %#x", i, o), o)
	}
	return cases
}

// TestCorruptInput runs every decoding path over damaged fixtures: each
// case must give an error or a result within a second, never a panic or
// a hang. The panic firewall is off, so a bug fails the test loudly.
func TestCorruptInput(t *testing.T) {
	panicFirewall = false
	defer func() { panicFirewall = true }()
	total := 0
	for _, path := range fixtures(t) {
		cases := corruptions(t, path)
		total += len(cases)
		for _, c := range cases {
			done := make(chan any, 1)
			go func() {
				defer func() { done <- recover() }()
				d, err := New(bytes.NewReader(c.data), c.name)
				if err != nil {
					if _, ok := err.(*FormatError); !ok {
						// Only the ELF layer's own errors may come unwrapped.
						t.Errorf("%s: %s: error is %T, not *FormatError: %v", filepath.Base(path), c.name, err, err)
					}
					return
				}
				exercise(d)
			}()
			select {
			case p := <-done:
				if p != nil {
					t.Errorf("%s: %s: panic: %v", filepath.Base(path), c.name, p)
				}
			case <-time.After(time.Second):
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("%s: %s: no answer within 1s\n%s", filepath.Base(path), c.name, buf)
			}
		}
	}
	t.Logf("%d corrupt-input cases over %d fixtures", total, len(fixtures(t)))
}
