// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: a miniature of the LSM framework. struct
 * security_hook_heads has one list head per hook; security_<hook> calls
 * the hook. kernel/bpf/bpf_lsm.c defines bpf_lsm_<hook> for BPF programs.
 */
#include <kfx/hooks.h>

#define noinline __attribute__((__noinline__))

struct security_hook_heads {
	struct kfx_hlist_head file_open;
	struct kfx_hlist_head bprm_check_security;
#ifdef KFX_V2
	struct kfx_hlist_head file_truncate;	/* V2: a hook added */
#endif
};

struct security_hook_heads security_hook_heads;

noinline int security_file_open(struct kfx_file *file)
{
	return security_hook_heads.file_open.first != 0 ? file->mode : 0;
}

#ifdef KFX_V2
noinline int security_bprm_check(struct kfx_file *file)
#else
noinline int security_bprm_check(struct kfx_file *file, int flags)
#endif
{
	return security_hook_heads.bprm_check_security.first != 0 ? file->mode : 0;
}

#ifdef KFX_V2
noinline int security_file_truncate(struct kfx_file *file)
{
	return security_hook_heads.file_truncate.first != 0 ? file->mode : 1;
}
#endif
