// SPDX-License-Identifier: Apache-2.0
/*
 * kabi test fixture: functions that change on purpose between the
 * comparison fixtures (cmp-*.elf; surface-rules section 5, issue 5).
 * gen.sh compiles this file (and net/cmp_twin_fix.c) only into the cmp-*
 * fixtures; the version is chosen with -D (see include/kfx/cmp.h):
 * KFX_CMP_LEVEL 1, 2 or 3, and KFX_CLOUD for the cloud flavor.
 *
 * Every function that changes has a comment naming the change. The
 * function's name always sits on the same line in every version (return
 * type on the line above, parameter list chosen by #if below the name), so
 * its declaration location (drivers/cmp_fix.c:LINE) does not move between
 * versions. All functions here are called from kfx_cmp_entry() at the end,
 * with arguments that are not constants (except where a clone is wanted),
 * so that gcc makes no clone other than the intended ones.
 */
#include <kfx/kernel.h>
#include <kfx/cmp.h>

static unsigned long cmp_stats[16];

/* ======== changes from version 1 to version 2 (-DKFX_V2) ======== */

/* V1 -> V2: Param added: flags (unsigned int), appended at the end. */
noinline int
kfx_cmp_open(
#if KFX_CMP_LEVEL >= 2
	const char *name, int mode, unsigned int flags
#else
	const char *name, int mode
#endif
	)
{
	int r = name[0] + mode;

#if KFX_CMP_LEVEL >= 2
	r ^= (int)flags;
#endif
	cmp_stats[0] += (unsigned long)r;
	return r;
}

/* V1 -> V2: Param removed: how (int), the last parameter. */
noinline int
kfx_cmp_close(
#if KFX_CMP_LEVEL >= 2
	int fd
#else
	int fd, int how
#endif
	)
{
#if KFX_CMP_LEVEL >= 2
	cmp_stats[1] = (unsigned long)fd;
#else
	cmp_stats[1] = (unsigned long)(fd + how);
#endif
	return fd - 1;
}

/*
 * V1 -> V2: Param reordered: (start, end) becomes (end, start); same names,
 * same types.
 */
noinline unsigned long
kfx_cmp_map_range(
#if KFX_CMP_LEVEL >= 2
	unsigned long end, unsigned long start
#else
	unsigned long start, unsigned long end
#endif
	)
{
	return end > start ? end - start : start - end + 2;
}

/*
 * V1 -> V2: Param type changed: len, unsigned long (DWARF base type
 * "long unsigned int") becomes size_t (typedef, which counts as a change).
 */
noinline void
kfx_cmp_copy_len(
#if KFX_CMP_LEVEL >= 2
	void *dst, size_t len
#else
	void *dst, unsigned long len
#endif
	)
{
	((char *)dst)[len & 7] = (char)len;
	cmp_stats[2] += len;
}

/* V1 -> V2: Return type changed: int becomes long. */
#if KFX_CMP_LEVEL >= 2
noinline long
#else
noinline int
#endif
kfx_cmp_get_count(void)
{
	return (int)cmp_stats[3] + 3;
}

#if KFX_CMP_LEVEL < 2
/* V1 -> V2: function removed (only in version 1). */
noinline int
kfx_cmp_legacy_ioctl(int cmd, unsigned long arg)
{
	cmp_stats[4] = arg;
	return cmd * 4;
}
#endif

#if KFX_CMP_LEVEL >= 2
/*
 * V1 -> V2: function added (versions 2 and 3).
 * V2 -> V3: Param added: timeout (int), appended at the end.
 */
noinline int
kfx_cmp_poll(
#if KFX_CMP_LEVEL >= 3
	int fd, int events, int timeout
#else
	int fd, int events
#endif
	)
{
#if KFX_CMP_LEVEL >= 3
	return (fd & events) + timeout;
#else
	return (fd & events) + 1;
#endif
}
#endif

/*
 * V1 -> V2: becomes fully inlined: static noinline in version 1 (an
 * out-of-line definition, LOCAL symbol cmp_hash, inline No); static
 * __always_inline from version 2 (inlined into kfx_cmp_entry, no symbol:
 * inline Full).
 */
#if KFX_CMP_LEVEL >= 2
static __always_inline unsigned int
#else
static noinline unsigned int
#endif
cmp_hash(unsigned int x)
{
	return (x * 2654435761u) >> 7;
}

/*
 * V1 -> V2: transformation appears (.isra). In version 1 the pointer value
 * itself is used, so IPA-SRA must keep it: plain symbol cmp_req_weight.
 * From version 2 only two fields are read, so gcc passes them as scalars:
 * symbol cmp_req_weight.isra.0 (and no plain cmp_req_weight).
 */
static noinline int
cmp_req_weight(const struct kfx_req *req)
{
#if KFX_CMP_LEVEL >= 2
	return req->id * 5 + req->flags;
#else
	return req->id * 5 + req->flags + (int)((unsigned long)req & 7);
#endif
}

/*
 * V1 -> V2: collision appears: from version 2, net/cmp_twin_fix.c has its
 * own static cmp_flush (same signature, other body): Unique Static becomes
 * Static-Static Collision (two LOCAL cmp_flush symbols).
 */
static noinline int
cmp_flush(int n)
{
	cmp_stats[5] += (unsigned long)n;
	return (int)cmp_stats[6] + n;
}

/*
 * V1 -> V2: Param added: prio (int), inserted FIRST, which shifts buf and
 * len one position to the right: Param added (prio) and Param reordered.
 */
noinline int
kfx_cmp_submit(
#if KFX_CMP_LEVEL >= 2
	int prio, void *buf, int len
#else
	void *buf, int len
#endif
	)
{
#if KFX_CMP_LEVEL >= 2
	((char *)buf)[0] = (char)prio;
#endif
	return len + (int)cmp_stats[7];
}

/* ======== changes from version 2 to version 3 (-DKFX_V3) ======== */

/* (kfx_cmp_poll above: V2 -> V3 Param added: timeout.) */

/* V2 -> V3: Param removed: wait (int), the last parameter. */
noinline int
kfx_cmp_release(
#if KFX_CMP_LEVEL >= 3
	int fd
#else
	int fd, int wait
#endif
	)
{
#if KFX_CMP_LEVEL >= 3
	cmp_stats[8] ^= (unsigned long)fd;
#else
	cmp_stats[8] ^= (unsigned long)(fd * wait);
#endif
	return fd + 8;
}

/*
 * V2 -> V3: Param reordered: (cpu, node, prio) becomes (node, cpu, prio);
 * same names, same types.
 */
noinline int
kfx_cmp_bind(
#if KFX_CMP_LEVEL >= 3
	int node, int cpu, int prio
#else
	int cpu, int node, int prio
#endif
	)
{
	return cpu * 64 + node * 4 - prio;
}

/*
 * V2 -> V3: Param type changed: page, struct page * becomes
 * const struct page *.
 */
noinline unsigned long
kfx_cmp_inspect(
#if KFX_CMP_LEVEL >= 3
	const struct page *page
#else
	struct page *page
#endif
	)
{
	return page->flags + 9;
}

/* V2 -> V3: Return type changed: void becomes int. */
#if KFX_CMP_LEVEL >= 3
noinline int
#else
noinline void
#endif
kfx_cmp_reset(int level)
{
	cmp_stats[9] = (unsigned long)level;
#if KFX_CMP_LEVEL >= 3
	return level - 9;
#endif
}

#if KFX_CMP_LEVEL < 3
/* V2 -> V3: function removed (versions 1 and 2). */
noinline unsigned long
kfx_cmp_old_stats(void)
{
	return cmp_stats[10] + cmp_stats[11];
}
#endif

#if KFX_CMP_LEVEL >= 3
/* V2 -> V3: function added (only in version 3). */
noinline void
kfx_cmp_trace_point(int id)
{
	cmp_stats[12] ^= (unsigned long)id;
}
#endif

/*
 * V2 -> V3: becomes fully inlined: static noinline in versions 1 and 2
 * (LOCAL symbol cmp_mix, inline No); static __always_inline in version 3
 * (no symbol: inline Full).
 */
#if KFX_CMP_LEVEL >= 3
static __always_inline unsigned long
#else
static noinline unsigned long
#endif
cmp_mix(unsigned long a, unsigned long b)
{
	return (a ^ (b << 3)) + 13;
}

/*
 * V2 -> V3: transformation appears (.constprop). In versions 1 and 2 the
 * callers pass bits computed at run time: plain symbol cmp_shift. In
 * version 3 every caller passes bits = 12, so IPA-CP specialises it:
 * symbol cmp_shift.constprop.0 (and no plain cmp_shift).
 */
static noinline unsigned long
cmp_shift(unsigned long v, int bits)
{
	return (v << bits) ^ (v >> 3);
}

/*
 * V2 -> V3: collision appears: in version 3, net/cmp_twin_fix.c defines a
 * GLOBAL cmp_sync (same signature): Unique Static becomes Static-Global
 * Collision (symbols cmp_sync LOCAL and cmp_sync GLOBAL).
 */
static noinline int
cmp_sync(int n)
{
	cmp_stats[13] -= (unsigned long)n;
	return (int)cmp_stats[14] ^ n;
}

/*
 * V2 -> V3: several changes in one function, to check their order:
 * (int a, long b, char *c) returning int becomes
 * (long b, unsigned int a, int d) returning long:
 * Param added (d), Param removed (c), Param reordered (a and b swap),
 * Param type changed (a: int -> unsigned int), Return type changed
 * (int -> long).
 */
#if KFX_CMP_LEVEL >= 3
noinline long
#else
noinline int
#endif
kfx_cmp_config(
#if KFX_CMP_LEVEL >= 3
	long b, unsigned int a, int d
#else
	int a, long b, char *c
#endif
	)
{
#if KFX_CMP_LEVEL >= 3
	return b + (long)a - d;
#else
	return a + (int)b + c[0];
#endif
}

/* ======== flavor differences (-DKFX_CLOUD, against the default flavor) ======== */

#ifndef KFX_CLOUD
/* Flavor cloud: function removed (absent from the cloud flavor only). */
noinline int
kfx_cmp_hw_probe(int bus)
{
	return bus * 3 + (int)cmp_stats[15];
}
#else
/* Flavor cloud: function added (only in the cloud flavor). */
noinline int
kfx_cmp_cloud_meta(const char *key)
{
	return key[0] + (int)cmp_stats[15];
}
#endif

/*
 * Flavor cloud: Param type changed: flags, unsigned long (DWARF
 * "long unsigned int") becomes u64 (typedef of unsigned long long).
 */
noinline int
kfx_cmp_irq_setup(
#ifdef KFX_CLOUD
	int irq, u64 flags
#else
	int irq, unsigned long flags
#endif
	)
{
	return irq + (int)(flags >> 4);
}

/* ======== caller of everything above (no change of its own) ======== */

int kfx_cmp_entry(struct kfx_req *req, struct page *page, int x)
{
	char buf[8] = { 0 };
	unsigned long r = (unsigned long)x;

	/* V1 -> V2 functions */
#if KFX_CMP_LEVEL >= 2
	r += (unsigned long)kfx_cmp_open("cmp", x, (unsigned int)r);
	r += (unsigned long)kfx_cmp_close(x);
	r += kfx_cmp_map_range(r, (unsigned long)x);
#else
	r += (unsigned long)kfx_cmp_open("cmp", x);
	r += (unsigned long)kfx_cmp_close(x, (int)r);
	r += kfx_cmp_map_range((unsigned long)x, r);
#endif
	kfx_cmp_copy_len(buf, r);
	r += (unsigned long)kfx_cmp_get_count();
#if KFX_CMP_LEVEL < 2
	r += (unsigned long)kfx_cmp_legacy_ioctl(x, r);
#endif
	r += cmp_hash((unsigned int)r);
	r += (unsigned long)cmp_req_weight(req);
	r += (unsigned long)cmp_flush((int)r);
#if KFX_CMP_LEVEL >= 2
	r += (unsigned long)kfx_cmp_submit((int)r, buf, x);
#else
	r += (unsigned long)kfx_cmp_submit(buf, x);
#endif

	/* V2 -> V3 functions */
#if KFX_CMP_LEVEL >= 3
	r += (unsigned long)kfx_cmp_poll(x, (int)r, 100);
#elif KFX_CMP_LEVEL >= 2
	r += (unsigned long)kfx_cmp_poll(x, (int)r);
#endif
#if KFX_CMP_LEVEL >= 3
	r += (unsigned long)kfx_cmp_release(x);
	r += (unsigned long)kfx_cmp_bind((int)r, x, 1);
#else
	r += (unsigned long)kfx_cmp_release(x, (int)r);
	r += (unsigned long)kfx_cmp_bind(x, (int)r, 1);
#endif
	r += kfx_cmp_inspect(page);
#if KFX_CMP_LEVEL >= 3
	r += (unsigned long)kfx_cmp_reset((int)r);
#else
	kfx_cmp_reset((int)r);
#endif
#if KFX_CMP_LEVEL < 3
	r += kfx_cmp_old_stats();
#else
	kfx_cmp_trace_point((int)r);
#endif
	r += cmp_mix(r, (unsigned long)x);
#if KFX_CMP_LEVEL >= 3
	r += cmp_shift(r, 12);
#else
	r += cmp_shift(r, x & 15);
#endif
	r += (unsigned long)cmp_sync((int)r);
#if KFX_CMP_LEVEL >= 3
	r += (unsigned long)kfx_cmp_config((long)r, (unsigned int)x, 4);
#else
	r += (unsigned long)kfx_cmp_config(x, (long)r, buf);
#endif

	/* flavor functions */
#ifndef KFX_CLOUD
	r += (unsigned long)kfx_cmp_hw_probe(x);
#else
	r += (unsigned long)kfx_cmp_cloud_meta(buf);
#endif
	r += (unsigned long)kfx_cmp_irq_setup(x, r);

	return (int)r + kfx_cmp_twin_entry(x);
}
