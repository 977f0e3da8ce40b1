/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: version switches of the comparison fixtures
 * (cmp-*.elf, surface-rules section 5). Included only by
 * drivers/cmp_fix.c and net/cmp_twin_fix.c, which gen.sh compiles only
 * into the cmp-*.elf fixtures.
 *
 *   (no switch)   version 1 (6.1.99)
 *   -DKFX_V2      version 2 (6.2.5): the V1 -> V2 changes
 *   -DKFX_V3      version 3 (6.3.1): the V1 -> V2 and the V2 -> V3 changes
 *   -DKFX_CLOUD   the cloud flavor (gen.sh uses it with version 1)
 */
#ifndef KFX_CMP_H
#define KFX_CMP_H

#include <kfx/types.h>

#if defined(KFX_V3)
#define KFX_CMP_LEVEL 3
#elif defined(KFX_V2)
#define KFX_CMP_LEVEL 2
#else
#define KFX_CMP_LEVEL 1
#endif

int kfx_cmp_entry(struct kfx_req *req, struct page *page, int x);	/* drivers/cmp_fix.c */
int kfx_cmp_twin_entry(int x);						/* net/cmp_twin_fix.c */

#endif /* KFX_CMP_H */
