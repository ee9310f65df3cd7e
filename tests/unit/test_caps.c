// SPDX-License-Identifier: GPL-2.0
/*
 * export drops every capability after loading: /proc/self/status says so,
 * a BPF map opened before can still be read, a new one cannot be made.
 * Needs root (skipped otherwise); each case runs in a child, which keeps
 * the test runner's own capabilities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>

#include "export/caps.h"

static int child_status(pid_t p)
{
	int st;

	assert_int_equal(waitpid(p, &st, 0), p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* In the child: 0 if all is as expected, else the number of the failed check. */
static int drop_and_check(void)
{
	static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	unsigned long long mask, before;
	uint32_t key = 0;
	uint64_t val = 42, got = 0;
	char err[256];
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "caps_test", sizeof(key), sizeof(val), 1,
				NULL);

	if (fd < 0 || bpf_map_update_elem(fd, &key, &val, BPF_ANY))
		return 1;
	if (caps_read_status("CapEff", &before) || !before)
		return 2;
	if (caps_drop_all(err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (caps_read_status(sets[i], &mask) || mask) {
			fprintf(stderr, "%s: %llx\n", sets[i], mask);
			return 10 + (int)i;
		}
	}
	if (caps_read_status("NoNewPrivs", &mask) || mask != 1)
		return 4;
	/* what export still does: read the maps it opened */
	if (bpf_map_lookup_elem(fd, &key, &got) || got != 42)
		return 5;
	/* what it can no longer do */
	if (bpf_map_create(BPF_MAP_TYPE_ARRAY, "caps_test2", sizeof(key), sizeof(val), 1,
			   NULL) >= 0)
		return 6;
	return 0;
}

static void test_drop_all(void **state)
{
	pid_t p;

	(void)state;
	if (geteuid())
		skip();
	p = fork();
	if (!p)
		_exit(drop_and_check());
	assert_int_equal(child_status(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
