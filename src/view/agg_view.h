/* SPDX-License-Identifier: GPL-2.0 */
/* Printing an aggregation: per-guest totals and histograms, text or JSON (-j). */
#ifndef KVMSLB_AGG_VIEW_H
#define KVMSLB_AGG_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/guest.h"
#include "core/host_probe.h"
#include "core/source.h"
#include "core/tracker.h"

struct view_opts {
	enum data_source kind;		/* what the data measures */
	const struct source_choice *choice; /* live: the selection, shown; else NULL */
	const char *input;		/* recorded data: the file it came from */
	uint64_t input_lost, input_undecodable;
	uint64_t input_recovered;	/* recorded v2 segments counted from cumulative counts */
	bool live;			/* guests are processes on this host */
	bool per_vcpu;
	const char *guest_name;		/* show only this guest name; NULL: all */
	const struct guest_ident *(*ident)(const void *ctx, uint32_t tgid);
	const void *ident_ctx;
	const struct retired_guest *retired;	/* pids since reused (live) */
	int nretired;
};

/* The lines that say where the data comes from and what it cannot tell (text). */
void view_header(const struct view_opts *v);
/* kind: "total" or "interval" (n: its number, 0 for totals). */
void view_report(const struct view_opts *v, const struct agg *a, const char *kind,
		 unsigned long long n, double elapsed, bool with_retired);
struct json_writer;
/* "ge" and "lt" (null for the unbounded last bucket) of log2 bucket k, in an object. */
void view_json_bounds(struct json_writer *w, int k);
/* key: {"ge","lt"} of the bucket holding the p-th percentile, or null. */
void view_json_pct(struct json_writer *w, const char *key, const struct log2_hist *h,
		   double p);
/* "H_DATA_STORAGE", "PAGE_FAULT" for the stock page-fault pseudo trap, "unknown". */
const char *view_trap_str(unsigned int trap);

#endif
