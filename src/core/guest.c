// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/guest.h"
#include "core/text.h"

const char *guest_name_from_str(enum guest_name_from f)
{
	switch (f) {
	case NAME_QEMU_GUEST: return "qemu -name guest=";
	case NAME_QEMU: return "qemu -name";
	case NAME_COMM: return "comm";
	default: return "unknown";
	}
}

/* Copy one comma-separated QEMU option value element, ",," -> ",". */
static const char *opt_elem(const char *s, const char *end, char *out, size_t outlen)
{
	size_t n = 0;

	while (s < end && *s) {
		if (*s == ',') {
			if (s + 1 < end && s[1] == ',') {
				s++;
			} else {
				s++;
				break;
			}
		}
		if (n + 1 < outlen)
			out[n++] = *s;
		s++;
	}
	if (outlen)
		out[n] = '\0';
	return s;
}

static enum guest_name_from parse_name_opt(const char *v, size_t vlen, char *out, size_t outlen)
{
	const char *end = v + vlen;
	char elem[512];
	bool first = true;

	while (v < end && *v) {
		v = opt_elem(v, end, elem, sizeof(elem));
		if (!strncmp(elem, "guest=", 6) && elem[6]) {
			text_sanitize(out, outlen, elem + 6, sizeof(elem) - 6);
			return NAME_QEMU_GUEST;
		}
		/* the first element without '=' is the name (implied guest=) */
		if (first && elem[0] && !strchr(elem, '=')) {
			text_sanitize(out, outlen, elem, sizeof(elem));
			return NAME_QEMU;
		}
		first = false;
	}
	return NAME_UNKNOWN;
}

enum guest_name_from guest_name_from_cmdline(const char *buf, size_t len, char *out,
					      size_t outlen)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		size_t alen = strnlen(p, end - p);
		const char *next = p + alen + 1;

		if (!strcmp(p, "-name") || !strcmp(p, "--name")) {
			if (next < end) {
				enum guest_name_from f = parse_name_opt(next, strnlen(next, end - next),
									out, outlen);
				if (f != NAME_UNKNOWN)
					return f;
			}
		} else if (!strncmp(p, "-name=", 6) || !strncmp(p, "--name=", 7)) {
			const char *v = strchr(p, '=') + 1;
			enum guest_name_from f = parse_name_opt(v, strlen(v), out, outlen);

			if (f != NAME_UNKNOWN)
				return f;
		}
		p = next;
	}
	return NAME_UNKNOWN;
}

uint64_t starttime_from_stat(const char *stat)
{
	const char *p = strrchr(stat, ')');
	unsigned long long v;

	if (!p)
		return 0;
	p++;
	/* fields 3..21 after "pid (comm)", then starttime is field 22 */
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (field == 22)
			return sscanf(p, "%llu", &v) == 1 ? v : 0;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static long read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

int guest_ident_read(const char *root, uint32_t tgid, struct guest_ident *out)
{
	char path[512], buf[8192];
	long n;

	memset(out, 0, sizeof(*out));
	out->tgid = tgid;
	snprintf(path, sizeof(path), "%s/proc/%" PRIu32 "/stat", root, tgid);
	n = read_file(path, buf, sizeof(buf));
	if (n <= 0) {
		snprintf(out->name, sizeof(out->name), "pid %" PRIu32, tgid);
		return n < 0 ? (int)n : -ENOENT;
	}
	out->starttime = starttime_from_stat(buf);
	out->alive = true;
	snprintf(path, sizeof(path), "%s/proc/%" PRIu32 "/cmdline", root, tgid);
	n = read_file(path, buf, sizeof(buf));
	if (n > 0)
		out->from = guest_name_from_cmdline(buf, n, out->name, sizeof(out->name));
	if (out->from == NAME_UNKNOWN) {
		snprintf(path, sizeof(path), "%s/proc/%" PRIu32 "/comm", root, tgid);
		if (read_file(path, buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			text_sanitize(out->name, sizeof(out->name), buf, sizeof(buf));
			out->from = NAME_COMM;
		} else {
			snprintf(out->name, sizeof(out->name), "pid %" PRIu32, tgid);
		}
	}
	return 0;
}

void thread_comm_read(const char *root, uint32_t tgid, uint32_t tid, char *out, size_t len)
{
	char path[512];

	char buf[64];

	snprintf(path, sizeof(path), "%s/proc/%" PRIu32 "/task/%" PRIu32 "/comm", root, tgid, tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	text_sanitize(out, len, buf, sizeof(buf));
}
