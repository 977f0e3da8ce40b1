package kabi

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// splitBTF returns base BTF holding int and a function, and split BTF over
// it holding "int mod_fn(int x)", as a module's BTF extends vmlinux's:
// type IDs continue the base's, and names are offsets past the base's
// strings.
func splitBTF(t *testing.T) (base, split []byte) {
	intT := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	base = rawBTF(t, &btf.Func{Name: "base_fn", Linkage: btf.GlobalFunc, Type: &btf.FuncProto{Return: intT}})
	ids, last := baseIDs(t, base)
	intID := uint32(ids["int"])
	split = splitOver(t, base, func(str func(string) uint32) [][]uint32 {
		return [][]uint32{
			{0, 13<<24 | 1, intID, str("x"), intID},       // FUNC_PROTO int (int x)
			{str("mod_fn"), 12<<24 | 1, uint32(last) + 1}, // FUNC mod_fn, global
		}
	})
	return base, split
}

// TestSplitBTF: split BTF read alone is an error that says what it is,
// not "first item in string table is non-empty"; read over its base, it
// gives the module's own functions.
func TestSplitBTF(t *testing.T) {
	base, split := splitBTF(t)
	_, err := BTFSignaturesFrom(bytes.NewReader(split), "ext4.btf")
	if !errors.Is(err, ErrSplitBTF) || !strings.Contains(err.Error(), "kernel module") {
		t.Errorf("alone: got %v, want ErrSplitBTF", err)
	}
	funcs, err := ModuleBTFSignatures(bytes.NewReader(split), "ext4.btf", bytes.NewReader(base), "vmlinux.btf")
	if err != nil {
		t.Fatal(err)
	}
	if len(funcs) != 1 || funcs[0].Signature.String() != "int mod_fn(int x);" || funcs[0].Linkage != "global" {
		t.Errorf("got %+v", funcs)
	}
}

// TestRawBTFReadsOnlyItself: raw BTF is read to the end its header gives,
// and a header that claims more than the file is truncated, not read.
func TestRawBTFReadsOnlyItself(t *testing.T) {
	raw := sampleBTF(t)
	long := append(bytes.Clone(raw), make([]byte, 1<<20)...)
	got, err := btfBytes(bytes.NewReader(long), "long.btf")
	if err != nil || !bytes.Equal(got, raw) {
		t.Errorf("trailing bytes: %v, %d bytes, want %d", err, len(got), len(raw))
	}
	_, err = btfBytes(bytes.NewReader(raw[:len(raw)-1]), "short.btf")
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
}

// TestModuleBTFKernel reads a real module's split BTF over its vmlinux's:
// ext4.ko under $KABI_MODULES, whose vmlinux is $KABI_MODULES/vmlinux.
func TestModuleBTFKernel(t *testing.T) {
	dir := os.Getenv("KABI_MODULES")
	if dir == "" {
		t.Skip("KABI_MODULES is not set (a module tree: fetch-vmlinux --modules)")
	}
	ko, _ := filepath.Glob(filepath.Join(dir, "kernel/fs/ext4/ext4.ko"))
	if len(ko) == 0 {
		t.Skip("no kernel/fs/ext4/ext4.ko under KABI_MODULES")
	}
	if _, err := BTFSignatures(ko[0]); !errors.Is(err, ErrSplitBTF) {
		t.Errorf("alone: %v, want ErrSplitBTF", err)
	}
	f, err := os.Open(ko[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vf, err := os.Open(filepath.Join(dir, "vmlinux"))
	if err != nil {
		t.Skip(err)
	}
	defer vf.Close()
	funcs, err := ModuleBTFSignatures(f, ko[0], vf, "vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fn := range funcs {
		found = found || fn.Signature.Name == "ext4_file_open"
	}
	if len(funcs) < 500 || !found {
		t.Errorf("%d functions, ext4_file_open found: %v", len(funcs), found)
	}
	t.Logf("%d functions in ext4's BTF", len(funcs))
	// Read alone, as a Build, the module's split BTF is not an error.
	b, err := Open(ko[0], &Options{NoSignatures: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if b.Len() < 1000 {
		t.Errorf("ext4.ko: %d functions", b.Len())
	}
}
