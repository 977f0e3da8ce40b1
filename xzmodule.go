package kabi

import (
	"io"

	"github.com/kabi-dev/kabi/internal/xz"
)

// newXZReader decompresses an xz module file (kmod writes one stream,
// xz --check=crc32), verifying its checks. A block asking for an LZMA2
// dictionary over xz.MaxDict is refused before anything is allocated
// for it.
func newXZReader(f io.ReaderAt, size int64) (io.ReadCloser, error) {
	return xz.NewParallel(f, size, &xz.ParallelOptions{Concurrency: 1})
}
