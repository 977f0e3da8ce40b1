// SPDX-License-Identifier: Apache-2.0
/*
 * kabi check fixture: CO-RE relocations on the types of the types
 * fixtures (testdata/types-v1.elf, types-v2.elf), each chosen for what
 * version 2 changes (see check/testdata/README.md): a retyped field, a
 * moved one, a removed one read under a check and through the "several
 * kernels" idiom, an added one, fields behind anonymous members and a
 * typedef, enum values changed, removed and added, a grown union, a
 * type no build has.
 */
#define KFX_VMLINUX "types_vmlinux.h"
#include "kfx_bpf.h"

char LICENSE[] SEC("license") = "GPL";

long hits;

struct kfx_versioned___v1 {
	int removed;
} __attribute__((preserve_access_index));

struct kfx_versioned___v2 {
	char added;
} __attribute__((preserve_access_index));

enum kfx_ver___v2 {
	KFX_VER_D___v2 = 4,
};

struct kfx_gone___x {
	int a;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_types(void *ctx)
{
	struct kfx_versioned *v = ctx;
	struct kfx_anon *a = ctx;
	struct linux_binprm *bprm = ctx;

	hits += BPF_CORE_READ(v, id);		/* moved in version 2: CO-RE's job */
	hits += BPF_CORE_READ(v, flags);	/* int, then long */
	if (bpf_core_field_exists(((struct kfx_versioned___v2 *)v)->added))
		hits += BPF_CORE_READ((struct kfx_versioned___v2 *)v, added);
	else
		hits += BPF_CORE_READ((struct kfx_versioned___v1 *)v, removed);
	hits += BPF_CORE_READ(v, refs.counter);
	hits += BPF_CORE_READ(a, hi);		/* inside an anonymous struct in an anonymous union */
	hits += BPF_CORE_READ(bprm, buf[0]);	/* moved and grown in version 2 */
	hits += bpf_core_enum_value(enum kfx_ver, KFX_VER_B);
	if (bpf_core_enum_value_exists(enum kfx_ver, KFX_VER_C))
		hits++;
	hits += bpf_core_enum_value(enum kfx_ver___v2, KFX_VER_D___v2);
	if (bpf_core_type_exists(union kfx_uver))
		hits += bpf_core_type_size(union kfx_uver);
	hits += bpf_core_type_size(struct kfx_gone___x);
	return 2;
}
