// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/tracing_data.h"

int tdata_fail(struct tdata *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

bool tdata_in_bounds(const struct tdata *t, uint64_t off, uint64_t size)
{
	return off <= t->len && size <= t->len - off;
}

uint64_t tdata_rd64(const struct tdata *t, uint64_t off)
{
	uint64_t v;

	memcpy(&v, t->buf + off, 8);
	return t->swap ? __builtin_bswap64(v) : v;
}

uint32_t tdata_rd32(const struct tdata *t, uint64_t off)
{
	uint32_t v;

	memcpy(&v, t->buf + off, 4);
	return t->swap ? __builtin_bswap32(v) : v;
}

uint16_t tdata_rd16(const struct tdata *t, uint64_t off)
{
	uint16_t v;

	memcpy(&v, t->buf + off, 2);
	return t->swap ? __builtin_bswap16(v) : v;
}

int tcur_take(struct tcursor *c, uint64_t n, uint64_t *at)
{
	uint64_t end = c->end < c->t->len ? c->end : c->t->len;

	if (c->off > end || n > end - c->off)
		return tdata_fail(c->t, "%s truncated at offset %llu", c->what,
				  (unsigned long long)c->off);
	*at = c->off;
	c->off += n;
	return 0;
}

int tcur_u16(struct tcursor *c, uint16_t *v)
{
	uint64_t at = 0;
	int err = tcur_take(c, 2, &at);

	if (!err)
		*v = tdata_rd16(c->t, at);
	return err;
}

int tcur_u32(struct tcursor *c, uint32_t *v)
{
	uint64_t at = 0;
	int err = tcur_take(c, 4, &at);

	if (!err)
		*v = tdata_rd32(c->t, at);
	return err;
}

int tcur_u64(struct tcursor *c, uint64_t *v)
{
	uint64_t at = 0;
	int err = tcur_take(c, 8, &at);

	if (!err)
		*v = tdata_rd64(c->t, at);
	return err;
}

int tcur_str(struct tcursor *c, const char **s)
{
	uint64_t end = c->end < c->t->len ? c->end : c->t->len;
	const uint8_t *p, *nul;

	if (c->off >= end)
		return tdata_fail(c->t, "%s truncated at offset %llu", c->what,
				  (unsigned long long)c->off);
	p = c->t->buf + c->off;
	nul = memchr(p, 0, end - c->off);
	if (!nul)
		return tdata_fail(c->t, "unterminated string in %s at offset %llu", c->what,
				  (unsigned long long)c->off);
	*s = (const char *)p;
	c->off += nul - p + 1;
	return 0;
}

static bool skip_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

static bool skip_num(const char **p, const char *end)
{
	const char *s = *p;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > s && *p - s < 12;
}

/* "\tfield:TYPE NAME[N];\toffset:N;\tsize:N;\tsigned:N;" and nothing odd in it */
static bool field_line_ok(const char *p, const char *end)
{
	const char *semi, *q;
	int depth = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return true;	/* the blank line between common and own fields */
	if (!skip_lit(&p, end, "field:"))
		return false;
	semi = memchr(p, ';', end - p);
	if (!semi || semi == p)
		return false;
	for (q = p; q < semi; q++) {
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return false;
		depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
		if (depth < 0 || depth > 1)
			return false;
	}
	if (depth || !memchr(p, ' ', semi - p))
		return false;
	p = semi + 1;
	while (p < end && *p == '\t')
		p++;
	if (!skip_lit(&p, end, "offset:") || !skip_num(&p, end) || !skip_lit(&p, end, ";"))
		return false;
	while (p < end && *p == '\t')
		p++;
	if (!skip_lit(&p, end, "size:") || !skip_num(&p, end) || !skip_lit(&p, end, ";"))
		return false;
	while (p < end && *p == '\t')
		p++;
	return skip_lit(&p, end, "signed:") && skip_num(&p, end) && skip_lit(&p, end, ";");
}

/*
 * Whether libtraceevent may see this format: 1.7's parser dereferences NULL
 * on some malformed field lines (found by tests/fuzz), and a file is
 * untrusted input. Checks the lines between "format:" and "print fmt:".
 */
static bool format_sane(const char *text, size_t len)
{
	const char *end = text + len;
	const char *f = memmem(text, len, "\nformat:\n", 9);
	const char *line;

	if (!f || !memmem(text, len, "name: ", 6) || !memmem(text, len, "\nID: ", 5))
		return false;
	for (line = f + 9; line < end; ) {
		const char *nl = memchr(line, '\n', end - line);

		if (!nl)
			return false;	/* no print fmt line: truncated */
		if (nl - line >= 10 && !memcmp(line, "print fmt:", 10))
			return true;
		if (!field_line_ok(line, nl))
			return false;
		line = nl + 1;
	}
	return false;
}

/*
 * Only the field layout is needed. The print format is replaced before
 * parsing: libtraceevent 1.7's print-format parser crashes on some malformed
 * input (found by tests/fuzz), and a file is untrusted input. A format
 * libtraceevent cannot parse only makes its records undecodable.
 */
static int parse_format(struct tcursor *c, struct tep_handle *tep, const char *sys,
			uint64_t size)
{
	static const char no_print[] = "print fmt: \"\"\n";
	const char *text, *pf;
	uint64_t at = 0, keep;
	char *copy;
	int err = tcur_take(c, size, &at);

	if (err)
		return err;
	text = (const char *)c->t->buf + at;
	if (!format_sane(text, size))
		return 0;	/* its records will count as undecodable */
	keep = size;
	pf = memmem(text, size, "\nprint fmt:", sizeof("\nprint fmt:") - 1);
	if (pf)
		keep = pf - text + 1;
	copy = malloc(keep + sizeof(no_print));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, keep);
	memcpy(copy + keep, no_print, sizeof(no_print));
	tep_parse_event(tep, copy, keep + sizeof(no_print) - 1, sys);
	free(copy);
	return 0;
}

int tracing_formats_parse(struct tcursor *c, struct tep_handle *tep, struct tracing_params *p)
{
	const char *name;
	uint32_t n, nsys;
	uint64_t at = 0, len = 0;
	int err;

	if ((err = tcur_take(c, 2, &at)))
		return err;
	p->big_endian = c->t->buf[at] != 0;
	p->long_size = c->t->buf[at + 1];
	c->t->swap = p->big_endian != (__BYTE_ORDER == __BIG_ENDIAN);
	if (p->long_size != 4 && p->long_size != 8)
		return tdata_fail(c->t, "%s has a bad long size %d", c->what, p->long_size);
	tep_set_file_bigendian(tep, p->big_endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, __BYTE_ORDER == __BIG_ENDIAN ? TEP_BIG_ENDIAN :
				TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, p->long_size);
	if ((err = tcur_u32(c, &p->page_size)))
		return err;
	tep_set_page_size(tep, p->page_size);
	/* header_page, header_event: the ring buffer's layout is the kernel's, known */
	for (int i = 0; i < 2; i++) {
		if ((err = tcur_str(c, &name)) || (err = tcur_u64(c, &len)) ||
		    (err = tcur_take(c, len, &at)))
			return err;
	}
	/* ftrace's own events */
	if ((err = tcur_u32(c, &n)))
		return err;
	for (uint32_t i = 0; i < n; i++) {
		if ((err = tcur_u64(c, &len)) || (err = parse_format(c, tep, "ftrace", len)))
			return err;
	}
	/* event systems */
	if ((err = tcur_u32(c, &nsys)))
		return err;
	for (uint32_t s = 0; s < nsys; s++) {
		if ((err = tcur_str(c, &name)) || (err = tcur_u32(c, &n)))
			return err;
		for (uint32_t i = 0; i < n; i++) {
			if ((err = tcur_u64(c, &len)) || (err = parse_format(c, tep, name, len)))
				return err;
		}
	}
	return 0;
}

/* A field of a record of 'size' bytes, or false if it lies outside. */
static bool read_field(struct tep_format_field *f, const uint8_t *raw, uint32_t size,
		       unsigned long long *v)
{
	if (f->offset < 0 || f->size <= 0 || f->size > 8 ||
	    (uint64_t)f->offset + f->size > size)
		return false;
	return tep_read_number_field(f, raw, v) == 0;
}

int tracing_decode(struct tep_handle *tep, struct trace_rec *rec, const uint8_t *raw,
		   uint32_t size, int32_t *common_pid)
{
	struct tep_record trec = { .data = (void *)raw, .size = (int)size };
	struct tep_event **evs = tep_list_events(tep, TEP_EVENT_SORT_ID);
	struct tep_format_field **fields, *type;
	struct tep_event *ev;
	unsigned long long v;
	int ret = 0;

	/* tep_data_type() reads common_type where the formats say: check it fits */
	type = evs && evs[0] ? tep_find_common_field(evs[0], "common_type") : NULL;
	if (!type || !read_field(type, raw, size, &v))
		return -1;
	ev = tep_find_event(tep, tep_data_type(tep, &trec));
	if (!ev)
		return -1;
	if (common_pid) {
		struct tep_format_field *f = tep_find_common_field(ev, "common_pid");

		if (!f || !read_field(f, raw, size, &v))
			return -1;
		*common_pid = (int32_t)v;
	}
	rec->system = ev->system;
	rec->event = ev->name;
	fields = tep_event_fields(ev);
	for (int i = 0; fields && fields[i] && rec->nfields < TRACE_REC_MAX_FIELDS; i++) {
		struct tep_format_field *f = fields[i];

		if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC))
			continue;
		if (!read_field(f, raw, size, &v)) {
			ret = -1;
			break;
		}
		if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8 &&
		    (v >> (f->size * 8 - 1)) & 1)
			v |= ~0ULL << (f->size * 8);	/* keep negative values negative */
		rec->fields[rec->nfields].name = f->name;
		rec->fields[rec->nfields].val = v;
		rec->nfields++;
	}
	free(fields);
	return ret;
}
