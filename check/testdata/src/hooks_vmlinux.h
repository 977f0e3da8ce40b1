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

struct kfx_list_head {
	struct kfx_list_head *next;
	struct kfx_list_head *prev;
};

struct tracepoint {
	const char *name;
	int key;
	void (*regfunc)(void);
};

struct trace_event_class {
	const char *system;
	void *probe;
	void *perf_probe;
	struct kfx_list_head fields;
};

struct trace_event_call {
	struct kfx_list_head list;
	struct trace_event_class *class;
	union {
		char *name;
		struct tracepoint *tp;
	};
	char event[24];
	char *print_fmt;
	void *filter;
	union {
		void *module;
		int refcnt;
	};
	void *data;
	short int pad;
	int flags;
};

enum {
	TRACE_EVENT_FL_FILTERED_BIT = 0,
	TRACE_EVENT_FL_CAP_ANY_BIT = 1,
	TRACE_EVENT_FL_NO_SET_FILTER_BIT = 2,
	TRACE_EVENT_FL_IGNORE_ENABLE_BIT = 3,
	TRACE_EVENT_FL_WAS_ENABLED_BIT = 4,
	TRACE_EVENT_FL_TRACEPOINT_BIT = 5,
};

enum {
	TRACE_EVENT_FL_CAP_ANY = 2,
	TRACE_EVENT_FL_TRACEPOINT = 32,
};

struct kfx_request {
	long long unsigned int sector;
	unsigned int bytes;
	int dev;
};

struct trace_event_raw_block_rq {
	int dev;
	long long unsigned int sector;
	unsigned int nr_sector;
	char rwbs[8];
};

struct trace_event_raw_sched_switch {
	int prev_pid;
	int next_pid;
};

struct kfx_hlist_head {
	void *first;
};

struct kfx_file {
	int mode;
};

struct security_hook_heads {
	struct kfx_hlist_head file_open;
	struct kfx_hlist_head bprm_check_security;
};

struct kfx_pt_regs {
	long unsigned int di;
	long unsigned int si;
	long unsigned int dx;
};

typedef long int (*sys_call_ptr_t)(const struct kfx_pt_regs *);

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
