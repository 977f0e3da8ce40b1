package kabi

import (
	"testing"
)

// TestUnitKey: two compile units whose names clean to one path
// (arch/arm64/kvm/hyp/vhe/../vgic-v3-sr.c and nvhe/../vgic-v3-sr.c, as
// arm64 builds the VHE and nVHE copies) each define the same statics: a
// static is keyed by its unit, so each has two instances, at the two
// copies' addresses, both shown under the one cleaned path (docs/rules.md
// §1). The external function the two units share stays one instance.
// testdata/units.elf is built by testdata/gen-units.sh.
func TestUnitKey(t *testing.T) {
	b, err := Open("testdata/units.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	ib := viaIndex(t, b, "units.kabi")
	for _, build := range []*Build{b, ib} {
		for _, name := range []string{"__gic_v3_get_lr", "__is_be"} {
			f, ok := build.Function(name)
			if !ok {
				t.Fatalf("%s: no %s", build.Meta.File, name)
			}
			vhe, nvhe := build.Symbol(name), build.Symbol("__kvm_nvhe_"+name)
			if len(vhe) != 1 || len(nvhe) != 1 {
				t.Fatalf("%s: symbols %v %v", name, vhe, nvhe)
			}
			if len(f.Instances) != 2 || f.Collision != StaticDuplication {
				t.Fatalf("%s: %d instances, %v; want the two copies, Static Duplication", name, len(f.Instances), f.Collision)
			}
			addrs := map[uint64]bool{}
			for _, in := range f.Instances {
				if in.File != "arch/arm64/kvm/hyp/vgic-v3-sr.c" || in.External || !in.HasAddr || in.AddrFromSymbol {
					t.Errorf("%s: instance %+v", name, in)
				}
				addrs[in.Address] = true
				if len(in.DirectCallers) != 1 || in.DirectCallers[0].Function != "__vgic_v3_save_state" {
					t.Errorf("%s: callers %v, want its own unit's __vgic_v3_save_state", name, in.DirectCallers)
				}
			}
			if !addrs[vhe[0].Address] || !addrs[nvhe[0].Address] {
				t.Errorf("%s: instances at %v, want the VHE copy at %#x and the nVHE copy at %#x", name, addrs, vhe[0].Address, nvhe[0].Address)
			}
		}
		if f, ok := build.Function("__vgic_v3_save_state"); !ok || len(f.Instances) != 1 || !f.Instances[0].External {
			t.Errorf("__vgic_v3_save_state: %+v", f)
		}
	}
}
