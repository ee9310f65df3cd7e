// SPDX-License-Identifier: GPL-2.0
/* The readiness line (view/attached.c): its text and JSON forms, exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kvmslb.h"
#include "core/collector.h"
#include "view/attached.h"

/* main.c's, for core/msg.c (the warnings go to stderr) */
struct kvmslb_global kvmslb_g = { .prog = "kvmslb" };

static char *render(const struct collector *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	view_attached(f, c, json, false);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_stats_source(void **state)
{
	struct collector c;
	char *out;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.choice.chosen = SOURCE_STATS;
	c.choice.attribution = ATTR_KVM_STATS;
	snprintf(c.choice.how, sizeof(c.choice.how), "per-VM stats");
	out = render(&c, false);
	assert_string_equal(out, "attached: source=stats attribution=kvm-stats btf=none "
			    "programs=0\n");
	free(out);
	out = render(&c, true);
	assert_string_equal(out, "{\"kind\":\"attached\",\"source\":\"stats\",\"attribution\":"
			    "\"kvm-stats\",\"btf\":null,\"programs\":0,\"maps\":null,\"how\":"
			    "\"per-VM stats\",\"warnings\":[]}\n");
	free(out);
}

static void test_warnings_in_json(void **state)
{
	struct collector c;
	char *out;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.choice.chosen = SOURCE_STOCK;
	c.choice.attribution = ATTR_BTF;
	c.choice.btf = "/x/k.btf";
	snprintf(c.choice.how, sizeof(c.choice.how), "CO-RE");
	snprintf(c.choice.warn[0], sizeof(c.choice.warn[0]), "w \"1\"");
	c.warn_ptrs[0] = c.choice.warn[0];
	c.choice.nwarn = 1;
	out = render(&c, true);
	assert_string_equal(out, "{\"kind\":\"attached\",\"source\":\"stock\",\"attribution\":"
			    "\"btf\",\"btf\":\"/x/k.btf\",\"programs\":0,\"maps\":null,\"how\":"
			    "\"CO-RE\",\"warnings\":[\"w \\\"1\\\"\"]}\n");
	free(out);
	/* the kernel's own BTF */
	c.choice.btf = NULL;
	out = render(&c, false);
	assert_string_equal(out, "attached: source=stock attribution=btf btf=kernel programs=0\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_source),
		cmocka_unit_test(test_warnings_in_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
