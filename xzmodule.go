package kabi

import (
	"io"

	"github.com/kabi-dev/kabi/internal/xz"
)

// newXZReader decompresses an xz module file (kmod writes one stream,
// xz --check=crc32), verifying its checks.
func newXZReader(r io.Reader) (io.Reader, error) { return xz.NewReader(r) }
