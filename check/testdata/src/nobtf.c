// SPDX-License-Identifier: Apache-2.0
/* kabi check fixture: a program compiled without -g, so without BTF. */
__attribute__((section("kprobe/vmap"), used)) int probe_vmap(void *ctx)
{
	return 0;
}

__attribute__((section("license"), used)) char LICENSE[] = "GPL";
