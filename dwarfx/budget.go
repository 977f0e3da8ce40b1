package dwarfx

import (
	"debug/elf"
	"fmt"
	"io"
	"math"
	"sync/atomic"
)

// A Budget bounds the bytes that decompression may produce while one input
// file is read: every compressed section of an ELF file, and every
// compressed layer around it (a compressed module, a package's archive),
// takes what it inflates to from the same Budget before it allocates. A
// file whose sections each look plausible, but which together would
// inflate to many times the file's size (a compression bomb), then fails
// with an error wrapping [ErrBudget] instead of exhausting memory.
//
// A Budget is safe for concurrent use. The zero value has no room at all;
// use [NewBudget] or [FileBudget].
type Budget struct {
	limit uint64
	used  atomic.Uint64
}

// DefaultBudgetRatio and MinBudget make the default budget of a file
// ([DefaultBudget]): DefaultBudgetRatio times its size, and at least
// MinBudget. Real inputs stay well below the ratio: debug sections
// compressed with zlib or zstd take a third to a fifth of their size, and a
// distribution's -dbg package (xz) about a sixth.
const (
	DefaultBudgetRatio = 16
	MinBudget          = 64 << 20
)

// DefaultBudget is the budget for a file of size bytes:
// DefaultBudgetRatio times size, and at least MinBudget. A negative size
// (a reader of unknown size) gives MinBudget.
func DefaultBudget(size int64) uint64 {
	if size <= 0 {
		return MinBudget
	}
	if uint64(size) > math.MaxUint64/DefaultBudgetRatio {
		return math.MaxUint64
	}
	return max(uint64(size)*DefaultBudgetRatio, MinBudget)
}

// NewBudget returns a Budget of limit bytes; math.MaxUint64 means no bound.
func NewBudget(limit uint64) *Budget { return &Budget{limit: limit} }

// FileBudget returns the Budget for a file of size bytes: of limit bytes
// when limit is positive, unbounded when it is negative, and of
// [DefaultBudget](size) when it is 0. It is how an option such as
// kabi.Options.MaxDecompressed becomes a Budget.
func FileBudget(size, limit int64) *Budget {
	switch {
	case limit > 0:
		return NewBudget(uint64(limit))
	case limit < 0:
		return NewBudget(math.MaxUint64)
	}
	return NewBudget(DefaultBudget(size))
}

// Limit is the number of bytes the Budget allows in all.
func (b *Budget) Limit() uint64 { return b.limit }

// Used is the number of bytes taken so far.
func (b *Budget) Used() uint64 { return b.used.Load() }

// Take reserves n bytes for what (a section name, say), before they are
// allocated. It fails, taking nothing, with an error wrapping [ErrBudget]
// when that would exceed the limit.
func (b *Budget) Take(what string, n uint64) error {
	for {
		used := b.used.Load()
		if n > b.limit || used > b.limit-n {
			return &budgetError{fmt.Sprintf("%s decompresses to %d bytes, more than the %d left of the file's %d", what, n, b.limit-min(used, b.limit), b.limit)}
		}
		if b.used.CompareAndSwap(used, used+n) {
			return nil
		}
	}
}

// TakeSection reserves the decompressed size of s when it is compressed
// (SHF_COMPRESSED, whose size debug/elf reports decompressed), before
// s.Data or s.Open decompress it; it takes nothing for a section stored
// as it is. Readers that go through debug/elf call it for every section
// they read.
func (b *Budget) TakeSection(s *elf.Section) error {
	if s.Flags&elf.SHF_COMPRESSED == 0 {
		return nil
	}
	return b.Take(s.Name, s.Size)
}

// Reader returns a reader of r that takes what it yields from b as it
// yields it, for decompressing streams whose size is not known before: its
// Read fails with an error wrapping [ErrBudget] once the budget is spent.
// what names the stream in that error.
func (b *Budget) Reader(r io.Reader, what string) io.Reader {
	return &budgetReader{r: r, b: b, what: what}
}

type budgetReader struct {
	r    io.Reader
	b    *Budget
	what string
	n    uint64
	err  error
}

func (br *budgetReader) Read(p []byte) (int, error) {
	if br.err != nil {
		return 0, br.err
	}
	n, err := br.r.Read(p)
	if n > 0 {
		if e := br.b.Take(br.what, uint64(n)); e != nil {
			br.err = &budgetError{fmt.Sprintf("%s decompresses to more than %d bytes, past the file's %d", br.what, br.n+uint64(n), br.b.limit)}
			return 0, br.err
		}
		br.n += uint64(n)
	}
	return n, err
}

// budgetError is the error of a Budget: ErrBudget and what exceeded it.
type budgetError struct{ detail string }

func (e *budgetError) Error() string { return ErrBudget.Error() + ": " + e.detail }
func (e *budgetError) Unwrap() error { return ErrBudget }

// budgetDetail is the detail of a Budget's error, for a FormatError's Msg.
func budgetDetail(err error) string {
	if be, ok := err.(*budgetError); ok {
		return be.detail
	}
	return err.Error()
}
