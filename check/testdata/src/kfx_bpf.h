/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi check fixtures: what the fixture kernels' vmlinux.h lacks for
 * libbpf's headers (the fixture kernels are freestanding C, not Linux):
 * the __uN types and an x86-64 struct pt_regs with the members
 * bpf_tracing.h reads for __TARGET_ARCH_x86. Then the generated
 * vmlinux.h (bpftool btf dump of a fixture build's BTF, see gen.sh; a
 * program names another with KFX_VMLINUX) and libbpf's headers.
 */
#ifndef KFX_BPF_H
#define KFX_BPF_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

#ifndef KFX_VMLINUX
#define KFX_VMLINUX "vmlinux.h"
#endif
#include KFX_VMLINUX
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* libbpf 1.1 (Debian 12) predates bpf_ksym_exists. */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

#endif /* KFX_BPF_H */
