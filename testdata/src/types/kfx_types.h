/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: struct, union and enum definitions (types-*.elf).
 * Every case a type model must get right: bitfields (also crossing a
 * storage unit and 64-bit wide), anonymous unions and structs (nested,
 * C11 style, seen through by field lookup), a named member of an
 * anonymous type, arrays of structs, a flexible array, a packed struct,
 * enums with negative, 64-bit unsigned and 64-bit signed values, and a
 * typedef of an anonymous struct. Built as version 1 and, with
 * -DKFX_V2, version 2, where kfx_versioned, kfx_ver, kfx_uver and
 * linux_binprm change (see the comments there).
 */
#ifndef KFX_TYPES_FIX_H
#define KFX_TYPES_FIX_H

struct kfx_bits {
	unsigned int a:1;
	unsigned int b:3;
	int c:5;		/* signed bitfield */
	unsigned long long wide:40;	/* crosses the first 4-byte unit */
	unsigned char tail;
	unsigned int :0;	/* unnamed zero width: no member in DWARF */
	unsigned short last:7;
};

struct kfx_anon {
	int kind;
	union {			/* anonymous union */
		int i;
		long l;
		struct {	/* anonymous struct inside it */
			short lo;
			short hi;
		};
	};
	struct {		/* anonymous type, named member */
		char tag;
		int count;
	} named_anon;
	unsigned int flags;
};

struct kfx_nested {
	struct kfx_bits bits;
	struct kfx_anon anon[2];
	const volatile struct kfx_bits *cv;
};

struct kfx_flex {
	int n;
	long data[];		/* flexible array member */
};

struct kfx_packed {
	char c;
	int i;
	long l;
} __attribute__((packed));

enum kfx_neg {
	KFX_NEG_MIN = -5,
	KFX_NEG_ZERO = 0,
	KFX_NEG_MAX = 5,
};

enum kfx_big {
	KFX_BIG_LOW = 1,
	KFX_BIG_HIGH = 0xfffffffffffffff0ULL,	/* 64-bit unsigned */
};

enum kfx_s64 {
	KFX_S64_MIN = -0x7fffffffffffffffLL - 1,	/* 64-bit signed */
	KFX_S64_ONE = 1,
};

typedef struct {
	int counter;
} kfx_atomic_t;

/*
 * Changes between version 1 and 2: flags retyped (int -> long), removed
 * dropped, added added, id moved after flags (offset moved), the bitfield
 * mode widened and moved, the size grows.
 */
struct kfx_versioned {
#ifdef KFX_V2
	long flags;
	int id;
	unsigned int pad:2, mode:6;
	char added;
#else
	int id;
	int flags;
	int removed;
	unsigned int mode:4;
#endif
	kfx_atomic_t refs;
};

enum kfx_ver {
	KFX_VER_A,
#ifdef KFX_V2
	KFX_VER_B = 3,		/* changed */
	KFX_VER_D,		/* added */
#else
	KFX_VER_B = 2,
	KFX_VER_C,		/* removed in version 2 */
#endif
};

union kfx_uver {
	int i;
#ifdef KFX_V2
	long long ll;		/* union grows */
#else
	char c;
#endif
};

struct vm_area_struct;
struct mm_struct;
struct file;
struct cred;

struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};

/* The kernel's struct linux_binprm as of 5.0 and, with KFX_V2, 5.3. */
struct linux_binprm {
#ifndef KFX_V2
	char buf[128];
#endif
	struct vm_area_struct *vma;
	unsigned long vma_pages;
	struct mm_struct *mm;
	unsigned long p;
	unsigned long argmin;
	unsigned int called_set_creds:1, cap_elevated:1, secureexec:1;
	unsigned int recursion_depth;
	struct file *file;
	struct cred *cred;
	int unsafe;
	unsigned int per_clear;
	int argc, envc;
	const char *filename;
	const char *interp;
	unsigned interp_flags;
	unsigned interp_data;
	unsigned long loader, exec;
	struct rlimit rlim_stack;
#ifdef KFX_V2
	char buf[256];
#endif
};

#endif /* KFX_TYPES_FIX_H */
