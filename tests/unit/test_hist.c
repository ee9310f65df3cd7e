// SPDX-License-Identifier: GPL-2.0
/* log2 histogram math: bucket bounds, merge, interval differences, percentiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/hist.h"

static void test_slots_and_bounds(void **state)
{
	(void)state;
	assert_int_equal(hist_slot(0), 0);
	assert_int_equal(hist_slot(1), 0);
	assert_int_equal(hist_slot(2), 1);
	assert_int_equal(hist_slot(3), 1);
	assert_int_equal(hist_slot(4), 2);
	assert_int_equal(hist_slot(1023), 9);
	assert_int_equal(hist_slot(1024), 10);
	assert_int_equal(hist_slot((1ULL << 31) - 1), 30);
	assert_int_equal(hist_slot(1ULL << 31), 31);
	assert_int_equal(hist_slot(UINT64_MAX), HIST_SLOTS - 1);
	/* [lo, hi): every value lands in the bucket whose bounds hold it */
	for (unsigned int k = 0; k < HIST_SLOTS; k++) {
		assert_int_equal(hist_slot(hist_bucket_lo(k)), k);
		if (k < HIST_SLOTS - 1)
			assert_int_equal(hist_slot(hist_bucket_hi(k) - 1), k);
	}
	assert_int_equal(hist_bucket_lo(0), 0);
	assert_int_equal(hist_bucket_hi(0), 2);
	assert_int_equal(hist_bucket_lo(5), 32);
	assert_int_equal(hist_bucket_hi(5), 64);
	assert_true(hist_bucket_hi(HIST_SLOTS - 1) == UINT64_MAX);
}

static void test_percentiles(void **state)
{
	struct log2_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(hist_percentile(&h, 50), -1);
	assert_int_equal(hist_top(&h), -1);
	/* 100 samples: 90 at 100 ns (slot 6), 9 at 5000 (slot 12), 1 at 1e6 (slot 19) */
	for (int i = 0; i < 90; i++)
		hist_add(&h, 100);
	for (int i = 0; i < 9; i++)
		hist_add(&h, 5000);
	hist_add(&h, 1000000);
	assert_int_equal(h.count, 100);
	assert_int_equal(hist_percentile(&h, 50), 6);
	assert_int_equal(hist_percentile(&h, 90), 6);	/* rank 90 is the last 100 ns */
	assert_int_equal(hist_percentile(&h, 91), 12);
	assert_int_equal(hist_percentile(&h, 99), 12);
	assert_int_equal(hist_percentile(&h, 100), 19);
	assert_int_equal(hist_percentile(&h, 0), -1);
	assert_int_equal(hist_percentile(&h, 101), -1);
	assert_int_equal(h.max_ns, 1000000);
	assert_true(h.max_exact);
	assert_int_equal(h.sum_ns, 90 * 100 + 9 * 5000 + 1000000);
}

static void test_merge_and_sub(void **state)
{
	struct log2_hist a, b, m, d;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&m, 0, sizeof(m));
	hist_add(&a, 10);
	hist_add(&a, 3000);
	hist_add(&b, 10);
	hist_merge(&m, &a);
	hist_merge(&m, &b);
	assert_int_equal(m.count, 3);
	assert_int_equal(m.slots[3], 2);
	assert_int_equal(m.slots[11], 1);
	assert_int_equal(m.max_ns, 3000);
	assert_true(m.max_exact);

	/* interval = later snapshot - earlier; the max grew: it is the interval's */
	d = m;
	hist_sub(&d, &m, &b);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.slots[3], 1);
	assert_int_equal(d.slots[11], 1);
	assert_int_equal(d.max_ns, 3000);
	assert_true(d.max_exact);
	/* the max did not grow: unknown, reported as the top bucket's bound */
	hist_add(&b, 3000);
	hist_add(&m, 20);	/* m: 10 10 20 3000 ; base: 10 3000 */
	hist_sub(&d, &m, &a);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.slots[3], 1);
	assert_int_equal(d.slots[4], 1);
	assert_false(d.max_exact);
	assert_int_equal(d.max_ns, 32);
	/* nothing new */
	hist_sub(&d, &a, &a);
	assert_int_equal(d.count, 0);
	assert_int_equal(hist_percentile(&d, 50), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_and_bounds),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_merge_and_sub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
