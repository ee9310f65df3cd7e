// SPDX-License-Identifier: GPL-2.0
/* Prometheus / OpenMetrics exposition: exact text for both formats. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export/prom.h"

static char *expose(enum prom_format fmt)
{
	static const uint64_t upper[] = { 1023, 2047, 4095 };
	static const uint64_t counts[] = { 2, 0, 3 };
	const struct prom_label l[] = { { "guest", "we\"b\\1\n" }, { "vector", "0x380" } };
	struct prom_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_init(&w, f, fmt);
	prom_family(&w, "kvmslb_segment_synth", PROM_COUNTER, "Synthesized segment\ninterrupts.", NULL);
	prom_sample(&w, l, 2, 1287408);
	prom_family(&w, "kvmslb_fault_latency_seconds", PROM_HISTOGRAM, "Fault path latency.", "seconds");
	prom_histogram(&w, l, 1, upper, counts, 3, 10000, 1e9);
	prom_family(&w, "kvmslb_up", PROM_GAUGE, "Collector up.", NULL);
	prom_sample(&w, NULL, 0, 0.5);
	prom_finish(&w);
	fclose(f);
	return buf;
}

static void test_text(void **state)
{
	char *s = expose(PROM_TEXT);

	(void)state;
	assert_string_equal(s,
		"# HELP kvmslb_segment_synth_total Synthesized segment\\ninterrupts.\n"
		"# TYPE kvmslb_segment_synth_total counter\n"
		"kvmslb_segment_synth_total{guest=\"we\\\"b\\\\1\\n\",vector=\"0x380\"} 1287408\n"
		"# HELP kvmslb_fault_latency_seconds Fault path latency.\n"
		"# TYPE kvmslb_fault_latency_seconds histogram\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\\n\",le=\"1.023e-06\"} 2\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\\n\",le=\"2.047e-06\"} 2\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\\n\",le=\"4.095e-06\"} 5\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\\n\",le=\"+Inf\"} 5\n"
		"kvmslb_fault_latency_seconds_sum{guest=\"we\\\"b\\\\1\\n\"} 1e-05\n"
		"kvmslb_fault_latency_seconds_count{guest=\"we\\\"b\\\\1\\n\"} 5\n"
		"# HELP kvmslb_up Collector up.\n"
		"# TYPE kvmslb_up gauge\n"
		"kvmslb_up 0.5\n");
	free(s);
}

static void test_openmetrics(void **state)
{
	char *s = expose(PROM_OPENMETRICS);

	(void)state;
	/* family named without _total, # UNIT for the histogram, # EOF at the end */
	assert_non_null(strstr(s, "# TYPE kvmslb_segment_synth counter\n"
				  "kvmslb_segment_synth_total{"));
	assert_non_null(strstr(s, "# UNIT kvmslb_fault_latency_seconds seconds\n"));
	assert_string_equal(s + strlen(s) - 6, "# EOF\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_openmetrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
