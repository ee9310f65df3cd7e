// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "core/agg.h"

const char *agg_outcome_name(unsigned int outcome)
{
	static const char *const names[KVMSLB_OUTCOME_NR] = {
		[KVMSLB_OUTCOME_RETRY] = "retry",
		[KVMSLB_OUTCOME_REFLECT] = "reflect",
		[KVMSLB_OUTCOME_SEGMENT] = "segment",
		[KVMSLB_OUTCOME_HOST] = "host",
		[KVMSLB_OUTCOME_MMIO] = "mmio",
	};

	if (outcome < KVMSLB_OUTCOME_NR)
		return names[outcome];
	return outcome == KVMSLB_OUTCOME_NONE ? "none" : "unknown";
}

void agg_keep_heap(void)
{
	/* glibc: trim only above 256 MB; large blocks from the heap, not mmap */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

void agg_init(struct agg *a)
{
	memset(a, 0, sizeof(*a));
	key_index_init(&a->index);
}

static void unit_free(struct agg_unit *u)
{
	if (!u->paths_in_block)
		free(u->paths);
	u->paths = NULL;
	u->paths_in_block = false;
	u->npaths = u->cappaths = 0;
	memset(u->path_at, 0, sizeof(u->path_at));
}

static void guest_free(struct agg_guest *g)
{
	unit_free(&g->total);
	for (int i = 0; i < g->nvcpus; i++)
		unit_free(&g->vcpus[i]);
	free(g->vcpus);
	g->vcpus = NULL;
	g->nvcpus = 0;
	free(g->block);
	g->block = NULL;
}

void agg_free(struct agg *a)
{
	for (int i = 0; i < a->nguests; i++)
		guest_free(&a->guests[i]);
	free(a->guests);
	key_index_free(&a->index);
	agg_init(a);
}

void agg_reset(struct agg *a)
{
	agg_free(a);
}

/* The index after guests moved: positions from 'from' on. */
static int reindex(struct agg *a, int from)
{
	for (int i = from; i < a->nguests; i++)
		if (key_index_put(&a->index, a->guests[i].tgid, i))
			return -ENOMEM;
	return 0;
}

static int cmp_guest(const void *x, const void *y)
{
	const struct agg_guest *g = x, *h = y;

	return g->tgid < h->tgid ? -1 : g->tgid > h->tgid;
}

void agg_bulk_begin(struct agg *a)
{
	a->bulk = true;
}

void agg_bulk_end(struct agg *a)
{
	a->bulk = false;
	if (a->nguests > 1)
		qsort(a->guests, a->nguests, sizeof(*a->guests), cmp_guest);
	key_index_clear(&a->index);
	/* the index had room for them all: no allocation, no failure */
	reindex(a, 0);
	a->last = 0;
}

/* Where tgid is or would go among the first n guests, sorted. */
static int guest_bound(const struct agg_guest *g, int n, uint32_t tgid)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (g[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The index holds the position each guest was put at: an insert moves the
 * guests after it, and reindexing them all cost more than the rest of a
 * map read when guests come in hash order (1000 guests: 250 000 index
 * writes). A position that no longer holds its guest is searched again:
 * by bisection, or in bulk (appended, nothing moves but agg_remove, which
 * reindexes) by a scan.
 */
static noinline uint32_t guest_moved(const struct agg *a, uint32_t tgid)
{
	if (!a->bulk)
		return guest_bound(a->guests, a->nguests, tgid);
	for (int i = 0; i < a->nguests; i++)
		if (a->guests[i].tgid == tgid)
			return i;
	return 0;	/* not reached: every indexed guest is there */
}

static inline bool guest_fresh(const struct agg *a, uint32_t tgid, uint32_t i)
{
	return i < (uint32_t)a->nguests && a->guests[i].tgid == tgid;
}

struct agg_guest *agg_find(const struct agg *a, uint32_t tgid)
{
	uint32_t i;

	if (a->nguests && a->last < a->nguests && a->guests[a->last].tgid == tgid)
		return &a->guests[a->last];
	if (!key_index_get(&a->index, tgid, &i))
		return NULL;
	return &a->guests[guest_fresh(a, tgid, i) ? i : guest_moved(a, tgid)];
}

/* A guest not in the agg yet: inserted at its place by tgid. */
static noinline struct agg_guest *guest_insert(struct agg *a, uint32_t tgid)
{
	struct agg_guest *g;
	int i = a->nguests;

	if (a->nguests == a->cap) {
		int cap = a->cap ? 2 * a->cap : 16;

		g = realloc(a->guests, cap * sizeof(*g));
		if (!g)
			return NULL;
		a->guests = g;
		a->cap = cap;
	}
	g = a->guests;
	/* sorted by tgid: new guests usually come last; else move the ones after */
	if (!a->bulk && i && g[i - 1].tgid > tgid) {
		i = guest_bound(g, i, tgid);
		memmove(&g[i + 1], &g[i], (a->nguests - i) * sizeof(*g));
	}
	a->nguests++;
	memset(&g[i], 0, sizeof(*g));
	g[i].tgid = tgid;
	/* the guests after it moved: their index positions are fixed when looked up */
	if (key_index_put(&a->index, tgid, i)) {
		/* undo: the guest cannot be found, so it must not be there */
		memmove(&g[i], &g[i + 1], (a->nguests - i - 1) * sizeof(*g));
		a->nguests--;
		return NULL;
	}
	a->last = i;
	return &g[i];
}

/* Every event looks its guest up: inlined, the insertion kept apart. */
static inline struct agg_guest *guest_get(struct agg *a, uint32_t tgid)
{
	uint32_t *i;

	if (a->last < a->nguests && a->guests[a->last].tgid == tgid)
		return &a->guests[a->last];
	i = key_index_ref(&a->index, tgid);
	if (!i)
		return guest_insert(a, tgid);
	if (!guest_fresh(a, tgid, *i))
		*i = guest_moved(a, tgid);
	a->last = *i;
	return &a->guests[*i];
}

/* vcpus sorted by tid: binary search; inserts move the (few) vcpus after. */
static noinline struct agg_unit *vcpu_find(struct agg_guest *g, uint32_t tid)
{
	struct agg_unit *u;
	int lo = 0, hi = g->nvcpus;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (g->vcpus[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->nvcpus && g->vcpus[lo].tid == tid)
		return &g->vcpus[lo];
	/* capacity: the next power of two above nvcpus */
	if (!(g->nvcpus & (g->nvcpus - 1)) || g->nvcpus < 4) {
		u = realloc(g->vcpus, (g->nvcpus < 4 ? 4 : 2 * g->nvcpus) * sizeof(*u));
		if (!u)
			return NULL;
		g->vcpus = u;
	}
	u = g->vcpus;
	memmove(&u[lo + 1], &u[lo], (g->nvcpus - lo) * sizeof(*u));
	g->nvcpus++;
	memset(&u[lo], 0, sizeof(*u));
	u[lo].tid = tid;
	return &u[lo];
}

/*
 * Where a vcpu usually is: vcpu ids are dense from 0 and a guest's threads
 * often consecutive, so the unit of id k (or of the k-th thread after the
 * first) is vcpus[k]. One cache line instead of the binary search's three
 * or four, each a miss when a map walk hops from guest to guest.
 */
static inline struct agg_unit *vcpu_get(struct agg_guest *g, uint32_t tid)
{
	uint32_t k;

	if (g->nvcpus) {
		k = agg_unit_is_vcpu_id(tid) ? agg_unit_vcpu_id(tid) : tid - g->vcpus[0].tid;
		if (k < (uint32_t)g->nvcpus && g->vcpus[k].tid == tid)
			return &g->vcpus[k];
	}
	return vcpu_find(g, tid);
}

/* The guest's total and, with tid != 0, its vcpu unit: up to two units. */
static inline int units(struct agg *a, uint32_t tgid, uint32_t tid, struct agg_unit *out[2])
{
	struct agg_guest *g = guest_get(a, tgid);

	if (!g)
		return -ENOMEM;
	out[0] = &g->total;
	out[1] = NULL;
	if (tid) {
		out[1] = vcpu_get(g, tid);
		if (!out[1])
			return -ENOMEM;
	}
	return 0;
}

/* Where path_at keeps (trap, outcome), or false for a pair it does not cache. */
static inline bool path_slot(unsigned int trap, unsigned int outcome, int *t, int *o)
{
	*t = trap == KVMSLB_TRAP_H_DATA_STORAGE ? 0 : trap == KVMSLB_TRAP_H_INST_STORAGE ? 1 :
	     trap == KVMSLB_TRAP_PAGE_FAULT ? 2 : trap == AGG_TRAP_ALL ? 3 : -1;
	*o = outcome < KVMSLB_OUTCOME_NR ? (int)outcome : outcome == KVMSLB_OUTCOME_NONE ? 5 : -1;
	return *t >= 0 && *o >= 0;
}

/*
 * A path the unit has not taken yet, or one path_at does not cache. room:
 * the size of a first paths array (see path_get).
 */
static noinline struct agg_path *path_insert(struct agg_unit *u, unsigned int trap,
					     unsigned int outcome, int room)
{
	struct agg_path *p;
	int i = 0, t, o;

	for (i = 0; i < u->npaths; i++)
		if (u->paths[i].trap == trap && u->paths[i].outcome == outcome)
			return &u->paths[i];
	/* sorted by (trap, outcome) */
	i = 0;
	while (i < u->npaths && (u->paths[i].trap < trap ||
				 (u->paths[i].trap == trap && u->paths[i].outcome < outcome)))
		i++;
	/* room doubles: few reallocs */
	if (u->npaths == u->cappaths) {
		int cap = u->cappaths ? 2 * u->cappaths : room > 1 ? room : 1;

		/* paths in the guest's block move out to their own */
		p = realloc(u->paths_in_block ? NULL : u->paths, cap * sizeof(*p));
		if (!p)
			return NULL;
		if (u->paths_in_block)
			memcpy(p, u->paths, u->npaths * sizeof(*p));
		u->paths = p;
		u->paths_in_block = false;
		u->cappaths = cap;
	}
	p = u->paths;
	memmove(&p[i + 1], &p[i], (u->npaths - i) * sizeof(*p));
	u->npaths++;
	memset(&p[i], 0, sizeof(*p));
	p[i].trap = trap;
	p[i].outcome = outcome;
	/* the insert moved the paths after it: the table again */
	memset(u->path_at, 0, sizeof(u->path_at));
	for (int k = 0; k < u->npaths && k < 255; k++)
		if (path_slot(u->paths[k].trap, u->paths[k].outcome, &t, &o))
			u->path_at[t][o] = k + 1;
	return &p[i];
}

/*
 * The paths every event takes are a table lookup away: inlined. room: how
 * many paths a unit's first array holds; 1 for a guest's total (a unit
 * with one path holds one), as many as its guest's total has for a vcpu
 * (it takes a subset of them: its array does not grow 1, 2, 4, 8 by
 * copies as a map walk brings its paths one at a time).
 */
static inline struct agg_path *path_get(struct agg_unit *u, unsigned int trap,
					unsigned int outcome, int room)
{
	int t, o;

	if (path_slot(trap, outcome, &t, &o) && u->path_at[t][o])
		return &u->paths[u->path_at[t][o] - 1];
	return path_insert(u, trap, outcome, room);
}

static void counters_add(struct agg_counters *d, const struct agg_counters *s)
{
	d->hdsi += s->hdsi;
	d->hisi += s->hisi;
	d->dsegi += s->dsegi;
	d->isegi += s->isegi;
	d->seg_injected += s->seg_injected;
	d->dseg_exits += s->dseg_exits;
	d->iseg_exits += s->iseg_exits;
	d->fault_injected += s->fault_injected;
	d->dropped += s->dropped;
	for (int i = 0; i < KVMSLB_OUTCOME_NR; i++)
		d->outcome[i] += s->outcome[i];
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void counters_sub(struct agg_counters *d, const struct agg_counters *s)
{
	d->hdsi = sat_sub(d->hdsi, s->hdsi);
	d->hisi = sat_sub(d->hisi, s->hisi);
	d->dsegi = sat_sub(d->dsegi, s->dsegi);
	d->isegi = sat_sub(d->isegi, s->isegi);
	d->seg_injected = sat_sub(d->seg_injected, s->seg_injected);
	d->dseg_exits = sat_sub(d->dseg_exits, s->dseg_exits);
	d->iseg_exits = sat_sub(d->iseg_exits, s->iseg_exits);
	d->fault_injected = sat_sub(d->fault_injected, s->fault_injected);
	d->dropped = sat_sub(d->dropped, s->dropped);
	for (int i = 0; i < KVMSLB_OUTCOME_NR; i++)
		d->outcome[i] = sat_sub(d->outcome[i], s->outcome[i]);
}

int agg_counters_add(struct agg *a, uint32_t tgid, uint32_t tid,
		     const struct agg_counters *c)
{
	struct agg_unit *u[2];
	int err = units(a, tgid, tid, u);

	if (err)
		return err;
	for (int i = 0; i < 2 && u[i]; i++)
		counters_add(&u[i]->c, c);
	return 0;
}

static inline void segment_add(struct agg_unit *u, unsigned int vector, bool injected,
			       uint64_t n)
{
	if (vector == KVMSLB_TRAP_DATA_SEGMENT)
		u->c.dsegi += n;
	else
		u->c.isegi += n;
	u->c.seg_injected += injected ? n : 0;
}

int agg_segment(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int vector,
		bool injected, uint64_t n)
{
	struct agg_guest *g;
	struct agg_unit *u;

	if (vector != KVMSLB_TRAP_DATA_SEGMENT && vector != KVMSLB_TRAP_INST_SEGMENT)
		return 0;
	g = guest_get(a, tgid);
	if (!g)
		return -ENOMEM;
	segment_add(&g->total, vector, injected, n);
	if (!tid)
		return 0;
	u = vcpu_get(g, tid);
	if (!u)
		return -ENOMEM;
	segment_add(u, vector, injected, n);
	return 0;
}

int agg_exit(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap, uint64_t n)
{
	struct agg_counters c = { 0 };

	switch (trap) {
	case KVMSLB_TRAP_H_DATA_STORAGE:
		c.hdsi = n;
		break;
	case KVMSLB_TRAP_H_INST_STORAGE:
		c.hisi = n;
		break;
	case KVMSLB_TRAP_DATA_SEGMENT:
		c.dseg_exits = n;
		break;
	case KVMSLB_TRAP_INST_SEGMENT:
		c.iseg_exits = n;
		break;
	default:
		return 0;
	}
	return agg_counters_add(a, tgid, tid, &c);
}

/* A fault-path histogram's counts: those of agg_fault, count times. */
static inline void fault_counts(struct agg_counters *c, unsigned int trap, unsigned int outcome,
				uint64_t count, uint64_t injected, uint64_t dropped)
{
	c->hdsi += trap == KVMSLB_TRAP_H_DATA_STORAGE ? count : 0;
	c->hisi += trap == KVMSLB_TRAP_H_INST_STORAGE ? count : 0;
	if (outcome < KVMSLB_OUTCOME_NR)
		c->outcome[outcome] += count;
	c->fault_injected += injected;
	c->dropped += dropped;
}

/*
 * The paths a fault histogram goes to, counters added: the guest's, and
 * with vcpu_hist the vcpu's (p[1] NULL otherwise); the vcpu unit gets the
 * counters either way. The caller merges the histogram into them.
 */
static inline int fault_paths(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
			      unsigned int outcome, uint64_t count, uint64_t injected,
			      uint64_t dropped, enum agg_vcpu_hist vcpu_hist,
			      struct agg_path *p[2])
{
	struct agg_unit *u[2];
	int err = units(a, tgid, tid, u);

	if (err)
		return err;
	p[0] = path_get(u[0], trap, outcome, 1);
	p[1] = NULL;
	if (u[1] && vcpu_hist == AGG_VCPU_HIST_PATHS)
		p[1] = path_get(u[1], trap, outcome, u[0]->npaths);
	else if (u[1] && vcpu_hist == AGG_VCPU_HIST_MERGED)
		p[1] = path_get(u[1], AGG_TRAP_ALL, KVMSLB_OUTCOME_NONE, 1);
	if (!p[0] || (u[1] && vcpu_hist != AGG_VCPU_HIST_NONE && !p[1]))
		return -ENOMEM;
	for (int i = 0; i < 2 && u[i]; i++)
		fault_counts(&u[i]->c, trap, outcome, count, injected, dropped);
	return 0;
}

int agg_fault_hist(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
		   unsigned int outcome, const struct log2_hist *h, uint64_t injected,
		   uint64_t dropped)
{
	struct agg_path *p[2];
	int err = fault_paths(a, tgid, tid, trap, outcome, h->count, injected, dropped,
			      AGG_VCPU_HIST_PATHS, p);

	for (int i = 0; !err && i < 2 && p[i]; i++)
		hist_merge(&p[i]->hist, h);
	return err;
}

int agg_fault_hist_guest(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
			 unsigned int outcome, const struct log2_hist *h, uint64_t injected,
			 uint64_t dropped)
{
	struct agg_path *p[2];
	int err = fault_paths(a, tgid, tid, trap, outcome, h->count, injected, dropped,
			      AGG_VCPU_HIST_NONE, p);

	if (!err)
		hist_merge(&p[0]->hist, h);
	return err;
}

int agg_fault_map_hist(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
		       unsigned int outcome, const struct agg_map_hist *h,
		       enum agg_vcpu_hist vcpu_hist)
{
	struct agg_path *p[2];
	int err = fault_paths(a, tgid, tid, trap, outcome, h->count, h->injected, h->dropped,
			      vcpu_hist, p);

	for (int i = 0; !err && i < 2 && p[i]; i++)
		hist_merge_map(&p[i]->hist, h->slots, h->count, h->sum_ns, h->max_ns);
	return err;
}

/* One fault into one unit: agg_fault_hist with a one-sample histogram, without building one. */
static inline int fault_add(struct agg_unit *u, unsigned int trap, unsigned int outcome,
			    uint64_t latency_ns, bool injected, uint64_t dropped, int room)
{
	struct agg_path *p = path_get(u, trap, outcome, room);
	struct agg_counters *c = &u->c;

	if (!p)
		return -ENOMEM;
	hist_add(&p->hist, latency_ns);
	c->hdsi += trap == KVMSLB_TRAP_H_DATA_STORAGE;
	c->hisi += trap == KVMSLB_TRAP_H_INST_STORAGE;
	if (outcome < KVMSLB_OUTCOME_NR)
		c->outcome[outcome]++;
	c->fault_injected += injected;
	c->dropped += dropped;
	return 0;
}

int agg_fault(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
	      unsigned int outcome, uint64_t latency_ns, bool injected, uint64_t dropped)
{
	struct agg_guest *g = guest_get(a, tgid);
	struct agg_unit *u;

	/* once per event in report: the guest's total straight, its vcpu when asked */
	if (!g || fault_add(&g->total, trap, outcome, latency_ns, injected, dropped, 1))
		return -ENOMEM;
	if (!tid)
		return 0;
	u = vcpu_get(g, tid);
	if (!u || fault_add(u, trap, outcome, latency_ns, injected, dropped, g->total.npaths))
		return -ENOMEM;
	return 0;
}

void agg_unit_hist(const struct agg_unit *u, struct log2_hist *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < u->npaths; i++)
		hist_merge(out, &u->paths[i].hist);
}

static int unit_merge(struct agg_unit *d, const struct agg_unit *s)
{
	counters_add(&d->c, &s->c);
	for (int i = 0; i < s->npaths; i++) {
		struct agg_path *p = path_get(d, s->paths[i].trap, s->paths[i].outcome,
					      s->npaths);

		if (!p)
			return -ENOMEM;
		hist_merge(&p->hist, &s->paths[i].hist);
	}
	return 0;
}

int agg_guest_merge(struct agg *dst, const struct agg_guest *g)
{
	struct agg_guest *d = guest_get(dst, g->tgid);
	int err;

	if (!d)
		return -ENOMEM;
	err = unit_merge(&d->total, &g->total);
	for (int i = 0; !err && i < g->nvcpus; i++) {
		struct agg_unit *v = vcpu_get(d, g->vcpus[i].tid);

		err = v ? unit_merge(v, &g->vcpus[i]) : -ENOMEM;
	}
	return err;
}

static const struct agg_path *path_find(const struct agg_unit *u, unsigned int trap,
					unsigned int outcome)
{
	for (int i = 0; i < u->npaths; i++)
		if (u->paths[i].trap == trap && u->paths[i].outcome == outcome)
			return &u->paths[i];
	return NULL;
}

static void unit_sub(struct agg_unit *u, const struct agg_unit *base)
{
	counters_sub(&u->c, &base->c);
	for (int i = 0; i < u->npaths; i++) {
		const struct agg_path *b = path_find(base, u->paths[i].trap, u->paths[i].outcome);

		if (b)
			hist_sub(&u->paths[i].hist, &u->paths[i].hist, &b->hist);
	}
}

static bool unit_is_empty(const struct agg_unit *u)
{
	static const struct agg_counters zero;

	if (memcmp(&u->c, &zero, sizeof(zero)))
		return false;
	for (int i = 0; i < u->npaths; i++)
		if (u->paths[i].hist.count)
			return false;
	return true;
}

void agg_guest_sub(struct agg_guest *g, const struct agg_guest *base)
{
	int n = 0;

	unit_sub(&g->total, &base->total);
	for (int i = 0; i < g->nvcpus; i++) {
		bool was_base = false;

		for (int j = 0; j < base->nvcpus; j++) {
			if (base->vcpus[j].tid == g->vcpus[i].tid) {
				unit_sub(&g->vcpus[i], &base->vcpus[j]);
				was_base = true;
			}
		}
		/* a vcpu only the earlier process had: not this one's */
		if (was_base && unit_is_empty(&g->vcpus[i])) {
			unit_free(&g->vcpus[i]);
			continue;
		}
		g->vcpus[n++] = g->vcpus[i];
	}
	g->nvcpus = n;
}

/*
 * s - b would be empty (unit_is_empty() after unit_sub()), found without
 * building it: no counter and no histogram slot above b's.
 */
static bool unit_idle_since(const struct agg_unit *s, const struct agg_unit *b)
{
	static const struct agg_counters zero;
	struct agg_counters c = s->c;

	counters_sub(&c, &b->c);
	if (memcmp(&c, &zero, sizeof(zero)))
		return false;
	for (int i = 0; i < s->npaths; i++) {
		const struct agg_path *sp = &s->paths[i];
		const struct agg_path *bp = path_find(b, sp->trap, sp->outcome);

		if (!bp) {
			if (sp->hist.count)
				return false;
			continue;
		}
		for (int k = 0; k < HIST_SLOTS; k++)
			if (sp->hist.slots[k] > bp->hist.slots[k])
				return false;
	}
	return true;
}

/*
 * d (empty) = s - b (b NULL: a copy), in one pass, its paths taken from
 * *block (the guest's: one allocation for all its units) in s's order, so
 * path_at holds as copied.
 */
static void unit_diff(struct agg_unit *d, const struct agg_unit *s, const struct agg_unit *b,
		      struct agg_path **block)
{
	*d = *s;
	d->paths = NULL;
	d->cappaths = 0;
	d->paths_in_block = false;
	if (b)
		counters_sub(&d->c, &b->c);
	if (!s->npaths)
		return;
	d->paths = *block;
	*block += s->npaths;
	d->paths_in_block = true;
	for (int i = 0; i < s->npaths; i++) {
		const struct agg_path *sp = &s->paths[i];
		const struct agg_path *bp = b ? path_find(b, sp->trap, sp->outcome) : NULL;

		d->paths[i].trap = sp->trap;
		d->paths[i].outcome = sp->outcome;
		if (bp)
			hist_sub(&d->paths[i].hist, &sp->hist, &bp->hist);
		else
			d->paths[i].hist = sp->hist;
	}
	d->cappaths = s->npaths;
}

/*
 * d (just added, empty) = g - base, as agg_guest_merge() then
 * agg_guest_sub() make it, in one pass and with no allocation for a vcpu
 * of base that moved nothing (the sub drops those): a diff of 1000 guests
 * x 8 vcpus took 13 ms merged path by path and subtracted.
 */
static int guest_diff(struct agg_guest *d, const struct agg_guest *g,
		      const struct agg_guest *base)
{
	/* vcpu_get()'s capacity: 4, or the next power of two from nvcpus */
	int cap = 4, j = 0, npaths = g->total.npaths;
	struct agg_path *block;

	while (cap < g->nvcpus)
		cap *= 2;
	for (int i = 0; i < g->nvcpus; i++)
		npaths += g->vcpus[i].npaths;
	d->block = npaths ? malloc(npaths * sizeof(*d->block)) : NULL;
	d->vcpus = g->nvcpus ? calloc(cap, sizeof(*d->vcpus)) : NULL;
	if ((npaths && !d->block) || (g->nvcpus && !d->vcpus))
		return -ENOMEM;	/* the guest is freed with the agg */
	block = d->block;
	unit_diff(&d->total, &g->total, base ? &base->total : NULL, &block);
	for (int i = 0; i < g->nvcpus; i++) {
		const struct agg_unit *v = &g->vcpus[i], *b = NULL;

		/* both sorted by tid */
		while (base && j < base->nvcpus && base->vcpus[j].tid < v->tid)
			j++;
		if (base && j < base->nvcpus && base->vcpus[j].tid == v->tid)
			b = &base->vcpus[j];
		if (b && unit_idle_since(v, b))
			continue;
		unit_diff(&d->vcpus[d->nvcpus++], v, b, &block);
	}
	return 0;
}

int agg_diff(struct agg *dst, const struct agg *cur, const struct agg *prev)
{
	const struct agg_health *c = &cur->health, *p = &prev->health;

	for (int i = 0; i < cur->nguests; i++) {
		const struct agg_guest *g = &cur->guests[i], *base = agg_find(prev, g->tgid);
		bool fresh = !agg_find(dst, g->tgid);
		struct agg_guest *d = guest_get(dst, g->tgid);
		int err;

		if (!d)
			return -ENOMEM;
		if (fresh) {
			err = guest_diff(d, g, base);
		} else {
			err = agg_guest_merge(dst, g);
			if (!err && base)
				agg_guest_sub(agg_find(dst, g->tgid), base);
		}
		if (err)
			return err;
	}
	dst->health.events += sat_sub(c->events, p->events);
	dst->health.count_overflow += sat_sub(c->count_overflow, p->count_overflow);
	dst->health.hist_overflow += sat_sub(c->hist_overflow, p->hist_overflow);
	dst->health.start_overflow += sat_sub(c->start_overflow, p->start_overflow);
	dst->health.unpaired += sat_sub(c->unpaired, p->unpaired);
	dst->health.rb_lost += sat_sub(c->rb_lost, p->rb_lost);
	dst->health.rb_sent += sat_sub(c->rb_sent, p->rb_sent);
	return 0;
}

void agg_remove(struct agg *a, uint32_t tgid)
{
	struct agg_guest *g = agg_find(a, tgid);
	int i;

	if (!g)
		return;
	i = g - a->guests;
	guest_free(g);
	memmove(&a->guests[i], &a->guests[i + 1], (a->nguests - i - 1) * sizeof(a->guests[0]));
	a->nguests--;
	key_index_del(&a->index, tgid);
	/* the index has room: reindexing moved guests cannot fail */
	reindex(a, i);
	a->last = 0;
}
