/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: types used in signatures (surface-rules section 4).
 * struct/union/enum tags, typedef chains, an anonymous-struct typedef
 * (pgprot_t, as in the kernel), a function-pointer typedef.
 * No bitfields anywhere.
 */
#ifndef KFX_TYPES_H
#define KFX_TYPES_H

/* Typedef chains: a signature must print `size_t`, not the base type. */
typedef unsigned long __kernel_size_t;
typedef __kernel_size_t size_t;
typedef unsigned int gfp_t;
typedef _Bool bool;
typedef unsigned long long u64;

/* Typedef of an anonymous struct (kernel's pgprot_t). */
typedef struct {
	unsigned long pgprot;
} pgprot_t;

struct page {
	unsigned long flags;
	void *virtual;
	struct page *next;
};

union kfx_key {
	unsigned long ul;
	void *ptr;
	unsigned char bytes[8];
};

enum kfx_state {
	KFX_IDLE,
	KFX_RUNNING,
	KFX_DEAD = 7,
};

struct kfx_node {
	int val;
	struct kfx_node *left;
	struct kfx_node *right;
};

struct kfx_req {
	int id;
	int flags;
	long pad[4];
	const char *name;
	enum kfx_state state;
};

/* Function-pointer typedef. */
typedef int (*kfx_handler_t)(void *data, int arg);

/* Ops table with a function-pointer member (used to force out-of-line copies). */
struct vm_ops {
	int (*map)(struct page *page, int order);
	unsigned long (*index)(const struct page *page);
};

#endif /* KFX_TYPES_H */
