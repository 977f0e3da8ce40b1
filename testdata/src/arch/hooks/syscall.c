// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: a syscall table and its wrappers, named as each
 * architecture names them (__x64_sys_, __ia32_sys_, __s390x_sys_), with
 * the not-implemented stub sys_ni_syscall in a gap; and the embedded
 * configuration (CONFIG_IKCONFIG): the gzip blob gen.sh makes from
 * kernel/config_data, between kernel_config_data and
 * kernel_config_data_end, after the IKCFG_ST marker.
 */
#include <kfx/hooks.h>

#define noinline __attribute__((__noinline__))

#if defined(__x86_64__)
#define SYS(name) __x64_sys_##name
#elif defined(__i386__)
#define SYS(name) __ia32_sys_##name
#elif defined(__s390x__)
#define SYS(name) __s390x_sys_##name
#else
#define SYS(name) sys_##name
#endif

typedef long (*sys_call_ptr_t)(const struct kfx_pt_regs *);

volatile long kfx_sys_sink;

noinline long sys_ni_syscall(const struct kfx_pt_regs *regs) { return -38 + (long)kfx_sys_sink; }
noinline long SYS(read)(const struct kfx_pt_regs *regs) { return (long)regs->di + kfx_sys_sink; }
noinline long SYS(write)(const struct kfx_pt_regs *regs) { return (long)regs->si - kfx_sys_sink; }
noinline long SYS(openat)(const struct kfx_pt_regs *regs) { return (long)regs->dx * kfx_sys_sink; }
#ifdef KFX_V2
noinline long SYS(openat2)(const struct kfx_pt_regs *regs) { return (long)regs->dx ^ kfx_sys_sink; }
#endif

const sys_call_ptr_t sys_call_table[] = {
	[0] = SYS(read),
	[1] = SYS(write),
	[2] = sys_ni_syscall,
#ifdef KFX_V2
	[3] = SYS(openat2),	/* V2: added */
	[4] = SYS(openat),	/* V2: renumbered from 3 */
#else
	[3] = SYS(openat),
#endif
};

__asm__(
	".pushsection .rodata,\"a\"\n"
	".ascii \"IKCFG_ST\"\n"
	".globl kernel_config_data\n"
	"kernel_config_data:\n"
	".incbin \"kernel/config_data.gz\"\n"
	".globl kernel_config_data_end\n"
	"kernel_config_data_end:\n"
	".ascii \"IKCFG_ED\"\n"
	".popsection\n");
