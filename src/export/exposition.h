/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last rendering of each format, shared by the interval loop (which
 * replaces it) and the HTTP thread (which serves it): reference-counted
 * documents, so a scrape sends its document without copying it and a new
 * rendering never waits for a slow client.
 */
#ifndef KVMSLB_EXPORT_EXPOSITION_H
#define KVMSLB_EXPORT_EXPOSITION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "export/prom.h"

struct expo_doc {
	atomic_int refs;
	size_t len;
	char *data;
};

struct exposition {
	pthread_mutex_t lock;
	struct expo_doc *doc[PROM_NFORMATS];
};

void exposition_init(struct exposition *e);
void exposition_free(struct exposition *e);
/*
 * b's contents become the current document of fmt, without a copy: b is
 * left empty, to start the next rendering at this one's size. 0 or -ENOMEM
 * (b failed; it is emptied all the same).
 */
int exposition_publish(struct exposition *e, enum prom_format fmt, struct pbuf *b);
/* A reference to the current document of fmt, or NULL; release with expo_doc_put(). */
struct expo_doc *exposition_get(struct exposition *e, enum prom_format fmt);
void expo_doc_put(struct expo_doc *d);

#endif
