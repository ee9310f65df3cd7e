/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log2 latency histograms, in nanoseconds. The buckets are those of
 * include/kvmslb/maps.h: bucket 0 holds [0, 2), bucket k holds
 * [2^k, 2^(k+1)), the last bucket holds [2^(HIST_SLOTS-1), infinity).
 * Percentiles are reported as the bucket that holds them, never as a
 * number more precise than the data.
 */
#ifndef KVMSLB_HIST_H
#define KVMSLB_HIST_H

#include <stdbool.h>
#include <stdint.h>

#include "kvmslb/maps.h"

#define HIST_SLOTS KVMSLB_HIST_SLOTS

struct log2_hist {
	uint64_t slots[HIST_SLOTS];
	uint64_t count;		/* samples = sum of slots */
	uint64_t sum_ns;
	uint64_t max_ns;	/* exact when max_exact, else the top bucket's upper bound */
	bool max_exact;
};

/* The bucket of v. Inlined with hist_add: both run once per event. */
static inline unsigned int hist_slot(uint64_t v)
{
	unsigned int s = v < 2 ? 0 : 63 - __builtin_clzll(v);

	return s < HIST_SLOTS ? s : HIST_SLOTS - 1;
}

/* Inclusive lower and exclusive upper bound of bucket k; hi is UINT64_MAX for the last. */
uint64_t hist_bucket_lo(unsigned int k);
uint64_t hist_bucket_hi(unsigned int k);

/* One sample. Inlined: once per event in report. */
static inline void hist_add(struct log2_hist *h, uint64_t v)
{
	if (!h->count)
		h->max_exact = true;
	h->slots[hist_slot(v)]++;
	h->count++;
	h->sum_ns += v;
	if (v > h->max_ns)
		h->max_ns = v;
}

void hist_merge(struct log2_hist *dst, const struct log2_hist *src);

/*
 * hist_merge of a histogram in the BPF maps' layout (__u64 slots), from
 * where it lies: no struct log2_hist built per map entry. count: the sum
 * of the slots; the max is exact. Inlined: once per map entry.
 */
static inline void hist_merge_map(struct log2_hist *dst, const __u64 *slots, uint64_t count,
				  uint64_t sum_ns, uint64_t max_ns)
{
	if (!count)
		return;
	if (!dst->count)
		dst->max_exact = true;
	for (int i = 0; i < HIST_SLOTS; i++)
		dst->slots[i] += slots[i];
	dst->count += count;
	dst->sum_ns += sum_ns;
	if (max_ns > dst->max_ns)
		dst->max_ns = max_ns;
}
/*
 * dst = a - b, for cumulative snapshots (b taken before a). The max of an
 * interval is unknown: it becomes the top non-empty bucket's upper bound
 * with max_exact false.
 */
void hist_sub(struct log2_hist *dst, const struct log2_hist *a, const struct log2_hist *b);
/* Bucket holding the p-th percentile (0 < p <= 100), or -1 if empty. */
int hist_percentile(const struct log2_hist *h, double p);
/* Highest non-empty bucket, or -1. */
int hist_top(const struct log2_hist *h);
bool hist_empty(const struct log2_hist *h);

#endif
