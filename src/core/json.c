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
	return w;
}

void json_free(struct json_writer *w)
{
	if (!w)
		return;
	fputc('\n', w->f);
	free(w);
}

static void indent(struct json_writer *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (w->depth > 0)
		indent(w);
}

static void nest_open(struct json_writer *w, char c)
{
	before_item(w);
	fputc(c, w->f);
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
	fputc(c, w->f);
}

void json_obj_begin(struct json_writer *w) { nest_open(w, '{'); }
void json_obj_end(struct json_writer *w) { nest_close(w, '}'); }
void json_arr_begin(struct json_writer *w) { nest_open(w, '['); }
void json_arr_end(struct json_writer *w) { nest_close(w, ']'); }

static void write_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json_writer *w, const char *key)
{
	before_item(w);
	write_escaped(w->f, key);
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void json_str(struct json_writer *w, const char *s)
{
	before_item(w);
	if (s)
		write_escaped(w->f, s);
	else
		fputs("null", w->f);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	before_item(w);
	fprintf(w->f, "%" PRIu64, v);
}

void json_i64(struct json_writer *w, int64_t v)
{
	before_item(w);
	fprintf(w->f, "%" PRId64, v);
}

void json_double(struct json_writer *w, double v)
{
	before_item(w);
	if (isfinite(v))
		fprintf(w->f, "%.17g", v);
	else
		fputs("null", w->f);
}

void json_bool(struct json_writer *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_writer *w)
{
	before_item(w);
	fputs("null", w->f);
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
