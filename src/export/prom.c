// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export/prom.h"

const char *prom_content_type(enum prom_format fmt)
{
	return fmt == PROM_OPENMETRICS ?
	       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

void prom_init(struct prom_writer *w, FILE *f, enum prom_format fmt)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->fmt = fmt;
}

static const char *type_name(enum prom_type t)
{
	switch (t) {
	case PROM_COUNTER: return "counter";
	case PROM_GAUGE: return "gauge";
	default: return "histogram";
	}
}

/* HELP text escapes backslash and newline; label values also the quote. */
static void write_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help, const char *unit)
{
	w->family = name;
	w->type = type;
	/* the text format names a counter family by its sample name */
	fprintf(w->f, "# HELP %s%s ", name,
		type == PROM_COUNTER && w->fmt == PROM_TEXT ? "_total" : "");
	write_escaped(w->f, help, false);
	fprintf(w->f, "\n# TYPE %s%s %s\n", name,
		type == PROM_COUNTER && w->fmt == PROM_TEXT ? "_total" : "",
		type_name(type));
	if (unit && w->fmt == PROM_OPENMETRICS)
		fprintf(w->f, "# UNIT %s %s\n", name, unit);
}

static void write_labels(FILE *f, const struct prom_label *labels, int n,
			 const char *le)
{
	if (!n && !le)
		return;
	fputc('{', f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i].name);
		write_escaped(f, labels[i].value, true);
		fputc('"', f);
	}
	if (le)
		fprintf(f, "%sle=\"%s\"", n ? "," : "", le);
	fputc('}', f);
}

/* Shortest text that reads back as the same double (1.023e-06, not 1.0230000000000001e-06). */
static void fmt_double(char *buf, size_t len, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Integers print exactly (no 1.2e+06 for a count); others with 17 digits. */
static void write_value(FILE *f, double v)
{
	if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (isnan(v))
		fputs("NaN", f);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(f, "%.0f", v);
	else {
		char buf[32];

		fmt_double(buf, sizeof(buf), v);
		fputs(buf, f);
	}
}

void prom_sample(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		 double value)
{
	fprintf(w->f, "%s%s", w->family, w->type == PROM_COUNTER ? "_total" : "");
	write_labels(w->f, labels, nlabels, NULL);
	fputc(' ', w->f);
	write_value(w->f, value);
	fputc('\n', w->f);
}

void prom_histogram(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		    const uint64_t *upper, const uint64_t *counts, int nbuckets,
		    double sum, double divisor)
{
	uint64_t cum = 0;
	char le[64];

	for (int i = 0; i < nbuckets; i++) {
		cum += counts[i];
		fmt_double(le, sizeof(le), (double)upper[i] / divisor);
		fprintf(w->f, "%s_bucket", w->family);
		write_labels(w->f, labels, nlabels, le);
		fprintf(w->f, " %llu\n", (unsigned long long)cum);
	}
	fprintf(w->f, "%s_bucket", w->family);
	write_labels(w->f, labels, nlabels, "+Inf");
	fprintf(w->f, " %llu\n", (unsigned long long)cum);
	fprintf(w->f, "%s_sum", w->family);
	write_labels(w->f, labels, nlabels, NULL);
	fputc(' ', w->f);
	write_value(w->f, sum / divisor);
	fprintf(w->f, "\n%s_count", w->family);
	write_labels(w->f, labels, nlabels, NULL);
	fprintf(w->f, " %llu\n", (unsigned long long)cum);
}

void prom_finish(struct prom_writer *w)
{
	if (w->fmt == PROM_OPENMETRICS)
		fputs("# EOF\n", w->f);
	fflush(w->f);
}
