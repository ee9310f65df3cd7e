/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests over time: feeds on cumulative snapshots (an agg per poll),
 * names each new tgid while its process is alive, notices guests that
 * exit (kept, marked exited) and pids reused by another process (same
 * tgid, different /proc/PID/stat starttime): the counts seen up to the
 * last poll stay with the old process, which is retired; the new process
 * starts from zero. Events between that poll and the reuse cannot be told
 * apart and go to the new process.
 *
 * A poll costs little for guests that keep running: each running guest is
 * watched through a pidfd (one epoll set; its exit makes it readable), so
 * /proc is read only for new guests, for exited guests whose counts moved
 * (a reused pid), and for every guest where pidfds are not available
 * (kernels before 5.3, or a test root).
 */
#ifndef KVMSLB_TRACKER_H
#define KVMSLB_TRACKER_H

#include "core/agg.h"
#include "core/guest.h"

struct retired_guest {
	struct guest_ident id;
	struct agg data;	/* one guest */
};

struct tracked_guest {
	struct guest_ident id;	/* the current process of this tgid */
	int pidfd;		/* while it runs; -1: none */
};

struct tracker {
	const char *root;
	struct tracked_guest *g;	/* sorted by tgid */
	int n, cap;
	int epfd;			/* the running guests' pidfds; -1: poll /proc */
	struct agg base;		/* per tgid: counts of earlier processes */
	struct agg last;		/* the previous view, not owned (see tracker_update) */
	struct retired_guest *retired;
	int nretired;
};

void tracker_init(struct tracker *t, const char *root);
void tracker_free(struct tracker *t);
/*
 * Feed a cumulative snapshot: view (empty) becomes raw minus the counts of
 * earlier processes of reused pids, without copying (raw is left empty).
 * The next update reads the view this one made (exited guests, reused
 * pids, guests the source stopped reporting): keep it, unchanged, until
 * the next tracker_update() has returned, as the collector does.
 */
int tracker_update(struct tracker *t, struct agg *raw, struct agg *view);
/* A guest's first event: read its identity now, while it is alive. */
int tracker_see(struct tracker *t, uint32_t tgid);
const struct guest_ident *tracker_ident(const struct tracker *t, uint32_t tgid);

#endif
