// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module kfx_blk, one unit. kfx_blk_submit is global
 * here; vm_sync, which it calls, is global in vmlinux.
 */
#include "module.h"

KFX_MODULE_NAME("kfx_blk");
KFX_VERMAGIC;

int vm_sync(struct kfx_req *req, struct page *p);

int kfx_blk_submit(struct kfx_req *req, struct page *p)
{
	return vm_sync(req, p) + 1;
}
