// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "top/textw.h"
#include "top/trend.h"

void top_trends_free(struct top_trends *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static struct trend_entry *find(const struct top_trends *t, uint32_t tgid)
{
	int lo = 0, hi = t->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (t->e[mid].tgid == tgid)
			return &t->e[mid];
		if (t->e[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct trend_entry *get(struct top_trends *t, uint32_t tgid)
{
	struct trend_entry *e = find(t, tgid);
	int i = 0;

	if (e)
		return e;
	e = realloc(t->e, (t->n + 1) * sizeof(*e));
	if (!e)
		return NULL;
	t->e = e;
	while (i < t->n && e[i].tgid < tgid)
		i++;
	memmove(&e[i + 1], &e[i], (t->n - i) * sizeof(*e));
	t->n++;
	memset(&e[i], 0, sizeof(*e));
	e[i].tgid = tgid;
	return &e[i];
}

static uint64_t amount(const struct agg_guest *g, bool segments)
{
	if (!g)
		return 0;
	return segments ? g->total.c.dsegi + g->total.c.isegi : g->total.c.hdsi + g->total.c.hisi;
}

int top_trends_push(struct top_trends *t, const struct agg *cur, const struct agg *prev,
		    double dt, bool segments)
{
	for (int i = 0; i < cur->nguests; i++) {
		const struct agg_guest *g = &cur->guests[i];
		struct trend_entry *e = get(t, g->tgid);
		uint64_t now = amount(g, segments), then = amount(agg_find(prev, g->tgid), segments);

		if (!e)
			return -ENOMEM;
		e->v[e->head] = dt > 0 && now > then ? (double)(now - then) / dt : 0;
		e->head = (e->head + 1) % TREND_KEEP;
		if (e->n < TREND_KEEP)
			e->n++;
	}
	t->pushes++;
	return 0;
}

void top_trend_draw(const struct top_trends *t, uint32_t tgid, int len, char *buf, size_t n)
{
	static const char *const blocks[] = {
		"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char ascii[] = ".:-=+*#@";
	const struct trend_entry *e = find(t, tgid);
	int have = e ? (e->n < len ? e->n : len) : 0;
	double vmax = 0;

	buf[0] = '\0';
	if (len > TREND_KEEP)
		len = TREND_KEEP;
	for (int i = 0; i < have; i++) {
		double v = e->v[(e->head - have + i + TREND_KEEP) % TREND_KEEP];

		if (v > vmax)
			vmax = v;
	}
	for (int i = 0; i < len - have; i++)
		strncat(buf, " ", n - strlen(buf) - 1);
	for (int i = 0; i < have; i++) {
		double v = e->v[(e->head - have + i + TREND_KEEP) % TREND_KEEP];
		int level = vmax > 0 ? (int)(v / vmax * 8 + 0.999) : 0;
		char a[2] = { 0 };

		if (level > 8)
			level = 8;
		if (!level) {
			strncat(buf, " ", n - strlen(buf) - 1);
		} else if (textw_utf8()) {
			strncat(buf, blocks[level - 1], n - strlen(buf) - 1);
		} else {
			a[0] = ascii[level - 1];
			strncat(buf, a, n - strlen(buf) - 1);
		}
	}
}
