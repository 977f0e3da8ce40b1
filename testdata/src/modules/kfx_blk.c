// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module kfx_blk, one unit. kfx_blk_submit is global
 * here; vm_sync, which it calls, is global in vmlinux.
 *
 * Types only modules define: struct kfx_queue (kfx_queue.h, also
 * kfx_noname's); struct kfx_priv, which kfx_trace defines differently (two
 * variants of one name, each of its module); the typedef kfx_blk_cookie_t.
 */
#include "kfx_queue.h"

KFX_MODULE_NAME("kfx_blk");
KFX_VERMAGIC;

struct kfx_priv {
	int id;
	unsigned int flags:4;
};

typedef struct {
	int a;
} kfx_blk_cookie_t;

struct kfx_priv kfx_blk_priv;
struct kfx_queue kfx_blk_queue;
kfx_blk_cookie_t kfx_blk_cookie;

int vm_sync(struct kfx_req *req, struct page *p);

int kfx_blk_submit(struct kfx_req *req, struct page *p)
{
	return vm_sync(req, p) + 1;
}
