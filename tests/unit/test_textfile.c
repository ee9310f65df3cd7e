// SPDX-License-Identifier: GPL-2.0
/*
 * The node_exporter textfile writer: replaced atomically, and a full disk
 * reported as such (a tiny tmpfs in a private mount namespace: needs
 * root, skipped otherwise), with no temporary file left behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "export/textfile.h"

static void test_replaced(void **state)
{
	char dir[] = "/tmp/kvmslb-textfile-XXXXXX", path[128], tmp[160], buf[64], err[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kvmslb.prom", dir);
	assert_int_equal(textfile_write(path, "a 1\n", 4, err, sizeof(err)), 0);
	assert_int_equal(textfile_write(path, "a 2\n", 4, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "a 2\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);
	/* a directory that does not exist: the reason, and nothing left */
	snprintf(path, sizeof(path), "%s/no/such/dir.prom", dir);
	assert_int_not_equal(textfile_write(path, "a 1\n", 4, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "No such file or directory"));
	unlink(tmp);
	snprintf(path, sizeof(path), "%s/kvmslb.prom", dir);
	unlink(path);
	rmdir(dir);
}

/* In a child with its own mounts: 0, or the number of the failed check. */
static int full_disk(const char *dir)
{
	char path[128], tmp[160], err[512];
	size_t len = 256 * 1024;
	char *data = malloc(len);
	int ret;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 1;
	if (mount("kvmslb-test", dir, "tmpfs", 0, "size=64k"))
		return 2;
	memset(data, 'x', len);
	snprintf(path, sizeof(path), "%s/kvmslb.prom", dir);
	ret = textfile_write(path, data, len, err, sizeof(err));
	fprintf(stderr, "# %s\n", err);
	if (ret != -28 /* ENOSPC */ || !strstr(err, "No space left on device") ||
	    !strstr(err, path))
		return 3;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (!access(tmp, F_OK) || !access(path, F_OK))
		return 4;
	umount(dir);
	return 0;
}

static void test_enospc(void **state)
{
	char dir[] = "/tmp/kvmslb-full-XXXXXX";
	pid_t p;
	int st;

	(void)state;
	if (geteuid())
		skip();
	assert_non_null(mkdtemp(dir));
	p = fork();
	if (!p)
		_exit(full_disk(dir));
	assert_int_equal(waitpid(p, &st, 0), p);
	rmdir(dir);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replaced),
		cmocka_unit_test(test_enospc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
