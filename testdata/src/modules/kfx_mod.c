// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: module kfx_mod (units kfx_mod.c and kfx_mod_util.c).
 *
 * - kfx_mod_probe: a global function of the module, calling vmap (in
 *   vmlinux: a call to an undefined symbol), the static setup_once below
 *   and the inline mod_fold.
 * - setup_once: static, and also static in vmlinux (mm/vmalloc_fix.c,
 *   fs/file_fix.c): a collision across the whole kernel, vmlinux and a module.
 * - kfx_shared_init: static here and in kfx_net: a collision between modules.
 * - kfx_mod_count: a global variable (DW_OP_addr, relocated against .bss).
 */
#include "module.h"

KFX_MODULE_NAME("kfx_mod");
KFX_VERMAGIC;
KFX_MODINFO(license, "license=GPL");

unsigned long kfx_mod_count;

static inline int mod_fold(int v)
{
	return (v >> 3) ^ (v << 1);
}

static noinline int setup_once(int x)
{
	kfx_mod_count += (unsigned long)x;
	return mod_fold(x) + 1;
}

static noinline int kfx_shared_init(struct page *p)
{
	return p ? (int)p->flags : -1;
}

int kfx_mod_probe(struct page *p, int n)
{
	struct page *pages[1] = { p };
	void *v = vmap(pages, 1, (unsigned long)n, (pgprot_t){ 0 });

	if (!v)
		return kfx_printk("kfx_mod: no map %d\n", n);
	return setup_once(n) + kfx_shared_init(p) + kfx_mod_util(n);
}
