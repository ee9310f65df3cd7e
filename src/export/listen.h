/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The --listen address: parsed and resolved while the options are read (a
 * bad one is bad usage, reported before anything is loaded), bound before
 * the BPF programs load (a port in use is reported before that work).
 */
#ifndef KVMSLB_EXPORT_LISTEN_H
#define KVMSLB_EXPORT_LISTEN_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

struct listen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];		/* "127.0.0.1:9466", "[::1]:9466" */
};

/*
 * "HOST:PORT", "[IPV6]:PORT" or ":PORT". An empty host is the loopback
 * address 127.0.0.1: every interface must be asked for (0.0.0.0, [::]).
 * HOST is an address or a name ("localhost"); a name that resolves to
 * both families is bound on its IPv4 address. PORT 0 lets the kernel
 * choose. 0, or -1 with a one-line reason in err.
 */
int listen_addr_parse(const char *arg, struct listen_addr *out, char *err, size_t errlen);

/*
 * A listening TCP socket on a (CLOEXEC, non-blocking); a->text gets the
 * port the kernel chose for port 0. The socket fd, or -errno with the
 * reason in err.
 */
int listen_open(struct listen_addr *a, char *err, size_t errlen);

#endif
