/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests over time: feeds on cumulative snapshots (an agg per poll),
 * names each new tgid while its process is alive, notices guests that
 * exit (kept, marked exited) and pids reused by another process (same
 * tgid, different /proc/PID/stat starttime): the counts seen up to the
 * last poll stay with the old process, which is retired; the new process
 * starts from zero. Events between that poll and the reuse cannot be told
 * apart and go to the new process.
 */
#ifndef KVMSLB_TRACKER_H
#define KVMSLB_TRACKER_H

#include "core/agg.h"
#include "core/guest.h"

struct retired_guest {
	struct guest_ident id;
	struct agg data;	/* one guest */
};

struct tracker {
	const char *root;
	struct guest_ident *ids;	/* sorted by tgid: the current process of each */
	int nids;
	struct agg base;		/* per tgid: counts of earlier processes */
	struct agg last;		/* the previous raw snapshot */
	struct retired_guest *retired;
	int nretired;
};

void tracker_init(struct tracker *t, const char *root);
void tracker_free(struct tracker *t);
/* Feed a cumulative snapshot; view (empty) gets raw minus earlier processes. */
int tracker_update(struct tracker *t, const struct agg *raw, struct agg *view);
/* A guest's first event: read its identity now, while it is alive. */
int tracker_see(struct tracker *t, uint32_t tgid);
const struct guest_ident *tracker_ident(const struct tracker *t, uint32_t tgid);

#endif
