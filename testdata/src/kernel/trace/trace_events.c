// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: a miniature of the kernel's trace event registration.
 * Each event is a struct trace_event_call; a pointer to it lies in the
 * section ftrace_events, which the linker brackets with
 * __start_ftrace_events and __stop_ftrace_events. A tracepoint event
 * (TRACE_EVENT_FL_TRACEPOINT) names itself through its struct tracepoint,
 * a syscall event directly. The record structs trace_event_raw_<class>,
 * the probes trace_event_raw_event_<class> and the raw-tracepoint
 * functions __bpf_trace_<class> are those of the kernel's macros, by hand.
 * pelt_kfx_tp is a bare tracepoint, without an event.
 */
#include <kfx/hooks.h>

#define __used __attribute__((__used__))
#define noinline __attribute__((__noinline__))

volatile unsigned long kfx_trace_sink;

/* The class of block_rq_issue and block_rq_insert. */
struct trace_event_raw_block_rq {
	int dev;
	unsigned long long sector;
	unsigned int nr_sector;
#ifdef KFX_V2
	unsigned int bytes;	/* V2: a field added */
#endif
	char rwbs[8];
};

#ifdef KFX_V2
noinline void trace_event_raw_event_block_rq(void *__data, struct kfx_request *rq)
#else
noinline void trace_event_raw_event_block_rq(void *__data, void *q, struct kfx_request *rq)
#endif
{
	struct trace_event_raw_block_rq r = { .dev = rq->dev, .sector = rq->sector };
	kfx_trace_sink += (unsigned long)__data + r.sector + (unsigned long)r.dev;
}

#ifdef KFX_V2
noinline void __bpf_trace_block_rq(void *__data, struct kfx_request *rq)
#else
noinline void __bpf_trace_block_rq(void *__data, void *q, struct kfx_request *rq)
#endif
{
	kfx_trace_sink += (unsigned long)__data + rq->bytes;
}

/* The class of sched_switch (one event). */
struct trace_event_raw_sched_switch {
	int prev_pid;
	int next_pid;
};

noinline void trace_event_raw_event_sched_switch(void *__data, int preempt, int prev, int next)
{
	struct trace_event_raw_sched_switch r = { .prev_pid = prev, .next_pid = next };
	kfx_trace_sink += (unsigned long)__data + (unsigned long)preempt + (unsigned long)(r.prev_pid + r.next_pid);
}

noinline void __bpf_trace_sched_switch(void *__data, int preempt, int prev, int next)
{
	kfx_trace_sink += (unsigned long)__data + (unsigned long)(preempt + prev + next);
}

static char print_fmt_block_rq[] =
#ifdef KFX_V2
	"\"%d %llu + %u [%s]\", REC->dev, REC->sector, REC->nr_sector, REC->rwbs";
#else
	"\"%d %llu + %u\", REC->dev, REC->sector, REC->nr_sector";
#endif
static char print_fmt_sched_switch[] = "\"prev_pid=%d next_pid=%d\", REC->prev_pid, REC->next_pid";

struct trace_event_class event_class_block_rq = {
	.system = "block", .probe = (void *)trace_event_raw_event_block_rq,
};
struct trace_event_class event_class_sched_switch = {
	.system = "sched", .probe = (void *)trace_event_raw_event_sched_switch,
};
struct trace_event_class event_class_syscall_enter = { .system = "syscalls" };

struct tracepoint __tracepoint_block_rq_issue = { .name = "block_rq_issue" };
struct tracepoint __tracepoint_sched_switch = { .name = "sched_switch" };
#ifndef KFX_V2
struct tracepoint __tracepoint_block_rq_insert = { .name = "block_rq_insert" };	/* V2: removed */
#else
struct tracepoint __tracepoint_block_rq_merge = { .name = "block_rq_merge" };	/* V2: added */
#endif

#define TP_EVENT(ev, cls)							\
	static struct trace_event_call __used event_##ev = {			\
		.class = &event_class_##cls,					\
		.tp = &__tracepoint_##ev,					\
		.print_fmt = print_fmt_##cls,					\
		.flags = TRACE_EVENT_FL_TRACEPOINT,				\
	};									\
	static struct trace_event_call __used				\
	__attribute__((section("ftrace_events"))) *__event_##ev = &event_##ev

TP_EVENT(block_rq_issue, block_rq);
TP_EVENT(sched_switch, sched_switch);
#ifndef KFX_V2
TP_EVENT(block_rq_insert, block_rq);
#else
TP_EVENT(block_rq_merge, block_rq);
#endif

/* A syscall event: its name in the call, no tracepoint flag, no format. */
static struct trace_event_call __used event_enter_openat = {
	.class = &event_class_syscall_enter,
	.name = "sys_enter_openat",
	.flags = TRACE_EVENT_FL_CAP_ANY,
};
static struct trace_event_call __used __attribute__((section("ftrace_events"))) *__event_enter_openat = &event_enter_openat;

/*
 * A bare tracepoint (DECLARE_TRACE): a struct tracepoint and its raw
 * function, no trace event.
 */
struct tracepoint __tracepoint_pelt_kfx_tp = { .name = "pelt_kfx_tp" };

noinline void __bpf_trace_pelt_kfx_tp(void *__data, struct kfx_request *rq)
{
	kfx_trace_sink += (unsigned long)__data + rq->sector;
}

/* Referenced, so that the linker defines them. */
extern struct trace_event_call *__start_ftrace_events[];
extern struct trace_event_call *__stop_ftrace_events[];

int kfx_trace_events_count(void)
{
	return (int)(__stop_ftrace_events - __start_ftrace_events);
}
