package kabi

import (
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
)

// TestBTFAnonymousChain: anonymous structs whose members each use the
// next one twice (through pointers), down a chain of 60, and one that
// points at itself: converted once each, in bounded time, not 2^60
// times, and the self-reference stops.
func TestBTFAnonymousChain(t *testing.T) {
	u32 := &btf.Int{Name: "u32", Size: 4}
	self := &btf.Struct{Size: 16}
	self.Members = []btf.Member{{Name: "a", Type: &btf.Pointer{Target: self}}, {Name: "b", Type: &btf.Pointer{Target: self}, Offset: 64}}
	next := btf.Type(&btf.Struct{Size: 4, Members: []btf.Member{{Name: "v", Type: u32}}})
	for range 60 {
		next = &btf.Struct{Size: 16, Members: []btf.Member{
			{Name: "l", Type: &btf.Pointer{Target: next}},
			{Name: "r", Type: &btf.Pointer{Target: next}, Offset: 64},
		}}
	}
	top := &btf.Struct{Name: "top", Size: 32, Members: []btf.Member{
		{Name: "chain", Type: next},
		{Name: "loop", Type: self, Offset: 128},
	}}
	b, err := btf.NewBuilder([]btf.Type{top}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := loadBTFSpec(raw, "hostile.btf", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var defs []*TypeDef
	go func() {
		defer close(done)
		defs, err = btfTypeDefs(&btfConv{types: map[btf.Type]*Type{}}, spec, "hostile.btf")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("btfTypeDefs did not return in 10 s")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 || defs[0].Name != "top" || len(defs[0].Members) != 2 {
		t.Fatalf("defs %+v", defs)
	}
	d := defs[0].Members[0].Def
	for i := range 60 {
		if d == nil || len(d.Members) != 2 || d.Members[0].Def != d.Members[1].Def {
			t.Fatalf("level %d of the chain: %+v", i, d)
		}
		d = d.Members[0].Def
	}
	loop := defs[0].Members[1].Def
	if loop == nil || loop.Members[0].Def != nil || loop.Members[1].Def != nil {
		t.Errorf("the self-referencing struct: %+v", loop)
	}
}
