/* SPDX-License-Identifier: GPL-2.0 */
/* kvmslbtop's batch mode: the table as text, or one JSON line per refresh. */
#ifndef KVMSLB_TOP_BATCH_H
#define KVMSLB_TOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "core/agg.h"
#include "top/rows.h"

struct top_frame {
	const char *source;		/* "patched", "stock", "stats" */
	bool has_segments;		/* the source counts synthesized segment interrupts */
	bool has_latency;		/* the source measures latency */
	const char *unavailable;	/* why not, one line, when !has_segments */
	unsigned long long refresh;
	double interval_s, elapsed_s;
	enum top_sort sort;
	bool ascending;
	const char *filter;
	const struct agg_health *health;
};

/* The header line (no newline), shared by batch and the live screen. */
void top_header(char *buf, unsigned long n, const struct top_frame *f, int nrows);
/* Column titles and one row, as printed (no newline). */
void top_titles(char *buf, unsigned long n, const struct top_frame *f);
void top_row_text(char *buf, unsigned long n, const struct top_frame *f,
		  const struct top_row *r);

void top_batch_text(FILE *out, const struct top_frame *f, const struct top_row *rows, int n);
void top_batch_json(FILE *out, const struct top_frame *f, const struct top_row *rows, int n,
		    bool pretty);

#endif
