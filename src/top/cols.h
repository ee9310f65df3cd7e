/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmslbtop's columns, laid out for the width at hand: the most useful
 * columns first (synthesis rates, then P99, MAX and DROP), the rest as
 * room allows; guest names take the spare width. Columns the source
 * cannot measure are left out (the header says why).
 */
#ifndef KVMSLB_TOP_COLS_H
#define KVMSLB_TOP_COLS_H

#include <stdbool.h>
#include <stddef.h>

#include "top/rows.h"

enum top_col {
	COL_PID,
	COL_DSEGI_RATE,
	COL_ISEGI_RATE,
	COL_TREND,
	COL_DSEGI,
	COL_ISEGI,
	COL_INJECT,
	COL_HDSI_RATE,
	COL_HISI_RATE,
	COL_P50,
	COL_P99,
	COL_MAX,
	COL_DROP,
	COL_NR
};

#define TOP_TREND_LEN 10	/* intervals in the TREND column */

/* What the layout depends on. */
struct top_layout_in {
	int width;			/* columns; 0: every column, names unshortened */
	bool has_segments, has_latency;
	enum top_sort sort;
	bool ascending;
	int longest_name;		/* display width of the longest name shown */
};

struct top_layout {
	int ncols;
	enum top_col cols[COL_NR];	/* in screen order */
	int name_width;
	enum top_sort sort;
	bool ascending;
};

void top_layout_make(struct top_layout *l, const struct top_layout_in *in);
bool top_layout_has(const struct top_layout *l, enum top_col c);
/* Is key the sort key of a column shown (or the name)? */
bool top_layout_sortable(const struct top_layout *l, enum top_sort key);
const char *top_col_title(enum top_col c);

/* Column titles, the sorted ones marked with the direction. */
void top_layout_titles(const struct top_layout *l, char *buf, size_t n);
/*
 * One row; trend: the sparkline (TOP_TREND_LEN columns), or NULL. Before
 * the name: '>' for the selected row, 'x' for an exited guest.
 */
void top_layout_row(const struct top_layout *l, const struct top_row *r, const char *trend,
		    bool selected, char *buf, size_t n);

/* Counts and rates in at most width columns: exact if they fit, else 12k, 1.2M. */
void top_fmt_count(char *buf, size_t n, unsigned long long v, int width);
void top_fmt_rate(char *buf, size_t n, double v, int width);

#endif
