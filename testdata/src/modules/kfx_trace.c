// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module kfx_trace (amd64 only), compiled as kbuild
 * compiles a traced module: -pg -mfentry -mrecord-mcount, so gcc lists
 * each function's __fentry__ call in __mcount_loc (relocations against
 * .text, which the loader applies). Its probe lists:
 *
 * - kfx_trace_traced: in __mcount_loc: fentry can attach.
 * - kfx_trace_notrace: no_instrument_function (the kernel's notrace): not
 *   in __mcount_loc.
 * - kfx_trace_nokprobe: listed in _kprobe_blacklist, as NOKPROBE_SYMBOL
 *   does (_kbl_addr_<name>: the function's address, relocated).
 * - kfx_trace_noinstr: in .noinstr.text, which kprobes never probe.
 * - kfx_trace_init: in .init.text, freed after the module's init.
 *
 * And a kfunc ID set in .BTF_ids, as BTF_SET8_START and BTF_ID_FLAGS make
 * it (see kernel/bpf/bpf_lsm.c): kfx_trace_kfunc_ids lists
 * kfx_trace_traced and kfx_trace_notrace.
 *
 * Types: struct kfx_priv, defined differently by kfx_blk; struct kfx_stat,
 * as kfx_noname defines it; struct kfx_file, which the hooks fixture's
 * vmlinux defines differently (include/kfx/hooks.h): a module's variant
 * beside vmlinux's.
 */
#include "module.h"

KFX_MODULE_NAME("kfx_trace");
KFX_VERMAGIC;

#define notrace __attribute__((__no_instrument_function__))

int kfx_trace_count;

struct kfx_priv {
	long cookie;
	char tag[8];
};

struct kfx_stat {
	long hits;
	long misses;
};

struct kfx_file {
	int mode;
	long pos;
};

struct kfx_priv kfx_trace_priv;
struct kfx_stat kfx_trace_stat;
struct kfx_file kfx_trace_file;

noinline int kfx_trace_traced(int x)
{
	kfx_trace_count += x;
	return x * 3 + 1;
}

notrace noinline int kfx_trace_notrace(int x)
{
	kfx_trace_count -= x;
	return x - 7;
}

noinline int kfx_trace_nokprobe(int x)
{
	kfx_trace_count ^= x;
	return x + kfx_trace_count;
}
static unsigned long __used __attribute__((__section__("_kprobe_blacklist")))
	_kbl_addr_kfx_trace_nokprobe = (unsigned long)kfx_trace_nokprobe;

notrace noinline __attribute__((__section__(".noinstr.text"))) int kfx_trace_noinstr(int x)
{
	kfx_trace_count |= x;
	return x << 2;
}

noinline __attribute__((__section__(".init.text"))) int kfx_trace_init(void)
{
	return kfx_trace_traced(1) + kfx_trace_notrace(2) + kfx_trace_nokprobe(3) + kfx_trace_noinstr(4);
}

__asm__(
	".pushsection .BTF_ids,\"a\"\n"
	".balign 4\n"
	"__BTF_ID__set8__kfx_trace_kfunc_ids:\n"
	".long 2\n"
	".long 0\n"
	"__BTF_ID__func__kfx_trace_traced__1:\n"
	".long 0\n.long 0\n"
	"__BTF_ID__func__kfx_trace_notrace__2:\n"
	".long 0\n.long 0\n"
	".popsection\n");
