// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture (types-*.elf): the types of kfx_types.h, defined by
 * global variables, a private struct kfx_priv (another definition of it
 * is in types_twin_fix.c), and a struct defined inside a function.
 */
#include "kfx_types.h"

#ifndef KFX_RELEASE
#define KFX_RELEASE "6.1.99-1-amd64"
#endif
#ifndef KFX_COMPILER
#define KFX_COMPILER "gcc"
#endif

const char linux_banner[] =
	"Linux version " KFX_RELEASE " (fixture@kabi) (" KFX_COMPILER ") #1 SMP\n";

struct kfx_priv {		/* private to this file */
	int a;
	long b;
};

struct kfx_bits kfx_bits_var;
struct kfx_nested kfx_nested_var;
struct kfx_flex *kfx_flex_ptr;
struct kfx_packed kfx_packed_var;
enum kfx_neg kfx_neg_var;
enum kfx_big kfx_big_var;
enum kfx_s64 kfx_s64_var;
struct kfx_versioned kfx_versioned_var;
enum kfx_ver kfx_ver_var;
union kfx_uver kfx_uver_var;
struct linux_binprm kfx_binprm_var;
struct kfx_priv kfx_priv_var;

int kfx_twin_size(void);

__attribute__((noinline)) int kfx_local_types(int x)
{
	struct kfx_local {	/* a type local to a function */
		int x;
		short y;
	} l = { x, 2 };
	volatile struct kfx_local *p = &l;
	return p->x + p->y;
}

void kfx_asm_cpu_relax(void);

void start_kernel(void)
{
	kfx_local_types(kfx_twin_size());
	for (;;)
		kfx_asm_cpu_relax();
}
