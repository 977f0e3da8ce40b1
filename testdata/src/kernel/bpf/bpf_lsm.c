// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: the BPF LSM attach points, bpf_lsm_<hook>, and a
 * kfunc ID set. The set is a struct btf_id_set8 in .BTF_ids, {u32 cnt;
 * u32 flags; {u32 id; u32 flags;} pairs[];}, with a
 * __BTF_ID__func__<name>__<n> symbol on each pair, as the kernel's
 * BTF_SET8_START and BTF_ID_FLAGS macros make it; the count is written
 * here (in the kernel, resolve_btfids writes it at link time).
 */
#include <kfx/hooks.h>

#define noinline __attribute__((__noinline__))

volatile int kfx_lsm_sink;

noinline int bpf_lsm_file_open(struct kfx_file *file) { return kfx_lsm_sink + file->mode; }
noinline int bpf_lsm_bprm_check_security(struct kfx_file *file) { return kfx_lsm_sink - file->mode; }
#ifdef KFX_V2
noinline int bpf_lsm_file_truncate(struct kfx_file *file) { return kfx_lsm_sink * file->mode; }
#endif

noinline struct kfx_file *bpf_kfx_file_acquire(struct kfx_file *f) { kfx_lsm_sink++; return f; }
noinline void bpf_kfx_file_release(struct kfx_file *f) { kfx_lsm_sink += f->mode; }
#ifdef KFX_V2
noinline int bpf_kfx_file_mode(const struct kfx_file *f) { return f->mode; }
#define KFX_KFUNCS 3
#else
#define KFX_KFUNCS 2
#endif

#define KFX_STR(x) #x
#define KFX_XSTR(x) KFX_STR(x)

__asm__(
	".pushsection .BTF_ids,\"a\"\n"
	".balign 4\n"
	"__BTF_ID__set8__kfx_file_kfunc_ids:\n"
	".long " KFX_XSTR(KFX_KFUNCS) "\n"
	".long 0\n"
	"__BTF_ID__func__bpf_kfx_file_acquire__1:\n"
	".long 0\n.long 1\n"
	"__BTF_ID__func__bpf_kfx_file_release__2:\n"
	".long 0\n.long 2\n"
#ifdef KFX_V2
	"__BTF_ID__func__bpf_kfx_file_mode__3:\n"
	".long 0\n.long 0\n"
#endif
	/* Not in a set: the symbol of a plain BTF ID list. */
	"__BTF_ID__func__bpf_kfx_not_a_kfunc__4:\n"
	".long 0\n"
	".popsection\n");
