// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: the trace events of module kfx_trace, as a module's
 * TRACE_EVENT()s lay them out: each struct trace_event_call (in .data)
 * has a pointer in the module's own _ftrace_events section, which the
 * module loader hands to trace_module_add_events. In the .ko every one of
 * those pointers, and the call's class, tracepoint and format pointers,
 * is zero with a relocation the loader applies.
 *
 * - kfx_trace_hit: a tracepoint event (TRACE_EVENT_FL_TRACEPOINT), class
 *   kfx_trace_hit in system kfx_trace, named by its struct tracepoint.
 * - kfx_trace_miss: of the same class, named by the call itself.
 * - block_rq_issue: a name the hooks fixture's vmlinux has too: a second
 *   event of that name, which kabi reports as a skip.
 */
#include <kfx/hooks.h>

#define __used __attribute__((__used__))
#define noinline __attribute__((__noinline__))

volatile unsigned long kfx_trace_event_sink;

struct trace_event_raw_kfx_trace_hit {
	int pid;
	long cookie;
};

noinline void trace_event_raw_event_kfx_trace_hit(void *__data, int pid, long cookie)
{
	struct trace_event_raw_kfx_trace_hit r = { .pid = pid, .cookie = cookie };
	kfx_trace_event_sink += (unsigned long)__data + (unsigned long)r.pid + (unsigned long)r.cookie;
}

noinline void __bpf_trace_kfx_trace_hit(void *__data, int pid, long cookie)
{
	kfx_trace_event_sink += (unsigned long)__data + (unsigned long)(pid + cookie);
}

static char print_fmt_kfx_trace_hit[] = "\"pid=%d cookie=%ld\", REC->pid, REC->cookie";

struct trace_event_class event_class_kfx_trace_hit = {
	.system = "kfx_trace", .probe = (void *)trace_event_raw_event_kfx_trace_hit,
};

struct tracepoint __tracepoint_kfx_trace_hit = { .name = "kfx_trace_hit" };

static struct trace_event_call __used event_kfx_trace_hit = {
	.class = &event_class_kfx_trace_hit,
	.tp = &__tracepoint_kfx_trace_hit,
	.print_fmt = print_fmt_kfx_trace_hit,
	.flags = TRACE_EVENT_FL_TRACEPOINT,
};
static struct trace_event_call __used event_kfx_trace_miss = {
	.class = &event_class_kfx_trace_hit,
	.name = "kfx_trace_miss",
	.print_fmt = print_fmt_kfx_trace_hit,
};
static struct trace_event_call __used event_block_rq_issue = {
	.class = &event_class_kfx_trace_hit,
	.name = "block_rq_issue",
	.print_fmt = print_fmt_kfx_trace_hit,
};

static struct trace_event_call __used __attribute__((section("_ftrace_events")))
	*__event_kfx_trace_hit = &event_kfx_trace_hit;
static struct trace_event_call __used __attribute__((section("_ftrace_events")))
	*__event_kfx_trace_miss = &event_kfx_trace_miss;
static struct trace_event_call __used __attribute__((section("_ftrace_events")))
	*__event_block_rq_issue = &event_block_rq_issue;
