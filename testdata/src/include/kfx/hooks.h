/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: miniatures of the kernel's hook mechanisms, for the
 * hooks fixtures (hooks-*.elf) only. Each struct has the members kabi
 * reads, placed among others so that their offsets are not trivial.
 *
 *   (no switch)   version 1 (6.1.99)
 *   -DKFX_V2      version 2 (6.2.5): the changes listed in testdata/README.md
 */
#ifndef KFX_HOOKS_H
#define KFX_HOOKS_H

struct kfx_list_head { struct kfx_list_head *next, *prev; };
struct kfx_hlist_head { void *first; };

/* include/linux/tracepoint-defs.h */
struct tracepoint {
	const char *name;
	int key;
	void (*regfunc)(void);
};

/* include/linux/trace_events.h */
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
		struct tracepoint *tp;	/* when TRACE_EVENT_FL_TRACEPOINT */
	};
	char event[24];
	char *print_fmt;
	void *filter;
	union {
		void *module;
		int refcnt;
	};
	void *data;
	short pad;
	int flags;
};

enum {
	TRACE_EVENT_FL_FILTERED_BIT,
	TRACE_EVENT_FL_CAP_ANY_BIT,
	TRACE_EVENT_FL_NO_SET_FILTER_BIT,
	TRACE_EVENT_FL_IGNORE_ENABLE_BIT,
	TRACE_EVENT_FL_WAS_ENABLED_BIT,
	TRACE_EVENT_FL_TRACEPOINT_BIT,
};

enum {
	TRACE_EVENT_FL_CAP_ANY = (1 << TRACE_EVENT_FL_CAP_ANY_BIT),
	TRACE_EVENT_FL_TRACEPOINT = (1 << TRACE_EVENT_FL_TRACEPOINT_BIT),
};

struct kfx_request { unsigned long long sector; unsigned int bytes; int dev; };
struct kfx_file { int mode; };
struct kfx_pt_regs { unsigned long di, si, dx; };

#endif /* KFX_HOOKS_H */
