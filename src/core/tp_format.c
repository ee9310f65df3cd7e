// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "core/tp_format.h"

int tp_format_field(const char *text, size_t len, const char *sys, const char *field,
		    struct tp_field *out, char *err, size_t errlen)
{
	/* Only the layout matters: the print format is not parsed (see perf_data.c). */
	static const char no_print[] = "print fmt: \"\"\n";
	const char *pf = memmem(text, len, "\nprint fmt:", sizeof("\nprint fmt:") - 1);
	size_t keep = pf ? (size_t)(pf - text) + 1 : len;
	struct tep_format_field *f;
	struct tep_event *ev = NULL;
	struct tep_handle *tep;
	char *copy;
	int ret;

	copy = malloc(keep + sizeof(no_print) + 1);
	tep = tep_alloc();
	if (!copy || !tep) {
		free(copy);
		tep_free(tep);
		return -ENOMEM;
	}
	memcpy(copy, text, keep);
	if (keep && copy[keep - 1] != '\n')
		copy[keep++] = '\n';
	memcpy(copy + keep, no_print, sizeof(no_print));
	if (tep_parse_event(tep, copy, keep + sizeof(no_print) - 1, sys) ||
	    tep_get_events_count(tep) != 1 || !(ev = tep_get_event(tep, 0))) {
		snprintf(err, errlen, "tracepoint format of %s does not parse", sys);
		ret = -EINVAL;
		goto out;
	}
	f = tep_find_field(ev, field);
	if (!f) {
		snprintf(err, errlen, "%s:%s has no field '%s'", sys, ev->name, field);
		ret = -ENOENT;
		goto out;
	}
	if (f->size <= 0 || f->size > 8 || (f->flags & TEP_FIELD_IS_ARRAY)) {
		snprintf(err, errlen, "%s:%s field '%s' is not a scalar of 1-8 bytes (size %d)",
			 sys, ev->name, field, f->size);
		ret = -EINVAL;
		goto out;
	}
	out->offset = f->offset;
	out->size = f->size;
	out->is_signed = f->flags & TEP_FIELD_IS_SIGNED;
	ret = 0;
out:
	tep_free(tep);
	free(copy);
	return ret;
}

int tp_field_from_tracefs(const char *tracefs, const char *sys, const char *event,
			  const char *field, struct tp_field *out, char *err, size_t errlen)
{
	char path[512], buf[16384];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs, sys, event);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	while ((size_t)total < sizeof(buf) - 1) {
		n = read(fd, buf + total, sizeof(buf) - 1 - total);
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return tp_format_field(buf, total, sys, field, out, err, errlen);
}
