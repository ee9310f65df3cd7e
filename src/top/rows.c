// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top/rows.h"

static const char *const sort_names[SORT_NR] = {
	[SORT_SEG] = "seg", [SORT_NAME] = "name", [SORT_PID] = "pid",
	[SORT_DSEGI] = "dsegi", [SORT_ISEGI] = "isegi", [SORT_HDSI_RATE] = "hdsi",
	[SORT_HISI_RATE] = "hisi", [SORT_P50] = "p50", [SORT_P99] = "p99",
	[SORT_MAX] = "max",
};

const char *top_sort_name(enum top_sort s)
{
	return s < SORT_NR ? sort_names[s] : "?";
}

int top_sort_from_name(const char *name, enum top_sort *out)
{
	for (int i = 0; i < SORT_NR; i++) {
		if (!strcmp(name, sort_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

int top_rows_build(const struct agg *cur, const struct agg *prev, double dt,
		   top_ident_fn ident, const void *ctx, const char *filter,
		   struct top_row **rows)
{
	struct top_row *r = realloc(*rows, (cur->nguests ? cur->nguests : 1) * sizeof(*r));
	int n = 0;

	if (!r)
		return -ENOMEM;
	*rows = r;
	for (int i = 0; i < cur->nguests; i++) {
		const struct agg_guest *g = &cur->guests[i];
		const struct agg_guest *p = agg_find(prev, g->tgid);
		const struct guest_ident *id = ident ? ident(ctx, g->tgid) : NULL;
		const struct agg_counters *c = &g->total.c;
		struct top_row *row = &r[n];
		struct log2_hist before;

		memset(row, 0, sizeof(*row));
		row->pid = g->tgid;
		snprintf(row->name, sizeof(row->name), "%s", id && id->name[0] ? id->name : "?");
		if (filter && *filter && !strstr(row->name, filter))
			continue;
		row->alive = id && id->alive;
		row->dsegi = c->dsegi;
		row->isegi = c->isegi;
		row->seg_injected = c->seg_injected;
		row->dropped = c->dropped;
		row->hdsi = c->hdsi;
		row->hisi = c->hisi;
		agg_unit_hist(&g->total, &row->lat_total);
		memset(&before, 0, sizeof(before));
		if (p) {
			agg_unit_hist(&p->total, &before);
			if (dt > 0) {
				row->hdsi_rate = (double)(c->hdsi - p->total.c.hdsi) / dt;
				row->hisi_rate = (double)(c->hisi - p->total.c.hisi) / dt;
			}
		} else if (dt > 0) {
			/* new since the last refresh: all of it happened in this interval */
			row->hdsi_rate = (double)c->hdsi / dt;
			row->hisi_rate = (double)c->hisi / dt;
		}
		hist_sub(&row->lat, &row->lat_total, &before);
		n++;
	}
	return n;
}

static double pct_key(const struct log2_hist *h, double p)
{
	int k = hist_percentile(h, p);

	return k < 0 ? -1 : (double)k;
}

static double sort_value(const struct top_row *r, enum top_sort key)
{
	switch (key) {
	case SORT_SEG: return (double)(r->dsegi + r->isegi);
	case SORT_PID: return r->pid;
	case SORT_DSEGI: return (double)r->dsegi;
	case SORT_ISEGI: return (double)r->isegi;
	case SORT_HDSI_RATE: return r->hdsi_rate;
	case SORT_HISI_RATE: return r->hisi_rate;
	case SORT_P50: return pct_key(&r->lat, 50);
	case SORT_P99: return pct_key(&r->lat, 99);
	case SORT_MAX: return r->lat.count ? (double)r->lat.max_ns : -1;
	default: return 0;
	}
}

static enum top_sort cmp_key;
static bool cmp_ascending;

static int cmp_rows(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	int c;

	if (cmp_key == SORT_NAME) {
		c = strcmp(x->name, y->name);
	} else {
		double vx = sort_value(x, cmp_key), vy = sort_value(y, cmp_key);

		c = vx < vy ? -1 : vx > vy;
	}
	if (!cmp_ascending)
		c = -c;
	/* ties: by pid, so the order is stable from one refresh to the next */
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

void top_rows_sort(struct top_row *rows, int n, enum top_sort key, bool ascending)
{
	cmp_key = key;
	cmp_ascending = ascending;
	qsort(rows, n, sizeof(*rows), cmp_rows);
}

void top_fmt_ns(char *buf, unsigned long n, uint64_t ns)
{
	if (ns == UINT64_MAX)
		snprintf(buf, n, "inf");
	else if (ns < 1000)
		snprintf(buf, n, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.1fms", ns / 1e6);
	else
		snprintf(buf, n, "%.1fs", ns / 1e9);
}

void top_fmt_pct(char *buf, unsigned long n, const struct log2_hist *h, double p)
{
	int k = hist_percentile(h, p);
	char v[24];

	if (k < 0) {
		snprintf(buf, n, "-");
		return;
	}
	if (hist_bucket_hi(k) == UINT64_MAX) {
		top_fmt_ns(v, sizeof(v), hist_bucket_lo(k));
		snprintf(buf, n, ">=%s", v);
		return;
	}
	top_fmt_ns(v, sizeof(v), hist_bucket_hi(k));
	snprintf(buf, n, "<%s", v);
}

void top_fmt_max(char *buf, unsigned long n, const struct log2_hist *h)
{
	char v[24];

	if (!h->count) {
		snprintf(buf, n, "-");
		return;
	}
	top_fmt_ns(v, sizeof(v), h->max_ns);
	snprintf(buf, n, "%s%s", h->max_exact ? "" : "<", v);
}
