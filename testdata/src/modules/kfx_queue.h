/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: a header of modules kfx_blk and kfx_noname that
 * vmlinux does not include: struct kfx_queue is one type, written in one
 * place, that both modules define (and only modules).
 */
#ifndef KFX_QUEUE_H
#define KFX_QUEUE_H

#include "module.h"

struct kfx_queue {
	int depth;
	unsigned long flags;
	struct kfx_req *head;
};

#endif /* KFX_QUEUE_H */
