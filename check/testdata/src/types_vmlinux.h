#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct kfx_bits {
	unsigned int a: 1;
	unsigned int b: 3;
	int c: 5;
	long long unsigned int wide: 40;
	unsigned char tail;
	short unsigned int last: 7;
};

struct kfx_anon {
	int kind;
	union {
		int i;
		long int l;
		struct {
			short int lo;
			short int hi;
		};
	};
	struct {
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
	long int data[0];
};

struct kfx_packed {
	char c;
	int i;
	long int l;
} __attribute__((packed));

enum kfx_neg {
	KFX_NEG_MIN = -5,
	KFX_NEG_ZERO = 0,
	KFX_NEG_MAX = 5,
};

enum kfx_big {
	KFX_BIG_LOW = 1ULL,
	KFX_BIG_HIGH = 18446744073709551600ULL,
};

enum kfx_s64 {
	KFX_S64_MIN = -9223372036854775808LL,
	KFX_S64_ONE = 1LL,
};

typedef struct {
	int counter;
} kfx_atomic_t;

struct kfx_versioned {
	int id;
	int flags;
	int removed;
	unsigned int mode: 4;
	kfx_atomic_t refs;
};

enum kfx_ver {
	KFX_VER_A = 0,
	KFX_VER_B = 2,
	KFX_VER_C = 3,
};

union kfx_uver {
	int i;
	char c;
};

struct rlimit {
	long unsigned int rlim_cur;
	long unsigned int rlim_max;
};

struct vm_area_struct;

struct mm_struct;

struct file;

struct cred;

struct linux_binprm {
	char buf[128];
	struct vm_area_struct *vma;
	long unsigned int vma_pages;
	struct mm_struct *mm;
	long unsigned int p;
	long unsigned int argmin;
	unsigned int called_set_creds: 1;
	unsigned int cap_elevated: 1;
	unsigned int secureexec: 1;
	unsigned int recursion_depth;
	struct file *file;
	struct cred *cred;
	int unsafe;
	unsigned int per_clear;
	int argc;
	int envc;
	const char *filename;
	const char *interp;
	unsigned int interp_flags;
	unsigned int interp_data;
	long unsigned int loader;
	long unsigned int exec;
	struct rlimit rlim_stack;
};

struct kfx_priv {
	int a;
	long int b;
};

struct kfx_local {
	int x;
	short int y;
};

struct kfx_priv___2 {
	char tag[4];
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
