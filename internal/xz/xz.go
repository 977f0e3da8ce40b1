package xz

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	ulxz "github.com/ulikunitz/xz"
)

// ErrFormat is wrapped by the errors for a file that is not a well-formed
// xz file.
var ErrFormat = errors.New("not a well-formed xz file")

// MaxBlockSize is the largest uncompressed block [NewParallel] holds in
// memory. A file with a larger block is read sequentially.
const MaxBlockSize = 1 << 30

const (
	headerLen = 12
	footerLen = 12
)

var (
	headerMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	footerMagic = []byte{'Y', 'Z'}
)

// IsXZ reports whether b starts with the xz stream header magic.
func IsXZ(b []byte) bool { return bytes.HasPrefix(b, headerMagic) }

// smallBlock is the largest single block decoded whole rather than
// streamed.
const smallBlock = 64 << 20

// newSequential returns a reader of the uncompressed data of the xz
// stream (or concatenated streams) r, decoded sequentially by the
// library. The caller has checked the blocks' dictionary sizes.
func newSequential(r io.Reader) (io.Reader, error) {
	if _, ok := r.(io.ByteReader); !ok {
		r = bufio.NewReaderSize(r, 1<<16)
	}
	xr, err := ulxz.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return &errReader{r: xr}, nil
}

// errReader marks the decoder's errors as format errors.
type errReader struct{ r io.Reader }

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: the data ends early", ErrFormat)
		} else if !errors.Is(err, ErrFormat) {
			err = fmt.Errorf("%w: %v", ErrFormat, err)
		}
	}
	return n, err
}

// A Block is one block of an xz file, as its stream's index describes it.
type Block struct {
	Offset           int64 // of the block header in the file
	Unpadded         int64 // block header, compressed data and check
	Uncompressed     int64
	flags            [2]byte // the stream flags
	uncompressedFrom int64   // offset of the block's data in the uncompressed output
}

// padded is the block's size in the file.
func (b Block) padded() int64 { return (b.Unpadded + 3) &^ 3 }

// Blocks reads the stream footers and indexes of the xz file r of the
// given size and returns its blocks in file order.
func Blocks(r io.ReaderAt, size int64) ([]Block, error) {
	var streams [][]Block
	end := size
	for end > 0 {
		// Stream padding: zero bytes in units of four.
		var w [4]byte
		for end >= 4 {
			if _, err := r.ReadAt(w[:], end-4); err != nil {
				return nil, fmt.Errorf("%w: reading at %d: %v", ErrFormat, end-4, err)
			}
			if w != [4]byte{} {
				break
			}
			end -= 4
		}
		blocks, start, err := stream(r, end)
		if err != nil {
			return nil, err
		}
		streams = append(streams, blocks)
		end = start
	}
	if len(streams) == 0 {
		return nil, fmt.Errorf("%w: no stream", ErrFormat)
	}
	var all []Block
	var out int64
	for i := len(streams) - 1; i >= 0; i-- {
		for _, b := range streams[i] {
			b.uncompressedFrom = out
			out += b.Uncompressed
			all = append(all, b)
		}
	}
	return all, nil
}

// stream reads the stream that ends at end and returns its blocks and the
// offset of its header.
func stream(r io.ReaderAt, end int64) ([]Block, int64, error) {
	if end < headerLen+footerLen {
		return nil, 0, fmt.Errorf("%w: %d bytes is too short for a stream", ErrFormat, end)
	}
	var foot [footerLen]byte
	if _, err := r.ReadAt(foot[:], end-footerLen); err != nil {
		return nil, 0, fmt.Errorf("%w: reading the stream footer: %v", ErrFormat, err)
	}
	if !bytes.Equal(foot[10:], footerMagic) {
		return nil, 0, fmt.Errorf("%w: no stream footer at %d", ErrFormat, end-footerLen)
	}
	if crc32.ChecksumIEEE(foot[4:10]) != binary.LittleEndian.Uint32(foot[:4]) {
		return nil, 0, fmt.Errorf("%w: stream footer at %d: bad CRC32", ErrFormat, end-footerLen)
	}
	indexSize := (int64(binary.LittleEndian.Uint32(foot[4:8])) + 1) * 4
	indexOff := end - footerLen - indexSize
	if indexOff < headerLen {
		return nil, 0, fmt.Errorf("%w: the index (%d bytes) does not fit before the footer at %d", ErrFormat, indexSize, end-footerLen)
	}
	idx := make([]byte, indexSize) // at most 16 GiB by the field's width, but bounded by the file above
	if _, err := r.ReadAt(idx, indexOff); err != nil {
		return nil, 0, fmt.Errorf("%w: reading the index at %d: %v", ErrFormat, indexOff, err)
	}
	if crc32.ChecksumIEEE(idx[:len(idx)-4]) != binary.LittleEndian.Uint32(idx[len(idx)-4:]) {
		return nil, 0, fmt.Errorf("%w: index at %d: bad CRC32", ErrFormat, indexOff)
	}
	d := idx[:len(idx)-4]
	if len(d) == 0 || d[0] != 0 {
		return nil, 0, fmt.Errorf("%w: index at %d: bad indicator", ErrFormat, indexOff)
	}
	d = d[1:]
	count, d, err := uvarint(d)
	if err != nil || count > uint64(len(d))/2 {
		return nil, 0, fmt.Errorf("%w: index at %d: bad record count", ErrFormat, indexOff)
	}
	blocks := make([]Block, count)
	var total int64
	for i := range blocks {
		var unp, unc uint64
		if unp, d, err = uvarint(d); err == nil {
			unc, d, err = uvarint(d)
		}
		if err != nil || unp == 0 || unp > uint64(end) || unc > 1<<62 {
			return nil, 0, fmt.Errorf("%w: index at %d: bad record %d", ErrFormat, indexOff, i)
		}
		blocks[i] = Block{Unpadded: int64(unp), Uncompressed: int64(unc)}
		total += blocks[i].padded()
		if total > indexOff {
			return nil, 0, fmt.Errorf("%w: index at %d: the blocks do not fit in the file", ErrFormat, indexOff)
		}
	}
	for _, c := range d {
		if c != 0 {
			return nil, 0, fmt.Errorf("%w: index at %d: bad padding", ErrFormat, indexOff)
		}
	}
	start := indexOff - total - headerLen
	if start < 0 {
		return nil, 0, fmt.Errorf("%w: index at %d: the blocks do not fit in the file", ErrFormat, indexOff)
	}
	var head [headerLen]byte
	if _, err := r.ReadAt(head[:], start); err != nil {
		return nil, 0, fmt.Errorf("%w: reading the stream header at %d: %v", ErrFormat, start, err)
	}
	if !bytes.Equal(head[:6], headerMagic) || crc32.ChecksumIEEE(head[6:8]) != binary.LittleEndian.Uint32(head[8:]) {
		return nil, 0, fmt.Errorf("%w: no stream header at %d, where the index at %d puts it", ErrFormat, start, indexOff)
	}
	if head[6] != foot[8] || head[7] != foot[9] {
		return nil, 0, fmt.Errorf("%w: stream at %d: header and footer flags differ", ErrFormat, start)
	}
	off := start + headerLen
	for i := range blocks {
		blocks[i].Offset = off
		blocks[i].flags = [2]byte{head[6], head[7]}
		off += blocks[i].padded()
	}
	return blocks, start, nil
}

func uvarint(d []byte) (uint64, []byte, error) {
	var v uint64
	for i := 0; i < 9 && i < len(d); i++ {
		v |= uint64(d[i]&0x7f) << (7 * i)
		if d[i]&0x80 == 0 {
			if i > 0 && d[i] == 0 {
				return 0, nil, ErrFormat // not the shortest encoding
			}
			return v, d[i+1:], nil
		}
	}
	return 0, nil, ErrFormat
}

func putUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// blockStream returns block b of r as an xz stream of its own.
func blockStream(r io.ReaderAt, b Block) io.Reader {
	head := append(append([]byte{}, headerMagic...), b.flags[0], b.flags[1])
	head = binary.LittleEndian.AppendUint32(head, crc32.ChecksumIEEE(b.flags[:]))
	idx := putUvarint(putUvarint([]byte{0, 1}, uint64(b.Unpadded)), uint64(b.Uncompressed))
	for len(idx)%4 != 0 {
		idx = append(idx, 0)
	}
	idx = binary.LittleEndian.AppendUint32(idx, crc32.ChecksumIEEE(idx))
	var foot [footerLen]byte
	binary.LittleEndian.PutUint32(foot[4:], uint32(len(idx)/4-1))
	foot[8], foot[9] = b.flags[0], b.flags[1]
	copy(foot[10:], footerMagic)
	binary.LittleEndian.PutUint32(foot[:4], crc32.ChecksumIEEE(foot[4:10]))
	return io.MultiReader(bytes.NewReader(head), io.NewSectionReader(r, b.Offset, b.padded()), bytes.NewReader(idx), bytes.NewReader(foot[:]))
}

// MaxDict bounds the LZMA2 dictionary a block may ask for: a decoder
// allocates it whole, so a hostile header could otherwise ask each worker
// for 4 GiB. xz's largest preset (-9) uses 64 MiB.
const MaxDict = 256 << 20

// blockDict returns the LZMA2 dictionary size that block b's header asks
// for (0 when it names no LZMA2 filter).
func blockDict(r io.ReaderAt, b Block) (uint64, error) {
	var size [1]byte
	if _, err := r.ReadAt(size[:], b.Offset); err != nil {
		return 0, fmt.Errorf("%w: block header at %d: %v", ErrFormat, b.Offset, err)
	}
	n := (int(size[0]) + 1) * 4
	if size[0] == 0 || int64(n) > b.Unpadded {
		return 0, fmt.Errorf("%w: block header at %d: size %d", ErrFormat, b.Offset, n)
	}
	h := make([]byte, n)
	if _, err := r.ReadAt(h, b.Offset); err != nil {
		return 0, fmt.Errorf("%w: block header at %d: %v", ErrFormat, b.Offset, err)
	}
	bh, err := parseBlockHeader(h)
	if err != nil {
		return 0, fmt.Errorf("block header at %d: %w", b.Offset, err)
	}
	return bh.dict, nil
}

// decodeBlock decodes block b of r into buf[:0], grown as the data is
// decoded (so a block's claimed size allocates nothing it does not
// decode to), and returns it. in is scratch space for the block's
// compressed bytes (it may be nil); the grown scratch space is returned
// for the next block. Closing done stops the decoding at the next chunk
// of LZMA2 data, with errClosed.
func decodeBlock(r io.ReaderAt, b Block, buf, in []byte, done <-chan struct{}) ([]byte, []byte, error) {
	if own, buf, in, err := decodeOwn(r, b, buf, in, done); own {
		return buf, in, err
	}
	buf, err := decodeLibrary(r, b, buf)
	return buf, in, err
}

// decodeLibrary decodes block b of r into buf[:0], grown as decoded, with
// the library's decoder, for filter chains other than LZMA2 alone.
func decodeLibrary(r io.ReaderAt, b Block, buf []byte) ([]byte, error) {
	buf = buf[:0]
	dict, err := blockDict(r, b)
	if err != nil {
		return buf, err
	}
	if dict > MaxDict {
		return buf, fmt.Errorf("%w: block at %d asks for a %d MiB LZMA2 dictionary; at most %d MiB is allowed", ErrFormat, b.Offset, dict>>20, MaxDict>>20)
	}
	xr, err := ulxz.ReaderConfig{SingleStream: true}.NewReader(bufio.NewReaderSize(blockStream(r, b), 1<<16))
	if err != nil {
		return buf, fmt.Errorf("%w: block at %d: %v", ErrFormat, b.Offset, err)
	}
	size := int(b.Uncompressed)
	for len(buf) < size {
		if len(buf) == cap(buf) {
			buf = growOut(buf, len(buf), len(buf)+1, size)[:len(buf)]
		}
		n, err := xr.Read(buf[len(buf):min(cap(buf), size)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return buf, fmt.Errorf("%w: block at %d: shorter than the %d bytes its index says", ErrFormat, b.Offset, b.Uncompressed)
		}
		if err != nil {
			return buf, fmt.Errorf("%w: block at %d: %v", ErrFormat, b.Offset, err)
		}
	}
	// Read on to the end: the decoder checks the block's check and sizes.
	var one [1]byte
	if n, err := xr.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			return buf, fmt.Errorf("%w: block at %d: longer than the %d bytes its index says", ErrFormat, b.Offset, b.Uncompressed)
		}
		return buf, fmt.Errorf("%w: block at %d: %v", ErrFormat, b.Offset, err)
	}
	return buf, nil
}

// errDecoderPanic marks the error of a decoder that panicked: a bug,
// which the fuzz targets fail on though callers see ErrFormat.
var errDecoderPanic = errors.New("the decoder failed")

// decodeSafely is decodeBlock with a panic in the decoder (a bug, met on
// some input) turned into an error: it runs on a goroutine of its own,
// where no caller could recover it.
func decodeSafely(r io.ReaderAt, b Block, buf, in []byte, done <-chan struct{}) (_, _ []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: block at %d: %w: %v", ErrFormat, b.Offset, errDecoderPanic, v)
		}
	}()
	return decodeBlock(r, b, buf, in, done)
}

// ParallelOptions configures [NewParallel]. The zero value gives the
// defaults.
type ParallelOptions struct {
	// Concurrency is the number of blocks decoded at once; 0 means
	// GOMAXPROCS. At most Concurrency+1 decoded blocks are held.
	Concurrency int

	// Alloc, when not nil, allocates the buffers decoded blocks are held
	// in, and returns the function that frees one; it is meant to take
	// them off the Go heap (an anonymous mapping), where tens of
	// megabytes a block would otherwise add to the heap the garbage
	// collector paces itself by, and make it run more often. A buffer
	// is allocated at the size the index gives its block (at most
	// [MaxBlockSize]) and reused for the blocks after it, so Alloc
	// should give memory that costs nothing until it is written, as a
	// mapping does: the size a hostile index claims then takes address
	// space, not memory. The reader frees its buffers when it reaches
	// the end or is closed. Without Alloc, a block's buffer is on the
	// heap and grows as its data is decoded.
	Alloc func(n int) ([]byte, func(), error)

	// From is the offset in the uncompressed data the reader starts at:
	// the blocks before the one that holds it are not decoded (a
	// sequential reader decodes and discards them).
	From int64
}

// NewParallel returns a reader of the uncompressed data of the xz file r
// of the given size. When the file's index lists more than one block (and
// none larger than [MaxBlockSize]), blocks are decoded by Concurrency
// goroutines ahead of the reader; otherwise the file is decoded
// sequentially. Close stops the goroutines; it must be called when the
// reader is not read to its end. A reader that decodes in parallel also
// has the method StopAt(offset int64), which bounds how far ahead it
// decodes.
func NewParallel(r io.ReaderAt, size int64, opts *ParallelOptions) (io.ReadCloser, error) {
	blocks, err := Blocks(r, size)
	if err != nil {
		return nil, err
	}
	all := blocks // the dictionaries a sequential reader allocates are those of all of them
	var from int64
	if opts != nil && opts.From > 0 {
		from = opts.From
		k := 0
		for k < len(blocks) && blocks[k].uncompressedFrom+blocks[k].Uncompressed <= from {
			k++
		}
		blocks = blocks[k:]
	}
	workers := runtime.GOMAXPROCS(0)
	if opts != nil && opts.Concurrency > 0 {
		workers = opts.Concurrency
	}
	// Blocks are decoded whole, by this package's decoder, when there
	// are workers to run ahead, or when the file is one small block (a
	// compressed module, a control member); else the file is streamed
	// through the library's decoder, which holds only its dictionary. A
	// reader from an offset takes blocks whole whenever it can, so that
	// the blocks before it are never decoded.
	parallel := (workers > 1 || from > 0) && len(blocks) > 1 || len(blocks) == 1 && (blocks[0].Uncompressed <= smallBlock || from > 0)
	for _, b := range blocks {
		parallel = parallel && b.Uncompressed <= MaxBlockSize
	}
	if !parallel {
		// The library allocates each block's dictionary as its header
		// asks: the headers are checked first.
		for _, b := range all {
			dict, err := blockDict(r, b)
			if err != nil {
				return nil, err
			}
			if dict > MaxDict {
				return nil, fmt.Errorf("%w: block at %d asks for a %d MiB LZMA2 dictionary; at most %d MiB is allowed", ErrFormat, b.Offset, dict>>20, MaxDict>>20)
			}
		}
		sr, err := newSequential(io.NewSectionReader(r, 0, size))
		if err != nil {
			return nil, err
		}
		if from > 0 {
			if _, err := io.CopyN(io.Discard, sr, from); err != nil {
				return nil, fmt.Errorf("%w: the data ends before offset %d", ErrFormat, from)
			}
		}
		return io.NopCloser(sr), nil
	}
	p := &parallelReader{
		r: r, blocks: blocks,
		stopAt:  new(atomic.Int64),
		results: make([]chan result, len(blocks)),
		window:  make(chan struct{}, workers+1),
		free:    make(chan blockBuf, workers+2),
		done:    make(chan struct{}),
	}
	if opts != nil {
		p.alloc = opts.Alloc
	}
	for i := range p.results {
		p.results[i] = make(chan result, 1)
	}
	p.stopAt.Store(math.MaxInt64)
	if len(blocks) > 0 && from > 0 {
		p.offset, p.skip = from, from-blocks[0].uncompressedFrom
	}
	work := make(chan int)
	p.wg.Add(1 + workers)
	go func() { // dispatcher: a block enters the window before it is decoded
		defer p.wg.Done()
		defer close(work)
		for i := range blocks {
			select {
			case p.window <- struct{}{}:
			case <-p.done:
				return
			}
			if blocks[i].uncompressedFrom >= p.stopAt.Load() {
				return // the reader will not read this far: its result is never taken
			}
			select {
			case work <- i:
			case <-p.done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer p.wg.Done()
			var in []byte // the worker's compressed bytes
			for i := range work {
				b := blocks[i]
				var buf blockBuf
				select {
				case buf = <-p.free:
				default:
				}
				buf = p.sized(buf, b.Uncompressed)
				data, next, err := decodeSafely(stopReader{r, p.done}, b, buf.data[:0], in, p.done)
				in = next
				if buf.release == nil {
					buf.data = data // a heap buffer, grown as decoded: reused
				}
				p.results[i] <- result{data, buf, err}
			}
		}()
	}
	return p, nil
}

type result struct {
	data []byte   // the decoded block
	buf  blockBuf // it is in, to be reused
	err  error
}

// A blockBuf is a buffer that blocks are decoded into: from
// ParallelOptions.Alloc (release frees it), or on the heap (release is
// nil).
type blockBuf struct {
	data    []byte
	release func()
}

func (b blockBuf) free() {
	if b.release != nil {
		b.release()
	}
}

// minAlloc is the smallest block whose buffer is taken from
// ParallelOptions.Alloc: smaller ones, such as a package's control
// member, cost the heap little. (A variable for the tests.)
var minAlloc int64 = 1 << 20

// sized returns buf, or a buffer from p.alloc that replaces it, to decode
// a block of size bytes into: with p.alloc, a buffer of at least size
// bytes, allocated whole (see ParallelOptions.Alloc).
func (p *parallelReader) sized(buf blockBuf, size int64) blockBuf {
	if p.alloc == nil || int64(cap(buf.data)) >= size || size < minAlloc {
		return buf
	}
	buf.free()
	data, release, err := p.alloc(int(size))
	if err != nil {
		return blockBuf{} // decoded onto the heap instead
	}
	return blockBuf{data, release}
}

type parallelReader struct {
	r       io.ReaderAt
	blocks  []Block
	stopAt  *atomic.Int64 // no block starting at or past it is decoded
	offset  int64         // of the next byte Read returns
	results []chan result
	window  chan struct{}
	free    chan blockBuf
	done    chan struct{}
	alloc   func(int) ([]byte, func(), error)
	wg      sync.WaitGroup

	next   int    // the next block to take
	skip   int64  // bytes of the first block before ParallelOptions.From
	cur    []byte // the rest of the current block
	curBuf blockBuf
	held   bool // curBuf holds a block
	err    error
	closed bool
}

func (p *parallelReader) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.held {
			select {
			case p.free <- p.curBuf:
			default:
				p.curBuf.free()
			}
			p.curBuf, p.held = blockBuf{}, false
			<-p.window
		}
		if p.next == len(p.blocks) {
			// Every block is decoded and taken: no worker uses the
			// buffers kept for reuse.
			p.err = io.EOF
			p.freeKept()
			return 0, io.EOF
		}
		if p.blocks[p.next].uncompressedFrom >= p.stopAt.Load() {
			p.err = errStopped
			return 0, p.err
		}
		res := <-p.results[p.next]
		p.next++
		p.cur, p.curBuf, p.held = res.data, res.buf, true
		if res.err != nil {
			p.err = res.err
			p.cur = nil
			return 0, p.err
		}
		if p.skip > 0 {
			p.cur = p.cur[min(p.skip, int64(len(p.cur))):]
			p.skip = 0
		}
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	p.offset += int64(n)
	return n, nil
}

var errStopped = errors.New("xz: read past the offset given to StopAt")

// StopAt tells the reader that its data will not be read past offset
// (counted in the uncompressed data): blocks that start there or later
// are not decoded, and a Read that would need one fails. It is how a
// caller that found what it wanted saves the decoding of the blocks the
// reader would otherwise run ahead into.
func (p *parallelReader) StopAt(offset int64) {
	p.stopAt.Store(max(offset, p.offset))
}

// Close stops the decoding goroutines and waits for them.
func (p *parallelReader) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.done) // the dispatcher stops; a worker's block stops at its next chunk or read
	p.wg.Wait()
	if p.err == nil {
		p.err = errors.New("xz: read after Close")
	}
	if p.held {
		p.curBuf.free()
	}
	p.cur, p.curBuf, p.held = nil, blockBuf{}, false
	for _, ch := range p.results[p.next:] {
		select {
		case res := <-ch:
			res.buf.free()
		default:
		}
	}
	p.freeKept()
	return nil
}

// freeKept frees the buffers kept for reuse.
func (p *parallelReader) freeKept() {
	for {
		select {
		case b := <-p.free:
			b.free()
		default:
			return
		}
	}
}

// stopReader fails its reads once done is closed.
type stopReader struct {
	r    io.ReaderAt
	done chan struct{}
}

var errClosed = errors.New("xz: reader closed")

func (s stopReader) ReadAt(b []byte, off int64) (int, error) {
	select {
	case <-s.done:
		return 0, errClosed
	default:
	}
	return s.r.ReadAt(b, off)
}
