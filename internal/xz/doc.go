// Package xz reads xz files (https://tukaani.org/xz/xz-file-format.txt):
// sequentially, or, for a file whose index lists several blocks, with the
// blocks decoded in parallel and their output delivered in order.
//
// Decoding is done by github.com/ulikunitz/xz; this package reads the
// stream footers and indexes itself, to find the blocks, and hands each
// block to the decoder as a stream of its own (header, the block, a
// one-record index and a footer), so the decoder verifies each block's
// check and sizes as it would in the whole file.
//
// # Security
//
// Every size read from the file is checked against the file's size and
// against [MaxBlockSize] before memory is allocated for it; a corrupt or
// hostile file gives an error wrapping [ErrFormat], never a panic.
//
// # Concurrency
//
// A reader returned by [NewParallel] runs its own goroutines until it
// reaches the end or is closed; it is not itself safe for concurrent use.
package xz
