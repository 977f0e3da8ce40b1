// SPDX-License-Identifier: Apache-2.0
/*
 * kabi check fixture for real kernels: programs on functions, hooks and
 * types of Debian's 6.1 and 6.12 kernels, built against a vmlinux.h that
 * bpftool dumps from vmlinux-6.1.0-47-amd64's BTF (gen.sh does so when
 * the kernel is in ~/.cache/kabi; the object is committed, the header,
 * 2 MB, is not). The real-kernel tests of package check run it against
 * index files of those kernels (KABI_CHECK_INDEXES).
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

char LICENSE[] SEC("license") = "GPL";

long hits;

struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern int CONFIG_HZ __kconfig;

SEC("kprobe/vfs_read")
int BPF_KPROBE(kp_vfs_read, struct file *file, char *buf, size_t count)
{
	hits += count;
	return 0;
}

SEC("kprobe/do_page_cache_ra")
int BPF_KPROBE(kp_page_cache_ra)
{
	hits++;
	return 0;
}

SEC("kretprobe/kernel_read")
int BPF_KRETPROBE(krp_kernel_read, ssize_t ret)
{
	hits += ret;
	return 0;
}

SEC("kprobe/init_once")
int BPF_KPROBE(kp_init_once)
{
	hits++;
	return 0;
}

SEC("fentry/vmap")
int BPF_PROG(fe_vmap, struct page **pages, unsigned int count)
{
	hits += count;
	return 0;
}

SEC("fexit/vfs_open")
int BPF_PROG(fx_vfs_open, const struct path *path, struct file *file, int ret)
{
	hits += ret;
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(fe_unlinkat, int dfd, struct filename *name)
{
	hits += dfd;
	return 0;
}

SEC("kprobe.multi/vfs_*")
int kpm_vfs(struct pt_regs *ctx)
{
	hits++;
	return 0;
}

SEC("ksyscall/openat")
int BPF_KSYSCALL(ks_openat, int dfd, const char *filename)
{
	hits += dfd;
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_file_open, struct file *file, int ret)
{
	return ret;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tpb_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	long state;

	if (bpf_core_field_exists(prev->__state))
		state = BPF_CORE_READ(prev, __state);
	else
		state = BPF_CORE_READ((struct task_struct___old *)prev, state);
	hits += state + BPF_CORE_READ(next, pid) + BPF_CORE_READ(next, se.vruntime);
	return 0;
}

SEC("tracepoint/block/block_rq_issue")
int tp_rq_issue(struct trace_event_raw_block_rq *ctx)
{
	hits += BPF_CORE_READ(ctx, nr_sector);
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int tp_enter_openat(void *ctx)
{
	hits++;
	return 0;
}

SEC("raw_tp/sched_process_exit")
int raw_exit(void *ctx)
{
	hits++;
	return 0;
}

SEC("fentry/security_file_open")
int BPF_PROG(fe_sec_open, struct file *file)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (t)
		bpf_task_release(t);
	hits += CONFIG_HZ;
	return 0;
}
