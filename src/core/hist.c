// SPDX-License-Identifier: GPL-2.0
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
	struct log2_hist r;
	int top;

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < HIST_SLOTS; i++) {
		r.slots[i] = a->slots[i] > b->slots[i] ? a->slots[i] - b->slots[i] : 0;
		r.count += r.slots[i];
	}
	r.sum_ns = a->sum_ns > b->sum_ns ? a->sum_ns - b->sum_ns : 0;
	top = hist_top(&r);
	if (top >= 0 && a->max_exact && a->max_ns >= hist_bucket_lo(top) &&
	    a->max_ns > b->max_ns) {
		/* the maximum grew during the interval: it is this interval's */
		r.max_ns = a->max_ns;
		r.max_exact = true;
	} else if (top >= 0) {
		r.max_ns = hist_bucket_hi(top);
		r.max_exact = false;
	}
	*dst = r;
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
