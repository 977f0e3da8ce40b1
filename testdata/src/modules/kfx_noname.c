// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module without a name= entry in .modinfo (only
 * vermagic=): its name comes from its file name, kfx_noname.
 *
 * Types: struct kfx_queue (kfx_queue.h, also kfx_blk's) and struct
 * kfx_stat, which kfx_trace defines with the same contents in its own file
 * (one type, written in two places).
 */
#include "kfx_queue.h"

KFX_VERMAGIC;

struct kfx_stat {
	long hits;
	long misses;
};

struct kfx_queue kfx_noname_queue;
struct kfx_stat kfx_noname_stat;

int kfx_noname_hello(int x)
{
	return x + 42;
}
