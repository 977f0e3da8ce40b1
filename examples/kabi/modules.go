package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kabi-dev/kabi"
)

// modulesFlag is the -modules flag of show, dump and stats.
var modulesFlag string

const modulesUsage = "read the module tree DIR with vmlinux (auto: the one beside it, see kabi.ModuleDir)"

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
