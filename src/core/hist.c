// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>

#include "core/hist.h"

uint64_t hist_bucket_lo(unsigned int k)
{
	return k == 0 ? 0 : 1ULL << k;
}

uint64_t hist_bucket_hi(unsigned int k)
{
	return k >= HIST_SLOTS - 1 ? UINT64_MAX : 1ULL << (k + 1);
}

bool hist_empty(const struct log2_hist *h)
{
	return h->count == 0;
}

void hist_merge(struct log2_hist *dst, const struct log2_hist *src)
{
	if (!src->count)
		return;
	if (!dst->count)
		dst->max_exact = src->max_exact;
	else
		dst->max_exact = dst->max_exact && src->max_exact;
	for (int i = 0; i < HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

int hist_top(const struct log2_hist *h)
{
	for (int i = HIST_SLOTS - 1; i >= 0; i--)
		if (h->slots[i])
			return i;
	return -1;
}

void hist_sub(struct log2_hist *dst, const struct log2_hist *a, const struct log2_hist *b)
{
	uint64_t count = 0, sum = a->sum_ns > b->sum_ns ? a->sum_ns - b->sum_ns : 0;
	uint64_t a_max = a->max_ns, b_max = b->max_ns;
	bool a_exact = a->max_exact;
	int top = -1;

	/*
	 * One pass, straight into dst (a diff of 1000 guests x 8 vcpus runs
	 * this 45 000 times); dst may be a: each slot is read before written.
	 */
	for (int i = 0; i < HIST_SLOTS; i++) {
		uint64_t x = a->slots[i], y = b->slots[i], d = x > y ? x - y : 0;

		dst->slots[i] = d;
		count += d;
		top = d ? i : top;
	}
	dst->count = count;
	dst->sum_ns = sum;
	/* max_exact and the padding after it: dst compares equal to a copy */
	memset(&dst->max_exact, 0, sizeof(*dst) - offsetof(struct log2_hist, max_exact));
	if (top >= 0 && a_exact && a_max >= hist_bucket_lo(top) && a_max > b_max) {
		/* the maximum grew during the interval: it is this interval's */
		dst->max_ns = a_max;
		dst->max_exact = true;
	} else if (top >= 0) {
		dst->max_ns = hist_bucket_hi(top);
		dst->max_exact = false;
	} else {
		dst->max_ns = 0;
		dst->max_exact = false;
	}
}

int hist_percentile(const struct log2_hist *h, double p)
{
	uint64_t rank, cum = 0, p100;

	if (!h->count || !(p > 0) || p > 100)
		return -1;
	/* rank = ceil(p% of count), in integers (hundredths of a percent) */
	p100 = (uint64_t)(p * 100.0 + 0.5);
	rank = (h->count * p100 + 9999) / 10000;
	if (rank < 1)
		rank = 1;
	for (int i = 0; i < HIST_SLOTS; i++) {
		cum += h->slots[i];
		if (cum >= rank)
			return i;
	}
	return hist_top(h);
}
