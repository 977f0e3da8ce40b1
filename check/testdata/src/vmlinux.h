#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef long long unsigned int u64;

typedef struct {
	long unsigned int pgprot;
} pgprot_t;

struct page {
	long unsigned int flags;
	void *virtual;
	struct page *next;
};

enum kfx_state {
	KFX_IDLE = 0,
	KFX_RUNNING = 1,
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
	long int pad[4];
	const char *name;
	enum kfx_state state;
};

typedef long unsigned int __kernel_size_t;

typedef __kernel_size_t size_t;

typedef unsigned int gfp_t;

struct vm_ops {
	int (*map)(struct page *, int);
	long unsigned int (*index)(const struct page *);
};

typedef _Bool bool;

union kfx_key {
	long unsigned int ul;
	void *ptr;
	unsigned char bytes[8];
};

typedef int (*kfx_handler_t)(void *, int);

struct __va_list_tag {
	unsigned int gp_offset;
	unsigned int fp_offset;
	void *overflow_arg_area;
	void *reg_save_area;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
