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
#include "top/cols.h"
#include "top/rows.h"
#include "view/units.h"

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
	n = top_rows_build(&cur, &prev, NULL, 2.0, ident, NULL, NULL, &rows);
	assert_int_equal(n, 3);
	top_rows_sort(rows, n, SORT_PID, true);
	/* web1: 20 more HDSI in 2 s; the interval holds only the 3000 ns samples */
	assert_string_equal(rows[0].name, "web1");
	assert_true(rows[0].alive);
	assert_int_equal(rows[0].hdsi, 30);
	assert_true(rows[0].hdsi_rate == 10.0);
	assert_int_equal(rows[0].dsegi, 4);
	assert_true(rows[0].dsegi_rate == 2.0);
	assert_true(rows[0].isegi_rate == 0.0);
	assert_int_equal(rows[0].seg_injected, 4);
	assert_int_equal(rows[0].lat.count, 20);
	assert_int_equal(rows[0].lat_total.count, 30);
	assert_true(rows[0].lat_total.max_exact);
	assert_int_equal(rows[0].lat_total.max_ns, 3000);
	assert_int_equal(hist_percentile(&rows[0].lat, 50), 11);	/* [2048, 4096) */
	/* db2 is new: all of it happened in this interval */
	assert_string_equal(rows[1].name, "db2");
	assert_false(rows[1].alive);
	assert_true(rows[1].hisi_rate == 4.0);
	assert_int_equal(rows[1].dropped, 8);
	/* no name yet */
	assert_string_equal(rows[2].name, "?");
	assert_int_equal(rows[2].isegi, 2);
	assert_true(rows[2].isegi_rate == 1.0);
	free(rows);
	agg_free(&prev);
	agg_free(&cur);
}

/* After a reset, totals count from the reset; rates still from the last refresh. */
static void test_reset_base(void **state)
{
	struct agg prev, cur;
	struct top_row *rows = NULL;
	int n;

	(void)state;
	build(&prev, &cur);
	/* reset at prev: web1 had 10 HDSI then */
	n = top_rows_build(&cur, &prev, &prev, 2.0, ident, NULL, NULL, &rows);
	top_rows_sort(rows, n, SORT_PID, true);
	assert_int_equal(rows[0].hdsi, 20);
	assert_true(rows[0].hdsi_rate == 10.0);
	assert_int_equal(rows[0].lat_total.count, 20);
	assert_int_equal(rows[0].dsegi, 4);
	/* reset at cur: everything since is zero, the interval rates remain */
	n = top_rows_build(&cur, &prev, &cur, 2.0, ident, NULL, NULL, &rows);
	top_rows_sort(rows, n, SORT_PID, true);
	assert_int_equal(rows[0].hdsi, 0);
	assert_int_equal(rows[0].dsegi, 0);
	assert_int_equal(rows[0].lat_total.count, 0);
	assert_true(rows[0].hdsi_rate == 10.0);
	assert_int_equal(rows[1].dropped, 0);
	free(rows);
	agg_free(&prev);
	agg_free(&cur);
}

static void test_sort_and_filter(void **state)
{
	struct agg prev, cur;
	struct top_row *rows = NULL;
	struct top_filter f = { 0 };
	enum top_sort key;
	regex_t re;
	int n;

	(void)state;
	build(&prev, &cur);
	n = top_rows_build(&cur, &prev, NULL, 1.0, ident, NULL, NULL, &rows);
	top_rows_sort(rows, n, SORT_SEG_RATE, false);
	assert_int_equal(rows[0].pid, 10);	/* 4 synthesized in the interval */
	assert_int_equal(rows[1].pid, 30);	/* 2 */
	assert_int_equal(rows[2].pid, 20);	/* 0 */
	assert_int_equal(top_rows_find(rows, n, 30), 1);
	assert_int_equal(top_rows_find(rows, n, 99), -1);
	top_rows_sort(rows, n, SORT_NAME, true);
	assert_string_equal(rows[0].name, "?");
	assert_string_equal(rows[1].name, "db2");
	top_rows_sort(rows, n, SORT_P99, false);
	assert_int_equal(rows[0].pid, 20);	/* 100 us */
	top_rows_sort(rows, n, SORT_FAULT_RATE, false);
	assert_int_equal(rows[0].pid, 10);	/* 20 HDSI/s */
	/* POSIX extended regex on names */
	assert_int_equal(regcomp(&re, "^(web|db)[0-9]$", REG_EXTENDED | REG_NOSUB), 0);
	f.re = &re;
	n = top_rows_build(&cur, &prev, NULL, 1.0, ident, NULL, &f, &rows);
	assert_int_equal(n, 2);
	regfree(&re);
	assert_int_equal(regcomp(&re, "b1$", REG_EXTENDED | REG_NOSUB), 0);
	n = top_rows_build(&cur, &prev, NULL, 1.0, ident, NULL, &f, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].pid, 10);
	regfree(&re);
	/* one guest, by pid or exact name */
	f = (struct top_filter){ .pid = 20 };
	n = top_rows_build(&cur, &prev, NULL, 1.0, ident, NULL, &f, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].name, "db2");
	f = (struct top_filter){ .name = "db" };
	assert_int_equal(top_rows_build(&cur, &prev, NULL, 1.0, ident, NULL, &f, &rows), 0);
	assert_int_equal(top_sort_from_name("p99", &key), 0);
	assert_int_equal(key, SORT_P99);
	assert_int_equal(top_sort_from_name("hdsi", &key), 0);	/* the old name */
	assert_int_equal(key, SORT_HDSI_RATE);
	assert_int_equal(top_sort_from_name("seg/s", &key), 0);
	assert_int_equal(key, SORT_SEG_RATE);
	assert_int_equal(top_sort_from_name("fast", &key), -1);
	for (int i = 0; i < SORT_NR; i++) {
		assert_int_equal(top_sort_from_name(top_sort_name(i), &key), 0);
		assert_int_equal(key, i);
	}
	free(rows);
	agg_free(&prev);
	agg_free(&cur);
}

static void test_format(void **state)
{
	struct log2_hist h;
	char b[32];

	(void)state;
	view_fmt_ns(b, sizeof(b), 999);
	assert_string_equal(b, "999ns");
	view_fmt_ns(b, sizeof(b), 2048);
	assert_string_equal(b, "2.0us");
	view_fmt_ns(b, sizeof(b), 4096);
	assert_string_equal(b, "4.1us");
	view_fmt_ns(b, sizeof(b), 16384);
	assert_string_equal(b, "16us");
	view_fmt_ns(b, sizeof(b), 9960);	/* not "10.0us" */
	assert_string_equal(b, "10us");
	view_fmt_ns(b, sizeof(b), 65536000);
	assert_string_equal(b, "66ms");
	view_fmt_ns(b, sizeof(b), 2147483648ULL);
	assert_string_equal(b, "2.1s");
	memset(&h, 0, sizeof(h));
	view_fmt_pct(b, sizeof(b), &h, 50);
	assert_string_equal(b, "-");
	view_fmt_max(b, sizeof(b), &h);
	assert_string_equal(b, "-");
	hist_add(&h, 1500);
	view_fmt_pct(b, sizeof(b), &h, 50);
	assert_string_equal(b, "<2.0us");	/* bucket [1024, 2048) */
	/* the maximum in the same notation, exact or not */
	view_fmt_max(b, sizeof(b), &h);
	assert_string_equal(b, "<2.0us");
	hist_add(&h, 1);
	view_fmt_pct(b, sizeof(b), &h, 1);
	assert_string_equal(b, "<2ns");	/* [0, 2) */
	view_fmt_bucket(b, sizeof(b), HIST_SLOTS - 1);
	assert_int_equal(b[0], '>');
	top_fmt_count(b, sizeof(b), 1234567, 7);
	assert_string_equal(b, "1234567");
	/* as many digits as fit */
	top_fmt_count(b, sizeof(b), 12345678, 7);
	assert_string_equal(b, "12346k");
	top_fmt_count(b, sizeof(b), 1234567, 5);
	assert_string_equal(b, "1235k");
	top_fmt_count(b, sizeof(b), 1234567, 4);
	assert_string_equal(b, "1.2M");
	top_fmt_rate(b, sizeof(b), 0, 7);
	assert_string_equal(b, "0");
	top_fmt_rate(b, sizeof(b), 2.25, 7);
	assert_string_equal(b, "2.2");
	top_fmt_rate(b, sizeof(b), 123.4, 7);
	assert_string_equal(b, "123");
	top_fmt_rate(b, sizeof(b), 98765432.0, 5);
	assert_string_equal(b, "99M");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_and_interval_latency),
		cmocka_unit_test(test_reset_base),
		cmocka_unit_test(test_sort_and_filter),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
