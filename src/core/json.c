// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "core/json.h"

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *f;
	bool pretty;
	int depth;
	/* first[d]: no value written yet at depth d (no comma needed) */
	bool first[JSON_MAX_DEPTH];
	bool after_key;
};

struct json_writer *json_new(FILE *f, bool pretty)
{
	struct json_writer *w = calloc(1, sizeof(*w));

	if (!w)
		abort();	/* a few bytes; nothing sensible to do without them */
	w->f = f;
	w->pretty = pretty;
	w->first[0] = true;
	/*
	 * Held until json_free: the writes need not take it one by one (a
	 * stat interval over 1000 guests x 8 vcpus is 10^6 of them).
	 */
	flockfile(f);
	return w;
}

void json_free(struct json_writer *w)
{
	if (!w)
		return;
	fputc_unlocked('\n', w->f);
	funlockfile(w->f);
	free(w);
}

static void indent(struct json_writer *w)
{
	if (!w->pretty)
		return;
	fputc_unlocked('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs_unlocked("  ", w->f);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputc_unlocked(',', w->f);
	w->first[w->depth] = false;
	if (w->depth > 0)
		indent(w);
}

static void nest_open(struct json_writer *w, char c)
{
	before_item(w);
	fputc_unlocked(c, w->f);
	if (w->depth < JSON_MAX_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void nest_close(struct json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		indent(w);
	fputc_unlocked(c, w->f);
}

void json_obj_begin(struct json_writer *w) { nest_open(w, '{'); }
void json_obj_end(struct json_writer *w) { nest_close(w, '}'); }
void json_arr_begin(struct json_writer *w) { nest_open(w, '['); }
void json_arr_end(struct json_writer *w) { nest_close(w, ']'); }

/* Bytes written as they are in a JSON string: all but '"', '\\' and controls. */
static size_t plain_run(const unsigned char *p)
{
	const unsigned char *q = p;

	while (*q >= 0x20 && *q != '"' && *q != '\\')
		q++;
	return q - p;
}

/* The two-character escape of a byte that has one, or NULL (\u00XX then). */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	default:
		return NULL;
	}
}

static void write_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc_unlocked('"', f);
	while (*p) {
		/* a name or a key is one run: one write, not one a byte */
		size_t n = plain_run(p);
		const char *e;

		fwrite_unlocked(p, 1, n, f);
		p += n;
		if (!*p)
			break;
		e = short_escape(*p);
		if (e)
			fputs_unlocked(e, f);
		else
			fprintf(f, "\\u%04x", *p);
		p++;
	}
	fputc_unlocked('"', f);
}

void json_key(struct json_writer *w, const char *key)
{
	before_item(w);
	write_escaped(w->f, key);
	fputs_unlocked(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void json_str(struct json_writer *w, const char *s)
{
	before_item(w);
	if (s)
		write_escaped(w->f, s);
	else
		fputs_unlocked("null", w->f);
}

/* v in decimal, without printf's format parsing (a stat interval writes 10^5 numbers) */
static void write_u64(FILE *f, uint64_t v, bool negative)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	if (negative)
		*--p = '-';
	fwrite_unlocked(p, 1, buf + sizeof(buf) - p, f);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	before_item(w);
	write_u64(w->f, v, false);
}

void json_i64(struct json_writer *w, int64_t v)
{
	before_item(w);
	/* the magnitude as unsigned: INT64_MIN has no positive int64_t */
	write_u64(w->f, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}

void json_double(struct json_writer *w, double v)
{
	before_item(w);
	if (isfinite(v))
		fprintf(w->f, "%.17g", v);
	else
		fputs_unlocked("null", w->f);
}

void json_bool(struct json_writer *w, bool v)
{
	before_item(w);
	fputs_unlocked(v ? "true" : "false", w->f);
}

void json_null(struct json_writer *w)
{
	before_item(w);
	fputs_unlocked("null", w->f);
}

void json_key_str(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_str(w, s);
}

void json_key_u64(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_u64(w, v);
}

void json_key_i64(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_i64(w, v);
}

void json_key_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}
