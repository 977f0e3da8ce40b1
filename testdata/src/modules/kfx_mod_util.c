// SPDX-License-Identifier: Apache-2.0
/* kabi test fixture: the second unit of module kfx_mod. */
#include "module.h"

static noinline int util_step(int x, int k)
{
	return x * k + 7;
}

int kfx_mod_util(int x)
{
	return util_step(x, 3) + util_step(x + 1, 3);
}
