// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: memory-management-like unit.
 * Provokes: external function called from several files (kfx_alloc),
 * selective inline of a static and of a global function, gcc clones
 * (.isra, .constprop, .part, .cold), static-static collision (setup_once).
 */
#include <kfx/kernel.h>

static char kfx_heap[4096];
static size_t kfx_heap_top;
static unsigned long vm_stats[8];

/*
 * Case "external function called from several files" (Unique Global, No
 * inline). Direct callers: fs/file_fix.c:kfx_open_file (twice),
 * kernel/sched_fix.c:kfx_schedule (once), mm/vmalloc_fix.c:vmap (via the
 * inlined vm_map_page) and mm/vmalloc_fix.c:vm_map_page (its out-of-line
 * copy).
 */
noinline void *kfx_alloc(size_t size, gfp_t flags)
{
	void *p;

	if (kfx_heap_top + size > sizeof(kfx_heap))
		return (void *)0;
	p = &kfx_heap[kfx_heap_top];
	kfx_heap_top += size;
	if (flags & 1)
		memset(p, 0, size);	/* call of an assembly function */
	return p;
}

/*
 * Case "Full inline" (single CU, not a duplication): always inlined into
 * vmap(), no out-of-line copy, no symbol.
 */
static __always_inline unsigned long vm_area_fixup(unsigned long addr)
{
	return (addr + 4095) & ~4095UL;
}

/*
 * Case "Selective inline" (static): inlined into vmap(), and its address is
 * stored in vm_default_ops, so gcc also emits an out-of-line concrete copy
 * (DW_TAG_subprogram with DW_AT_abstract_origin). That copy itself calls
 * kfx_alloc() and inlines page_to_index() and kfx_trace_outer() (->
 * kfx_trace_inner() -> call kfx_log_event()): a test can check these are
 * attributed to vm_map_page.
 */
static inline int vm_map_page(struct page *page, int order)
{
	struct page *n = kfx_alloc(sizeof(*n) << order, 0);

	if (!n)
		return -12;
	n->flags = page_to_index(page) + kfx_trace_outer(order);
	page->next = n;
	return 0;
}

/*
 * Case "Selective inline" (global): external, inlined into vmap() in this
 * CU, and called directly (out of line) from kernel/sched_fix.c.
 */
unsigned long vm_pages_count(const struct page *page)
{
	unsigned long n = 0;

	while (page) {
		n++;
		page = page->next;
	}
	return n;
}

/*
 * Case gcc clone ".isra": the struct pointer is only read for two fields,
 * so IPA-SRA passes them as scalars instead: symbol vm_req_cost.isra.0.
 */
static noinline int vm_req_cost(const struct kfx_req *req)
{
	return req->id * 3 + req->flags;
}

/*
 * Case gcc clone ".constprop": every caller passes shift=12, mode=1, so
 * IPA-CP specialises it: symbol vm_scale.constprop.0.
 */
static noinline unsigned long vm_scale(unsigned long v, int shift, int mode)
{
	if (mode == 1)
		return v << shift;
	if (mode == 2)
		return v >> shift;
	return v * (unsigned long)shift;
}

/*
 * Case gcc clone ".part" (partial inlining): the cheap, likely early
 * return is inlined into the callers, the expensive tail is split out as
 * vm_check_range.part.0.
 */
static int vm_check_range(const struct page *p, unsigned long limit)
{
	unsigned long i, sum = 0;

	if (likely(!p->virtual))
		return 0;
	for (i = 0; i < limit; i++) {
		sum += vm_stats[i & 7] * i;
		if (sum > 100000)
			kfx_printk("vm: range %lu too big\n", sum);
		if (sum & 1)
			kfx_printk("vm: odd %lu %lu\n", sum, i);
		kfx_log_event((int)i);
		vm_stats[(i + 3) & 7] ^= sum;
	}
	vm_stats[0] = sum;
	kfx_printk("vm: done %lu %lu\n", sum, vm_stats[1]);
	return (int)(sum & 0xff);
}

/*
 * Case gcc clone ".cold": the unlikely branch starts with a call of the
 * __cold kfx_warn(), so gcc moves it to .text.unlikely as
 * vm_validate.cold (gen.sh passes -freorder-blocks-and-partition, which is
 * only the default on x86).
 */
static noinline int vm_validate(const struct page *p, int n)
{
	if (unlikely(n < 0)) {
		kfx_warn("vm_validate");
		kfx_printk("vm: bad count %d\n", n);
		return -22;
	}
	return (int)(p->flags & 0xff) + n;
}

/*
 * Case "two or more transformations": an unused parameter that callers
 * pass different constants for (IPA-CP drops it) plus a cold branch: gcc 12
 * gives vm_req_check.constprop.0 and vm_req_check.constprop.0.cold.
 */
static noinline int vm_req_check(const struct kfx_req *req, int unused)
{
	if (unlikely(req->state == KFX_DEAD)) {
		kfx_warn("vm_req_check");
		kfx_printk("vm: dead request %d %d\n", req->id, req->flags);
		return -1;
	}
	return req->flags & 3;
}

/*
 * Case "Static-Static Collision": another static setup_once() with a
 * different body exists in fs/file_fix.c.
 */
static noinline int setup_once(int x)
{
	vm_stats[1] += (unsigned long)x;
	return (int)vm_stats[1];
}

/* Address taken: forces an out-of-line copy of vm_map_page (and keeps
 * vm_pages_count referenced). */
const struct vm_ops vm_default_ops __used = {
	.map = vm_map_page,
	.index = vm_pages_count,
};

/* Signature like the kernel's vmap(): struct **, typedef'd struct by value. */
void *vmap(struct page **pages, unsigned int count,
	   unsigned long flags, pgprot_t prot)
{
	struct kfx_req req = { .id = (int)count, .flags = (int)flags };
	unsigned long addr = 0;
	unsigned int i;
	int ret;

	BUILD_BUG_ON_N(sizeof(pgprot_t) != sizeof(unsigned long), 43);

	for (i = 0; i < count; i++) {
		ret = vm_map_page(pages[i], (int)flags);	/* inlined */
		if (ret)
			return (void *)0;
		addr += vm_pages_count(pages[i]);		/* inlined */
		addr += (unsigned long)vm_check_range(pages[i], count); /* .part */
	}
	addr += (unsigned long)vm_req_cost(&req);
	addr += (unsigned long)vm_req_check(&req, 1);
	addr += vm_scale(addr, 12, 1);
	addr += vm_scale(prot.pgprot, 12, 1);
	addr += (unsigned long)vm_validate(pages[0], (int)count);
	addr += (unsigned long)setup_once((int)count);
	return (void *)vm_area_fixup(addr);
}

/* A second caller for the clones so they are clearly shared. */
int vm_sync(struct kfx_req *req, struct page *p)
{
	int r = vm_req_cost(req) + vm_req_check(req, 2);

	r += vm_check_range(p, 4);
	r += vm_validate(p, r);
	return r + (int)vm_scale((unsigned long)r, 12, 1);
}
