// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/tracker.h"

void tracker_init(struct tracker *t, const char *root)
{
	struct rlimit rl;

	memset(t, 0, sizeof(*t));
	t->root = root;
	agg_init(&t->base);
	agg_init(&t->last);
	/* pidfds name processes of this system's /proc only */
	t->epfd = root[0] ? -1 : epoll_create1(EPOLL_CLOEXEC);
	/* one fd per running guest: a host of 1000 guests needs more than 1024 */
	if (t->epfd >= 0 && !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void tracker_free(struct tracker *t)
{
	for (int i = 0; i < t->n; i++)
		if (t->g[i].pidfd >= 0)
			close(t->g[i].pidfd);
	if (t->epfd >= 0)
		close(t->epfd);
	for (int i = 0; i < t->nretired; i++)
		agg_free(&t->retired[i].data);
	free(t->retired);
	free(t->g);
	agg_free(&t->base);
	memset(t, 0, sizeof(*t));
	t->epfd = -1;
}

/* Index of tgid, or -(insertion point) - 1. */
static int find(const struct tracker *t, uint32_t tgid)
{
	int lo = 0, hi = t->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->g[mid].id.tgid == tgid)
			return mid;
		if (t->g[mid].id.tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -lo - 1;
}

const struct guest_ident *tracker_ident(const struct tracker *t, uint32_t tgid)
{
	int i = find(t, tgid);

	return i >= 0 ? &t->g[i].id : NULL;
}

static int pidfd_open_(uint32_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Watch a running guest's process through a pidfd; without one it is polled. */
static void watch(struct tracker *t, struct tracked_guest *g)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct guest_ident again;
	int fd;

	if (t->epfd < 0 || g->pidfd >= 0 || !g->id.alive)
		return;
	fd = pidfd_open_(g->id.tgid);
	if (fd < 0) {
		if (errno == ENOSYS || errno == EINVAL) {
			/* a kernel before 5.3: poll /proc for everyone */
			close(t->epfd);
			t->epfd = -1;
		}
		return;
	}
	/* the pidfd names the process that had the pid when it was opened: ours? */
	if (guest_ident_read(t->root, g->id.tgid, &again) ||
	    again.starttime != g->id.starttime) {
		close(fd);
		return;
	}
	ev.data.u32 = g->id.tgid;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return;
	}
	g->pidfd = fd;
}

static void unwatch(struct tracked_guest *g)
{
	if (g->pidfd >= 0)
		close(g->pidfd);	/* which takes it out of the epoll set */
	g->pidfd = -1;
}

/* The guests whose pidfd became readable have exited. */
static void drain_exits(struct tracker *t)
{
	struct epoll_event ev[64];
	int n;

	if (t->epfd < 0)
		return;
	do {
		n = epoll_wait(t->epfd, ev, 64, 0);
		for (int i = 0; i < n; i++) {
			int k = find(t, ev[i].data.u32);

			if (k < 0)
				continue;
			t->g[k].id.alive = false;
			unwatch(&t->g[k]);
		}
	} while (n == 64);
}

/* Make room for k more guests. */
static int reserve(struct tracker *t, int k)
{
	struct tracked_guest *g;
	int cap = t->cap ? t->cap : 16;

	if (t->n + k <= t->cap)
		return 0;
	while (cap < t->n + k)
		cap *= 2;
	g = realloc(t->g, cap * sizeof(*g));
	if (!g)
		return -ENOMEM;
	t->g = g;
	t->cap = cap;
	return 0;
}

static void named(struct tracker *t, struct tracked_guest *g, uint32_t tgid)
{
	g->pidfd = -1;
	guest_ident_read(t->root, tgid, &g->id);
	watch(t, g);
}

int tracker_see(struct tracker *t, uint32_t tgid)
{
	int i = find(t, tgid);

	if (i >= 0)
		return 0;
	if (reserve(t, 1))
		return -ENOMEM;
	i = -i - 1;
	memmove(&t->g[i + 1], &t->g[i], (t->n - i) * sizeof(t->g[0]));
	t->n++;
	named(t, &t->g[i], tgid);
	return 0;
}

/* Name every guest of raw not known yet, in one merge of the sorted lists. */
static int add_new(struct tracker *t, const struct agg *raw)
{
	int k = 0, i, j, out;

	for (i = 0, j = 0; i < raw->nguests; i++) {
		while (j < t->n && t->g[j].id.tgid < raw->guests[i].tgid)
			j++;
		if (j == t->n || t->g[j].id.tgid != raw->guests[i].tgid)
			k++;
	}
	if (!k)
		return 0;
	if (reserve(t, k))
		return -ENOMEM;
	/* merge from the back, in place */
	i = raw->nguests - 1;
	j = t->n - 1;
	out = t->n + k - 1;
	while (i >= 0) {
		uint32_t tgid = raw->guests[i].tgid;

		if (j >= 0 && t->g[j].id.tgid > tgid) {
			t->g[out--] = t->g[j--];
		} else if (j >= 0 && t->g[j].id.tgid == tgid) {
			t->g[out--] = t->g[j--];
			i--;
		} else {
			named(t, &t->g[out--], tgid);
			i--;
		}
	}
	t->n += k;
	return 0;
}

/* A guest's totals: counters and latency samples. */
static void totals(const struct agg_guest *g, struct agg_counters *c, uint64_t *samples)
{
	const uint64_t *v = (const uint64_t *)&g->total.c;
	uint64_t *d = (uint64_t *)c;

	for (size_t k = 0; k < sizeof(*c) / sizeof(uint64_t); k++)
		d[k] += v[k];
	for (int p = 0; p < g->total.npaths; p++)
		*samples += g->total.paths[p].hist.count;
}

/* Did events happen under this pid since the last poll (raw now against last + base)? */
static bool counts_moved(const struct tracker *t, const struct agg *raw, uint32_t tgid)
{
	const struct agg_guest *now = agg_find(raw, tgid), *last = agg_find(&t->last, tgid);
	const struct agg_guest *base = agg_find(&t->base, tgid);
	struct agg_counters a = { 0 }, b = { 0 };
	uint64_t sa = 0, sb = 0;

	if (!now)
		return false;
	if (!last)
		return true;
	totals(now, &a, &sa);
	totals(last, &b, &sb);
	if (base)
		totals(base, &b, &sb);
	return sa != sb || memcmp(&a, &b, sizeof(a));
}

/* The process behind g's tgid is not the one named: retire it. */
static int retire(struct tracker *t, struct tracked_guest *g, const struct guest_ident *now)
{
	const struct agg_guest *last = agg_find(&t->last, g->id.tgid);
	struct retired_guest *r;
	int err = 0;

	r = realloc(t->retired, (t->nretired + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	t->retired = r;
	r = &r[t->nretired++];
	r->id = g->id;
	r->id.alive = false;
	agg_init(&r->data);
	if (last) {
		/* the last view of it is its own counts; the base grows by them */
		err = agg_guest_merge(&r->data, last);
		if (!err)
			err = agg_guest_merge(&t->base, last);
	}
	unwatch(g);
	g->id = *now;
	watch(t, g);
	return err;
}

/* Exited? Pid reused? Only for guests that no pidfd watches, or whose pid saw events after the exit. */
static int check_known(struct tracker *t, const struct agg *raw)
{
	int err = 0;

	for (int i = 0; i < t->n && !err; i++) {
		struct tracked_guest *g = &t->g[i];
		struct guest_ident now;

		if (g->pidfd >= 0)
			continue;
		if (!g->id.alive && g->id.from != NAME_UNKNOWN && !counts_moved(t, raw, g->id.tgid))
			continue;
		if (guest_ident_read(t->root, g->id.tgid, &now)) {
			g->id.alive = false;
			continue;
		}
		if (g->id.starttime && now.starttime != g->id.starttime) {
			err = retire(t, g, &now);
		} else if (g->id.alive || g->id.from == NAME_UNKNOWN || t->epfd < 0) {
			/* a pidfd said it exited: a zombie's /proc entry does not revive it */
			g->id = now;
			watch(t, g);
		}
	}
	return err;
}

int tracker_update(struct tracker *t, struct agg *raw, struct agg *view)
{
	int err, i, j;

	drain_exits(t);
	err = check_known(t, raw);
	if (!err)
		err = add_new(t, raw);
	if (err)
		return err;
	/* the view is raw, without a copy, minus what earlier processes of its pids did */
	*view = *raw;
	agg_init(raw);
	for (i = 0; t->base.nguests && i < view->nguests; i++) {
		const struct agg_guest *b = agg_find(&t->base, view->guests[i].tgid);

		if (b)
			agg_guest_sub(&view->guests[i], b);
	}
	/*
	 * A guest the source stopped reporting (its VM's debugfs directory went
	 * away with the VM) keeps what it had in the last view.
	 */
	for (i = 0, j = 0; !err && j < t->last.nguests; j++) {
		uint32_t tgid = t->last.guests[j].tgid;

		while (i < view->nguests && view->guests[i].tgid < tgid)
			i++;
		if (i == view->nguests || view->guests[i].tgid != tgid)
			err = agg_guest_merge(view, &t->last.guests[j]);
	}
	if (!err)
		t->last = *view;
	return err;
}
