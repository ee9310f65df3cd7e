/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which guests a scrape shows, and under which labels: bounded label
 * cardinality for a fleet.
 *
 *  - A guest's series are labelled by its name (guest="..."). A guest whose
 *    name another running guest also has (two VMs with one -name, or
 *    unnamed guests known by their comm) gets pid="..." as well, and keeps
 *    it while it runs, so its series never change identity; with
 *    pid_label every guest has it.
 *  - An exited guest keeps its series for retire_after seconds, so the
 *    last increments are scraped; then they are dropped. A running guest
 *    with the same labels (a guest restarted under its name) replaces it at
 *    once: for Prometheus that is a counter reset, which rate() handles.
 */
#ifndef KVMSLB_EXPORT_SERIES_H
#define KVMSLB_EXPORT_SERIES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/guest.h"

typedef const struct guest_ident *(*series_ident_fn)(const void *ctx, uint32_t tgid);

struct series_opts {
	bool pid_label;		/* pid on every guest's series */
	double retire_after;	/* seconds an exited guest's series stay */
};

struct series_guest {
	uint32_t tgid;
	uint64_t starttime;	/* tells a reused pid's processes apart */
	double exited_at;	/* when first seen exited; 0 while running */
	bool pid_label;
	bool shown;
	char name[sizeof(((struct guest_ident *)0)->name)];
	char *labels;		/* 'guest="x"' or 'guest="x",pid="1"', escaped */
};

struct series_set {
	struct series_opts o;
	struct series_guest *g;	/* after series_update: g[i] is agg->guests[i] */
	int n;
	int nrunning, nexited;	/* of the guests shown */
	bool dirty;		/* names, states or membership changed */
};

void series_init(struct series_set *s, const struct series_opts *o);
void series_free(struct series_set *s);
/*
 * Align the set with agg's guests (sorted by tgid) at monotonic time
 * 'now': names and states from ident (NULL: unknown, "pid N"). 0 or
 * -ENOMEM.
 */
int series_update(struct series_set *s, const struct agg *agg, series_ident_fn ident,
		  const void *ctx, double now);

#endif
