// SPDX-License-Identifier: GPL-2.0
/* export: an aggregation as Prometheus metrics, exact lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agg.h"
#include "export/metrics.h"

static struct guest_ident id = { .tgid = 42, .name = "web\"1", .alive = true };

static const struct guest_ident *ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	return tgid == 42 ? &id : NULL;
}

static char *render(enum data_source src, struct agg *a)
{
	struct metrics_input in = { .agg = a, .source = src, .ident = ident };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_write(f, PROM_TEXT, &in);
	fclose(f);
	return buf;
}

#define HAS(s, line) do { if (!strstr((s), line "\n")) fail_msg("missing: %s", line); } while (0)

static void test_patched(void **state)
{
	struct agg a;
	char *s;

	(void)state;
	agg_init(&a);
	agg_segment(&a, 42, 0, 0x380, true, 2);
	agg_segment(&a, 42, 0, 0x480, false, 1);
	agg_fault(&a, 42, 0, 0xe00, 2, 1, true, 0);	/* bucket 0: [0, 2) */
	agg_fault(&a, 42, 0, 0xe00, 3, 1023, false, 5);	/* bucket 9: [512, 1024) */
	agg_fault(&a, 42, 0, 0xe00, 3, 1024, false, 0);	/* bucket 10 */
	a.health.events = 6;
	a.health.rb_lost = 7;
	s = render(SOURCE_PATCHED, &a);
	HAS(s, "kvmslb_source_info{source=\"patched\"} 1");
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\"} 3");
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\\\"1\",pid=\"42\",trap=\"hisi\"} 0");
	HAS(s, "kvmslb_segment_synthesized_total{guest=\"web\\\"1\",pid=\"42\",type=\"dsegi\"} 2");
	HAS(s, "kvmslb_segment_synthesized_total{guest=\"web\\\"1\",pid=\"42\",type=\"isegi\"} 1");
	HAS(s, "kvmslb_segment_injected_total{guest=\"web\\\"1\",pid=\"42\"} 2");
	HAS(s, "kvmslb_fault_outcomes_total{guest=\"web\\\"1\",pid=\"42\",outcome=\"host\"} 2");
	HAS(s, "kvmslb_log_dropped_total{guest=\"web\\\"1\",pid=\"42\"} 5");
	/* le is the bucket's largest whole nanosecond; counts are cumulative */
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\",le=\"1e-09\"} 1");
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\",le=\"5.11e-07\"} 1");
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\",le=\"1.023e-06\"} 2");
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\",le=\"2.047e-06\"} 3");
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\",le=\"+Inf\"} 3");
	HAS(s, "kvmslb_fault_latency_seconds_sum{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\"} 2.048e-06");
	HAS(s, "kvmslb_fault_latency_seconds_count{guest=\"web\\\"1\",pid=\"42\",trap=\"hdsi\"} 3");
	/* no HISI samples: no HISI histogram series */
	assert_null(strstr(s, "trap=\"hisi\",le="));
	HAS(s, "kvmslb_collector_events_total 6");
	HAS(s, "kvmslb_collector_lost_total{reason=\"ringbuf_full\"} 7");
	free(s);
	agg_free(&a);
}

static void test_stock_has_no_segment_metrics(void **state)
{
	struct agg a;
	char *s;

	(void)state;
	agg_init(&a);
	agg_exit(&a, 42, 0, 0xe20, 4);
	s = render(SOURCE_STOCK, &a);
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\\\"1\",pid=\"42\",trap=\"hisi\"} 4");
	assert_null(strstr(s, "kvmslb_segment_synthesized"));
	assert_null(strstr(s, "kvmslb_fault_outcomes"));
	free(s);
	agg_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patched),
		cmocka_unit_test(test_stock_has_no_segment_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
