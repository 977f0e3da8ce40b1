package kabi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// maxRunningModules bounds the module BTF files read from one running
// kernel (a distribution kernel loads a few hundred modules).
const maxRunningModules = 1 << 14

// maxRunningModulesBTF bounds the bytes of all loaded modules' BTF read
// together (each file is bounded by maxBTF; a distribution kernel's
// loaded modules hold some tens of MiB of it). A variable for tests.
var maxRunningModulesBTF int64 = 1 << 30

// A runningModule is the split BTF of a loaded module
// (/sys/kernel/btf/MODULE), over vmlinux's.
type runningModule struct {
	name  string
	path  string
	spec  *btf.Spec
	funcs []BTFFunc
}

// runningModules reads the BTF of the loaded modules in dir
// (sys/kernel/btf), in name order, each split over base, vmlinux's. A
// file that cannot be read as split BTF over it is an error naming it.
func runningModules(dir string, base *btf.Spec) ([]runningModule, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []runningModule
	var total int64
	for _, e := range ents { // ReadDir sorts by name
		if e.Name() == "vmlinux" || e.IsDir() {
			continue
		}
		if len(out) == maxRunningModules {
			return nil, fmt.Errorf("%s: more than %d module BTF files", dir, maxRunningModules)
		}
		m := runningModule{name: e.Name(), path: filepath.Join(dir, e.Name())}
		f, err := os.Open(m.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // unloaded since the directory was read
		}
		if err != nil {
			return nil, err
		}
		raw, err := btfBytes(f, m.path)
		f.Close()
		if err != nil {
			return nil, err
		}
		if total += int64(len(raw)); total > maxRunningModulesBTF {
			return nil, fmt.Errorf("%s: the module BTF files up to %s hold more than the %d bytes kabi reads", dir, e.Name(), maxRunningModulesBTF)
		}
		if err := m.read(raw, base); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// read reads the module's raw BTF (header checked by btfBytes), split
// over base: its spec and its functions, in name order.
func (m *runningModule) read(raw []byte, base *btf.Spec) (err error) {
	if !isSplitBTF(raw) {
		return fmt.Errorf("%s: not split BTF: a loaded module's BTF extends vmlinux's", m.path)
	}
	if m.spec, err = loadBTFSpec(raw, m.path, base); err != nil {
		return err
	}
	fns, err := specFuncs(m.spec, m.path)
	if err != nil {
		return err
	}
	if m.funcs, err = btfSignatures(fns, m.path); err != nil {
		return err
	}
	slices.SortStableFunc(m.funcs, func(a, b BTFFunc) int { return strings.Compare(a.Signature.Name, b.Signature.Name) })
	return nil
}
