// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "export/http.h"

int parse_listen_addr(const char *addr, char *host, size_t hostlen, unsigned int *port)
{
	const char *colon = strrchr(addr, ':');
	unsigned long p;
	size_t hl;
	char *end;

	if (!colon || !colon[1])
		return -1;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || p == 0 || p > 65535)
		return -1;
	hl = colon - addr;
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= hostlen)
		return -1;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	*port = (unsigned int)p;
	return 0;
}

#ifdef KVMSLB_STATIC_CROSS
/* libmicrohttpd's static archive needs GnuTLS's, which Debian does not ship static. */
struct metrics_server *metrics_server_start(const char *addr, metrics_render_fn render,
					    void *ctx, char *err, size_t errlen)
{
	(void)addr;
	(void)render;
	(void)ctx;
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
	metrics_render_fn render;
	void *ctx;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
								  MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_size, void **req_ctx)
{
	struct metrics_server *s = cls;
	enum prom_format fmt = PROM_TEXT;
	const char *accept;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)req_ctx;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     strdup("only GET\n"), 9);
	if (strcmp(url, "/metrics")) {
		static const char page[] = "kvmslb exporter: see /metrics\n";

		if (strcmp(url, "/"))
			return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", strdup("not found\n"), 10);
		return reply(c, MHD_HTTP_OK, "text/plain", strdup(page), sizeof(page) - 1);
	}
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	if (accept && strstr(accept, "application/openmetrics-text"))
		fmt = PROM_OPENMETRICS;
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	if (s->render(f, fmt, s->ctx)) {
		fclose(f);
		free(body);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     strdup("collector failed\n"), 17);
	}
	fclose(f);
	return reply(c, MHD_HTTP_OK, prom_content_type(fmt), body, len);
}

struct metrics_server *metrics_server_start(const char *addr, metrics_render_fn render,
					    void *ctx, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct metrics_server *s;
	unsigned int port;
	char host[128];
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;

	memset(&ss, 0, sizeof(ss));
	if (parse_listen_addr(addr, host, sizeof(host), &port)) {
		snprintf(err, errlen, "bad listen address '%s': want HOST:PORT", addr);
		return NULL;
	}
	if (!host[0] || !strcmp(host, "0.0.0.0")) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "bad listen address '%s': host must be an IP address", addr);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->render = render;
	s->ctx = ctx;
	s->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, 16u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s (port in use, or no permission?)", addr);
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
