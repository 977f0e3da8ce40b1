// SPDX-License-Identifier: Apache-2.0
//
// One source compiled twice, as arm64 builds arch/arm64/kvm/hyp/vgic-v3-sr.c
// for VHE and for nVHE: the two compile units are named
// arch/arm64/kvm/hyp/vhe/../vgic-v3-sr.c and arch/arm64/kvm/hyp/nvhe/../vgic-v3-sr.c,
// which clean to one path, and the nVHE copy's symbols get the prefix
// __kvm_nvhe_. Built by gen-units.sh into testdata/units.elf.

static int __attribute__((noinline)) __gic_v3_get_lr(unsigned int lr)
{
	return (int)lr * 3 + 1;
}

static int __attribute__((noinline)) __is_be(int x)
{
	return x > 7;
}

int __vgic_v3_save_state(unsigned int n)
{
	return __gic_v3_get_lr(n) + __is_be((int)n);
}
