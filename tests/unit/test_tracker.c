// SPDX-License-Identifier: GPL-2.0
/*
 * The guest tracker on real processes (the pidfd path): a guest is named
 * from its real /proc command line, and its exit is seen without reading
 * /proc again. (tests/unit/test_agg.c covers a fake /proc root.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/tracker.h"

/* A process that stops itself, with QEMU's -name in its command line. */
static pid_t guest_process(const char *name_opt)
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		execl("/bin/sh", "sh", "-c", "kill -STOP $$", "qemu-system-ppc64", "-name",
		      name_opt, (char *)NULL);
		_exit(127);
	}
	assert_true(p > 0);
	assert_int_equal(waitpid(p, &st, WUNTRACED), p);
	assert_true(WIFSTOPPED(st));
	return p;
}

static void poll_once(struct tracker *t, struct agg *raw, struct agg *view, struct agg *prev,
		      uint32_t tgid, uint64_t hdsi)
{
	agg_exit(raw, tgid, 0, 0xe00, hdsi);
	assert_int_equal(tracker_update(t, raw, view), 0);
	agg_free(prev);
	*prev = *view;
	agg_init(view);
}

static void test_pidfd_exit(void **state)
{
	/* an invalid byte in -name becomes U+FFFD */
	pid_t p = guest_process("guest=vm\xff-1,debug-threads=on");
	const struct guest_ident *id;
	struct agg raw, view, prev;
	struct tracker t;

	(void)state;
	tracker_init(&t, "");
	assert_true(t.epfd >= 0);
	agg_init(&raw);
	agg_init(&view);
	agg_init(&prev);
	poll_once(&t, &raw, &view, &prev, (uint32_t)p, 4);
	id = tracker_ident(&t, (uint32_t)p);
	assert_non_null(id);
	assert_string_equal(id->name, "vm\xef\xbf\xbd-1");
	assert_int_equal(id->from, NAME_QEMU_GUEST);
	assert_true(id->alive);
	assert_true(t.g[0].pidfd >= 0);

	/* exits (and is reaped): the next poll knows, counts stay */
	kill(p, SIGKILL);
	assert_int_equal(waitpid(p, NULL, 0), p);
	poll_once(&t, &raw, &view, &prev, (uint32_t)p, 4);
	id = tracker_ident(&t, (uint32_t)p);
	assert_false(id->alive);
	assert_int_equal(t.g[0].pidfd, -1);
	assert_string_equal(id->name, "vm\xef\xbf\xbd-1");
	assert_int_equal(agg_find(&prev, (uint32_t)p)->total.c.hdsi, 4);
	assert_int_equal(t.nretired, 0);

	agg_free(&prev);
	tracker_free(&t);
}

/* A zombie (exited, not reaped yet) is exited, though /proc still has it. */
static void test_zombie_is_exited(void **state)
{
	pid_t p = guest_process("guest=zombie");
	struct agg raw, view, prev;
	struct tracker t;

	(void)state;
	tracker_init(&t, "");
	agg_init(&raw);
	agg_init(&view);
	agg_init(&prev);
	poll_once(&t, &raw, &view, &prev, (uint32_t)p, 1);
	assert_true(tracker_ident(&t, (uint32_t)p)->alive);
	kill(p, SIGKILL);
	/* wait for the exit without reaping it */
	assert_int_equal(waitid(P_PID, (id_t)p, &(siginfo_t){ 0 }, WEXITED | WNOWAIT), 0);
	poll_once(&t, &raw, &view, &prev, (uint32_t)p, 2);
	assert_false(tracker_ident(&t, (uint32_t)p)->alive);
	poll_once(&t, &raw, &view, &prev, (uint32_t)p, 3);
	assert_false(tracker_ident(&t, (uint32_t)p)->alive);
	assert_int_equal(waitpid(p, NULL, 0), p);
	agg_free(&prev);
	tracker_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfd_exit),
		cmocka_unit_test(test_zombie_is_exited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
