/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmslbtop's frame (what one refresh shows besides the rows), its header
 * lines, shared by the live screen and batch mode, and batch mode itself:
 * the table as text, or one JSON line per refresh.
 */
#ifndef KVMSLB_TOP_BATCH_H
#define KVMSLB_TOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "core/agg.h"
#include "top/cols.h"
#include "top/rows.h"
#include "top/trend.h"

struct top_frame {
	const char *host, *cpu, *kernel;	/* this host (live) */
	const char *replay;			/* replay: the recording; NULL live */
	int replay_pos, replay_steps;
	const char *source;			/* "patched", "stock", "stats" */
	bool source_forced;
	bool has_segments;		/* the source counts synthesized segment interrupts */
	bool has_latency;		/* the source measures latency */
	bool has_vcpus;			/* per-vcpu units are collected */
	const char *no_segments_why;	/* one line each, when the above are false */
	const char *no_latency_why;
	const char *no_vcpus_why;
	unsigned long long refresh;
	double interval_s, elapsed_s, delay_s;
	double since_reset_s;		/* < 0: totals are since start */
	enum top_sort sort;
	bool ascending;
	const char *filter;		/* as shown: "/regex/", "guest web1"; NULL: none */
	bool paused;
	const struct agg_health *health;
	uint64_t kernel_dropped;	/* records the kernel's log dropped, all guests */
	int nguests, nexited;		/* rows shown */
	const struct top_trends *trends;
};

#define TOP_HEADER_MAX 5

/* The header: up to TOP_HEADER_MAX lines of n bytes (UTF-8, not cut to a width). */
int top_header(char lines[][512], const struct top_frame *f);
/* The legend under the table, or "" when nothing needs one. */
const char *top_legend(const struct top_frame *f);

/* The layout for width columns (0: every column, full names). */
void top_frame_layout(const struct top_frame *f, const struct top_row *rows, int n,
		      int width, struct top_layout *l);

void top_batch_text(FILE *out, const struct top_frame *f, const struct top_row *rows, int n);
void top_batch_json(FILE *out, const struct top_frame *f, const struct top_row *rows, int n,
		    bool pretty);

#endif
