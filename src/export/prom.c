// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "export/prom.h"

static bool pbuf_grow(struct pbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : b->hint > 4096 ? b->hint : 4096;
	char *p;

	if (b->failed)
		return false;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto fail;
	b->p = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

void pbuf_put(struct pbuf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n && !pbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void pbuf_puts(struct pbuf *b, const char *s)
{
	pbuf_put(b, s, strlen(s));
}

void pbuf_u64(struct pbuf *b, uint64_t v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pbuf_put(b, tmp + i, sizeof(tmp) - i);
}

void pbuf_nanos(struct pbuf *b, uint64_t v)
{
	char frac[10] = ".";
	uint64_t f = v % 1000000000u;
	int n = 9;

	pbuf_u64(b, v / 1000000000u);
	if (!f)
		return;
	while (f % 10 == 0) {
		f /= 10;
		n--;
	}
	for (int i = n; i >= 1; i--) {
		frac[i] = (char)('0' + f % 10);
		f /= 10;
	}
	pbuf_put(b, frac, n + 1);
}

void pbuf_free(struct pbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void prom_escape_label(struct pbuf *b, const char *value)
{
	char clean[512];
	const char *s = value, *run;
	size_t len = strlen(value);

	if (!text_is_clean(value, len)) {
		text_sanitize(clean, sizeof(clean), value, len);
		s = clean;
	}
	for (run = s; *s; s++) {
		const char *esc;

		switch (*s) {
		case '\\': esc = "\\\\"; break;
		case '"': esc = "\\\""; break;
		case '\n': esc = "\\n"; break;
		default: continue;
		}
		pbuf_put(b, run, s - run);
		pbuf_put(b, esc, 2);
		run = s + 1;
	}
	pbuf_put(b, run, s - run);
}

const char *prom_content_type(enum prom_format fmt)
{
	return fmt == PROM_OPENMETRICS ?
	       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

void prom_init(struct prom_writer *w, struct pbuf *b, enum prom_format fmt)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->fmt = fmt;
}

static const char *type_name(enum prom_type t)
{
	switch (t) {
	case PROM_COUNTER: return "counter";
	case PROM_GAUGE: return "gauge";
	case PROM_SUMMARY: return "summary";
	default: return "histogram";
	}
}

void prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help, const char *unit)
{
	/* the text format names a counter family by its sample name */
	const char *total = type == PROM_COUNTER && w->fmt == PROM_TEXT ? "_total" : "";
	struct pbuf *b = w->b;

	w->family = name;
	w->family_len = strlen(name);
	w->type = type;
	pbuf_puts(b, "# HELP ");
	pbuf_put(b, name, w->family_len);
	pbuf_puts(b, total);
	pbuf_put(b, " ", 1);
	pbuf_puts(b, help);
	pbuf_puts(b, "\n# TYPE ");
	pbuf_put(b, name, w->family_len);
	pbuf_puts(b, total);
	pbuf_put(b, " ", 1);
	pbuf_puts(b, type_name(type));
	pbuf_put(b, "\n", 1);
	if (unit && w->fmt == PROM_OPENMETRICS) {
		pbuf_puts(b, "# UNIT ");
		pbuf_put(b, name, w->family_len);
		pbuf_put(b, " ", 1);
		pbuf_puts(b, unit);
		pbuf_put(b, "\n", 1);
	}
}

/*
 * A line is written in place: room for all of it is made once, then its
 * pieces are copied in (a scrape of 1000 guests x 8 vcpus is 40 000 lines).
 */
static char *room(struct pbuf *b, size_t n)
{
	if (b->cap - b->len < n && !pbuf_grow(b, n))
		return NULL;
	return b->p + b->len;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return put(p, tmp + i, sizeof(tmp) - i);
}

struct line {
	const char *suffix, *labels, *name, *value, *le;
	size_t suffix_len, labels_len, name_len, value_len, le_len;
};

static void line_init(struct line *l, const char *suffix, const char *labels, const char *name,
		      const char *value, const char *le)
{
	l->suffix = suffix;
	l->labels = labels;
	l->name = name;
	l->value = value;
	l->le = le;
	l->suffix_len = strlen(suffix);
	l->labels_len = labels ? strlen(labels) : 0;
	l->name_len = name ? strlen(name) : 0;
	l->value_len = name ? strlen(value) : 0;
	l->le_len = le ? strlen(le) : 0;
}

/* "family_suffix{labels,name="value",le="x"} ": room for the value too, or NULL. */
static char *series(struct prom_writer *w, const struct line *l)
{
	size_t n = w->family_len + l->suffix_len + l->labels_len + l->name_len + l->value_len +
		   l->le_len + 16 + 32;
	char *p = room(w->b, n);
	bool braces = l->labels || l->name || l->le;
	bool comma = false;

	if (!p)
		return NULL;
	p = put(p, w->family, w->family_len);
	p = put(p, l->suffix, l->suffix_len);
	if (braces)
		*p++ = '{';
	if (l->labels) {
		p = put(p, l->labels, l->labels_len);
		comma = true;
	}
	if (l->name) {
		if (comma)
			*p++ = ',';
		p = put(p, l->name, l->name_len);
		p = put(p, "=\"", 2);
		p = put(p, l->value, l->value_len);
		*p++ = '"';
		comma = true;
	}
	if (l->le) {
		if (comma)
			*p++ = ',';
		p = put(p, "le=\"", 4);
		p = put(p, l->le, l->le_len);
		*p++ = '"';
	}
	if (braces)
		*p++ = '}';
	*p++ = ' ';
	return p;
}

static void end_line(struct pbuf *b, char *p)
{
	*p++ = '\n';
	b->len = p - b->p;
}

static const char *default_suffix(const struct prom_writer *w, const char *suffix)
{
	return suffix ? suffix : w->type == PROM_COUNTER ? "_total" : "";
}

void prom_sample(struct prom_writer *w, const char *suffix, const char *labels,
		 const char *name, const char *value, uint64_t v)
{
	struct line l;
	char *p;

	line_init(&l, default_suffix(w, suffix), labels, name, value, NULL);
	p = series(w, &l);
	if (p)
		end_line(w->b, put_u64(p, v));
}

void prom_sample_nanos(struct prom_writer *w, const char *suffix, const char *labels,
		       const char *name, const char *value, uint64_t ns)
{
	struct line l;
	char *p;

	line_init(&l, default_suffix(w, suffix), labels, name, value, NULL);
	p = series(w, &l);
	if (!p)
		return;
	/* the number goes through pbuf_nanos, which makes its own room */
	w->b->len = p - w->b->p;
	pbuf_nanos(w->b, ns);
	pbuf_put(w->b, "\n", 1);
}

void prom_histogram(struct prom_writer *w, const char *labels, const char *name,
		    const char *value, const char *const *le, const uint64_t *counts,
		    int nbuckets, uint64_t sum_ns)
{
	uint64_t cum = 0;
	struct line l;
	char *p;

	line_init(&l, "_bucket", labels, name, value, "+Inf");
	for (int i = 0; i <= nbuckets; i++) {
		cum += counts[i];
		/* counts[nbuckets] is above every le: only +Inf holds it */
		l.le = i < nbuckets ? le[i] : "+Inf";
		l.le_len = strlen(l.le);
		p = series(w, &l);
		if (!p)
			return;
		end_line(w->b, put_u64(p, cum));
	}
	prom_sample_nanos(w, "_sum", labels, name, value, sum_ns);
	prom_sample(w, "_count", labels, name, value, cum);
}

void prom_finish(struct prom_writer *w)
{
	if (w->fmt == PROM_OPENMETRICS)
		pbuf_puts(w->b, "# EOF\n");
}

void prom_format_double(char *buf, size_t len, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}
