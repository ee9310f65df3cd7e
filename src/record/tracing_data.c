// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/tracing_data.h"

/* No format file comes near this; a bigger one is a corrupt size. */
#define MAX_FORMAT	(1U << 20)

int tdata_fail(struct tdata *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int truncated(struct rd *r, struct tdata *t, const char *what)
{
	if (r->err)
		return -r->err;
	return tdata_fail(t, "%s truncated at offset %llu", what, (unsigned long long)r->pos);
}

int trd_take(struct rd *r, struct tdata *t, uint64_t n, const uint8_t **p, const char *what)
{
	if (n > RD_MAX_NEED || !(*p = rd_peek(r, n)))
		return n > RD_MAX_NEED ? tdata_fail(t, "%s at offset %llu claims %llu bytes", what,
						    (unsigned long long)r->pos,
						    (unsigned long long)n) :
			truncated(r, t, what);
	rd_eat(r, n);
	return 0;
}

int trd_u16(struct rd *r, struct tdata *t, uint16_t *v, const char *what)
{
	const uint8_t *p;
	int err = trd_take(r, t, 2, &p, what);

	if (!err)
		*v = rd_16(r, p);
	return err;
}

int trd_u32(struct rd *r, struct tdata *t, uint32_t *v, const char *what)
{
	const uint8_t *p;
	int err = trd_take(r, t, 4, &p, what);

	if (!err)
		*v = rd_32(r, p);
	return err;
}

int trd_u64(struct rd *r, struct tdata *t, uint64_t *v, const char *what)
{
	const uint8_t *p;
	int err = trd_take(r, t, 8, &p, what);

	if (!err)
		*v = rd_64(r, p);
	return err;
}

int trd_str(struct rd *r, struct tdata *t, char *out, size_t max, const char *what)
{
	for (size_t want = 1; ; want++) {
		const uint8_t *p = rd_peek(r, want);

		if (!p)
			return truncated(r, t, what);
		if (!p[want - 1]) {
			memcpy(out, p, want);
			rd_eat(r, want);
			return 0;
		}
		if (want > max)
			return tdata_fail(t, "%s at offset %llu: string longer than %zu bytes", what,
					  (unsigned long long)r->pos, max);
	}
}

int tracing_params_parse(struct rd *r, struct tdata *t, struct tracing_params *p)
{
	const uint8_t *b;
	int err = trd_take(r, t, 2, &b, "tracing header");

	if (err)
		return err;
	p->big_endian = b[0] != 0;
	p->long_size = b[1];
	r->swap = p->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	if (p->long_size != 4 && p->long_size != 8)
		return tdata_fail(t, "tracing header has a bad long size %d", p->long_size);
	return trd_u32(r, t, &p->page_size, "tracing header");
}

int tracing_headers_skip(struct rd *r, struct tdata *t)
{
	static const char *const names[] = { "header_page", "header_event" };
	char name[16];
	uint64_t len;
	int err;

	for (int i = 0; i < 2; i++) {
		if ((err = trd_str(r, t, name, sizeof(name) - 1, "tracing header")))
			return err;
		if (strcmp(name, names[i]))
			return tdata_fail(t, "tracing header: '%s' where %s belongs", name, names[i]);
		if ((err = trd_u64(r, t, &len, names[i])))
			return err;
		if (!rd_skip(r, len))
			return truncated(r, t, names[i]);
	}
	return 0;
}

static int one_format(struct rd *r, struct tdata *t, struct tp_decoders *d, const char *sys)
{
	const uint8_t *text;
	uint64_t len;
	int err;

	if ((err = trd_u64(r, t, &len, "event format")))
		return err;
	if (len > MAX_FORMAT)
		return tdata_fail(t, "event format at offset %llu claims %llu bytes",
				  (unsigned long long)r->pos, (unsigned long long)len);
	if ((err = trd_take(r, t, len, &text, "event format")))
		return err;
	return tp_decoders_parse(d, sys, (const char *)text, len);
}

int tracing_ftrace_formats(struct rd *r, struct tdata *t, struct tp_decoders *d)
{
	uint32_t n;
	int err = trd_u32(r, t, &n, "ftrace formats");

	for (uint32_t i = 0; !err && i < n; i++)
		err = one_format(r, t, d, "ftrace");
	return err;
}

int tracing_event_formats(struct rd *r, struct tdata *t, struct tp_decoders *d)
{
	char sys[256];
	uint32_t nsys, n;
	int err = trd_u32(r, t, &nsys, "event formats");

	for (uint32_t s = 0; !err && s < nsys; s++) {
		if ((err = trd_str(r, t, sys, sizeof(sys) - 1, "event system")) ||
		    (err = trd_u32(r, t, &n, "event system")))
			return err;
		for (uint32_t i = 0; !err && i < n; i++)
			err = one_format(r, t, d, sys);
	}
	return err;
}

/* One "pid comm" line; anything else is skipped. */
static int cmdline(const struct trace_sink *s, const uint8_t *p, size_t n)
{
	const uint8_t *sp = memchr(p, ' ', n);
	long pid = 0;

	if (!sp || sp == p || sp - p > 9 || !s->comm)
		return 0;
	for (const uint8_t *q = p; q < sp; q++) {
		if (*q < '0' || *q > '9')
			return 0;
		pid = pid * 10 + (*q - '0');
	}
	if (n - (sp + 1 - p) == 0)
		return 0;
	return s->comm(s->ctx, -1, (int32_t)pid, (const char *)sp + 1, n - (sp + 1 - p));
}

int tracing_cmdlines(struct rd *r, struct tdata *t, uint64_t size, const struct trace_sink *s)
{
	/* line by line: a stream need not hold them all */
	while (size) {
		size_t chunk = size < 4096 ? size : 4096, len;
		const uint8_t *p = rd_peek(r, chunk), *nl;
		int err;

		if (!p)
			return truncated(r, t, "saved cmdlines");
		nl = memchr(p, '\n', chunk);
		len = nl ? (size_t)(nl - p) : chunk;
		if ((err = cmdline(s, p, len)))
			return err;
		len += nl != NULL;
		rd_eat(r, len);
		size -= len;
	}
	return 0;
}

int tracing_data_parse(struct rd *r, struct tdata *t, struct tp_decoders *d, bool has_cmdlines,
		       const struct trace_sink *s)
{
	struct tracing_params p;
	uint32_t size32;
	uint64_t len;
	int err;

	if ((err = tracing_params_parse(r, t, &p)) || (err = tracing_headers_skip(r, t)) ||
	    (err = tracing_ftrace_formats(r, t, d)) || (err = tracing_event_formats(r, t, d)))
		return err;
	d->page_size = p.page_size;
	d->long_size = p.long_size;
	/* kallsyms, printk formats */
	for (int i = 0; i < 2; i++) {
		if ((err = trd_u32(r, t, &size32, i ? "printk formats" : "kallsyms")))
			return err;
		if (!rd_skip(r, size32))
			return truncated(r, t, i ? "printk formats" : "kallsyms");
	}
	if (!has_cmdlines)
		return 0;
	if ((err = trd_u64(r, t, &len, "saved cmdlines")))
		return err;
	return tracing_cmdlines(r, t, len, s);
}
