// SPDX-License-Identifier: GPL-2.0
/* Prometheus / OpenMetrics exposition: exact text for both formats. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export/prom.h"

static char *expose(enum prom_format fmt)
{
	static const char *const le[] = { "1.023e-06", "2.047e-06", "4.095e-06" };
	static const uint64_t counts[] = { 2, 0, 3, 1 };
	struct pbuf b = { 0 }, labels = { 0 };
	struct prom_writer w;

	pbuf_puts(&labels, "guest=\"");
	prom_escape_label(&labels, "we\"b\\1\n");
	pbuf_put(&labels, "\"", 2);
	prom_init(&w, &b, fmt);
	prom_family(&w, "kvmslb_segment_synth", PROM_COUNTER, "Synthesized segment interrupts.",
		    NULL);
	prom_sample(&w, NULL, labels.p, "vector", "0x380", 1287408);
	prom_family(&w, "kvmslb_fault_latency_seconds", PROM_HISTOGRAM, "Fault path latency.",
		    "seconds");
	prom_histogram(&w, labels.p, NULL, NULL, le, counts, 3, 10000);
	prom_family(&w, "kvmslb_latency_seconds", PROM_SUMMARY, "Latency.", "seconds");
	prom_sample_nanos(&w, "_sum", NULL, "trap", "hdsi", 1500000000);
	prom_sample(&w, "_count", NULL, "trap", "hdsi", 3);
	prom_family(&w, "kvmslb_up", PROM_GAUGE, "Collector up.", NULL);
	prom_sample(&w, NULL, NULL, NULL, NULL, 0);
	prom_finish(&w);
	pbuf_put(&b, "", 1);
	pbuf_free(&labels);
	assert_false(b.failed);
	return b.p;
}

static void test_text(void **state)
{
	char *s = expose(PROM_TEXT);

	(void)state;
	assert_string_equal(s,
		"# HELP kvmslb_segment_synth_total Synthesized segment interrupts.\n"
		"# TYPE kvmslb_segment_synth_total counter\n"
		"kvmslb_segment_synth_total{guest=\"we\\\"b\\\\1\uFFFD\",vector=\"0x380\"} 1287408\n"
		"# HELP kvmslb_fault_latency_seconds Fault path latency.\n"
		"# TYPE kvmslb_fault_latency_seconds histogram\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\uFFFD\",le=\"1.023e-06\"} 2\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\uFFFD\",le=\"2.047e-06\"} 2\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\uFFFD\",le=\"4.095e-06\"} 5\n"
		"kvmslb_fault_latency_seconds_bucket{guest=\"we\\\"b\\\\1\uFFFD\",le=\"+Inf\"} 6\n"
		"kvmslb_fault_latency_seconds_sum{guest=\"we\\\"b\\\\1\uFFFD\"} 0.00001\n"
		"kvmslb_fault_latency_seconds_count{guest=\"we\\\"b\\\\1\uFFFD\"} 6\n"
		"# HELP kvmslb_latency_seconds Latency.\n"
		"# TYPE kvmslb_latency_seconds summary\n"
		"kvmslb_latency_seconds_sum{trap=\"hdsi\"} 1.5\n"
		"kvmslb_latency_seconds_count{trap=\"hdsi\"} 3\n"
		"# HELP kvmslb_up Collector up.\n"
		"# TYPE kvmslb_up gauge\n"
		"kvmslb_up 0\n");
	free(s);
}

static void test_openmetrics(void **state)
{
	char *s = expose(PROM_OPENMETRICS);

	(void)state;
	/* family named without _total, # UNIT for the histogram, # EOF at the end */
	assert_non_null(strstr(s, "# TYPE kvmslb_segment_synth counter\n"
				  "kvmslb_segment_synth_total{"));
	assert_non_null(strstr(s, "# TYPE kvmslb_fault_latency_seconds histogram\n"
				  "# UNIT kvmslb_fault_latency_seconds seconds\n"));
	assert_non_null(strstr(s, "# TYPE kvmslb_latency_seconds summary\n"
				  "# UNIT kvmslb_latency_seconds seconds\n"
				  "kvmslb_latency_seconds_sum{trap=\"hdsi\"} 1.5\n"));
	assert_string_equal(s + strlen(s) - 6, "# EOF\n");
	free(s);
}

static char *nanos(uint64_t v)
{
	static char out[64];
	struct pbuf b = { 0 };

	pbuf_nanos(&b, v);
	pbuf_put(&b, "", 1);
	snprintf(out, sizeof(out), "%s", b.p);
	pbuf_free(&b);
	return out;
}

/* Seconds from whole nanoseconds: exact decimals, no float rounding. */
static void test_nanos(void **state)
{
	(void)state;
	assert_string_equal(nanos(0), "0");
	assert_string_equal(nanos(1), "0.000000001");
	assert_string_equal(nanos(2048), "0.000002048");
	assert_string_equal(nanos(1500000000), "1.5");
	assert_string_equal(nanos(3000000000), "3");
	assert_string_equal(nanos(UINT64_MAX), "18446744073.709551615");
}

static char *label(const char *v)
{
	static char out[1024];
	struct pbuf b = { 0 };

	prom_escape_label(&b, v);
	pbuf_put(&b, "", 1);
	snprintf(out, sizeof(out), "%s", b.p);
	pbuf_free(&b);
	return out;
}

/* Label values are valid UTF-8 whatever comes in; only \ " and line feed are escaped. */
static void test_label_values(void **state)
{
	char cut[200];

	(void)state;
	assert_string_equal(label("web-1"), "web-1");
	assert_string_equal(label("a\\b\"c"), "a\\\\b\\\"c");
	assert_string_equal(label("caf\xc3\xa9"), "caf\xc3\xa9");
	assert_string_equal(label("bad\xff\xfe"), "bad\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(label("tab\there"), "tab\xef\xbf\xbdhere");
	/* a 3-byte character cut after its second byte: each stray byte is replaced */
	memset(cut, 'x', 126);
	memcpy(cut + 126, "\xe2\x82", 2);
	cut[128] = '\0';
	assert_int_equal(strlen(label(cut)), 126 + 6);
	assert_memory_equal(label(cut) + 126, "\xef\xbf\xbd\xef\xbf\xbd", 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_openmetrics),
		cmocka_unit_test(test_nanos),
		cmocka_unit_test(test_label_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
