/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rows of kvmslbtop: one per guest, from two cumulative snapshots of
 * the collector (the previous refresh and this one). Counts are totals
 * since start; rates and latency percentiles are of the last interval.
 */
#ifndef KVMSLB_TOP_ROWS_H
#define KVMSLB_TOP_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/guest.h"
#include "core/hist.h"

enum top_sort {
	SORT_SEG = 0,		/* DSegI + ISegI synthesized (default) */
	SORT_NAME,
	SORT_PID,
	SORT_DSEGI,
	SORT_ISEGI,
	SORT_HDSI_RATE,
	SORT_HISI_RATE,
	SORT_P50,
	SORT_P99,
	SORT_MAX,
	SORT_NR
};

struct top_row {
	uint32_t pid;
	char name[128];
	bool alive;
	uint64_t dsegi, isegi, seg_injected, dropped;	/* totals */
	uint64_t hdsi, hisi;				/* totals */
	double hdsi_rate, hisi_rate;			/* per second, last interval */
	struct log2_hist lat;				/* last interval */
	struct log2_hist lat_total;			/* since start */
};

const char *top_sort_name(enum top_sort s);
int top_sort_from_name(const char *name, enum top_sort *out);

typedef const struct guest_ident *(*top_ident_fn)(const void *ctx, uint32_t tgid);

/*
 * Rows for every guest of cur (prev: the snapshot dt seconds before, may
 * be empty). filter: only names containing it (NULL: all). *rows is
 * reallocated; returns the count or -ENOMEM.
 */
int top_rows_build(const struct agg *cur, const struct agg *prev, double dt,
		   top_ident_fn ident, const void *ctx, const char *filter,
		   struct top_row **rows);
void top_rows_sort(struct top_row *rows, int n, enum top_sort key, bool ascending);

/* "1.2us", "350ns", "15ms", "-" (none): n bytes at least 12. */
void top_fmt_ns(char *buf, unsigned long n, uint64_t ns);
/* A percentile as its bucket's upper bound, "<2.0us"; "-" if no samples. */
void top_fmt_pct(char *buf, unsigned long n, const struct log2_hist *h, double p);
/* The maximum: exact "41us", or "<64us" when only its bucket is known. */
void top_fmt_max(char *buf, unsigned long n, const struct log2_hist *h);

#endif
