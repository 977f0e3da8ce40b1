package dwarfx

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/kabi-dev/kabi/internal/elfcraft"
)

// compressSections is elfcraft.CompressSections, failing the test on error.
func compressSections(t testing.TB, b []byte, size int, names ...string) []byte {
	t.Helper()
	out, err := elfcraft.CompressSections(b, size, names...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBudgetBomb is the regression test for a compression bomb whose
// sections each look plausible: two string sections that inflate to
// 4 MiB each. The budget is for the file: a budget of 6 MiB admits the
// first and refuses the second, naming it, before allocating for it; 9 MiB
// admits both and reads the file; the default budget of the small file
// (64 MiB) admits both too, and the bytes taken are what the sections
// inflate to.
func TestBudgetBomb(t *testing.T) {
	const size = 4 << 20
	b := compressSections(t, fixtureCopy(t, "x86_64-dwarf5.elf"), size, ".debug_str", ".debug_line_str")
	if len(b) > size/50 {
		t.Fatalf("the bomb has %d bytes", len(b))
	}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}

	budget := NewBudget(6 << 20)
	_, err = NewFromELFOptions(ef, bytes.NewReader(b), "bomb.elf", &Options{Budget: budget})
	checkFormatError(t, err, ErrBudget, ".debug_line_str", 0)
	if !strings.Contains(err.Error(), "bomb.elf") || !strings.Contains(err.Error(), "4194304 bytes") {
		t.Errorf("message %q does not name the file and the size", err)
	}
	if budget.Used() != size {
		t.Errorf("used %d after the refusal, want %d (the first section only)", budget.Used(), size)
	}

	budget = NewBudget(9 << 20)
	d, err := NewFromELFOptions(ef, bytes.NewReader(b), "bomb.elf", &Options{Budget: budget})
	if err != nil {
		t.Fatal(err)
	}
	if budget.Used() != 2*size || len(d.str) != size || len(d.lineStr) != size {
		t.Errorf("used %d, sections %d and %d bytes, want %d each", budget.Used(), len(d.str), len(d.lineStr), size)
	}
	if _, err := New(bytes.NewReader(b), "bomb.elf"); err != nil {
		t.Errorf("default budget: %v", err)
	}
}

// TestBudgetDefault checks the rule of the default budget.
func TestBudgetDefault(t *testing.T) {
	for _, tc := range []struct {
		size int64
		want uint64
	}{
		{-1, MinBudget}, {0, MinBudget}, {1 << 20, MinBudget},
		{4 << 20, MinBudget}, {5 << 20, 80 << 20}, {630 << 20, 16 * 630 << 20},
		{math.MaxInt64, math.MaxUint64},
	} {
		if got := DefaultBudget(tc.size); got != tc.want {
			t.Errorf("DefaultBudget(%d) = %d, want %d", tc.size, got, tc.want)
		}
	}
	for _, tc := range []struct {
		size, limit int64
		want        uint64
	}{{1 << 30, 0, 16 << 30}, {1 << 30, 1000, 1000}, {1 << 30, -1, math.MaxUint64}} {
		if got := FileBudget(tc.size, tc.limit).Limit(); got != tc.want {
			t.Errorf("FileBudget(%d, %d) = %d, want %d", tc.size, tc.limit, got, tc.want)
		}
	}
}

// TestBudgetTake checks that takes add up, that a refused take takes
// nothing, and that concurrent takes never exceed the limit together.
func TestBudgetTake(t *testing.T) {
	b := NewBudget(100)
	if err := b.Take("a", 60); err != nil {
		t.Fatal(err)
	}
	err := b.Take("b", 41)
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "b decompresses to 41 bytes, more than the 40 left") {
		t.Errorf("got %v", err)
	}
	if err := b.Take("c", 40); err != nil || b.Used() != 100 {
		t.Errorf("take to the limit: %v, used %d", err, b.Used())
	}
	if err := b.Take("d", math.MaxUint64); !errors.Is(err, ErrBudget) {
		t.Errorf("huge take: %v", err)
	}

	b = NewBudget(1000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if b.Take("x", 3) == nil {
					mu.Lock()
					granted += 3
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if granted != 999 || b.Used() != 999 {
		t.Errorf("granted %d, used %d, want 999", granted, b.Used())
	}
}

// TestBudgetReader checks the streaming form: a stream is read whole
// within its budget, and fails with ErrBudget past it.
func TestBudgetReader(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	got, err := io.ReadAll(NewBudget(10000).Reader(bytes.NewReader(data), "stream"))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("within the budget: %v, %d bytes", err, len(got))
	}
	b := NewBudget(9999)
	_, err = io.ReadAll(b.Reader(bytes.NewReader(data), "data.tar"))
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "data.tar") {
		t.Errorf("past the budget: %v", err)
	}
	if b.Used() > 9999 {
		t.Errorf("used %d of 9999", b.Used())
	}
}

// TestBudgetSection checks TakeSection: stored sections take nothing,
// compressed ones their decompressed size.
func TestBudgetSection(t *testing.T) {
	b := fixtureCopy(t, "x86_64-zlib.elf")
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	budget := NewBudget(math.MaxUint64)
	want := uint64(0)
	for _, s := range ef.Sections {
		if err := budget.TakeSection(s); err != nil {
			t.Fatal(err)
		}
		if s.Flags&elf.SHF_COMPRESSED != 0 {
			want += s.Size
		}
	}
	if want == 0 || budget.Used() != want {
		t.Errorf("used %d, want %d (> 0)", budget.Used(), want)
	}
	info := ef.Section(".debug_info")
	if err := NewBudget(info.Size - 1).TakeSection(info); !errors.Is(err, ErrBudget) {
		t.Errorf("compressed .debug_info past the budget: %v", err)
	}
}
