/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition (version 0.0.4) and OpenMetrics 1.0 writer,
 * into a growable buffer: a scrape of 1000 guests is ~10^4 lines, so
 * lines are assembled from pre-escaped label strings and integers without
 * stdio. Families are written whole (HELP/TYPE, then every series),
 * histograms with cumulative buckets in increasing 'le' order ending at
 * +Inf = _count.
 */
#ifndef KVMSLB_PROM_H
#define KVMSLB_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prom_format {
	PROM_TEXT,		/* text/plain; version=0.0.4 */
	PROM_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
	PROM_NFORMATS
};

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_SUMMARY,		/* _sum and _count only: no quantiles */
	PROM_HISTOGRAM,
};

/*
 * A growable byte buffer; 'failed' is set (and sticks) when memory ran out.
 * 'hint': the size to start with when empty (the last rendering's).
 */
struct pbuf {
	char *p;
	size_t len, cap, hint;
	bool failed;
};

void pbuf_put(struct pbuf *b, const char *s, size_t n);
void pbuf_puts(struct pbuf *b, const char *s);
void pbuf_u64(struct pbuf *b, uint64_t v);
/* v / 10^9 written exactly as a decimal ("0.000002048", "3"). */
void pbuf_nanos(struct pbuf *b, uint64_t v);
void pbuf_free(struct pbuf *b);

/*
 * Append 'value' escaped as a label value (backslash, double quote and line
 * feed; the same in both formats). Text that is not well-formed UTF-8
 * without control characters is passed through text_sanitize() first, so
 * one bad name can never make a scraper reject the whole exposition.
 */
void prom_escape_label(struct pbuf *b, const char *value);

const char *prom_content_type(enum prom_format fmt);

struct prom_writer {
	struct pbuf *b;
	enum prom_format fmt;
	const char *family;	/* current family name (without _total) */
	size_t family_len;
	enum prom_type type;
};

void prom_init(struct prom_writer *w, struct pbuf *b, enum prom_format fmt);
/*
 * name: base name without _total; help: no backslash, line feed or double
 * quote (the formats escape them differently); unit: "seconds" or NULL
 * (OpenMetrics # UNIT).
 */
void prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help, const char *unit);

/*
 * One sample of the current family. 'labels' is a pre-escaped label list
 * ('guest="a",pid="1"') or NULL; 'name'/'value' one more label (value
 * written as is: it must need no escaping) or NULL. 'suffix' follows the
 * family name ("_sum"; NULL: "_total" for counters, "" otherwise).
 */
void prom_sample(struct prom_writer *w, const char *suffix, const char *labels,
		 const char *name, const char *value, uint64_t v);
/* The same with a value in nanoseconds, written in seconds. */
void prom_sample_nanos(struct prom_writer *w, const char *suffix, const char *labels,
		       const char *name, const char *value, uint64_t ns);

/*
 * One histogram series. Bucket i < nbuckets holds counts[i] observations
 * at most le[i] (pre-formatted, ascending); counts[nbuckets] holds those
 * above the last le (only +Inf counts them). The writer accumulates them
 * and adds +Inf, _sum (sum_ns written in seconds) and _count.
 */
void prom_histogram(struct prom_writer *w, const char *labels, const char *name,
		    const char *value, const char *const *le, const uint64_t *counts,
		    int nbuckets, uint64_t sum_ns);
/* OpenMetrics: "# EOF". */
void prom_finish(struct prom_writer *w);

/* Shortest text that reads back as the same double (1.023e-06). */
void prom_format_double(char *buf, size_t len, double v);

#endif
