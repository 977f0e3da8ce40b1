package xz

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// A Random reads the uncompressed data of an xz file at any offset. The
// index at the end of each stream says where every block's data lies in
// the output, and blocks are independent, so only the blocks that hold
// what is read are decoded: a file inside a big archive can be read
// without decoding the data before it, after it, or in its parts that
// are not wanted.
//
// Every block that is decoded is checked as a sequential read checks it
// (sizes, padding, the check); a block that is not decoded is not.
type Random struct {
	r      io.ReaderAt
	blocks []Block
	size   int64 // of the uncompressed data

	mu    sync.Mutex     // guards cache
	cache [2]cachedBlock // the blocks ReadAt decoded last, the latest first

	decoded atomic.Int64 // blocks decoded, by ReadAt and Fill
	limit   int64        // on the bytes decoded (SetLimit)
	spent   atomic.Int64 // bytes decoded
}

// SetLimit bounds the bytes the Random decodes, over every block it
// decodes: a block past it is an error wrapping ErrFormat, before it is
// decoded. It is a decompression budget: a small file whose index claims
// many large blocks cannot make it decode without end.
func (x *Random) SetLimit(n int64) { x.limit = n }

// ErrLargeBlock is returned by NewRandom for a file with a block larger
// than MaxBlockSize, which it cannot decode whole (NewParallel streams
// such a file).
var ErrLargeBlock = errors.New("xz: a block too large to read at offsets")

// A cachedBlock is a decoded block kept by ReadAt.
type cachedBlock struct {
	i    int // the block; -1 for none
	data []byte
}

// NewRandom returns a Random of the xz file r of the given size. A block
// larger than [MaxBlockSize] is an error: a block is decoded whole.
func NewRandom(r io.ReaderAt, size int64) (*Random, error) {
	blocks, err := Blocks(r, size)
	if err != nil {
		return nil, err
	}
	x := &Random{r: r, blocks: blocks, cache: [2]cachedBlock{{i: -1}, {i: -1}}, limit: math.MaxInt64}
	for _, b := range blocks {
		if b.Uncompressed < 0 || b.Uncompressed > MaxBlockSize {
			return nil, fmt.Errorf("%w: block at %d: %d bytes uncompressed, more than the %d a block may have to be read at offsets", ErrLargeBlock, b.Offset, b.Uncompressed, int64(MaxBlockSize))
		}
		x.size += b.Uncompressed
	}
	return x, nil
}

// Size is the size of the uncompressed data, as the index says.
func (x *Random) Size() int64 { return x.size }

// Blocks is the number of blocks of the file.
func (x *Random) Blocks() int { return len(x.blocks) }

// Decoded is the number of blocks decoded so far.
func (x *Random) Decoded() int64 { return x.decoded.Load() }

// block returns the index of the block that holds offset off (0 ≤ off <
// Size), skipping empty blocks.
func (x *Random) block(off int64) int {
	return sort.Search(len(x.blocks), func(i int) bool {
		b := &x.blocks[i]
		return b.uncompressedFrom+b.Uncompressed > off
	})
}

// decode decodes block i into buf[:0] (grown as needed), with in as
// scratch space for its compressed bytes; closing done stops it.
func (x *Random) decode(i int, buf, in []byte, done <-chan struct{}) (data, in2 []byte, err error) {
	b := x.blocks[i]
	if x.spent.Add(b.Uncompressed) > x.limit {
		return buf[:0], in, fmt.Errorf("%w: block at %d: decoding it would take past the %d bytes allowed", ErrFormat, b.Offset, x.limit)
	}
	data, in, err = decodeSafely(x.r, b, buf[:0], in, done)
	if err == nil && int64(len(data)) != b.Uncompressed {
		err = fmt.Errorf("%w: block at %d: %d bytes decoded, where the index says %d", ErrFormat, b.Offset, len(data), b.Uncompressed)
	}
	x.decoded.Add(1)
	return data, in, err
}

// ReadAt reads len(p) bytes of the uncompressed data from offset off. It
// keeps the last two blocks it decoded, so that small reads close
// together (an archive's headers, a file's header and its table at its
// end) decode each block once, and Fill takes them from there. It may be
// called while Fill runs: it holds no lock while it decodes.
func (x *Random) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("xz: ReadAt: negative offset %d", off)
	}
	n := 0
	for len(p) > 0 && off < x.size {
		i := x.block(off)
		data, ok := x.cached(i)
		if !ok {
			// A buffer of its own, grown as decoded (a block's claimed
			// size allocates nothing it does not decode to), never
			// reused: a Fill may be copying from a block this drops.
			var err error
			if data, _, err = x.decode(i, nil, nil, nil); err != nil {
				return n, err
			}
			x.mu.Lock()
			x.cache[1], x.cache[0] = x.cache[0], cachedBlock{i, data}
			x.mu.Unlock()
		}
		c := copy(p, data[off-x.blocks[i].uncompressedFrom:])
		n += c
		p = p[c:]
		off += int64(c)
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// cached returns the data of block i if ReadAt holds it.
func (x *Random) cached(i int) ([]byte, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, c := range x.cache {
		if c.i == i {
			if k == 1 {
				x.cache[0], x.cache[1] = x.cache[1], x.cache[0]
			}
			return c.data, true
		}
	}
	return nil, false
}

// A Range is a span of the uncompressed data: Len bytes from Off.
type Range struct{ Off, Len int64 }

// Merge returns ranges (non-negative lengths) in offset order, the
// empty ones dropped and those that overlap or touch joined into one.
func Merge(ranges []Range) []Range {
	rs := make([]Range, 0, len(ranges))
	for _, r := range ranges {
		if r.Len > 0 {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b Range) int { return cmp.Compare(a.Off, b.Off) })
	merged := rs[:0]
	for _, r := range rs {
		if n := len(merged); n > 0 && r.Off <= merged[n-1].Off+merged[n-1].Len {
			last := &merged[n-1]
			last.Len = max(last.Len, r.Off+r.Len-last.Off)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// Fill copies the bytes of ranges of the uncompressed data into dst,
// whose first byte is the data's byte at offset base: every range must
// lie within base and base+len(dst). The blocks that hold them are
// decoded once each, by up to workers goroutines at once (0 means
// GOMAXPROCS). A block that lies within dst is decoded in place, so
// that its bytes are not copied: the bytes of dst outside the ranges may
// then be written too, with the data's bytes at their offsets. Closing
// done stops the decoding, with an error.
func (x *Random) Fill(dst []byte, base int64, ranges []Range, workers int, done <-chan struct{}) error {
	rs := make([]Range, 0, len(ranges))
	for _, r := range ranges {
		if r.Len == 0 {
			continue
		}
		if r.Off < base || r.Len < 0 || r.Off-base > int64(len(dst))-r.Len || r.Off > x.size-r.Len {
			return fmt.Errorf("xz: Fill: range %d+%d is outside the %d bytes at %d (the data has %d)", r.Off, r.Len, len(dst), base, x.size)
		}
		rs = append(rs, r)
	}
	merged := Merge(rs)
	// The blocks to decode, in order, each with the ranges it serves.
	type job struct {
		block  int
		ranges []Range
	}
	var jobs []job
	for _, r := range merged {
		for off := r.Off; off < r.Off+r.Len; {
			i := x.block(off)
			b := &x.blocks[i]
			end := min(r.Off+r.Len, b.uncompressedFrom+b.Uncompressed)
			if n := len(jobs); n > 0 && jobs[n-1].block == i {
				jobs[n-1].ranges = append(jobs[n-1].ranges, Range{off, end - off})
			} else {
				jobs = append(jobs, job{i, []Range{{off, end - off}}})
			}
			off = end
		}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(jobs))
	stop := make(chan struct{})
	var once sync.Once
	var firstErr error
	fail := func(err error) {
		once.Do(func() { firstErr = err; close(stop) })
	}
	merge := make(chan struct{}) // closed when done or stop is
	go func() {
		select {
		case <-done:
			fail(fmt.Errorf("xz: Fill: stopped"))
		case <-stop:
		}
		close(merge)
	}()
	next := atomic.Int64{}
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			defer func() { // a bug met on some input is an error, not a crash: no caller could recover it here
				if v := recover(); v != nil {
					fail(fmt.Errorf("%w: %w: %v", ErrFormat, errDecoderPanic, v))
				}
			}()
			var buf, in []byte
			for {
				k := int(next.Add(1) - 1)
				if k >= len(jobs) {
					return
				}
				select {
				case <-merge:
					return
				default:
				}
				j := jobs[k]
				b := &x.blocks[j.block]
				from := b.uncompressedFrom
				data, ok := x.cached(j.block)
				if !ok && from >= base && from-base <= int64(len(dst))-b.Uncompressed {
					// In place: the decoder fills the buffer it is given
					// when it is large enough.
					at := dst[from-base : from-base+b.Uncompressed : from-base+b.Uncompressed]
					out, in2, err := x.decode(j.block, at, in, merge)
					in = in2
					if err != nil {
						fail(err)
						return
					}
					if len(out) > 0 && &out[0] == &at[0] {
						continue
					}
					data = out // decoded elsewhere after all: copied below
				} else if !ok {
					out, in2, err := x.decode(j.block, buf, in, merge)
					buf, in = out, in2
					if err != nil {
						fail(err)
						return
					}
					data = out
				}
				for _, r := range j.ranges {
					copy(dst[r.Off-base:r.Off-base+r.Len], data[r.Off-from:])
				}
			}
		}()
	}
	wg.Wait()
	fail(nil) // ends the watcher: firstErr stays the first failure's
	<-merge
	return firstErr
}

// Inner returns the span of the blocks whose data lies wholly within the
// n bytes from off: filling it decodes each of them in place into a
// destination that holds it, and no block outside it. Its Len is 0 when
// no block lies within.
func (x *Random) Inner(off, n int64) Range {
	lo, hi := int64(-1), int64(-1)
	for i := x.block(max(off, 0)); i < len(x.blocks); i++ {
		b := &x.blocks[i]
		if b.uncompressedFrom+b.Uncompressed > off+n {
			break
		}
		if b.uncompressedFrom >= off && b.Uncompressed > 0 {
			if lo < 0 {
				lo = b.uncompressedFrom
			}
			hi = b.uncompressedFrom + b.Uncompressed
		}
	}
	if lo < 0 {
		return Range{}
	}
	return Range{Off: lo, Len: hi - lo}
}
