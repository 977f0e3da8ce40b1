// SPDX-License-Identifier: Apache-2.0
/*
 * kabi check fixture: kprobe-style programs (kprobe, kretprobe,
 * kprobe.multi, kretprobe.multi, ksyscall, kretsyscall) on the functions
 * of the comparison fixtures (testdata/cmp-*.elf), each chosen for what
 * happens to its target across those builds (see check/testdata/README.md).
 */
#include "kfx_bpf.h"

char LICENSE[] SEC("license") = "GPL";

long hits;

/* Removed from version 2 on: the attach fails there. */
SEC("kprobe/kfx_cmp_legacy_ioctl")
int BPF_KPROBE(probe_ioctl, int cmd, unsigned long arg)
{
	hits += cmd + arg;
	return 0;
}

/* Returns int in version 1, long from version 2: the program reads an int. */
SEC("kretprobe/kfx_cmp_get_count")
int BPF_KRETPROBE(ret_count, int ret)
{
	hits += ret;
	return 0;
}

/* Selectively inlined in every build: calls through inlined sites are missed. */
SEC("kprobe/vm_map_page")
int BPF_KPROBE(probe_map_page, struct page *page, int order)
{
	hits += order;
	return 0;
}

/* Only cmp_req_weight.isra.0 from version 2 on: no symbol of the name. */
SEC("kprobe/cmp_req_weight")
int BPF_KPROBE(probe_weight)
{
	hits++;
	return 0;
}

/* Two static cmp_flush from version 2 on: the probe sees one of them. */
SEC("kprobe/cmp_flush")
int BPF_KPROBE(probe_flush, int n)
{
	hits += n;
	return 0;
}

/* (start, end) becomes (end, start) in version 2: the program reads them swapped. */
SEC("kprobe/kfx_cmp_map_range+0x4")
int BPF_KPROBE(probe_range, unsigned long start, unsigned long end)
{
	hits += end - start;
	return 0;
}

SEC("kprobe.multi/kfx_cmp_*")
int multi_cmp(struct pt_regs *ctx)
{
	hits++;
	return 0;
}

SEC("kretprobe.multi/kfx_nosuch_*")
int multi_none(struct pt_regs *ctx)
{
	hits++;
	return 0;
}

/* The fixtures have no system calls: __x64_sys_openat is absent. */
SEC("ksyscall/openat")
int BPF_KSYSCALL(sys_openat, int dfd, const char *name)
{
	hits += dfd;
	return 0;
}

SEC("kretsyscall/close")
int BPF_KRETPROBE(sys_close_ret, long ret)
{
	hits += ret;
	return 0;
}

/* The target is chosen when the program is loaded. */
SEC("kprobe")
int BPF_KPROBE(probe_any)
{
	hits++;
	return 0;
}
