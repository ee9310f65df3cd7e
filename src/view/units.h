/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency in text, one notation for every front end (top, stat, report):
 * a log2 bucket is written as its exclusive upper bound, "<8.2us" for
 * [4096, 8192) ns; the unbounded last bucket as ">=" its lower bound. The
 * exact bounds are in the JSON output ("ge", "lt").
 */
#ifndef KVMSLB_VIEW_UNITS_H
#define KVMSLB_VIEW_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/hist.h"

/* One line for legends: what "<X" means. */
#define VIEW_BUCKET_LEGEND "latency buckets are log2: <X is the bucket [X/2, X), the first [0, 2ns)"

#define VIEW_BUCKET_LEGEND_SHORT "<X is the log2 bucket [X/2, X)"

/* "999ns", "4.1us", "16us", "1.0ms", "2.1s": two or three significant digits. */
void view_fmt_ns(char *buf, size_t n, uint64_t ns);
/* Bucket k: "<8.2us", or ">=9.2s" for the last. */
void view_fmt_bucket(char *buf, size_t n, int k);
/* The bucket holding the p-th percentile, or "-" without samples. */
void view_fmt_pct(char *buf, size_t n, const struct log2_hist *h, double p);
/* The bucket holding the largest sample, or "-" without samples. */
void view_fmt_max(char *buf, size_t n, const struct log2_hist *h);

#endif
