/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: shared declarations and header-defined inline functions.
 * Included by init/main.c, mm/vmalloc_fix.c, fs/file_fix.c, kernel/sched_fix.c.
 */
#ifndef KFX_KERNEL_H
#define KFX_KERNEL_H

#include <kfx/types.h>

#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __cold __attribute__((__cold__))
#define __noreturn __attribute__((__noreturn__))
#define __used __attribute__((__used__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * Case "names beginning __compiletime_assert_ are dropped": the kernel's
 * BUILD_BUG_ON pattern. gcc emits a block-scope DW_TAG_subprogram
 * declaration (DW_AT_external, DW_AT_declaration, DW_AT_noreturn) nested in
 * a DW_TAG_lexical_block of the using function; the call is optimized away
 * and no symbol exists. clang emits no DIE for it.
 */
#define BUILD_BUG_ON_N(cond, n)						\
	do {								\
		extern void __compiletime_assert_##n(void)		\
			__attribute__((__error__("BUILD_BUG_ON failed: " #cond), \
				       __noreturn__));			\
		if (cond)						\
			__compiletime_assert_##n();			\
	} while (0)

/* --- external functions (DW_AT_external) ------------------------------ */

/* Case "external function called from several files" (Unique Global). */
void *kfx_alloc(size_t size, gfp_t flags);		/* mm/vmalloc_fix.c */
void *vmap(struct page **pages, unsigned int count,
	   unsigned long flags, pgprot_t prot);		/* mm/vmalloc_fix.c */
unsigned long vm_pages_count(const struct page *page);	/* mm/vmalloc_fix.c */

/* Case "variadic". */
int kfx_printk(const char *fmt, ...);			/* kernel/printk_fix.c */
/* Called from inside the always-inline helpers below. */
void kfx_log_event(int ev);				/* kernel/printk_fix.c */
void kfx_dump_page(const struct page *page);		/* kernel/printk_fix.c */
/* Cold: a branch that starts by calling it is cold (.cold clones). */
void kfx_warn(const char *msg) __cold;			/* kernel/printk_fix.c */

/* Case "declared in C, defined in assembly" (arch/lib.S, assembled
 * without debug info: these are declared only in DWARF). Unnamed
 * parameters: the declaration DIE's formal parameters have no names.
 * memset/memcpy are assembly too, as the kernel's are on x86. */
unsigned long kfx_asm_read_tsc(int, void *);	/* called by start_kernel */
void *memset(void *s, int c, size_t n);		/* called by kfx_alloc */
void *memcpy(void *dst, const void *src, size_t n);
/* Assembly with gas debug info (arch/entry.S): a C declaration DIE plus,
 * with gcc/gas, an assembler CU definition DIE. Called by kfx_schedule. */
void kfx_asm_cpu_relax(void);

int kfx_open_file(const char *name, int mode);		/* fs/file_fix.c */
int kfx_schedule(struct kfx_node *root);		/* kernel/sched_fix.c */
int kfx_tree_sum(const struct kfx_node *node);		/* kernel/sched_fix.c */
int kfx_sig_dispatch(int sel);				/* lib/sig_fix.c */
void kfx_init(void);					/* lib/sig_fix.c */
void start_kernel(void);				/* init/main.c */
int kfx_version(u64 patch);				/* version_fix.c */

/* --- header-defined static functions ---------------------------------- */

/*
 * Case "Static Duplication" (+ Selective inline): one declaration location,
 * one instance per including CU. Inlined in mm/, kernel/ and init/; fs/
 * also stores its address, so fs/file_fix.o has an out-of-line copy and
 * a LOCAL symbol page_to_index.
 */
static inline unsigned long page_to_index(const struct page *page)
{
	return page->flags >> 8;
}

/*
 * Case "Full inline" + "Static Duplication" + "call inside inlined code" +
 * "nested inline": always inlined, never out of line, no symbol.
 * kfx_trace_outer() inlines kfx_trace_inner(), whose body calls the
 * external kfx_log_event(): that call site sits inside two nested
 * DW_TAG_inlined_subroutine DIEs.
 */
static __always_inline void kfx_trace_inner(int ev)
{
	if (ev > 0)
		kfx_log_event(ev);
}

static __always_inline int kfx_trace_outer(int ev)
{
	kfx_trace_inner(ev + 1);
	return ev * 2;
}

#endif /* KFX_KERNEL_H */
