/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rows of kvmslbtop: one per guest, from cumulative snapshots of the
 * source: this refresh (cur), the previous one (prev) and the one taken at
 * the last reset (base). Totals are since start or reset; rates and
 * latency percentiles are of the last interval.
 */
#ifndef KVMSLB_TOP_ROWS_H
#define KVMSLB_TOP_ROWS_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/guest.h"
#include "core/hist.h"

enum top_sort {
	SORT_SEG_RATE = 0,	/* DSegI/s + ISegI/s: the default */
	SORT_DSEGI_RATE,
	SORT_ISEGI_RATE,
	SORT_SEG,		/* DSegI + ISegI since start */
	SORT_DSEGI,
	SORT_ISEGI,
	SORT_INJECT,
	SORT_FAULT_RATE,	/* HDSI/s + HISI/s: the default without segment counts */
	SORT_HDSI_RATE,
	SORT_HISI_RATE,
	SORT_P50,
	SORT_P99,
	SORT_MAX,
	SORT_DROP,
	SORT_NAME,
	SORT_PID,
	SORT_NR
};

struct top_row {
	uint32_t pid;
	char name[128];				/* UTF-8, sanitized at identity read */
	bool alive;
	uint64_t dsegi, isegi, seg_injected, dropped;	/* since start or reset */
	uint64_t hdsi, hisi;				/* since start or reset */
	double dsegi_rate, isegi_rate;			/* per second, last interval */
	double hdsi_rate, hisi_rate;
	struct log2_hist lat;				/* last interval */
	struct log2_hist lat_total;			/* since start or reset */
};

/* Which guests are shown: all when every member is unset. */
struct top_filter {
	const regex_t *re;	/* POSIX extended, matched against the name */
	uint32_t pid;		/* only this pid */
	const char *name;	/* only this exact name */
};

const char *top_sort_name(enum top_sort s);
/* Also the names of earlier versions: "seg" is totals, "hdsi"/"hisi" rates. */
int top_sort_from_name(const char *name, enum top_sort *out);
/* Names, numbers and pids read best ascending, the rest largest first. */
bool top_sort_default_ascending(enum top_sort s);

typedef const struct guest_ident *(*top_ident_fn)(const void *ctx, uint32_t tgid);

/*
 * Rows for every guest of cur that the filter lets through. prev: the
 * snapshot dt seconds before (may be empty); base: the snapshot of the
 * last reset (NULL or empty: since start). *rows is reallocated; returns
 * the count or -ENOMEM.
 */
int top_rows_build(const struct agg *cur, const struct agg *prev, const struct agg *base,
		   double dt, top_ident_fn ident, const void *ctx,
		   const struct top_filter *filter, struct top_row **rows);
void top_rows_sort(struct top_row *rows, int n, enum top_sort key, bool ascending);
/* Index of pid in rows, or -1. */
int top_rows_find(const struct top_row *rows, int n, uint32_t pid);
/* The value a row is sorted by (rates, counts, bucket numbers; -1: none). */
double top_sort_value(const struct top_row *r, enum top_sort key);

#endif
