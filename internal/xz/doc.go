// Package xz reads xz files (https://tukaani.org/xz/xz-file-format.txt):
// sequentially, or, for a file whose index lists several blocks, with the
// blocks decoded in parallel and their output delivered in order.
//
// Blocks are decoded whole by this package's own LZMA2 decoder, which
// writes into the block's output buffer (that buffer is the dictionary, so
// a match is a copy within it); it verifies each block's header CRC32,
// sizes, padding and check (CRC32, CRC64 or SHA-256). On this machine it
// decodes Debian's kernel packages with about the CPU per byte of xz -T1
// (liblzma 5.4), where github.com/ulikunitz/xz takes about 1.8 times
// that: the bits of literals and bit trees are decoded without branches
// (see rcSym). A file that is one block too large to hold is streamed
// through github.com/ulikunitz/xz instead (as is a block with filters
// other than LZMA2 alone); that library is also the reference the decoder
// is tested and fuzzed against.
//
// # Security
//
// Every size read from the file is checked against the file's size and
// against [MaxBlockSize] before memory is allocated for it, and every
// block's LZMA2 dictionary against [MaxDict]; a corrupt or
// hostile file gives an error wrapping [ErrFormat], never a panic. A
// block's output buffer on the heap grows as its data is decoded, so the
// size its index claims allocates nothing the data does not decode to;
// one from [ParallelOptions].Alloc (a mapping, off the heap) is taken at
// that size, which costs address space until the data is written.
//
// # Concurrency
//
// A reader returned by [NewParallel] runs its own goroutines until it
// reaches the end or is closed; it is not itself safe for concurrent use.
package xz
