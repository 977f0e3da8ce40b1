// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: scheduler-like unit.
 * Provokes: recursion, the static half of a static-global collision
 * (do_work), a call inside a lexical block, a __compiletime_assert_
 * declaration (BUILD_BUG_ON), one direct call of kfx_alloc, a direct
 * (out-of-line) call of the selectively inlined global vm_pages_count, a
 * call into assembly with debug info (kfx_asm_cpu_relax).
 */
#include <kfx/kernel.h>

static struct kfx_node sched_nodes[3];

/*
 * Case "recursion": kfx_tree_sum calls itself directly (two call sites;
 * gcc may turn one into a loop, at least one direct self-call remains).
 */
noinline int kfx_tree_sum(const struct kfx_node *node)
{
	if (!node)
		return 0;
	return node->val + kfx_tree_sum(node->left) * 3 +
	       kfx_tree_sum(node->right);
}

/*
 * Case "Static-Global Collision": static do_work, while fs/file_fix.c
 * defines the global do_work.
 */
static noinline int do_work(int n)
{
	return sched_nodes[n % 3].val * n;
}

/*
 * Case "lexical block containing a call": the block's local variable keeps
 * a DW_TAG_lexical_block around the call of kfx_printk.
 */
int kfx_schedule(struct kfx_node *root)
{
	int total = kfx_tree_sum(root);

	if (total > 10) {
		int scaled = do_work(total);		/* static do_work */
		kfx_printk("sched: %d %d\n", total, scaled);
		total += scaled;
	}
	/* Case "external function called from several files": one call. */
	if (kfx_alloc(16, 0))
		total++;
	/* Direct out-of-line call of a selectively inlined global. */
	total += (int)vm_pages_count((const struct page *)0);
	total += (int)page_to_index((const struct page *)root); /* inlined */
	/* Case "__compiletime_assert_": declaration only, call optimized out. */
	BUILD_BUG_ON_N(sizeof(struct kfx_node) > 64, 42);
	kfx_asm_cpu_relax();	/* C -> assembly (arch/entry.S) */
	return total;
}
