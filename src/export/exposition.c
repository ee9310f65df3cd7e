// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export/exposition.h"

void exposition_init(struct exposition *e)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
}

void exposition_free(struct exposition *e)
{
	for (int f = 0; f < PROM_NFORMATS; f++)
		expo_doc_put(e->doc[f]);
	pthread_mutex_destroy(&e->lock);
	memset(e, 0, sizeof(*e));
}

int exposition_publish(struct exposition *e, enum prom_format fmt, struct pbuf *b)
{
	struct expo_doc *d, *old;
	size_t hint = b->len + b->len / 8;

	d = b->failed ? NULL : malloc(sizeof(*d));
	if (!d) {
		pbuf_free(b);
		b->hint = hint;
		return -ENOMEM;
	}
	atomic_init(&d->refs, 1);
	d->len = b->len;
	d->data = b->p;
	memset(b, 0, sizeof(*b));
	b->hint = hint;
	pthread_mutex_lock(&e->lock);
	old = e->doc[fmt];
	e->doc[fmt] = d;
	pthread_mutex_unlock(&e->lock);
	expo_doc_put(old);
	return 0;
}

struct expo_doc *exposition_get(struct exposition *e, enum prom_format fmt)
{
	struct expo_doc *d;

	pthread_mutex_lock(&e->lock);
	d = e->doc[fmt];
	if (d)
		atomic_fetch_add(&d->refs, 1);
	pthread_mutex_unlock(&e->lock);
	return d;
}

void expo_doc_put(struct expo_doc *d)
{
	if (d && atomic_fetch_sub(&d->refs, 1) == 1) {
		free(d->data);
		free(d);
	}
}
