// SPDX-License-Identifier: GPL-2.0
/* kvmslbtop's columns by priority and width, text by display width, the sparkline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agg.h"
#include "top/cols.h"
#include "top/textw.h"
#include "top/trend.h"

static int setup(void **state)
{
	(void)state;
	/* not a terminal: UTF-8 is written whatever the locale, widths from C.UTF-8 */
	assert_true(textw_init(false));
	return 0;
}

static void test_widths(void **state)
{
	char b[128] = "";

	(void)state;
	assert_int_equal(textw_width("web1"), 4);
	assert_int_equal(textw_width("ビルド-ci"), 9);		/* three wide + 3 */
	assert_int_equal(textw_width("e\u0301t\u00e9"), 3);	/* a combining accent */
	/* cut on a character boundary: a wide character that does not fit is left out */
	textw_put(b, sizeof(b), "ビルド", 5, false);
	assert_string_equal(b, "ビル ");
	b[0] = '\0';
	textw_put(b, sizeof(b), "42", 5, true);
	assert_string_equal(b, "   42");
	b[0] = '\0';
	textw_put_cut(b, sizeof(b), "analytics-cluster-node-017", 10);
	assert_string_equal(b, "analytics\u2026");
	assert_int_equal(textw_width(b), 10);
	b[0] = '\0';
	textw_put_cut(b, sizeof(b), "short", 10);
	assert_string_equal(b, "short     ");
}

static struct top_layout layout(int width, bool seg, bool lat, int longest)
{
	struct top_layout_in in = {
		.width = width, .has_segments = seg, .has_latency = lat,
		.sort = SORT_SEG_RATE, .longest_name = longest,
	};
	struct top_layout l;

	top_layout_make(&l, &in);
	return l;
}

/* The layout's columns as "TITLE TITLE ...". */
static void names(const struct top_layout *l, char *buf, size_t n)
{
	buf[0] = '\0';
	for (int i = 0; i < l->ncols; i++) {
		strncat(buf, top_col_title(l->cols[i]), n - strlen(buf) - 1);
		strncat(buf, i + 1 < l->ncols ? " " : "", n - strlen(buf) - 1);
	}
}

static void test_priorities(void **state)
{
	struct top_layout l;
	char b[512];

	(void)state;
	/* a serial console: the rates, P99, MAX and DROP stay */
	l = layout(80, true, true, 26);
	names(&l, b, sizeof(b));
	assert_string_equal(b, "DSEGI/s ISEGI/s DSEGI ISEGI HDSI/s P99 MAX DROP");
	assert_int_equal(l.name_width, 15);
	l = layout(120, true, true, 26);
	names(&l, b, sizeof(b));
	assert_string_equal(b, "PID DSEGI/s ISEGI/s TREND DSEGI ISEGI HDSI/s HISI/s P99 MAX DROP");
	assert_int_equal(l.name_width, 26);	/* the whole name */
	/* every column, and names as long as they are */
	l = layout(0, true, true, 40);
	assert_int_equal(l.ncols, COL_NR);
	assert_int_equal(l.name_width, 40);
	/* a wide terminal does not stretch short names */
	l = layout(250, true, true, 10);
	assert_int_equal(l.ncols, COL_NR);
	assert_int_equal(l.name_width, 10);
	/* the stock source: no segment columns, room for more */
	l = layout(80, false, true, 12);
	names(&l, b, sizeof(b));
	assert_string_equal(b, "PID TREND HDSI/s HISI/s P50 P99 MAX");
	/* KVM stats: no latency */
	l = layout(80, true, false, 12);
	names(&l, b, sizeof(b));
	assert_false(strstr(b, "P99"));
	assert_true(strstr(b, "DROP"));
	assert_true(top_layout_sortable(&l, SORT_DROP));
	assert_false(top_layout_sortable(&l, SORT_P99));
	assert_true(top_layout_sortable(&l, SORT_NAME));
}

static void test_rows(void **state)
{
	struct top_row r = {
		.pid = 4104, .name = "ビルド-ci", .alive = false, .dsegi = 56, .isegi = 5,
		.dsegi_rate = 2.5, .hdsi_rate = 191,
	};
	struct top_layout l = layout(80, true, true, textw_width(r.name));
	char b[512];

	(void)state;
	top_layout_titles(&l, b, sizeof(b));
	assert_string_equal(b, "   GUEST     DSEGI/s\u25bc ISEGI/s\u25bc   DSEGI   ISEGI  HDSI/s    "
			    "P99    MAX  DROP");
	top_layout_row(&l, &r, NULL, true, b, sizeof(b));
	assert_string_equal(b, ">x ビルド-ci      2.5        0      56       5     191      -"
			    "      -     0");
	/* the name column is laid out by display width: every row is as wide as the titles */
	assert_int_equal(textw_width(b), 3 + l.name_width + 62);
	l.sort = SORT_NAME;
	l.ascending = true;
	top_layout_titles(&l, b, sizeof(b));
	assert_true(!strncmp(b, "   GUEST\u25b2", strlen("   GUEST\u25b2")));
}

static void test_trend(void **state)
{
	struct top_trends t = { 0 };
	struct agg prev, cur;
	char b[128];

	(void)state;
	agg_init(&prev);
	agg_init(&cur);
	/* rates 0, 1, 2, ..., 8 per second */
	for (int i = 0; i < 9; i++) {
		agg_free(&prev);
		agg_init(&prev);
		agg_segment(&prev, 7, 0, 0x380, false, (uint64_t)(i * (i - 1) / 2));
		agg_free(&cur);
		agg_init(&cur);
		agg_segment(&cur, 7, 0, 0x380, false, (uint64_t)(i * (i + 1) / 2));
		assert_int_equal(top_trends_push(&t, &cur, &prev, 1.0, true), 0);
	}
	top_trend_draw(&t, 7, 10, b, sizeof(b));
	assert_string_equal(b, "  \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	top_trend_draw(&t, 8, 4, b, sizeof(b));
	assert_string_equal(b, "    ");
	agg_free(&prev);
	agg_free(&cur);
	top_trends_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_trend),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
