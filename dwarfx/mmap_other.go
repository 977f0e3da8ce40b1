//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package dwarfx

import (
	"errors"
	"os"
)

const mapSupported = false

func mapFile(*os.File, int64) ([]byte, error) { return nil, errors.New("no mmap") }
func unmapFile([]byte) error                  { return nil }
func dropPages([]byte)                        {}
