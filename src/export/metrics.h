/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An aggregation as Prometheus metrics. Per guest (labels: export/series.h):
 * HDSI/HISI fault paths, segment interrupts synthesized and injected, log
 * drops, and the fault-path latency as a summary (_sum, _count); per host:
 * the latency histogram of all guests, and what the collector lost.
 * Opt-in: per-outcome counters, per-vcpu counters, per-guest histograms.
 * Counters are cumulative since the source started counting (a restart
 * without pinned maps is a counter reset, which Prometheus handles).
 */
#ifndef KVMSLB_EXPORT_METRICS_H
#define KVMSLB_EXPORT_METRICS_H

#include "core/agg.h"
#include "core/guest.h"
#include "core/hist.h"
#include "core/host_probe.h"
#include "core/tracker.h"
#include "export/prom.h"
#include "export/series.h"

struct metrics_opts {
	bool per_outcome;	/* kvmslb_fault_outcomes_total{guest,outcome} */
	bool per_vcpu;		/* kvmslb_vcpu_*{guest,vcpu|tid} */
	bool guest_histograms;	/* per-guest latency histograms, not summaries */
	struct series_opts series;
};

struct metrics_input {
	const struct agg *agg;
	enum data_source source;
	series_ident_fn ident;
	const void *ident_ctx;
	/* earlier processes of reused pids: in the host totals only */
	const struct retired_guest *retired;
	int nretired;
	double now;		/* monotonic seconds */
};

struct metrics {
	struct metrics_opts o;
	struct series_set series;
	struct pbuf scratch;
	char le[HIST_SLOTS - 1][24];	/* the latency buckets' le, formatted once */
	const char *lep[HIST_SLOTS - 1];
	const char *outcomes[KVMSLB_OUTCOME_NR];
};

void metrics_init(struct metrics *m, const struct metrics_opts *o);
void metrics_free(struct metrics *m);
/* Once per snapshot, before writing it: which guests, which labels. 0 or -ENOMEM. */
int metrics_update(struct metrics *m, const struct metrics_input *in);
/* Append the exposition of the last update to b (b->failed on ENOMEM). */
void metrics_write(struct metrics *m, struct pbuf *b, enum prom_format fmt,
		   const struct metrics_input *in);

#endif
