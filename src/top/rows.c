// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top/rows.h"

static const char *const sort_names[SORT_NR] = {
	[SORT_SEG_RATE] = "seg/s", [SORT_DSEGI_RATE] = "dsegi/s",
	[SORT_ISEGI_RATE] = "isegi/s", [SORT_SEG] = "seg", [SORT_DSEGI] = "dsegi",
	[SORT_ISEGI] = "isegi", [SORT_INJECT] = "inject", [SORT_FAULT_RATE] = "fault/s",
	[SORT_HDSI_RATE] = "hdsi/s", [SORT_HISI_RATE] = "hisi/s", [SORT_P50] = "p50",
	[SORT_P99] = "p99", [SORT_MAX] = "max", [SORT_DROP] = "drop", [SORT_NAME] = "name",
	[SORT_PID] = "pid",
};

const char *top_sort_name(enum top_sort s)
{
	return s < SORT_NR ? sort_names[s] : "?";
}

int top_sort_from_name(const char *name, enum top_sort *out)
{
	static const struct { const char *name; enum top_sort key; } aliases[] = {
		{ "hdsi", SORT_HDSI_RATE }, { "hisi", SORT_HISI_RATE },
	};

	for (int i = 0; i < SORT_NR; i++) {
		if (!strcmp(name, sort_names[i])) {
			*out = i;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(name, aliases[i].name)) {
			*out = aliases[i].key;
			return 0;
		}
	}
	return -1;
}

bool top_sort_default_ascending(enum top_sort s)
{
	return s == SORT_NAME || s == SORT_PID;
}

static bool shown(const struct top_filter *f, const struct top_row *row)
{
	if (!f)
		return true;
	if (f->pid && row->pid != f->pid)
		return false;
	if (f->name && strcmp(row->name, f->name))
		return false;
	return !f->re || !regexec(f->re, row->name, 0, NULL, 0);
}

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

static double rate(uint64_t now, uint64_t then, double dt)
{
	return dt > 0 ? (double)since(now, then) / dt : 0;
}

int top_rows_build(const struct agg *cur, const struct agg *prev, const struct agg *base,
		   double dt, top_ident_fn ident, const void *ctx,
		   const struct top_filter *filter, struct top_row **rows)
{
	static const struct agg_guest none;
	struct top_row *r = realloc(*rows, (cur->nguests ? cur->nguests : 1) * sizeof(*r));
	int n = 0;

	if (!r)
		return -ENOMEM;
	*rows = r;
	for (int i = 0; i < cur->nguests; i++) {
		const struct agg_guest *g = &cur->guests[i];
		const struct agg_guest *p = agg_find(prev, g->tgid);
		const struct agg_guest *b = base ? agg_find(base, g->tgid) : NULL;
		const struct guest_ident *id = ident ? ident(ctx, g->tgid) : NULL;
		const struct agg_counters *c = &g->total.c, *pc, *bc;
		struct top_row *row = &r[n];
		struct log2_hist all, then;

		memset(row, 0, sizeof(*row));
		row->pid = g->tgid;
		snprintf(row->name, sizeof(row->name), "%s", id && id->name[0] ? id->name : "?");
		if (!shown(filter, row))
			continue;
		/* new since the last refresh (or reset): all of it is in this interval */
		if (!p)
			p = b ? b : &none;
		if (!b)
			b = &none;
		pc = &p->total.c;
		bc = &b->total.c;
		row->alive = id && id->alive;
		row->dsegi = since(c->dsegi, bc->dsegi);
		row->isegi = since(c->isegi, bc->isegi);
		row->seg_injected = since(c->seg_injected, bc->seg_injected);
		row->dropped = since(c->dropped, bc->dropped);
		row->hdsi = since(c->hdsi, bc->hdsi);
		row->hisi = since(c->hisi, bc->hisi);
		row->dsegi_rate = rate(c->dsegi, pc->dsegi, dt);
		row->isegi_rate = rate(c->isegi, pc->isegi, dt);
		row->hdsi_rate = rate(c->hdsi, pc->hdsi, dt);
		row->hisi_rate = rate(c->hisi, pc->hisi, dt);
		agg_unit_hist(&g->total, &all);
		agg_unit_hist(&b->total, &then);
		hist_sub(&row->lat_total, &all, &then);
		if (p != b)
			agg_unit_hist(&p->total, &then);
		hist_sub(&row->lat, &all, &then);
		/* nothing subtracted: the exact maximum is still known */
		if (b == &none)
			row->lat_total = all;
		n++;
	}
	return n;
}

static double pct_key(const struct log2_hist *h, double p)
{
	int k = hist_percentile(h, p);

	return k < 0 ? -1 : (double)k;
}

double top_sort_value(const struct top_row *r, enum top_sort key)
{
	switch (key) {
	case SORT_SEG_RATE: return r->dsegi_rate + r->isegi_rate;
	case SORT_DSEGI_RATE: return r->dsegi_rate;
	case SORT_ISEGI_RATE: return r->isegi_rate;
	case SORT_SEG: return (double)(r->dsegi + r->isegi);
	case SORT_DSEGI: return (double)r->dsegi;
	case SORT_ISEGI: return (double)r->isegi;
	case SORT_INJECT: return (double)r->seg_injected;
	case SORT_FAULT_RATE: return r->hdsi_rate + r->hisi_rate;
	case SORT_HDSI_RATE: return r->hdsi_rate;
	case SORT_HISI_RATE: return r->hisi_rate;
	case SORT_P50: return pct_key(&r->lat, 50);
	case SORT_P99: return pct_key(&r->lat, 99);
	case SORT_MAX: return hist_top(&r->lat);
	case SORT_DROP: return (double)r->dropped;
	case SORT_PID: return r->pid;
	default: return 0;
	}
}

struct sort_ctx {
	enum top_sort key;
	bool ascending;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct top_row *x = a, *y = b;
	const struct sort_ctx *s = arg;
	int c;

	if (s->key == SORT_NAME) {
		c = strcmp(x->name, y->name);
	} else {
		double vx = top_sort_value(x, s->key), vy = top_sort_value(y, s->key);

		c = vx < vy ? -1 : vx > vy;
	}
	if (!s->ascending)
		c = -c;
	/* ties: by pid, so the order is stable from one refresh to the next */
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

void top_rows_sort(struct top_row *rows, int n, enum top_sort key, bool ascending)
{
	struct sort_ctx s = { key, ascending };

	qsort_r(rows, n, sizeof(*rows), cmp_rows, &s);
}

int top_rows_find(const struct top_row *rows, int n, uint32_t pid)
{
	for (int i = 0; i < n; i++)
		if (rows[i].pid == pid)
			return i;
	return -1;
}
