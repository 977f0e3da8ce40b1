package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/kabi-dev/kabi"
)

// modulesFlag is the -modules flag of show, dump and stats.
var modulesFlag string

const modulesUsage = "read the module tree DIR with vmlinux (auto: the one beside it, see kabi.ModuleDir, or the one in a package)"

// isPackage reports whether the file at path is a Debian package (an ar
// archive).
func isPackage(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [8]byte
	n, _ := io.ReadFull(f, b[:])
	return n == len(b) && string(b[:]) == "!<arch>\n"
}

// moduleDir resolves -modules for the vmlinux at path: auto takes the
// release from the file name (vmlinux-RELEASE).
func moduleDir(path, flag string) (string, error) {
	if flag != "auto" {
		return flag, nil
	}
	release, ok := strings.CutPrefix(filepath.Base(path), "vmlinux-")
	if !ok {
		return "", fmt.Errorf("-modules auto: %s is not named vmlinux-RELEASE; give the module tree", path)
	}
	dir, ok := kabi.ModuleDir(path, release)
	if !ok {
		return "", fmt.Errorf("-modules auto: no module tree for %s beside %s", release, path)
	}
	return dir, nil
}

// limitModulesMemory is limitMemory for a whole kernel: its surface, not
// its files, is what the heap holds (one module's DWARF at a time per
// worker), about 600 MiB live for Debian's 6.1 amd64 kernel with its 4,023
// modules. The collector runs as usual (GOGC), and more often as the heap
// nears 850 MiB, which keeps the peak resident size under 1 GB.
func limitModulesMemory() {
	debug.SetMemoryLimit(850 << 20)
}
