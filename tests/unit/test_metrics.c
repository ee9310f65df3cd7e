// SPDX-License-Identifier: GPL-2.0
/* export: an aggregation as Prometheus metrics, exact lines; which guests, which labels. */
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

static struct guest_ident ids[8];
static int nids;

static void guest(uint32_t tgid, const char *name, uint64_t starttime, bool alive)
{
	for (int i = 0; i < nids; i++) {
		if (ids[i].tgid == tgid) {
			snprintf(ids[i].name, sizeof(ids[i].name), "%s", name);
			ids[i].starttime = starttime;
			ids[i].alive = alive;
			return;
		}
	}
	ids[nids] = (struct guest_ident){ .tgid = tgid, .starttime = starttime, .alive = alive };
	snprintf(ids[nids].name, sizeof(ids[nids].name), "%s", name);
	nids++;
}

static const struct guest_ident *ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	for (int i = 0; i < nids; i++)
		if (ids[i].tgid == tgid)
			return &ids[i];
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	nids = 0;
	return 0;
}

static char *render(struct metrics *m, enum data_source src, struct agg *a, double now,
		    enum prom_format fmt)
{
	struct metrics_input in = { .agg = a, .source = src, .ident = ident, .now = now };
	struct pbuf b = { 0 };

	assert_int_equal(metrics_update(m, &in), 0);
	metrics_write(m, &b, fmt, &in);
	pbuf_put(&b, "", 1);
	assert_false(b.failed);
	return b.p;
}

#define HAS(s, line) do { if (!strstr((s), line "\n")) fail_msg("missing: %s", line); } while (0)
#define LACKS(s, text) do { if (strstr((s), text)) fail_msg("unexpected: %s", text); } while (0)

static const struct metrics_opts defaults = { .series.retire_after = 300 };

static void test_patched(void **state)
{
	struct metrics m;
	struct agg a;
	char *s;

	(void)state;
	guest(42, "web\"1", 7, true);
	metrics_init(&m, &defaults);
	agg_init(&a);
	agg_segment(&a, 42, 0, 0x380, true, 2);
	agg_segment(&a, 42, 0, 0x480, false, 1);
	agg_fault(&a, 42, 0, 0xe00, 2, 1, true, 0);	/* bucket 0: [0, 2) */
	agg_fault(&a, 42, 0, 0xe00, 3, 1023, false, 5);	/* bucket 9: [512, 1024) */
	agg_fault(&a, 42, 0, 0xe00, 3, 1024, false, 0);	/* bucket 10 */
	a.health.events = 6;
	a.health.rb_lost = 7;
	s = render(&m, SOURCE_PATCHED, &a, 10, PROM_TEXT);
	HAS(s, "kvmslb_source_info{source=\"patched\"} 1");
	HAS(s, "kvmslb_guests{state=\"running\"} 1");
	HAS(s, "kvmslb_guests{state=\"exited\"} 0");
	/* one guest, a name of its own: no pid label */
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\\\"1\",trap=\"hdsi\"} 3");
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\\\"1\",trap=\"hisi\"} 0");
	HAS(s, "kvmslb_segment_synthesized_total{guest=\"web\\\"1\",type=\"dsegi\"} 2");
	HAS(s, "kvmslb_segment_synthesized_total{guest=\"web\\\"1\",type=\"isegi\"} 1");
	HAS(s, "kvmslb_segment_injected_total{guest=\"web\\\"1\"} 2");
	HAS(s, "kvmslb_log_dropped_total{guest=\"web\\\"1\"} 5");
	/* per-guest latency: _sum and _count, every trap of the source */
	HAS(s, "# TYPE kvmslb_fault_latency_seconds summary");
	HAS(s, "kvmslb_fault_latency_seconds_sum{guest=\"web\\\"1\",trap=\"hdsi\"} 0.000002048");
	HAS(s, "kvmslb_fault_latency_seconds_count{guest=\"web\\\"1\",trap=\"hdsi\"} 3");
	HAS(s, "kvmslb_fault_latency_seconds_count{guest=\"web\\\"1\",trap=\"hisi\"} 0");
	/* host histogram: le is the bucket's largest whole nanosecond; cumulative */
	HAS(s, "kvmslb_host_fault_latency_seconds_bucket{trap=\"hdsi\",le=\"1e-09\"} 1");
	HAS(s, "kvmslb_host_fault_latency_seconds_bucket{trap=\"hdsi\",le=\"5.11e-07\"} 1");
	HAS(s, "kvmslb_host_fault_latency_seconds_bucket{trap=\"hdsi\",le=\"1.023e-06\"} 2");
	HAS(s, "kvmslb_host_fault_latency_seconds_bucket{trap=\"hdsi\",le=\"2.047e-06\"} 3");
	HAS(s, "kvmslb_host_fault_latency_seconds_bucket{trap=\"hdsi\",le=\"+Inf\"} 3");
	HAS(s, "kvmslb_host_fault_latency_seconds_count{trap=\"hdsi\"} 3");
	HAS(s, "kvmslb_host_fault_latency_seconds_count{trap=\"hisi\"} 0");
	HAS(s, "kvmslb_collector_events_total 6");
	HAS(s, "kvmslb_collector_lost_total{reason=\"ringbuf_full\"} 7");
	/* opt-in families are off */
	LACKS(s, "kvmslb_fault_outcomes");
	LACKS(s, "kvmslb_vcpu_");
	LACKS(s, "_bucket{guest=");
	free(s);
	agg_free(&a);
	metrics_free(&m);
}

static void test_opt_in(void **state)
{
	struct metrics_opts o = defaults;
	struct metrics m;
	struct agg a;
	char *s;

	(void)state;
	o.per_outcome = o.per_vcpu = o.guest_histograms = true;
	guest(42, "web", 7, true);
	guest(43, "db", 8, true);
	metrics_init(&m, &o);
	agg_init(&a);
	agg_segment(&a, 42, AGG_VCPU_ID(3), 0x380, false, 2);
	agg_fault(&a, 42, AGG_VCPU_ID(0), 0xe00, 3, 1000, false, 0);
	agg_fault(&a, 42, AGG_VCPU_ID(3), 0xe00, 3, 1ull << 40, false, 0);	/* last bucket */
	agg_exit(&a, 43, 4321, 0xe20, 5);					/* a vcpu thread */
	s = render(&m, SOURCE_PATCHED, &a, 10, PROM_TEXT);
	HAS(s, "kvmslb_fault_outcomes_total{guest=\"web\",outcome=\"host\"} 2");
	HAS(s, "kvmslb_fault_outcomes_total{guest=\"web\",outcome=\"retry\"} 0");
	HAS(s, "kvmslb_vcpu_fault_paths_total{guest=\"web\",vcpu=\"0\",trap=\"hdsi\"} 1");
	HAS(s, "kvmslb_vcpu_fault_paths_total{guest=\"web\",vcpu=\"3\",trap=\"hdsi\"} 1");
	HAS(s, "kvmslb_vcpu_segment_synthesized_total{guest=\"web\",vcpu=\"3\",type=\"dsegi\"} 2");
	HAS(s, "kvmslb_vcpu_fault_paths_total{guest=\"db\",tid=\"4321\",trap=\"hisi\"} 5");
	/* per-guest histograms: the unbounded last bucket only in +Inf */
	HAS(s, "# TYPE kvmslb_fault_latency_seconds histogram");
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\",trap=\"hdsi\",le=\"2.147483647\"} 1");
	HAS(s, "kvmslb_fault_latency_seconds_bucket{guest=\"web\",trap=\"hdsi\",le=\"+Inf\"} 2");
	HAS(s, "kvmslb_fault_latency_seconds_count{guest=\"web\",trap=\"hdsi\"} 2");
	HAS(s, "kvmslb_fault_latency_seconds_sum{guest=\"web\",trap=\"hdsi\"} 1099.511628776");
	free(s);
	agg_free(&a);
	metrics_free(&m);
}

/* Running guests that share a name get pid, and keep it while they run. */
static void test_name_collisions(void **state)
{
	struct metrics m;
	struct agg a;
	char *s;

	(void)state;
	guest(10, "web", 1, true);
	guest(11, "web", 2, true);
	guest(12, "db", 3, true);
	metrics_init(&m, &defaults);
	agg_init(&a);
	agg_exit(&a, 10, 0, 0xe00, 1);
	agg_exit(&a, 11, 0, 0xe00, 2);
	agg_exit(&a, 12, 0, 0xe00, 3);
	s = render(&m, SOURCE_STOCK, &a, 1, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\",pid=\"10\",trap=\"hdsi\"} 1");
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\",pid=\"11\",trap=\"hdsi\"} 2");
	HAS(s, "kvmslb_fault_paths_total{guest=\"db\",trap=\"hdsi\"} 3");
	free(s);
	/* 11 exits: 10 keeps its pid label (its series do not change identity) */
	guest(11, "web", 2, false);
	s = render(&m, SOURCE_STOCK, &a, 2, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\",pid=\"10\",trap=\"hdsi\"} 1");
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\",pid=\"11\",trap=\"hdsi\"} 2");
	HAS(s, "kvmslb_guests{state=\"running\"} 2");
	HAS(s, "kvmslb_guests{state=\"exited\"} 1");
	free(s);
	agg_free(&a);
	metrics_free(&m);

	/* --pid-label: everyone */
	{
		struct metrics_opts o = defaults;

		o.series.pid_label = true;
		metrics_init(&m, &o);
		agg_init(&a);
		agg_exit(&a, 12, 0, 0xe00, 3);
		s = render(&m, SOURCE_STOCK, &a, 1, PROM_TEXT);
		HAS(s, "kvmslb_fault_paths_total{guest=\"db\",pid=\"12\",trap=\"hdsi\"} 3");
		free(s);
		agg_free(&a);
		metrics_free(&m);
	}
}

/* An exited guest stays retire_after seconds, unless a running guest takes its labels. */
static void test_retirement(void **state)
{
	struct metrics_opts o = defaults;
	struct metrics m;
	struct agg a;
	char *s;

	(void)state;
	o.series.retire_after = 60;
	guest(20, "old", 1, true);
	guest(30, "web", 1, true);
	metrics_init(&m, &o);
	agg_init(&a);
	agg_exit(&a, 20, 0, 0xe00, 4);
	agg_exit(&a, 30, 0, 0xe00, 9);
	s = render(&m, SOURCE_STOCK, &a, 100, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"old\",trap=\"hdsi\"} 4");
	free(s);
	guest(20, "old", 1, false);
	s = render(&m, SOURCE_STOCK, &a, 110, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"old\",trap=\"hdsi\"} 4");
	free(s);
	s = render(&m, SOURCE_STOCK, &a, 160, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"old\",trap=\"hdsi\"} 4");
	free(s);
	/* 60 s after the exit was seen (at 110): gone */
	s = render(&m, SOURCE_STOCK, &a, 170.5, PROM_TEXT);
	LACKS(s, "guest=\"old\"");
	HAS(s, "kvmslb_guests{state=\"exited\"} 0");
	free(s);
	/* "web" restarts as pid 31: its series continue from 0 (a counter reset) */
	guest(30, "web", 1, false);
	guest(31, "web", 5, true);
	agg_exit(&a, 31, 0, 0xe00, 1);
	s = render(&m, SOURCE_STOCK, &a, 171, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\",trap=\"hdsi\"} 1");
	LACKS(s, "} 9\n");
	free(s);
	agg_free(&a);
	metrics_free(&m);
}

/* A pid reused by a new process: the old process's counts stay in the host histogram. */
static void test_host_totals_keep_reused_pids(void **state)
{
	struct retired_guest r = { .id = { .tgid = 50, .name = "gone" } };
	struct metrics m;
	struct agg a;
	struct metrics_input in;
	struct pbuf b = { 0 };

	(void)state;
	guest(50, "new", 9, true);
	metrics_init(&m, &defaults);
	agg_init(&a);
	agg_init(&r.data);
	agg_fault(&r.data, 50, 0, 0xe00, 3, 1000, false, 0);
	agg_fault(&a, 50, 0, 0xe00, 3, 1000, false, 0);
	in = (struct metrics_input){ .agg = &a, .source = SOURCE_PATCHED, .ident = ident,
				     .retired = &r, .nretired = 1, .now = 1 };
	assert_int_equal(metrics_update(&m, &in), 0);
	metrics_write(&m, &b, PROM_TEXT, &in);
	pbuf_put(&b, "", 1);
	HAS(b.p, "kvmslb_fault_latency_seconds_count{guest=\"new\",trap=\"hdsi\"} 1");
	HAS(b.p, "kvmslb_host_fault_latency_seconds_count{trap=\"hdsi\"} 2");
	pbuf_free(&b);
	agg_free(&r.data);
	agg_free(&a);
	metrics_free(&m);
}

static void test_stock_and_stats(void **state)
{
	struct metrics m;
	struct agg a;
	char *s;

	(void)state;
	guest(42, "web", 1, true);
	metrics_init(&m, &defaults);
	agg_init(&a);
	agg_exit(&a, 42, 0, 0xe20, 4);
	agg_fault(&a, 42, 0, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE, 5000, false, 0);
	s = render(&m, SOURCE_STOCK, &a, 1, PROM_TEXT);
	HAS(s, "kvmslb_fault_paths_total{guest=\"web\",trap=\"hisi\"} 4");
	HAS(s, "kvmslb_fault_latency_seconds_count{guest=\"web\",trap=\"page_fault\"} 1");
	LACKS(s, "kvmslb_segment_synthesized");
	LACKS(s, "trap=\"hdsi\",le=");
	free(s);
	s = render(&m, SOURCE_STATS, &a, 1, PROM_OPENMETRICS);
	HAS(s, "kvmslb_segment_synthesized_total{guest=\"web\",type=\"dsegi\"} 0");
	LACKS(s, "latency");
	assert_string_equal(s + strlen(s) - 6, "# EOF\n");
	free(s);
	agg_free(&a);
	metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_patched, setup),
		cmocka_unit_test_setup(test_opt_in, setup),
		cmocka_unit_test_setup(test_name_collisions, setup),
		cmocka_unit_test_setup(test_retirement, setup),
		cmocka_unit_test_setup(test_host_totals_keep_reused_pids, setup),
		cmocka_unit_test_setup(test_stock_and_stats, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
