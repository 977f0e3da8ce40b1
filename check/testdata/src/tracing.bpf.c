// SPDX-License-Identifier: Apache-2.0
/*
 * kabi check fixture: BTF-attached programs (fentry, fexit, fmod_ret,
 * lsm, lsm.s, tp_btf, iter), raw and classic tracepoints, a kfunc (strong
 * and __weak), kernel-symbol and kconfig externs, on the comparison
 * fixtures (testdata/cmp-*.elf). See check/testdata/README.md.
 */
#include "kfx_bpf.h"

char LICENSE[] SEC("license") = "GPL";

long hits;

extern void kfx_cmp_reset(int level) __ksym;
extern int kfx_nosuch_kfunc(int x) __ksym __weak;
extern void cmp_stats __ksym;
extern int CONFIG_HZ __kconfig;
extern _Bool CONFIG_KFX_FEATURE __kconfig __weak;

/* Version 2 inserts int prio first: the program's buf is prio there. */
SEC("fentry/kfx_cmp_submit")
int BPF_PROG(f_submit, void *buf, int len)
{
	hits += len + (long)buf;
	return 0;
}

/* Version 2 appends flags: the program's arguments stay where they were. */
SEC("fentry/kfx_cmp_open")
int BPF_PROG(f_open, const char *name, int mode)
{
	hits += mode;
	return 0;
}

/* Version 2 drops how: the program's return slot is past the arguments. */
SEC("fexit/kfx_cmp_close")
int BPF_PROG(x_close, int fd, int how, int ret)
{
	hits += fd + how + ret;
	return 0;
}

/* Absent from the cloud flavor. */
SEC("fmod_ret/kfx_cmp_hw_probe")
int BPF_PROG(m_hw_probe, int bus, int ret)
{
	return ret + bus;
}

/* Fully inlined from version 2 on. */
SEC("fentry/cmp_hash")
int BPF_PROG(f_hash, unsigned int x)
{
	hits += x;
	return 0;
}

/* Version 3 makes page const: the same pointer, fine. */
SEC("fentry.s/kfx_cmp_inspect")
int BPF_PROG(f_inspect, struct page *page)
{
	hits += (long)page;
	return 0;
}

SEC("fentry")
int BPF_PROG(f_any)
{
	hits++;
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_open, void *file)
{
	return 0;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(lsm_bprm, void *bprm)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tp_switch, _Bool preempt)
{
	hits += preempt;
	return 0;
}

SEC("raw_tp/sched_wakeup")
int raw_wakeup(void *ctx)
{
	hits++;
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int raw_exit(void *ctx)
{
	hits++;
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int tp_sched_switch(void *ctx)
{
	hits++;
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int tp_enter_openat(void *ctx)
{
	hits++;
	return 0;
}

SEC("iter/task")
int it_task(void *ctx)
{
	return 0;
}

/* Calls kfuncs and reads kernel-symbol and config externs. */
SEC("fentry/kfx_cmp_reset")
int BPF_PROG(f_reset, int level)
{
	kfx_cmp_reset(level);
	if (bpf_ksym_exists(kfx_nosuch_kfunc))
		hits += kfx_nosuch_kfunc(level);
	hits += CONFIG_HZ + CONFIG_KFX_FEATURE + (long)&cmp_stats;
	return 0;
}

SEC("xdp")
int xdp_pass(void *ctx)
{
	return 2;
}

/* A struct_ops map implementing the fixture's struct vm_ops. */
SEC("struct_ops/kfx_ops_map")
int BPF_PROG(ops_map, struct page *page, int order)
{
	return order;
}

SEC(".struct_ops.link")
struct vm_ops kfx_ops = {
	.map = (void *)ops_map,
};
