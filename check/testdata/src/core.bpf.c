// SPDX-License-Identifier: Apache-2.0
/*
 * kabi check fixture: CO-RE relocations of every kind on the fixture
 * types, guarded and unguarded, through libbpf flavors (type___suffix),
 * with the "several kernels" idiom (a field read under
 * bpf_core_field_exists, another flavor's field read otherwise). See
 * check/testdata/README.md.
 */
#include "kfx_bpf.h"

char LICENSE[] SEC("license") = "GPL";

long hits;

/* A newer kernel's kfx_req, with a field no fixture build has. */
struct kfx_req___new {
	int prio;
} __attribute__((preserve_access_index));

/* An older kernel's name of the field. */
struct kfx_req___old {
	int flags;
} __attribute__((preserve_access_index));

/* A field no build has, read without a check. */
struct kfx_node___x {
	int weight;
} __attribute__((preserve_access_index));

SEC("kprobe/kfx_cmp_entry")
int BPF_KPROBE(core_entry, struct kfx_req *req, struct page *page)
{
	int prio;

	hits += BPF_CORE_READ(req, id);
	hits += BPF_CORE_READ(page, flags);
	if (bpf_core_field_exists(((struct kfx_req___new *)req)->prio))
		prio = BPF_CORE_READ((struct kfx_req___new *)req, prio);
	else
		prio = BPF_CORE_READ((struct kfx_req___old *)req, flags);
	hits += prio;
	hits += BPF_CORE_READ(req, state);
	hits += bpf_core_field_size(req->name);
	if (bpf_core_enum_value_exists(enum kfx_state, KFX_DEAD))
		hits += bpf_core_enum_value(enum kfx_state, KFX_RUNNING);
	if (bpf_core_type_exists(union kfx_key))
		hits += bpf_core_type_size(struct kfx_node);
	return 0;
}

SEC("kprobe/kfx_cmp_entry")
int BPF_KPROBE(core_weight, struct kfx_req *req)
{
	struct kfx_node *node = (void *)req;

	hits += BPF_CORE_READ((struct kfx_node___x *)node, weight);
	hits += BPF_CORE_READ(node, left, val);
	return 0;
}
