// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: signature zoo (surface-rules section 4) and the
 * ThinLTO promotion case. All functions here are global and noinline so
 * they keep one out-of-line definition under every compiler.
 */
#include <kfx/kernel.h>

static int sig_table[4][4];

/* Case "function-pointer parameter": int (*cb)(void *, int). */
noinline int kfx_register_handler(int (*cb)(void *, int), void *data)
{
	return cb ? cb(data, 1) : -1;	/* indirect call: no call origin */
}

static int sig_default_handler(void *data, int arg)
{
	return data ? arg : -arg;
}

/* Case "function returning a function pointer", written the C way. */
noinline int (*kfx_get_handler(int idx))(void *, int)
{
	return idx ? sig_default_handler : (int (*)(void *, int))0;
}

/* The same, through a typedef (signature keeps the typedef name). */
noinline kfx_handler_t kfx_get_handler_t(int idx)
{
	return kfx_get_handler(idx + 1);
}

/* Classic signal(): returns a function pointer and takes one. */
noinline void (*kfx_signal(int sig, void (*handler)(int)))(int)
{
	return sig ? handler : (void (*)(int))0;
}

/* Case "array parameter": int a[4] (decays to int *). */
noinline int kfx_sum4(int a[4])
{
	return a[0] + a[1] + a[2] + a[3];
}

/* Case "pointer to array": int (*m)[4]. */
noinline int kfx_rows(int (*m)[4], int n)
{
	return m[n][0] + m[n][3];
}

/* Case "const char *const *argv". */
noinline int kfx_parse_args(int argc, const char *const *argv)
{
	return argc > 0 && argv[0] ? argv[0][0] : 0;
}

/* Case "restrict" qualifiers. */
noinline void kfx_copy(void *restrict dst, const void *restrict src, size_t n)
{
	char *d = dst;
	const char *s = src;

	while (n--)
		*d++ = *s++;
}

/* Case "const volatile" pointee. */
noinline unsigned int kfx_read_reg(const volatile unsigned int *reg)
{
	return *reg;
}

/* Case "struct/union/enum by tag, _Bool typedef, u64 typedef". */
noinline enum kfx_state kfx_set_state(struct kfx_req *req, union kfx_key key,
				      enum kfx_state st, bool force, u64 stamp)
{
	if (force || req->state != KFX_DEAD)
		req->state = st;
	req->pad[0] = (long)(key.ul + stamp);
	return req->state;
}

/* Case "void parameter list": kfx_init(void). */
noinline void kfx_init(void)
{
	sig_table[0][0] = 1;
}

/* Unprototyped (K&R-style empty list): no DW_AT_prototyped, prints f(). */
noinline int kfx_old_style()
{
	return sig_table[1][1];
}

/*
 * ThinLTO promotion case (clang.elf): sig_hidden_helper is static and not
 * inlinable; kfx_sig_dispatch is small and global, called from
 * init/main.c. When ThinLTO imports kfx_sig_dispatch into main.c's module,
 * sig_hidden_helper must be promoted and is renamed
 * sig_hidden_helper.llvm.<hash>.
 */
static noinline int sig_hidden_helper(int sel)
{
	return sig_table[sel & 3][(sel >> 2) & 3] + sel;
}

int kfx_sig_dispatch(int sel)
{
	const char *argv[] = { "kfx", (const char *)0 };
	int a[4] = { 1, 2, 3, 4 };
	unsigned int reg = 5;
	struct kfx_req req = { .id = sel };
	union kfx_key key = { .ul = 1 };
	int r = sig_hidden_helper(sel);

	r += kfx_register_handler(kfx_get_handler_t(sel), &req);
	r += kfx_signal(sel, (void (*)(int))0) ? 1 : 0;
	r += kfx_sum4(a) + kfx_rows(sig_table, sel & 3);
	r += kfx_parse_args(1, argv);
	kfx_copy(&sig_table[2], a, sizeof(a));
	r += (int)kfx_read_reg(&reg);
	r += (int)kfx_set_state(&req, key, KFX_RUNNING, 0, 7ULL);
	return r + kfx_old_style();
}
