// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module without a name= entry in .modinfo (only
 * vermagic=): its name comes from its file name, kfx_noname.
 */
#include "module.h"

KFX_VERMAGIC;

int kfx_noname_hello(int x)
{
	return x + 42;
}
