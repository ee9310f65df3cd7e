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

/* "family_suffix{labels,name="value"} " */
static void series(struct prom_writer *w, const char *suffix, const char *labels,
		   const char *name, const char *value)
{
	struct pbuf *b = w->b;

	pbuf_put(b, w->family, w->family_len);
	if (!suffix)
		suffix = w->type == PROM_COUNTER ? "_total" : "";
	pbuf_puts(b, suffix);
	if (labels || name) {
		pbuf_put(b, "{", 1);
		if (labels)
			pbuf_puts(b, labels);
		if (name) {
			if (labels)
				pbuf_put(b, ",", 1);
			pbuf_puts(b, name);
			pbuf_put(b, "=\"", 2);
			pbuf_puts(b, value);
			pbuf_put(b, "\"", 1);
		}
		pbuf_put(b, "}", 1);
	}
	pbuf_put(b, " ", 1);
}

void prom_sample(struct prom_writer *w, const char *suffix, const char *labels,
		 const char *name, const char *value, uint64_t v)
{
	series(w, suffix, labels, name, value);
	pbuf_u64(w->b, v);
	pbuf_put(w->b, "\n", 1);
}

void prom_sample_nanos(struct prom_writer *w, const char *suffix, const char *labels,
		       const char *name, const char *value, uint64_t ns)
{
	series(w, suffix, labels, name, value);
	pbuf_nanos(w->b, ns);
	pbuf_put(w->b, "\n", 1);
}

/* One bucket line: the series' labels, then le. */
static void bucket(struct prom_writer *w, const char *labels, const char *name,
		   const char *value, const char *le, uint64_t cum)
{
	struct pbuf *b = w->b;

	pbuf_put(b, w->family, w->family_len);
	pbuf_puts(b, "_bucket{");
	if (labels) {
		pbuf_puts(b, labels);
		pbuf_put(b, ",", 1);
	}
	if (name) {
		pbuf_puts(b, name);
		pbuf_put(b, "=\"", 2);
		pbuf_puts(b, value);
		pbuf_put(b, "\",", 2);
	}
	pbuf_put(b, "le=\"", 4);
	pbuf_puts(b, le);
	pbuf_put(b, "\"} ", 3);
	pbuf_u64(b, cum);
	pbuf_put(b, "\n", 1);
}

void prom_histogram(struct prom_writer *w, const char *labels, const char *name,
		    const char *value, const char *const *le, const uint64_t *counts,
		    int nbuckets, uint64_t sum_ns)
{
	uint64_t cum = 0;

	for (int i = 0; i < nbuckets; i++) {
		cum += counts[i];
		bucket(w, labels, name, value, le[i], cum);
	}
	cum += counts[nbuckets];
	bucket(w, labels, name, value, "+Inf", cum);
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
