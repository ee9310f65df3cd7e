// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "export/http.h"

enum media { MEDIA_NONE, MEDIA_TEXT, MEDIA_OPENMETRICS };

static const char *skip_ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *e)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return e;
}

/* memchr within [s, e) */
static const char *find(const char *s, const char *e, char c)
{
	return s < e ? memchr(s, c, (size_t)(e - s)) : NULL;
}

static bool token_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && !strncasecmp(s, word, n);
}

/* One media range, [s, e): what it accepts and its q (1 when absent). */
static enum media media_range(const char *s, const char *e, double *q)
{
	const char *semi = find(s, e, ';'), *type_end = semi ? semi : e;
	const char *version = NULL, *version_end = NULL;
	enum media m = MEDIA_NONE;

	*q = 1;
	s = skip_ws(s, type_end);
	type_end = trim_end(s, type_end);
	while (semi) {
		const char *p = skip_ws(semi + 1, e), *eq, *v, *ve;

		semi = find(p, e, ';');
		ve = trim_end(p, semi ? semi : e);
		eq = find(p, ve, '=');
		if (!eq)
			continue;
		v = skip_ws(eq + 1, ve);
		if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		if (token_is(p, trim_end(p, eq), "q")) {
			char buf[16];
			size_t n = (size_t)(ve - v) < sizeof(buf) - 1 ? (size_t)(ve - v) : sizeof(buf) - 1;
			char *end;

			memcpy(buf, v, n);
			buf[n] = '\0';
			*q = strtod(buf, &end);
			if (end == buf || *q < 0 || *q > 1)
				*q = 0;
		} else if (token_is(p, trim_end(p, eq), "version")) {
			version = v;
			version_end = ve;
		}
	}
	if (token_is(s, type_end, "application/openmetrics-text")) {
		if (!version || token_is(version, version_end, "1.0.0") ||
		    token_is(version, version_end, "0.0.1"))
			m = MEDIA_OPENMETRICS;
	} else if (token_is(s, type_end, "text/plain")) {
		if (!version || token_is(version, version_end, "0.0.4"))
			m = MEDIA_TEXT;
	} else if (token_is(s, type_end, "text/*") || token_is(s, type_end, "*/*")) {
		m = MEDIA_TEXT;
	}
	return m;
}

enum prom_format http_negotiate(const char *accept)
{
	enum media best = MEDIA_NONE;
	double best_q = 0;

	if (!accept)
		return PROM_TEXT;
	for (const char *s = accept; *s;) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);
		double q;
		enum media m = media_range(s, e, &q);

		if (m != MEDIA_NONE && q > best_q) {
			best = m;
			best_q = q;
		}
		s = comma ? comma + 1 : e;
	}
	return best == MEDIA_OPENMETRICS ? PROM_OPENMETRICS : PROM_TEXT;
}

#ifdef KVMSLB_STATIC_CROSS
/* libmicrohttpd's static archive needs GnuTLS's, which Debian does not ship static. */
bool http_available(void)
{
	return false;
}

struct metrics_server *metrics_server_start(int fd, struct exposition *e,
					    const struct http_opts *o, char *err,
					    size_t errlen)
{
	(void)e;
	(void)o;
	close(fd);
	snprintf(err, errlen, "HTTP serving is not in the static ppc64le build "
		 "(libmicrohttpd needs GnuTLS); use --textfile or --jsonl, or the distribution build");
	return NULL;
}

void metrics_server_stop(struct metrics_server *s)
{
	(void)s;
}
#else
#include <microhttpd.h>

struct metrics_server {
	struct MHD_Daemon *d;
	struct exposition *e;
};

bool http_available(void)
{
	return true;
}

static enum MHD_Result reply_static(struct MHD_Connection *c, unsigned int status,
				    const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								  MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void doc_release(void *cls)
{
	expo_doc_put(cls);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_size, void **req_ctx)
{
	struct metrics_server *s = cls;
	struct MHD_Response *r;
	struct expo_doc *d;
	enum prom_format fmt;
	enum MHD_Result ret;

	(void)upload_data;
	(void)upload_size;
	(void)req_ctx;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_static(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	/* RFC 9112 3.2: a 1.1 request without Host is a 400 */
	if (!strcmp(version, MHD_HTTP_VERSION_1_1) &&
	    !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
		return reply_static(c, MHD_HTTP_BAD_REQUEST, "HTTP/1.1 request without Host\n");
	if (strcmp(url, "/metrics")) {
		if (strcmp(url, "/"))
			return reply_static(c, MHD_HTTP_NOT_FOUND, "not found\n");
		return reply_static(c, MHD_HTTP_OK, "kvmslb exporter: see /metrics\n");
	}
	fmt = http_negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT));
	d = exposition_get(s->e, fmt);
	if (!d)
		return reply_static(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no exposition yet\n");
	r = MHD_create_response_from_buffer_with_free_callback_cls(d->len, d->data,
								    doc_release, d);
	if (!r) {
		expo_doc_put(d);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, prom_content_type(fmt));
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Room for the connection limit: the soft RLIMIT_NOFILE up to the hard one. */
static unsigned int fit_connections(unsigned int want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return want;
	if (rl.rlim_cur < need && rl.rlim_cur != RLIM_INFINITY) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		return rl.rlim_cur > 128 ? (unsigned int)rl.rlim_cur - 64 : 64;
	return want;
}

struct metrics_server *metrics_server_start(int fd, struct exposition *e,
					    const struct http_opts *o, char *err,
					    size_t errlen)
{
	struct metrics_server *s = calloc(1, sizeof(*s));

	if (!s) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->e = e;
	s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL, NULL, handle, s,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, fit_connections(o->max_connections),
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_ip,
				MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "the HTTP server did not start (libmicrohttpd)");
		close(fd);
		free(s);
		return NULL;
	}
	return s;
}

void metrics_server_stop(struct metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	free(s);
}
#endif
