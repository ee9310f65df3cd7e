// SPDX-License-Identifier: GPL-2.0
/*
 * Per-event cost of kvmslb's real BPF handlers against an empty raw_tp
 * program, all attached to raw_syscalls:sys_enter at once and driven by a
 * tight getppid() loop, measured in the same run with bpf_enable_stats
 * (run_time_ns / run_cnt of each program).
 *   bench_handlers [SECONDS]
 * Prints one "bench <program> ns_per_event=X ratio=Y" line per handler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bpf_test.h"
#include "standin.skel.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int prog_stats(const struct bpf_program *p, unsigned long long *ns,
		      unsigned long long *cnt)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0, end;
	struct standin_bpf *s;
	struct bpf_program *progs[4];
	const char *names[] = { "empty", "hfault", "segment", "guest_exit" };
	unsigned long long ns[4], cnt[4];
	int stats_fd, err = 1;
	unsigned long loops = 0;

	bpft_quiet_libbpf();
	s = standin_bpf__open();
	if (!s) {
		fprintf(stderr, "bench: opening the stand-in object failed\n");
		return 1;
	}
	bpf_program__set_autoload(s->progs.standin_segment, false);
	if (standin_bpf__load(s)) {
		fprintf(stderr, "bench: loading failed\n");
		goto out;
	}
	progs[0] = s->progs.bench_empty;
	progs[1] = s->progs.bench_hfault;
	progs[2] = s->progs.bench_segment;
	progs[3] = s->progs.bench_exit;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "bench: bpf_enable_stats failed: %s\n", strerror(errno));
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		if (!bpf_program__attach(progs[i])) {
			fprintf(stderr, "bench: attaching %s to raw_syscalls:sys_enter failed: %s\n",
				names[i], strerror(errno));
			goto out_stats;
		}
	}
	end = now_s() + secs;
	while (now_s() < end) {
		for (int i = 0; i < 10000; i++)
			syscall(SYS_getppid);
		loops += 10000;
	}
	for (int i = 0; i < 4; i++) {
		if (prog_stats(progs[i], &ns[i], &cnt[i]) || !cnt[i]) {
			fprintf(stderr, "bench: no run statistics for %s\n", names[i]);
			goto out_stats;
		}
	}
	printf("# %lu getppid() calls in %.1f s; every program saw each sys_enter\n", loops, secs);
	for (int i = 0; i < 4; i++) {
		double per = (double)ns[i] / cnt[i], base = (double)ns[0] / cnt[0];

		printf("bench %s runs=%llu ns_per_event=%.1f ratio=%.2f\n", names[i], cnt[i], per,
		       per / base);
	}
	err = 0;
out_stats:
	close(stats_fd);
out:
	standin_bpf__destroy(s);	/* detaches */
	return err;
}
