package kabi

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// splitOver returns split BTF over the standalone BTF base, as a loaded
// module's BTF is: the type records recs returns, whose names it writes
// with str, which puts a name in the split's strings (past the base's)
// and returns its offset.
func splitOver(t *testing.T, base []byte, recs func(str func(string) uint32) [][]uint32) []byte {
	t.Helper()
	le := binary.LittleEndian
	strLen := le.Uint32(base[20:])
	var strs []byte
	str := func(name string) uint32 {
		off := strLen + uint32(len(strs))
		strs = append(append(strs, name...), 0)
		return off
	}
	var types []byte
	for _, r := range recs(str) {
		for _, v := range r {
			types = le.AppendUint32(types, v)
		}
	}
	split := le.AppendUint16(nil, 0xeb9f)
	split = append(split, 1, 0)
	split = le.AppendUint32(split, 24)
	split = le.AppendUint32(split, 0)
	split = le.AppendUint32(split, uint32(len(types)))
	split = le.AppendUint32(split, uint32(len(types)))
	split = le.AppendUint32(split, uint32(len(strs)))
	return append(append(split, types...), strs...)
}

// baseIDs returns the IDs of the named types of standalone BTF, and the
// last ID, past which a split's IDs begin.
func baseIDs(t *testing.T, raw []byte) (ids map[string]btf.TypeID, last btf.TypeID) {
	t.Helper()
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	ids = map[string]btf.TypeID{}
	for typ := range spec.All() {
		id, err := spec.TypeID(typ)
		if err != nil {
			t.Fatal(err)
		}
		last = max(last, id)
		if n := typ.TypeName(); n != "" {
			if _, ok := ids[n]; !ok {
				ids[n] = id
			}
		}
	}
	return ids, last
}

// TestRunningModuleTypeCopies: a loaded module's split BTF that still
// holds a copy of a vmlinux definition (deduplication left it) adds no
// variant: the type is vmlinux's; and a typedef two modules define
// around different anonymous structs is the first module's only.
func TestRunningModuleTypeCopies(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/running-hooks", dir)
	btfDir := filepath.Join(dir, "sys/kernel/btf")
	base, err := os.ReadFile(filepath.Join(btfDir, "vmlinux"))
	if err != nil {
		t.Fatal(err)
	}
	ids, last := baseIDs(t, base)
	node, val, left := ids["kfx_node"], uint32(0), uint32(0)
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(base))
	if err != nil {
		t.Fatal(err)
	}
	typ, err := spec.TypeByID(node)
	if err != nil {
		t.Fatal(err)
	}
	st := typ.(*btf.Struct)
	if len(st.Members) != 3 || st.Size != 24 {
		t.Fatalf("the fixture's struct kfx_node changed: %v", st)
	}
	id0, _ := spec.TypeID(st.Members[0].Type)
	id1, _ := spec.TypeID(st.Members[1].Type)
	val, left = uint32(id0), uint32(id1)
	const (
		structKind  = 4 << 24
		typedefKind = 8 << 24
	)
	// kfx_node as vmlinux has it.
	copyMod := splitOver(t, base, func(str func(string) uint32) [][]uint32 {
		return [][]uint32{{str("kfx_node"), structKind | 3, 24, str("val"), val, 0, str("left"), left, 64, str("right"), left, 128}}
	})
	// typedef struct { int a; } kfx_anon_t, then one with member b.
	anon := func(member string) []byte {
		return splitOver(t, base, func(str func(string) uint32) [][]uint32 {
			return [][]uint32{
				{str("kfx_anon_t"), typedefKind, uint32(last) + 2},
				{0, structKind | 1, 4, str(member), uint32(ids["int"]), 0},
			}
		})
	}
	for name, raw := range map[string][]byte{"kfx_copy": copyMod, "kfx_ta": anon("a"), "kfx_tb": anon("b")} {
		if err := os.WriteFile(filepath.Join(btfDir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := OpenRunning(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if vs := b.TypeVariants(KindStruct, "kfx_node"); len(vs) != 1 || len(vs[0].Modules) != 0 {
		for _, v := range vs {
			t.Errorf("struct kfx_node of %v:\n%s", v.Modules, layout(v, ""))
		}
		t.Errorf("%d variants of struct kfx_node; want vmlinux's only", len(vs))
	}
	td, ok := b.Typedef("kfx_anon_t")
	if !ok || !slices.Equal(td.Modules, []string{"kfx_ta"}) {
		t.Errorf("typedef kfx_anon_t: %v, %v; want kfx_ta's only (kfx_tb's struct differs)", ok, td)
	}
}

// TestRunningModulesBTFTotal: the loaded modules' BTF is bounded in sum,
// not only file by file: past the bound, an error names the directory.
func TestRunningModulesBTFTotal(t *testing.T) {
	if _, err := OpenRunning("testdata/running-hooks", nil); err != nil {
		t.Fatal(err)
	}
	mod, err := os.Stat("testdata/running-hooks/sys/kernel/btf/kfx_mod")
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { maxRunningModulesBTF = n }(maxRunningModulesBTF)
	maxRunningModulesBTF = mod.Size() - 1
	_, err = OpenRunning("testdata/running-hooks", nil)
	if err == nil || !strings.Contains(err.Error(), "sys/kernel/btf: the module BTF files up to kfx_mod hold more than") {
		t.Errorf("error %v; want one naming the module BTF directory and its bound", err)
	}
}

// TestBuildRunning: Running says a running kernel's build, read from its
// files or from its index file, and no other.
func TestBuildRunning(t *testing.T) {
	run, err := OpenRunning("testdata/running-hooks", nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Open("testdata/x86_64-dwarf5.elf", &Options{ModuleDir: "testdata/modules/6.1.99-1-amd64"})
	if err != nil {
		t.Fatal(err)
	}
	vmlinux := fixture(t, "x86_64-dwarf5")
	for _, c := range []struct {
		name string
		b    *Build
		want bool
	}{
		{"running kernel", run, true},
		{"running kernel's index", viaIndex(t, run, "running.kabi"), true},
		{"vmlinux", vmlinux, false},
		{"vmlinux's index", viaIndex(t, vmlinux, "vmlinux.kabi"), false},
		{"whole kernel", whole, false},
		{"whole kernel's index", viaIndex(t, whole, "whole.kabi"), false},
	} {
		if got := c.b.Running(); got != c.want {
			t.Errorf("%s: Running() = %v, want %v", c.name, got, c.want)
		}
		if got, want := c.b.vmlinuxAlone(), !c.want && len(c.b.Modules()) == 0; got != want {
			t.Errorf("%s: vmlinuxAlone() = %v, want %v", c.name, got, want)
		}
	}
}
