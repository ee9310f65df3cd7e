// SPDX-License-Identifier: GPL-2.0
/*
 * with-pid PID CMD [ARG...]: run CMD as process PID, wait for it and exit
 * with its status (128+N if a signal N ended it). The test of pid reuse
 * needs a new guest under the pid of one that exited; clone3()'s set_tid
 * hands out exactly that pid (root, no CONFIG_CHECKPOINT_RESTORE needed).
 * Exit status 2 on bad usage, 1 if PID cannot be had (EEXIST: in use).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long want = argc > 2 ? strtol(argv[1], &end, 10) : 0;

	if (argc < 3 || *end || want < 2) {
		fprintf(stderr, "usage: with-pid PID CMD [ARG...]\n");
		return 2;
	}
	pid_t tid = want;
	struct clone_args ca = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));

	if (pid < 0) {
		fprintf(stderr, "with-pid: cannot start a process as pid %ld: %s\n", want,
			strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "with-pid: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st;

	/* Signals meant for the command reach it; this process only waits. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
