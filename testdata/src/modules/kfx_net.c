// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module kfx_net (units kfx_net.c and kfx_net_util.c).
 * kfx_shared_init is static here and in kfx_mod; kfx_net_rx is the
 * module's entry point.
 */
#include "module.h"

KFX_MODULE_NAME("kfx_net");
KFX_VERMAGIC;
KFX_MODINFO(license, "license=GPL");

static noinline int kfx_shared_init(int q)
{
	return q * 2 + 1;
}

int kfx_net_rx(const struct page *p, int q)
{
	if (!p)
		return kfx_shared_init(q);
	return kfx_net_util((int)p->flags) + kfx_shared_init(q + 1);
}
