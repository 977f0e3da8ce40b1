// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture (types-*.elf): a second, different struct kfx_priv
 * (variants of one name), and kfx_types.h's types again, which must be
 * kept once.
 */
#include "kfx_types.h"

struct kfx_priv {		/* another definition of the name */
	char tag[4];
};

struct kfx_priv kfx_twin_var;
struct kfx_nested kfx_twin_nested;
struct linux_binprm kfx_twin_binprm;

int kfx_twin_size(void)
{
	return sizeof(kfx_twin_var) + sizeof(kfx_twin_nested);
}
