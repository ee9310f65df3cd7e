/* SPDX-License-Identifier: GPL-2.0 */
/* /metrics over HTTP (libmicrohttpd), Prometheus text or OpenMetrics by Accept. */
#ifndef KVMSLB_EXPORT_HTTP_H
#define KVMSLB_EXPORT_HTTP_H

#include <stdio.h>

#include "export/prom.h"

/* Writes the current exposition in 'fmt' to 'out'; 0 or -errno. */
typedef int (*metrics_render_fn)(FILE *out, enum prom_format fmt, void *ctx);

struct metrics_server;

/*
 * Serve GET /metrics on addr ("127.0.0.1:9464", "[::1]:9464", ":9464").
 * Requests are answered from libmicrohttpd's own thread; 'render' must be
 * safe to call from it (the caller serializes with its collector).
 * NULL on error with 'err' set.
 */
struct metrics_server *metrics_server_start(const char *addr, metrics_render_fn render,
					    void *ctx, char *err, size_t errlen);
void metrics_server_stop(struct metrics_server *s);

/* Parse "host:port"; exposed for tests. 0 or -1. */
int parse_listen_addr(const char *addr, char *host, size_t hostlen, unsigned int *port);

#endif
