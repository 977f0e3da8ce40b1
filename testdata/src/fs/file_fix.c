// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: filesystem-like unit.
 * Provokes: two direct call sites of kfx_alloc in one caller, the global
 * half of a static-global collision (do_work), the second static
 * setup_once (static-static collision), an out-of-line copy of the header
 * static inline page_to_index (static duplication).
 */
#include <kfx/kernel.h>

static struct page fs_pages[4];

int do_work(int n);

/*
 * Case "Static Duplication": this CU takes the address of the header's
 * page_to_index, so here it also has an out-of-line copy and a LOCAL symbol.
 */
unsigned long (*const fs_index_fn)(const struct page *) __used = page_to_index;

/*
 * Case "Static-Static Collision": unrelated to mm/vmalloc_fix.c:setup_once.
 */
static noinline int setup_once(int x)
{
	fs_pages[x & 3].flags |= 1;
	return (int)fs_pages[x & 3].flags;
}

/*
 * Case "Static-Global Collision": this is the global (external) do_work;
 * kernel/sched_fix.c has a static do_work.
 */
noinline int do_work(int n)
{
	return setup_once(n) + (int)page_to_index(&fs_pages[n & 3]);
}

/*
 * Case "external function called from several files": two direct call
 * sites of kfx_alloc in this one caller (two entries in the caller list).
 * Also inlines the header's kfx_trace_outer (full inline, duplicated).
 */
int kfx_open_file(const char *name, int mode)
{
	char *buf = kfx_alloc(64, 1);
	struct page *pg = kfx_alloc(sizeof(*pg), 0);

	if (!buf || !pg)
		return -12;
	buf[0] = name[0];
	pg->flags = (unsigned long)mode;
	return do_work(mode) + kfx_trace_outer(mode);
}
