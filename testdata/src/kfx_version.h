/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: a header at the root of the source tree (the
 * compilation directory), included only by version_fix.c.
 */
#ifndef KFX_VERSION_H
#define KFX_VERSION_H

/* Full inline, Unique Static; location kfx_version.h:<line>. */
static inline int kfx_version_code(int patch)
{
	return (6 << 16) + (1 << 8) + patch;
}

#endif /* KFX_VERSION_H */
