// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/tracker.h"

void tracker_init(struct tracker *t, const char *root)
{
	memset(t, 0, sizeof(*t));
	t->root = root;
	agg_init(&t->base);
	agg_init(&t->last);
}

void tracker_free(struct tracker *t)
{
	for (int i = 0; i < t->nretired; i++)
		agg_free(&t->retired[i].data);
	free(t->retired);
	free(t->ids);
	agg_free(&t->base);
	agg_free(&t->last);
	memset(t, 0, sizeof(*t));
}

static struct guest_ident *ident_find(const struct tracker *t, uint32_t tgid)
{
	for (int i = 0; i < t->nids; i++)
		if (t->ids[i].tgid == tgid)
			return &t->ids[i];
	return NULL;
}

const struct guest_ident *tracker_ident(const struct tracker *t, uint32_t tgid)
{
	return ident_find(t, tgid);
}

static int ident_add(struct tracker *t, uint32_t tgid)
{
	struct guest_ident *v = realloc(t->ids, (t->nids + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->ids = v;
	guest_ident_read(t->root, tgid, &v[t->nids]);
	t->nids++;
	return 0;
}

int tracker_see(struct tracker *t, uint32_t tgid)
{
	return ident_find(t, tgid) ? 0 : ident_add(t, tgid);
}

/* The process behind id->tgid is not the one named: retire it. */
static int retire(struct tracker *t, struct guest_ident *id, const struct guest_ident *now)
{
	const struct agg_guest *last = agg_find(&t->last, id->tgid);
	const struct agg_guest *base = agg_find(&t->base, id->tgid);
	struct retired_guest *r;
	int err = 0;

	r = realloc(t->retired, (t->nretired + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	t->retired = r;
	r = &r[t->nretired++];
	r->id = *id;
	r->id.alive = false;
	agg_init(&r->data);
	if (last) {
		err = agg_guest_merge(&r->data, last);
		if (!err && base)
			agg_guest_sub(agg_find(&r->data, id->tgid), base);
		/* the base becomes everything seen up to the last poll */
		agg_remove(&t->base, id->tgid);
		if (!err)
			err = agg_guest_merge(&t->base, last);
	}
	*id = *now;
	return err;
}

int tracker_update(struct tracker *t, const struct agg *raw, struct agg *view)
{
	int err = 0;

	/* known guests: exited? pid reused? */
	for (int i = 0; i < t->nids && !err; i++) {
		struct guest_ident *id = &t->ids[i], now;

		if (guest_ident_read(t->root, id->tgid, &now)) {
			id->alive = false;
			continue;
		}
		if (id->starttime && now.starttime != id->starttime)
			err = retire(t, id, &now);
		else if (!id->alive || id->from == NAME_UNKNOWN)
			*id = now;
	}
	/* new guests */
	for (int i = 0; i < raw->nguests && !err; i++)
		if (!ident_find(t, raw->guests[i].tgid))
			err = ident_add(t, raw->guests[i].tgid);
	/* the view: raw minus what earlier processes of the same pid did */
	for (int i = 0; i < raw->nguests && !err; i++) {
		const struct agg_guest *b = agg_find(&t->base, raw->guests[i].tgid);

		err = agg_guest_merge(view, &raw->guests[i]);
		if (!err && b)
			agg_guest_sub(agg_find(view, raw->guests[i].tgid), b);
	}
	view->health = raw->health;
	/*
	 * A guest the source stopped reporting (its VM's debugfs directory went
	 * away with the VM) keeps what it had.
	 */
	for (int i = 0; i < t->last.nguests && !err; i++) {
		const struct agg_guest *g = &t->last.guests[i];
		const struct agg_guest *b = agg_find(&t->base, g->tgid);

		if (agg_find(raw, g->tgid))
			continue;
		err = agg_guest_merge(view, g);
		if (!err && b)
			agg_guest_sub(agg_find(view, g->tgid), b);
	}
	/* keep raw (and the carried-over guests) as the last snapshot */
	for (int i = 0; i < raw->nguests && !err; i++) {
		agg_remove(&t->last, raw->guests[i].tgid);
		err = agg_guest_merge(&t->last, &raw->guests[i]);
	}
	t->last.health = raw->health;
	return err;
}
