// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "export/listen.h"

static void format_addr(struct listen_addr *a)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(a->text, sizeof(a->text), "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&a->ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(a->text, sizeof(a->text), "%s:%u", host, ntohs(in->sin_port));
	}
}

static void set_port(struct listen_addr *a, unsigned int port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

/* An address literal or a name; a name's IPv4 address first. */
static int resolve(const char *host, bool v6_literal, struct listen_addr *a, char *err,
		   size_t errlen)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *pick;
	int ret;

	if (!v6_literal && inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		a->len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		a->len = sizeof(*in6);
		return 0;
	}
	if (v6_literal) {
		snprintf(err, errlen, "'%s' in brackets is not an IPv6 address", host);
		return -1;
	}
#ifdef KVMSLB_STATIC_CROSS
	/* no resolver in a static binary (and no HTTP server to listen with) */
	(void)hints;
	(void)res;
	(void)pick;
	(void)ret;
	snprintf(err, errlen, "'%s' is not an IP address", host);
	return -1;
#else
	ret = getaddrinfo(host, NULL, &hints, &res);
	if (ret) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(ret));
		return -1;
	}
	pick = res;
	for (struct addrinfo *r = res; r; r = r->ai_next) {
		if (r->ai_family == AF_INET) {
			pick = r;
			break;
		}
	}
	if (pick->ai_addrlen > sizeof(a->ss) ||
	    (pick->ai_family != AF_INET && pick->ai_family != AF_INET6)) {
		snprintf(err, errlen, "'%s' resolves to no IP address", host);
		freeaddrinfo(res);
		return -1;
	}
	memcpy(&a->ss, pick->ai_addr, pick->ai_addrlen);
	a->len = pick->ai_addrlen;
	freeaddrinfo(res);
	return 0;
#endif
}

int listen_addr_parse(const char *arg, struct listen_addr *out, char *err, size_t errlen)
{
	const char *colon = strrchr(arg, ':'), *p;
	unsigned long port = 0;
	bool v6 = false;
	char host[256];
	size_t hl;

	memset(out, 0, sizeof(*out));
	if (!colon || !colon[1] || strlen(colon + 1) > 5)
		goto bad;
	for (p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port > 65535)
		goto bad;
	hl = colon - arg;
	if (hl >= 2 && arg[0] == '[' && arg[hl - 1] == ']') {
		arg++;
		hl -= 2;
		v6 = true;
	} else if (memchr(arg, ':', hl)) {
		snprintf(err, errlen, "bad listen address '%s': an IPv6 address goes in brackets, "
			 "[::1]:PORT", arg);
		return -1;
	}
	if (hl >= sizeof(host))
		goto bad;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (!hl && v6)
		goto bad;
	/* ":PORT" is loopback: listening everywhere must be asked for */
	if (resolve(hl ? host : "127.0.0.1", v6, out, err, errlen))
		return -1;
	set_port(out, (unsigned int)port);
	format_addr(out);
	return 0;
bad:
	snprintf(err, errlen, "bad listen address '%s': want HOST:PORT, [IPV6]:PORT or :PORT "
		 "(loopback), e.g. 127.0.0.1:9466", arg);
	return -1;
}

int listen_open(struct listen_addr *a, char *err, size_t errlen)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0, ret;

	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s: socket: %s", a->text, strerror(-ret));
		return ret;
	}
	/* a restarted exporter rebinds while old connections are in TIME_WAIT */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] takes IPv4 clients too */
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) || listen(fd, SOMAXCONN)) {
		ret = -errno;
		switch (-ret) {
		case EADDRINUSE:
			snprintf(err, errlen, "cannot listen on %s: the port is in use "
				 "(another exporter?)", a->text);
			break;
		case EADDRNOTAVAIL:
			snprintf(err, errlen, "cannot listen on %s: no interface of this host "
				 "has that address", a->text);
			break;
		case EACCES:
			snprintf(err, errlen, "cannot listen on %s: permission denied (ports "
				 "below 1024 need CAP_NET_BIND_SERVICE)", a->text);
			break;
		default:
			snprintf(err, errlen, "cannot listen on %s: %s", a->text, strerror(-ret));
		}
		close(fd);
		return ret;
	}
	a->len = sizeof(a->ss);
	if (!getsockname(fd, (struct sockaddr *)&a->ss, &a->len))
		format_addr(a);
	return fd;
}
