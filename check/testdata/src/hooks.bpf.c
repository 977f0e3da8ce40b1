// SPDX-License-Identifier: Apache-2.0
/*
 * kabi check fixture: programs on the hooks of the hooks fixtures
 * (testdata/hooks-*.elf): trace events through every section kind, LSM
 * hooks, kfuncs (registered, __weak, and a function that is no kfunc),
 * system calls and config values, each chosen for what version 2 changes
 * (see check/testdata/README.md).
 */
#define KFX_VMLINUX "hooks_vmlinux.h"
#include "kfx_bpf.h"

char LICENSE[] SEC("license") = "GPL";

long hits;

extern struct kfx_file *bpf_kfx_file_acquire(struct kfx_file *f) __ksym;
extern void bpf_kfx_file_release(struct kfx_file *f) __ksym;
extern int bpf_kfx_file_mode(const struct kfx_file *f) __ksym __weak;
extern int bpf_kfx_not_a_kfunc(int x) __ksym;
extern int CONFIG_HZ __kconfig;
extern enum libbpf_tristate CONFIG_KFX_OLD __kconfig;
extern _Bool CONFIG_KFX_NEW __kconfig __weak;

SEC("tp/block/block_rq_issue")
int tp_issue(void *ctx)
{
	hits++;
	return 0;
}

/* Removed in version 2. */
SEC("raw_tp/block_rq_insert")
int raw_insert(void *ctx)
{
	hits++;
	return 0;
}

/* Version 2 drops q: the program reads two arguments of a one-argument event. */
SEC("tp_btf/block_rq_issue")
int BPF_PROG(btf_issue, void *q, struct kfx_request *rq)
{
	hits += (long)q + (long)rq;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, int preempt, int prev, int next)
{
	hits += preempt + prev + next;
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int tp_switch(void *ctx)
{
	hits++;
	return 0;
}

/* A bare tracepoint: no trace event to attach a tracepoint/ program to. */
SEC("tracepoint/sched/pelt_kfx_tp")
int tp_pelt(void *ctx)
{
	hits++;
	return 0;
}

SEC("tp_btf/pelt_kfx_tp")
int BPF_PROG(btf_pelt, struct kfx_request *rq)
{
	hits += (long)rq;
	return 0;
}

/* Syscall events have no btf_trace_ typedef. */
SEC("tp_btf/sys_enter_openat")
int btf_openat(void *ctx)
{
	hits++;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(void *ctx)
{
	hits++;
	return 0;
}

/* The event is in system block, not sched. */
SEC("tracepoint/sched/block_rq_issue")
int tp_wrong_system(void *ctx)
{
	hits++;
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_open, struct kfx_file *file, int ret)
{
	return ret;
}

/* Added in version 2. */
SEC("lsm/file_truncate")
int BPF_PROG(lsm_truncate, struct kfx_file *file, int ret)
{
	return ret;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(lsm_bprm, struct kfx_file *file, int ret)
{
	return ret;
}

SEC("ksyscall/openat")
int BPF_KSYSCALL(sys_openat, int dfd)
{
	hits += dfd;
	return 0;
}

/* Added in version 2. */
SEC("kretsyscall/openat2")
int BPF_KRETPROBE(sys_openat2_ret, long ret)
{
	hits += ret;
	return 0;
}

SEC("fentry/bpf_lsm_file_open")
int BPF_PROG(f_kfuncs, struct kfx_file *file)
{
	struct kfx_file *f = bpf_kfx_file_acquire(file);

	if (bpf_ksym_exists(bpf_kfx_file_mode))
		hits += bpf_kfx_file_mode(f);
	hits += bpf_kfx_not_a_kfunc(1);
	bpf_kfx_file_release(f);
	hits += CONFIG_HZ + (CONFIG_KFX_OLD == TRI_MODULE) + CONFIG_KFX_NEW;
	return 0;
}
