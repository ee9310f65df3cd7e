/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition (version 0.0.4) and OpenMetrics 1.0 writer.
 * Families are written whole (HELP/TYPE, then every series), histograms
 * with cumulative buckets in increasing 'le' order ending at +Inf = _count.
 */
#ifndef KVMSLB_PROM_H
#define KVMSLB_PROM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum prom_format {
	PROM_TEXT,		/* text/plain; version=0.0.4 */
	PROM_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
};

struct prom_label {
	const char *name;
	const char *value;
};

struct prom_writer {
	FILE *f;
	enum prom_format fmt;
	const char *family;	/* current family name (without _total) */
	enum prom_type type;
};

const char *prom_content_type(enum prom_format fmt);

void prom_init(struct prom_writer *w, FILE *f, enum prom_format fmt);
/* name: base name without _total; unit: "seconds" or NULL (OpenMetrics # UNIT). */
void prom_family(struct prom_writer *w, const char *name, enum prom_type type,
		 const char *help, const char *unit);
void prom_sample(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		 double value);
/*
 * One histogram series. Bucket i holds counts[i] observations whose value is
 * at most upper[i] (inclusive, ascending, in the unit of the observations);
 * dividing by 'divisor' converts that unit to the exposed one (1e9: ns -> s).
 * Buckets are not cumulative on input; the writer accumulates them.
 */
void prom_histogram(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		    const uint64_t *upper, const uint64_t *counts, int nbuckets,
		    double sum, double divisor);
/* OpenMetrics: "# EOF". */
void prom_finish(struct prom_writer *w);

#endif
