// SPDX-License-Identifier: GPL-2.0
/* The replay source (stat -j recordings) and kvmslbtop's -L log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmslb.h"
#include "core/replay.h"
#include "top/log.h"

/* main.c's: the JSON writers of the log read -j/-p from it */
struct kvmslb_global kvmslb_g = { .prog = "test_replay" };

static char path[64];

static void write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/kvmslb-replay-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/*
 * stat's readiness line, two intervals, per vcpu (by vcpu id and by
 * thread), then the total line.
 */
static const char rec[] =
	"{\"kind\":\"attached\",\"source\":\"patched\",\"attribution\":\"event\","
	"\"programs\":2}\n"
	"{\"kind\":\"interval\",\"interval\":1,\"elapsed_s\":1.5,\"source\":\"patched\","
	"\"unavailable\":[],\"health\":{\"events\":10,\"count_overflow\":1},\"guests\":["
	"{\"pid\":42,\"name\":\"web\\u0007\\u00e9\",\"alive\":true,\"counters\":{\"hdsi\":3,"
	"\"dsegi\":2,\"isegi\":1,\"dropped\":4,\"outcomes\":{\"retry\":3}},\"paths\":[{\"trap\":"
	"\"H_DATA_STORAGE\",\"trap_nr\":3584,\"outcome\":\"retry\",\"hist\":{\"samples\":3,"
	"\"sum_ns\":6000,\"max_ns\":2500,\"max_exact\":true,\"buckets\":[{\"ge\":1024,"
	"\"lt\":2048,\"count\":2},{\"ge\":2048,\"lt\":4096,\"count\":1}]}}],\"vcpus\":["
	"{\"vcpu_id\":1,\"counters\":{\"hdsi\":3,\"dsegi\":2},\"latency_hist\":{\"samples\":3,"
	"\"buckets\":[{\"ge\":1024,\"lt\":2048,\"count\":3}]}}]}]}\n"
	"\n"
	"{\"kind\":\"interval\",\"interval\":2,\"elapsed_s\":2,\"source\":\"patched\","
	"\"health\":{\"events\":5},\"guests\":[{\"pid\":42,\"name\":\"web\u00e9\",\"alive\":false,"
	"\"counters\":{\"hdsi\":1,\"dsegi\":5},\"paths\":[],\"vcpus\":[{\"tid\":77,"
	"\"counters\":{\"dsegi\":5}}]},{\"pid\":43,\"name\":\"db\",\"alive\":true,"
	"\"counters\":{\"hisi\":7}}]}\n"
	"{\"kind\":\"total\",\"elapsed_s\":3.5,\"source\":\"patched\",\"guests\":[{\"pid\":42,"
	"\"counters\":{\"hdsi\":99}}]}\n";

static void test_replay_steps(void **state)
{
	struct replay *r = NULL;
	const struct agg_guest *g;
	const struct guest_ident *id;
	struct log2_hist h;
	char err[256] = "";
	double dt;

	(void)state;
	write_file(rec);
	assert_int_equal(replay_open(path, &r, err, sizeof(err)), 0);
	/* the total line is not a third step: it would count twice */
	assert_int_equal(replay_steps(r), 2);
	assert_int_equal(replay_source(r), SOURCE_PATCHED);
	assert_true(replay_per_vcpu(r));
	assert_int_equal(replay_view(r)->nguests, 0);
	assert_int_equal(replay_next(r, &dt), 0);
	assert_true(dt == 1.5);
	assert_int_equal(replay_pos(r), 1);
	g = agg_find(replay_view(r), 42);
	assert_non_null(g);
	assert_int_equal(g->total.c.hdsi, 3);
	assert_int_equal(g->total.c.dsegi, 2);
	assert_int_equal(g->total.c.dropped, 4);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_RETRY], 3);
	agg_unit_hist(&g->total, &h);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.slots[10], 2);
	assert_int_equal(h.slots[11], 1);
	assert_true(h.max_exact);
	assert_int_equal(h.max_ns, 2500);
	assert_int_equal(g->nvcpus, 1);
	assert_int_equal(g->vcpus[0].tid, AGG_VCPU_ID(1));
	assert_int_equal(replay_view(r)->health.events, 10);
	assert_int_equal(replay_view(r)->health.count_overflow, 1);
	/* a control character from the file is replaced, UTF-8 kept */
	id = replay_ident(r, 42);
	assert_non_null(id);
	assert_string_equal(id->name, "web\xef\xbf\xbd\xc3\xa9");
	assert_true(id->alive);
	assert_int_equal(replay_next(r, &dt), 0);
	assert_true(dt == 2.0);
	g = agg_find(replay_view(r), 42);
	assert_int_equal(g->total.c.hdsi, 4);
	assert_int_equal(g->total.c.dsegi, 7);
	assert_int_equal(g->nvcpus, 2);		/* vcpu id 1, thread 77 */
	assert_int_equal(g->vcpus[0].tid, 77);
	assert_false(replay_ident(r, 42)->alive);
	assert_int_equal(agg_find(replay_view(r), 43)->total.c.hisi, 7);
	assert_int_equal(replay_view(r)->health.events, 15);
	/* the end: nothing changes */
	assert_int_equal(replay_next(r, &dt), 1);
	assert_int_equal(agg_find(replay_view(r), 42)->total.c.hdsi, 4);
	replay_close(r);
	unlink(path);
}

static void expect_bad(const char *text, const char *what)
{
	struct replay *r = NULL;
	char err[256] = "";

	write_file(text);
	assert_int_equal(replay_open(path, &r, err, sizeof(err)), -EINVAL);
	assert_null(r);
	if (!strstr(err, what))
		fail_msg("'%s' does not say '%s'", err, what);
	unlink(path);
}

static void test_replay_bad_input(void **state)
{
	(void)state;
	expect_bad("", "empty");
	expect_bad("\0\0\0", "empty");
	expect_bad("hello\n", ":1: not a JSON object");
	expect_bad("{\"kind\":\"interval\",\"source\":\"patched\",\"guests\":[]}\n{\"kind\":",
		   ":2: unexpected end of data");
	expect_bad("{\"hello\":1}\n", ":1: a line without kind, source or guests");
	expect_bad("{\"kind\":\"interval\",\"source\":\"nope\",\"guests\":[]}\n", "unknown source");
	expect_bad("{\"kind\":\"interval\",\"source\":\"stock\",\"guests\":[]}\n"
		   "{\"kind\":\"interval\",\"source\":\"patched\",\"guests\":[]}\n",
		   ":2: a change of source");
	expect_bad("{\"kind\":\"interval\",\"source\":\"stock\",\"guests\":[{\"name\":\"x\"}]}\n",
		   "a guest without a pid");
	/* buckets that are not log2, or that do not add up */
	expect_bad("{\"kind\":\"interval\",\"source\":\"stock\",\"guests\":[{\"pid\":1,\"counters\":{},"
		   "\"paths\":[{\"trap_nr\":0,\"outcome\":\"none\",\"hist\":{\"samples\":1,\"buckets\":"
		   "[{\"ge\":1000,\"count\":1}]}}]}]}\n", "not log2");
	expect_bad("{\"kind\":\"interval\",\"source\":\"stock\",\"guests\":[{\"pid\":1,\"counters\":{},"
		   "\"paths\":[{\"trap_nr\":0,\"outcome\":\"none\",\"hist\":{\"samples\":2,\"buckets\":"
		   "[{\"ge\":1024,\"count\":1}]}}]}]}\n", "do not add up");
	expect_bad("{\"kind\":\"interval\",\"source\":\"stock\",\"guests\":[{\"pid\":1,\"counters\":{},"
		   "\"paths\":[{\"trap_nr\":0,\"outcome\":\"fast\",\"hist\":{\"samples\":0,\"buckets\":"
		   "[]}}]}]}\n", "outcome");
}

static void test_log(void **state)
{
	struct top_row rows[2] = {
		{ .pid = 7, .name = "a,\"b\"", .alive = true, .dsegi_rate = 2.5, .dsegi = 5 },
		{ .pid = 8, .name = "gone", .alive = false },
	};
	struct top_log *l;
	char err[256], line[512];
	FILE *f;

	(void)state;
	hist_add(&rows[0].lat, 3000);
	snprintf(path, sizeof(path), "/tmp/kvmslb-log-%d.csv", getpid());
	unlink(path);
	l = top_log_open(path, false, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(top_log_write(l, 0, 2.0, "patched", rows, 2, err, sizeof(err)), 0);
	/* the file moved away (logrotate), then SIGHUP: a new file with its header */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(top_log_reopen(l, err, sizeof(err)), 0);
	assert_int_equal(top_log_write(l, 60, 2.0, "patched", rows, 1, err, sizeof(err)), 0);
	top_log_close(l);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_true(!strncmp(line, "time,guest,pid,alive,", 21));
	assert_non_null(fgets(line, sizeof(line), f));
	/* a name with a comma and quotes, quoted as RFC 4180 says; p50 < 4096 ns */
	assert_string_equal(line, "1970-01-01T00:01:00Z,\"a,\"\"b\"\"\",7,1,2.000,patched,2.500,"
			    "0.000,0.000,0.000,5,0,0,0,0,0,1,4096,4096,4096\n");
	/* the exited guest without activity was left out */
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	/* a write error is the caller's runtime failure */
	l = top_log_open("/dev/full", true, err, sizeof(err));
	assert_non_null(l);
	assert_int_not_equal(top_log_write(l, 0, 1.0, "stock", rows, 1, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "No space left on device"));
	top_log_close(l);
	assert_null(top_log_open("/nonexistent/dir/x.csv", false, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_steps),
		cmocka_unit_test(test_replay_bad_input),
		cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
