// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: a unit at the root of the source tree (like the
 * generated files in a kernel's object-tree root). Before DWARF 5, gcc
 * gives this file and kfx_version.h line-table directory index 0, which
 * means the compilation directory (surface-rules "Do better": not the last
 * include directory, here include/kfx from the u64 typedef). Locations:
 * version_fix.c:<line>, kfx_version.h:<line>.
 */
#include <kfx/kernel.h>
#include "kfx_version.h"

noinline int kfx_version(u64 patch)
{
	return kfx_version_code((int)patch);	/* inlined */
}
