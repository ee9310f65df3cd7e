// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "top/cols.h"
#include "top/textw.h"
#include "view/units.h"

enum { NEEDS_SEGMENTS = 1, NEEDS_LATENCY = 2 };

/*
 * prio: lower comes first; columns of one priority come and go together.
 * The title plus a sort mark fit in width.
 */
static const struct col_def {
	const char *title;
	int width;
	int prio;
	unsigned int needs;
	enum top_sort sort;
	bool left;
} defs[COL_NR] = {
	[COL_PID] = { "PID", 7, 6, 0, SORT_PID, false },
	[COL_DSEGI_RATE] = { "DSEGI/s", 8, 1, NEEDS_SEGMENTS, SORT_DSEGI_RATE, false },
	[COL_ISEGI_RATE] = { "ISEGI/s", 8, 1, NEEDS_SEGMENTS, SORT_ISEGI_RATE, false },
	[COL_TREND] = { "TREND", TOP_TREND_LEN, 7, 0, SORT_NR, true },
	[COL_DSEGI] = { "DSEGI", 7, 3, NEEDS_SEGMENTS, SORT_DSEGI, false },
	[COL_ISEGI] = { "ISEGI", 7, 3, NEEDS_SEGMENTS, SORT_ISEGI, false },
	[COL_INJECT] = { "INJ", 6, 9, NEEDS_SEGMENTS, SORT_INJECT, false },
	[COL_HDSI_RATE] = { "HDSI/s", 7, 4, 0, SORT_HDSI_RATE, false },
	[COL_HISI_RATE] = { "HISI/s", 7, 5, 0, SORT_HISI_RATE, false },
	[COL_P50] = { "P50", 6, 8, NEEDS_LATENCY, SORT_P50, false },
	[COL_P99] = { "P99", 6, 2, NEEDS_LATENCY, SORT_P99, false },
	[COL_MAX] = { "MAX", 6, 2, NEEDS_LATENCY, SORT_MAX, false },
	[COL_DROP] = { "DROP", 5, 3, NEEDS_SEGMENTS, SORT_DROP, false },
};

#define MARK_WIDTH 3	/* ">x ": selected, exited */
#define PRIO_MAX 9

const char *top_col_title(enum top_col c)
{
	return defs[c].title;
}

/* Names get a fifth of the width before the columns of lower priority. */
static int name_min(int width)
{
	int w = (width - MARK_WIDTH) / 5;

	return w < 12 ? 12 : w > 24 ? 24 : w;
}

void top_layout_make(struct top_layout *l, const struct top_layout_in *in)
{
	bool use[COL_NR] = { false };
	int used, spare;

	memset(l, 0, sizeof(*l));
	l->sort = in->sort;
	l->ascending = in->ascending;
	used = MARK_WIDTH + (in->width ? name_min(in->width) : 0);
	for (int prio = 1; prio <= PRIO_MAX; prio++) {
		int need = 0;

		for (int c = 0; c < COL_NR; c++) {
			if (defs[c].prio != prio ||
			    ((defs[c].needs & NEEDS_SEGMENTS) && !in->has_segments) ||
			    ((defs[c].needs & NEEDS_LATENCY) && !in->has_latency))
				continue;
			need += 1 + defs[c].width;
		}
		if (!need || (in->width && used + need > in->width))
			continue;
		used += need;
		for (int c = 0; c < COL_NR; c++)
			if (defs[c].prio == prio &&
			    !((defs[c].needs & NEEDS_SEGMENTS) && !in->has_segments) &&
			    !((defs[c].needs & NEEDS_LATENCY) && !in->has_latency))
				use[c] = true;
	}
	for (int c = 0; c < COL_NR; c++)
		if (use[c])
			l->cols[l->ncols++] = c;
	/* names take the spare width, up to the longest name */
	l->name_width = in->longest_name > 6 ? in->longest_name : 6;	/* "GUEST" + mark */
	if (in->width) {
		spare = in->width - used + name_min(in->width);
		if (l->name_width > spare)
			l->name_width = spare;
	}
}

bool top_layout_has(const struct top_layout *l, enum top_col c)
{
	for (int i = 0; i < l->ncols; i++)
		if (l->cols[i] == c)
			return true;
	return false;
}

/* Is column c (one of) the sort key's? */
static bool col_sorted(enum top_col c, enum top_sort key)
{
	switch (key) {
	case SORT_SEG_RATE: return c == COL_DSEGI_RATE || c == COL_ISEGI_RATE;
	case SORT_SEG: return c == COL_DSEGI || c == COL_ISEGI;
	case SORT_FAULT_RATE: return c == COL_HDSI_RATE || c == COL_HISI_RATE;
	default: return defs[c].sort == key;
	}
}

bool top_layout_sortable(const struct top_layout *l, enum top_sort key)
{
	if (key == SORT_NAME)
		return true;
	for (int i = 0; i < l->ncols; i++)
		if (col_sorted(l->cols[i], key))
			return true;
	return false;
}

static const char *mark(const struct top_layout *l)
{
	if (textw_utf8())
		return l->ascending ? "\u25b2" : "\u25bc";	/* ▲ ▼ */
	return l->ascending ? "^" : "v";
}

void top_layout_titles(const struct top_layout *l, char *buf, size_t n)
{
	char t[32];

	buf[0] = '\0';
	textw_put(buf, n, "", MARK_WIDTH, false);
	snprintf(t, sizeof(t), "GUEST%s", l->sort == SORT_NAME ? mark(l) : "");
	textw_put(buf, n, t, l->name_width, false);
	for (int i = 0; i < l->ncols; i++) {
		enum top_col c = l->cols[i];

		snprintf(t, sizeof(t), "%s%s", defs[c].title, col_sorted(c, l->sort) ? mark(l) : "");
		textw_put(buf, n, " ", 1, false);
		textw_put(buf, n, t, defs[c].width, defs[c].left ? false : true);
	}
}

void top_fmt_count(char *buf, size_t n, unsigned long long v, int width)
{
	static const char units[] = "kMGTPE";
	double x = (double)v;

	if (snprintf(buf, n, "%llu", v) <= width)
		return;
	for (int i = 0; units[i]; i++) {
		x /= 1000;
		if (x < 9.95)
			snprintf(buf, n, "%.1f%c", x, units[i]);
		else
			snprintf(buf, n, "%.0f%c", x, units[i]);
		if ((int)strlen(buf) <= width)
			return;
	}
}

void top_fmt_rate(char *buf, size_t n, double v, int width)
{
	if (v <= 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (v < 9.95 && snprintf(buf, n, "%.1f", v) <= width)
		return;
	top_fmt_count(buf, n, (unsigned long long)(v + 0.5), width);
}

static void cell(const struct top_row *r, enum top_col c, const char *trend, char *b,
		 size_t n)
{
	int w = defs[c].width;

	switch (c) {
	case COL_PID: snprintf(b, n, "%u", r->pid); break;
	case COL_DSEGI_RATE: top_fmt_rate(b, n, r->dsegi_rate, w); break;
	case COL_ISEGI_RATE: top_fmt_rate(b, n, r->isegi_rate, w); break;
	case COL_TREND: snprintf(b, n, "%s", trend ? trend : ""); break;
	case COL_DSEGI: top_fmt_count(b, n, r->dsegi, w); break;
	case COL_ISEGI: top_fmt_count(b, n, r->isegi, w); break;
	case COL_INJECT: top_fmt_count(b, n, r->seg_injected, w); break;
	case COL_HDSI_RATE: top_fmt_rate(b, n, r->hdsi_rate, w); break;
	case COL_HISI_RATE: top_fmt_rate(b, n, r->hisi_rate, w); break;
	case COL_P50: view_fmt_pct(b, n, &r->lat, 50); break;
	case COL_P99: view_fmt_pct(b, n, &r->lat, 99); break;
	case COL_MAX: view_fmt_max(b, n, &r->lat); break;
	case COL_DROP: top_fmt_count(b, n, r->dropped, w); break;
	default: b[0] = '\0';
	}
}

void top_layout_row(const struct top_layout *l, const struct top_row *r, const char *trend,
		    bool selected, char *buf, size_t n)
{
	char v[64];

	buf[0] = '\0';
	textw_put(buf, n, selected ? ">" : " ", 1, false);
	textw_put(buf, n, r->alive ? " " : "x", 2, false);
	textw_put_cut(buf, n, r->name, l->name_width);
	for (int i = 0; i < l->ncols; i++) {
		enum top_col c = l->cols[i];

		cell(r, c, trend, v, sizeof(v));
		textw_put(buf, n, " ", 1, false);
		textw_put(buf, n, v, defs[c].width, !defs[c].left);
	}
}
