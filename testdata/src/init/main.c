// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: entry point (called from _start in arch/entry.S) and
 * the linux_banner string for metadata parsing.
 *
 * gen.sh defines KFX_RELEASE (e.g. "6.1.99-1-amd64"), KFX_COMPILER (the
 * compiler's version line) and KFX_DEBIAN_VERSION ("6.1.99-1").
 */
#include <kfx/kernel.h>

#ifndef KFX_RELEASE
#define KFX_RELEASE "6.1.99-1-amd64"
#endif
#ifndef KFX_COMPILER
#define KFX_COMPILER "gcc"
#endif
#ifndef KFX_DEBIAN_VERSION
#define KFX_DEBIAN_VERSION "6.1.99-1"
#endif

/* Banner in .rodata, in the layout of a Debian kernel's linux_banner. */
const char linux_banner[] =
	"Linux version " KFX_RELEASE " (fixture@kabi) (" KFX_COMPILER
	") #1 SMP PREEMPT_DYNAMIC Debian " KFX_DEBIAN_VERSION
	" (2024-07-27)\n";

int vm_sync(struct kfx_req *req, struct page *p);	/* mm/vmalloc_fix.c */
#ifdef KFX_WITH_RUST
int kfx_rust_entry(int x);				/* rust/kfx_rust.rs */
#endif

static struct page boot_pages[2];
static struct kfx_node boot_nodes[3];
static struct kfx_req boot_req;
volatile unsigned long kfx_sink;

void start_kernel(void)
{
	struct page *pages[2] = { &boot_pages[0], &boot_pages[1] };
	pgprot_t prot = { 0x63 };

	boot_nodes[0].left = &boot_nodes[1];
	boot_nodes[0].right = &boot_nodes[2];
	kfx_init();
	kfx_printk(linux_banner);
	kfx_sink = (unsigned long)vmap(pages, 2, 0, prot);
	kfx_sink += (unsigned long)vm_sync(&boot_req, &boot_pages[0]);
	kfx_sink += (unsigned long)kfx_open_file("init", 2);
	kfx_sink += (unsigned long)kfx_schedule(&boot_nodes[0]);
	kfx_sink += (unsigned long)kfx_sig_dispatch((int)kfx_sink);
	kfx_sink += kfx_asm_read_tsc(0, (void *)0);	/* C -> assembly */
	kfx_sink += page_to_index(&boot_pages[1]);	/* inlined */
	kfx_dump_page(&boot_pages[0]);
	kfx_sink += (unsigned long)kfx_version(99);
	kfx_sink += (unsigned long)kfx_trace_outer(3);	/* full inline */
#ifdef KFX_WITH_RUST
	kfx_sink += (unsigned long)kfx_rust_entry((int)kfx_sink); /* C -> Rust */
#endif
}
