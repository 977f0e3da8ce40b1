// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: the "other file" of the comparison fixtures
 * (cmp-*.elf only; see drivers/cmp_fix.c and include/kfx/cmp.h). From one
 * version to the next, a static function of drivers/cmp_fix.c gets a
 * same-named twin here, so a collision appears.
 */
#include <kfx/kernel.h>
#include <kfx/cmp.h>

static int twin_state[4];

#if KFX_CMP_LEVEL >= 2
/*
 * V1 -> V2: collision appears: a static twin of the static
 * drivers/cmp_fix.c:cmp_flush (same signature, other body), from version 2
 * on: cmp_flush becomes a Static-Static Collision.
 */
static noinline int
cmp_flush(int n)
{
	twin_state[n & 3] += n;
	return twin_state[(n + 1) & 3] - 1;
}
#endif

#if KFX_CMP_LEVEL >= 3
/*
 * V2 -> V3: collision appears: a GLOBAL twin of the static
 * drivers/cmp_fix.c:cmp_sync (same signature), in version 3: cmp_sync
 * becomes a Static-Global Collision.
 */
noinline int
cmp_sync(int n)
{
	return twin_state[n & 3] * 7 + n;
}
#endif

/* Caller of the twins (present, unchanged, in every version). */
int kfx_cmp_twin_entry(int x)
{
	int r = twin_state[0] + x;

#if KFX_CMP_LEVEL >= 2
	r += cmp_flush(x);
#endif
#if KFX_CMP_LEVEL >= 3
	r += cmp_sync(r);
#endif
	return r;
}
