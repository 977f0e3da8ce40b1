package kabi

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestKernelTypesAgainstBTF compares every named struct and union of the
// build's own .BTF (written by pahole from the same DWARF) with kabi's
// definition of that name: size, member names, bit offsets and bitfield
// sizes. At least 99.9% must agree; the test logs the rest.
func TestKernelTypesAgainstBTF(t *testing.T) {
	path := realKernel(t)
	b, err := kernelBuild()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := btfBytes(f, path)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	total, agree := 0, 0
	seen := map[Ref]bool{}
	var diffs []string
	for ty, err := range spec.All() {
		if err != nil {
			t.Fatal(err)
		}
		var kind Kind
		var name string
		var size uint32
		var members []btf.Member
		switch v := ty.(type) {
		case *btf.Struct:
			kind, name, size, members = KindStruct, v.Name, v.Size, v.Members
		case *btf.Union:
			kind, name, size, members = KindUnion, v.Name, v.Size, v.Members
		default:
			continue
		}
		if name == "" || seen[Ref{kind, name}] {
			continue
		}
		seen[Ref{kind, name}] = true
		total++
		why := "no definition"
		for _, d := range b.TypeVariants(kind, name) {
			why = compareTypeBTF(d, size, members)
			if why == "" {
				break
			}
		}
		if why == "" {
			agree++
		} else {
			diffs = append(diffs, kind.String()+" "+name+": "+why)
		}
	}
	for _, d := range diffs {
		t.Log(d)
	}
	ratio := float64(agree) / float64(max(total, 1))
	t.Logf("%d of %d named structs and unions of .BTF agree (%.4f%%); kabi has %d struct, %d union, %d enum definitions",
		agree, total, 100*ratio, b.TypeLen(KindStruct), b.TypeLen(KindUnion), b.TypeLen(KindEnum))
	if ratio < 0.999 {
		t.Errorf("only %.3f%% agree, want at least 99.9%%", 100*ratio)
	}
}

// compareTypeBTF says how d differs from a BTF struct or union, "" if not.
func compareTypeBTF(d *TypeDef, size uint32, members []btf.Member) string {
	if d.Size != int64(size) {
		return "size " + itoa(d.Size) + ", BTF " + itoa(int64(size))
	}
	if len(d.Members) != len(members) {
		return itoa(int64(len(d.Members))) + " members, BTF " + itoa(int64(len(members)))
	}
	for i, m := range members {
		k := &d.Members[i]
		if k.Name != m.Name || k.BitOffset != int64(m.Offset) || k.BitSize != int64(m.BitfieldSize) {
			return "member " + itoa(int64(i)) + " " + k.Name + " @" + itoa(k.BitOffset) + ":" + itoa(k.BitSize) +
				", BTF " + m.Name + " @" + itoa(int64(m.Offset)) + ":" + itoa(int64(m.BitfieldSize))
		}
	}
	return ""
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
