// SPDX-License-Identifier: GPL-2.0
/* The stats source: debugfs VM directories of the patched kernel's KVM stats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/stats_source.h"

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_parsers(void **state)
{
	uint32_t pid;
	uint64_t v;

	(void)state;
	assert_int_equal(stats_vm_dir_pid("1234-11", &pid), 0);
	assert_int_equal(pid, 1234);
	assert_int_equal(stats_vm_dir_pid("1-0", &pid), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(stats_vm_dir_pid("vcpu0", &pid), -1);
	assert_int_equal(stats_vm_dir_pid("1234", &pid), -1);
	assert_int_equal(stats_vm_dir_pid("1234-", &pid), -1);
	assert_int_equal(stats_vm_dir_pid("12a4-3", &pid), -1);
	assert_int_equal(stats_vm_dir_pid("99999999999-3", &pid), -1);
	assert_int_equal(stats_vm_dir_pid("dsegi_synth", &pid), -1);
	assert_int_equal(stats_parse_value("42\n", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(stats_parse_value("18446744073709551615\n", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(stats_parse_value("-1\n", &v), -1);
	assert_int_equal(stats_parse_value("", &v), -1);
	assert_int_equal(stats_parse_value("12 13\n", &v), -1);
	assert_int_equal(stats_parse_value("99999999999999999999999\n", &v), -1);
}

static void test_debugfs_tree(void **state)
{
	char root[] = "/tmp/kvmslb-stats-XXXXXX", vm1[128], vm2[128], vm3[128], other[128];
	const struct agg_guest *g;
	struct agg a;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(vm1, sizeof(vm1), "%s/4242-12", root);
	snprintf(vm2, sizeof(vm2), "%s/4242-15", root);	/* a second VM of the same VMM */
	snprintf(vm3, sizeof(vm3), "%s/777-9", root);	/* a stock kernel's VM: no our stats */
	snprintf(other, sizeof(other), "%s/4242-12/vcpu0", root);
	assert_int_equal(mkdir(vm1, 0755), 0);
	assert_int_equal(mkdir(vm2, 0755), 0);
	assert_int_equal(mkdir(vm3, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	put(root, "dsegi_synth", "100\n");	/* the all-VM sum at the top: ignored */
	put(vm1, "hfault_hdsi", "10\n");
	put(vm1, "hfault_hisi", "4\n");
	put(vm1, "dsegi_synth", "3\n");
	put(vm1, "isegi_synth", "1\n");
	put(vm1, "seg_synth_injected", "4\n");
	put(vm1, "hfault_retry", "6\n");
	put(vm1, "hfault_reflect", "2\n");
	put(vm1, "hfault_host", "1\n");
	put(vm1, "hfault_mmio", "1\n");
	put(vm1, "hfault_log_drops", "7\n");
	put(vm1, "hdsi_latency_hist", "0\n");
	put(vm2, "hfault_hdsi", "5\n");
	put(vm2, "dsegi_synth", "2\n");
	put(vm2, "hfault_log_drops", "garbage\n");
	put(vm3, "sum_exits", "999\n");

	agg_init(&a);
	assert_int_equal(stats_read_all(root, 0, &a), 0);
	assert_int_equal(a.nguests, 1);
	g = agg_find(&a, 4242);
	assert_non_null(g);
	assert_int_equal(g->total.c.hdsi, 15);
	assert_int_equal(g->total.c.hisi, 4);
	assert_int_equal(g->total.c.dsegi, 5);
	assert_int_equal(g->total.c.isegi, 1);
	assert_int_equal(g->total.c.seg_injected, 4);
	assert_int_equal(g->total.c.dropped, 7);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_RETRY], 6);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_MMIO], 1);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_SEGMENT], 6);
	assert_int_equal(g->total.npaths, 0);
	agg_free(&a);

	/* filtered to another pid */
	assert_int_equal(stats_read_all(root, 777, &a), 0);
	assert_int_equal(a.nguests, 0);
	agg_free(&a);
	assert_int_equal(stats_read_all("/nonexistent/kvm", 0, &a), -ENOENT);

	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_debugfs_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
