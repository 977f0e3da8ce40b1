/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: what a kernel module's source needs. gen.sh compiles
 * each module's units with -DKFX_RELEASE="<release>" (the release of the
 * fixture vmlinux of that architecture) and links them with ld -r into a
 * relocatable .ko, as kbuild does; the debug sections keep their
 * relocations (.rela.debug_info, .rela.debug_line, ... or .rel.* on i386
 * and armhf).
 */
#ifndef KFX_MODULE_H
#define KFX_MODULE_H

#include <kfx/kernel.h>

#ifndef KFX_RELEASE
#define KFX_RELEASE "6.1.99-1-amd64"
#endif

/* .modinfo entries, NUL-terminated, as MODULE_INFO writes them. */
#define KFX_MODINFO(id, text)						\
	static const char __modinfo_##id[]				\
	__attribute__((__used__, __section__(".modinfo"), __aligned__(1))) = text

#define KFX_MODULE_NAME(n) KFX_MODINFO(name, "name=" n)
#define KFX_VERMAGIC KFX_MODINFO(vermagic, "vermagic=" KFX_RELEASE " SMP preempt mod_unload modversions ")

/* Defined in kfx_mod_util.c (kfx_mod) and kfx_net_util.c (kfx_net). */
int kfx_mod_util(int x);
int kfx_net_util(int x);

#endif /* KFX_MODULE_H */
