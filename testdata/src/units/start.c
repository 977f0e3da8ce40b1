// SPDX-License-Identifier: Apache-2.0
// The entry of testdata/units.elf: calls the VHE and the nVHE copy.
int __vgic_v3_save_state(unsigned int n);
int __kvm_nvhe___vgic_v3_save_state(unsigned int n);

void _start(void)
{
	volatile int r = __vgic_v3_save_state(1) + __kvm_nvhe___vgic_v3_save_state(2);
	(void)r;
	for (;;)
		;
}
