// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/prom.h"
#include "export/series.h"

void series_init(struct series_set *s, const struct series_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->o = *o;
}

void series_free(struct series_set *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->g[i].labels);
	free(s->g);
	s->g = NULL;
	s->n = 0;
}

static int build_labels(struct series_guest *g)
{
	struct pbuf b = { 0 };

	pbuf_puts(&b, "guest=\"");
	prom_escape_label(&b, g->name);
	pbuf_put(&b, "\"", 1);
	if (g->pid_label) {
		pbuf_puts(&b, ",pid=\"");
		pbuf_u64(&b, g->tgid);
		pbuf_put(&b, "\"", 1);
	}
	pbuf_put(&b, "", 1);
	if (b.failed) {
		pbuf_free(&b);
		return -ENOMEM;
	}
	free(g->labels);
	g->labels = b.p;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct series_guest *const *)a)->name,
		      (*(struct series_guest *const *)b)->name);
}

/* Same labels together; in each run the one to show first: running, else the last to exit. */
static int by_labels(const void *a, const void *b)
{
	const struct series_guest *x = *(struct series_guest *const *)a;
	const struct series_guest *y = *(struct series_guest *const *)b;
	int c = strcmp(x->labels, y->labels);

	if (c)
		return c;
	if (!x->exited_at != !y->exited_at)
		return x->exited_at ? 1 : -1;
	if (x->exited_at != y->exited_at)
		return x->exited_at > y->exited_at ? -1 : 1;
	return x->starttime > y->starttime ? -1 : x->starttime < y->starttime;
}

/* Names, labels and what is shown, from scratch. */
static int select_shown(struct series_set *s, double now)
{
	struct series_guest **v = malloc((s->n ? s->n : 1) * sizeof(*v));
	int n = 0, err = 0;

	if (!v)
		return -ENOMEM;
	/* running guests sharing a name get pid (and keep it) */
	for (int i = 0; i < s->n; i++)
		if (!s->g[i].exited_at)
			v[n++] = &s->g[i];
	qsort(v, n, sizeof(*v), by_name);
	for (int i = 0; i < n; i++) {
		bool dup = (i > 0 && !strcmp(v[i]->name, v[i - 1]->name)) ||
			   (i + 1 < n && !strcmp(v[i]->name, v[i + 1]->name));

		if ((dup || s->o.pid_label) && !v[i]->pid_label) {
			v[i]->pid_label = true;
			free(v[i]->labels);
			v[i]->labels = NULL;
		}
	}
	/* candidates: running guests and exited ones inside the grace period */
	n = 0;
	for (int i = 0; i < s->n && !err; i++) {
		struct series_guest *g = &s->g[i];

		g->shown = false;
		if (g->exited_at && now - g->exited_at > s->o.retire_after)
			continue;
		if (s->o.pid_label && !g->pid_label) {
			g->pid_label = true;
			free(g->labels);
			g->labels = NULL;
		}
		if (!g->labels)
			err = build_labels(g);
		v[n++] = g;
	}
	if (err) {
		free(v);
		return err;
	}
	qsort(v, n, sizeof(*v), by_labels);
	s->nrunning = s->nexited = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && !strcmp(v[i]->labels, v[i - 1]->labels))
			continue;
		v[i]->shown = true;
		if (v[i]->exited_at)
			s->nexited++;
		else
			s->nrunning++;
	}
	free(v);
	return 0;
}

int series_update(struct series_set *s, const struct agg *agg, series_ident_fn ident,
		  const void *ctx, double now)
{
	struct series_guest *ng = calloc(agg->nguests ? agg->nguests : 1, sizeof(*ng));
	bool dirty = s->dirty || s->n != agg->nguests;
	int j = 0, err;

	if (!ng)
		return -ENOMEM;
	for (int i = 0; i < agg->nguests; i++) {
		uint32_t tgid = agg->guests[i].tgid;
		const struct guest_ident *id = ident ? ident(ctx, tgid) : NULL;
		struct series_guest *g = &ng[i];
		char unknown[32];
		const char *name = id && id->name[0] ? id->name : unknown;

		/* both sorted by tgid: a merge */
		for (; j < s->n && s->g[j].tgid < tgid; j++) {
			free(s->g[j].labels);
			dirty = true;
		}
		if (j < s->n && s->g[j].tgid == tgid) {
			*g = s->g[j++];
		} else {
			g->tgid = tgid;
			dirty = true;
		}
		if (id && id->starttime && g->starttime && id->starttime != g->starttime) {
			/* another process behind the same pid */
			free(g->labels);
			memset(g, 0, sizeof(*g));
			g->tgid = tgid;
			dirty = true;
		}
		if (id && id->starttime)
			g->starttime = id->starttime;
		if (name == unknown)
			snprintf(unknown, sizeof(unknown), "pid %" PRIu32, tgid);
		if (strcmp(g->name, name)) {
			snprintf(g->name, sizeof(g->name), "%s", name);
			free(g->labels);
			g->labels = NULL;
			dirty = true;
		}
		if (!(id && id->alive) && !g->exited_at) {
			g->exited_at = now > 0 ? now : 1e-9;
			dirty = true;
		} else if (id && id->alive && g->exited_at) {
			g->exited_at = 0;
			dirty = true;
		}
		if (g->shown && g->exited_at && now - g->exited_at > s->o.retire_after)
			dirty = true;
	}
	for (; j < s->n; j++) {
		free(s->g[j].labels);
		dirty = true;
	}
	free(s->g);
	s->g = ng;
	s->n = agg->nguests;
	if (!dirty)
		return 0;
	err = select_shown(s, now);
	s->dirty = err != 0;
	return err;
}
