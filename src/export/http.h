/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /metrics over HTTP (libmicrohttpd): the current exposition, Prometheus
 * text or OpenMetrics by the request's Accept header. One epoll thread
 * serves every connection, so idle, slow or garbage clients hold a
 * connection slot each but never delay anyone else; slots are many, and
 * can be limited per client address.
 */
#ifndef KVMSLB_EXPORT_HTTP_H
#define KVMSLB_EXPORT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "export/exposition.h"

struct http_opts {
	unsigned int max_connections;	/* all clients together */
	unsigned int max_per_ip;	/* 0: no limit per client address */
	unsigned int idle_timeout;	/* seconds a connection may stay silent */
};

#define HTTP_DEFAULT_MAX_CONNECTIONS	1024u
#define HTTP_DEFAULT_IDLE_TIMEOUT	10u

struct metrics_server;

/* False in the static ppc64le build (no libmicrohttpd). */
bool http_available(void);

/*
 * Serve GET/HEAD /metrics from 'e' on the listening socket 'fd' (taken
 * over: closed by metrics_server_stop()). NULL on error with err set.
 */
struct metrics_server *metrics_server_start(int fd, struct exposition *e,
					    const struct http_opts *o, char *err,
					    size_t errlen);
void metrics_server_stop(struct metrics_server *s);

/*
 * The format an Accept header asks for: OpenMetrics if it names
 * application/openmetrics-text (version 1.0.0, 0.0.1 or none) with a q
 * above 0 and no lower than any acceptable text format's (equal q: the
 * first listed); else the text format. NULL: the text format.
 */
enum prom_format http_negotiate(const char *accept);

#endif
