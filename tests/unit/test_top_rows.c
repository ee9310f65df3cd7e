// SPDX-License-Identifier: GPL-2.0
/* kvmslbtop's rows: rates over the interval, sorting, filtering, formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agg.h"
#include "top/rows.h"

static struct guest_ident ids[3] = {
	{ .tgid = 10, .name = "web1", .alive = true },
	{ .tgid = 20, .name = "db2", .alive = false },
	{ .tgid = 30, .name = "", .alive = true },
};

static const struct guest_ident *ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	for (int i = 0; i < 3; i++)
		if (ids[i].tgid == tgid)
			return &ids[i];
	return NULL;
}

/* prev: web1 10 HDSI; cur: web1 30 HDSI + 4 DSegI, db2 (new) 8 HISI, pid 30 2 ISegI */
static void build(struct agg *prev, struct agg *cur)
{
	agg_init(prev);
	agg_init(cur);
	for (int i = 0; i < 10; i++) {
		agg_fault(prev, 10, 0, 0xe00, 0, 1000, false, 0);
		agg_fault(cur, 10, 0, 0xe00, 0, 1000, false, 0);
	}
	for (int i = 0; i < 20; i++)
		agg_fault(cur, 10, 0, 0xe00, 3, 3000, false, 0);
	agg_segment(cur, 10, 0, 0x380, true, 4);
	for (int i = 0; i < 8; i++)
		agg_fault(cur, 20, 0, 0xe20, 0, 100000, false, 1);
	agg_segment(cur, 30, 0, 0x480, false, 2);
}

static void test_rates_and_interval_latency(void **state)
{
	struct agg prev, cur;
	struct top_row *rows = NULL;
	int n;

	(void)state;
	build(&prev, &cur);
	n = top_rows_build(&cur, &prev, 2.0, ident, NULL, NULL, &rows);
	assert_int_equal(n, 3);
	top_rows_sort(rows, n, SORT_PID, true);
	/* web1: 20 more HDSI in 2 s; the interval holds only the 3000 ns samples */
	assert_string_equal(rows[0].name, "web1");
	assert_true(rows[0].alive);
	assert_int_equal(rows[0].hdsi, 30);
	assert_true(rows[0].hdsi_rate == 10.0);
	assert_int_equal(rows[0].dsegi, 4);
	assert_int_equal(rows[0].seg_injected, 4);
	assert_int_equal(rows[0].lat.count, 20);
	assert_int_equal(rows[0].lat_total.count, 30);
	assert_int_equal(hist_percentile(&rows[0].lat, 50), 11);	/* [2048, 4096) */
	/* db2 is new: all of it happened in this interval */
	assert_string_equal(rows[1].name, "db2");
	assert_false(rows[1].alive);
	assert_true(rows[1].hisi_rate == 4.0);
	assert_int_equal(rows[1].dropped, 8);
	/* no name yet */
	assert_string_equal(rows[2].name, "?");
	assert_int_equal(rows[2].isegi, 2);
	free(rows);
	agg_free(&prev);
	agg_free(&cur);
}

static void test_sort_and_filter(void **state)
{
	struct agg prev, cur;
	struct top_row *rows = NULL;
	enum top_sort key;
	int n;

	(void)state;
	build(&prev, &cur);
	n = top_rows_build(&cur, &prev, 1.0, ident, NULL, NULL, &rows);
	top_rows_sort(rows, n, SORT_SEG, false);
	assert_int_equal(rows[0].pid, 10);	/* 4 synthesized */
	assert_int_equal(rows[1].pid, 30);	/* 2 */
	assert_int_equal(rows[2].pid, 20);	/* 0 */
	top_rows_sort(rows, n, SORT_NAME, true);
	assert_string_equal(rows[0].name, "?");
	assert_string_equal(rows[1].name, "db2");
	top_rows_sort(rows, n, SORT_P99, false);
	assert_int_equal(rows[0].pid, 20);	/* 100 us */
	n = top_rows_build(&cur, &prev, 1.0, ident, NULL, "web", &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].pid, 10);
	assert_int_equal(top_sort_from_name("p99", &key), 0);
	assert_int_equal(key, SORT_P99);
	assert_int_equal(top_sort_from_name("fast", &key), -1);
	free(rows);
	agg_free(&prev);
	agg_free(&cur);
}

static void test_format(void **state)
{
	struct log2_hist h;
	char b[32];

	(void)state;
	top_fmt_ns(b, sizeof(b), 999);
	assert_string_equal(b, "999ns");
	top_fmt_ns(b, sizeof(b), 2048);
	assert_string_equal(b, "2.0us");
	top_fmt_ns(b, sizeof(b), 65536000);
	assert_string_equal(b, "65.5ms");
	memset(&h, 0, sizeof(h));
	top_fmt_pct(b, sizeof(b), &h, 50);
	assert_string_equal(b, "-");
	top_fmt_max(b, sizeof(b), &h);
	assert_string_equal(b, "-");
	hist_add(&h, 1500);
	top_fmt_pct(b, sizeof(b), &h, 50);
	assert_string_equal(b, "<2.0us");	/* bucket [1024, 2048) */
	top_fmt_max(b, sizeof(b), &h);
	assert_string_equal(b, "1.5us");
	h.max_exact = false;
	h.max_ns = 2048;
	top_fmt_max(b, sizeof(b), &h);
	assert_string_equal(b, "<2.0us");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_and_interval_latency),
		cmocka_unit_test(test_sort_and_filter),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
