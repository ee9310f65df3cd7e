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
	char data[];
};

struct exposition {
	pthread_mutex_t lock;
	struct expo_doc *doc[PROM_NFORMATS];
};

void exposition_init(struct exposition *e);
void exposition_free(struct exposition *e);
/* A copy of b becomes the current document of fmt. 0 or -ENOMEM. */
int exposition_publish(struct exposition *e, enum prom_format fmt, const struct pbuf *b);
/* A reference to the current document of fmt, or NULL; release with expo_doc_put(). */
struct expo_doc *exposition_get(struct exposition *e, enum prom_format fmt);
void expo_doc_put(struct expo_doc *d);

#endif
