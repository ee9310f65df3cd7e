/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Field offsets of tracepoint records, from tracefs format files parsed
 * with libtraceevent. Kernels without BTF (Debian's ppc64el) give the
 * stock source no other trustworthy layout.
 */
#ifndef KVMSLB_TP_FORMAT_H
#define KVMSLB_TP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

struct tp_field {
	unsigned int offset;
	unsigned int size;
	bool is_signed;
};

/*
 * Find 'field' in format text 'text' (len bytes) of event sys:... .
 * 0, -ENOENT if the event has no such field, -EINVAL if the text does not
 * parse (err says why).
 */
int tp_format_field(const char *text, size_t len, const char *sys, const char *field,
		    struct tp_field *out, char *err, size_t errlen);
/* The same from <tracefs>/events/<sys>/<event>/format; -errno on I/O errors. */
int tp_field_from_tracefs(const char *tracefs, const char *sys, const char *event,
			  const char *field, struct tp_field *out, char *err, size_t errlen);

#endif
