// SPDX-License-Identifier: Apache-2.0
/* kabi test fixture: the second unit of module kfx_net. */
#include "module.h"

int kfx_net_util(int x)
{
	return x ^ 0x5a;
}
