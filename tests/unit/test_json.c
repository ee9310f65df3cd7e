// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: nesting, commas, escaping, non-finite numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

static char *render(void (*fn)(struct json_writer *), bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer *w = json_new(f, pretty);

	fn(w);
	json_free(w);
	fclose(f);
	return buf;
}

static void doc_nested(struct json_writer *w)
{
	json_obj_begin(w);
	json_key_str(w, "name", "we\"b\\1\n\x01");
	json_key_u64(w, "n", UINT64_MAX);
	json_key_i64(w, "d", -5);
	json_key(w, "empty");
	json_arr_begin(w);
	json_arr_end(w);
	json_key(w, "list");
	json_arr_begin(w);
	json_u64(w, 1);
	json_obj_begin(w);
	json_key_bool(w, "ok", true);
	json_obj_end(w);
	json_null(w);
	json_double(w, 1.0 / 0.0);
	json_arr_end(w);
	json_obj_end(w);
}

static void test_compact(void **state)
{
	char *s = render(doc_nested, false);

	(void)state;
	assert_string_equal(s, "{\"name\":\"we\\\"b\\\\1\\n\\u0001\",\"n\":18446744073709551615,"
			       "\"d\":-5,\"empty\":[],\"list\":[1,{\"ok\":true},null,null]}\n");
	free(s);
}

static void doc_small(struct json_writer *w)
{
	json_obj_begin(w);
	json_key_u64(w, "a", 1);
	json_key(w, "b");
	json_arr_begin(w);
	json_u64(w, 2);
	json_arr_end(w);
	json_obj_end(w);
}

static void test_pretty(void **state)
{
	char *s = render(doc_small, true);

	(void)state;
	assert_string_equal(s, "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n");
	free(s);
}

static void doc_numbers(struct json_writer *w)
{
	json_arr_begin(w);
	json_u64(w, 0);
	json_u64(w, 9);
	json_u64(w, 10);
	json_u64(w, 1000000007);
	json_i64(w, 0);
	json_i64(w, -1);
	json_i64(w, INT64_MAX);
	json_i64(w, INT64_MIN);
	/* runs of plain bytes between escapes; UTF-8 passes as it is */
	json_str(w, "");
	json_str(w, "\"");
	json_str(w, "ab\\cd\tef\x1f\xc3\xa9");
	json_arr_end(w);
}

/* Numbers as printf would write them, strings escaped run by run. */
static void test_numbers_and_runs(void **state)
{
	char *s = render(doc_numbers, false);

	(void)state;
	assert_string_equal(s, "[0,9,10,1000000007,0,-1,9223372036854775807,"
			       "-9223372036854775808,\"\",\"\\\"\",\"ab\\\\cd\\tef\\u001f\xc3\xa9\"]\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_numbers_and_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
