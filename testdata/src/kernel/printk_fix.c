// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: printk-like unit. gen.sh compiles this file by its
 * ABSOLUTE path, so its DW_AT_name is
 * /build/reproducible-path/linux-6.1.99/kernel/printk_fix.c (the CU path
 * rule must still give kernel/printk_fix.c), and with -I by absolute path.
 */
#include <kfx/kernel.h>

static int log_buf[32];
static unsigned int log_pos;

/* Case "variadic": prototype ends in `, ...`. */
int kfx_printk(const char *fmt, ...)
{
	__builtin_va_list ap;
	int n = 0;

	__builtin_va_start(ap, fmt);
	while (*fmt) {
		if (*fmt++ == '%')
			n += __builtin_va_arg(ap, int);
	}
	__builtin_va_end(ap);
	log_buf[log_pos++ & 31] = n;
	return n;
}

/* External function called from inside inlined code (kfx_trace_inner). */
noinline void kfx_log_event(int ev)
{
	log_buf[log_pos++ & 31] = ev;
}

/*
 * Inlines the header's page_to_index: since this CU was compiled with an
 * absolute -I, the decl_file of that instance has an absolute directory
 * (/build/reproducible-path/linux-6.1.99/include/kfx) that must normalize to
 * the same location as in the other CUs (Static Duplication).
 */
noinline void kfx_dump_page(const struct page *page)
{
	kfx_printk("page %lu\n", page_to_index(page));
}

/* Cold (attribute on the declaration in kfx/kernel.h). */
void kfx_warn(const char *msg)
{
	kfx_printk("warning: %s\n", msg);
}
