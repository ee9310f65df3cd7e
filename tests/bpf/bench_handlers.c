// SPDX-License-Identifier: GPL-2.0
/*
 * Per-event cost of kvmslb's BPF handlers against an empty raw_tp program,
 * measured in the same run with bpf_enable_stats (run_time_ns / run_cnt of
 * each program). Every program is attached ALONE to kmem:mm_page_alloc in
 * short slices, in turn, many times over: each sees the same call path and
 * the same machine load, and none pays or profits from running first or
 * after another in a chain of programs.
 *
 * The driver is mmap(MAP_POPULATE) of 4 MB: 1024 page allocations in a row
 * inside one system call, so events come back to back in the kernel as
 * exits do on a busy host. (A system call per event, e.g. getppid() on
 * raw_syscalls:sys_enter, measures this virtual machine instead: its
 * hypervisor refills the TLB at each system call, and every page a program
 * touches costs it some 30 ns, more than the empty program itself.)
 *   bench_handlers [SECONDS]
 * Counts and histograms go to a per-CPU cache slot first, the hash maps when
 * another key holds the slot (include/kvmslb/maps.h). Each program is
 * measured both ways: before each of its slices, the caches are cleared
 * (its keys take their slots: the common path) or every slot is given to a
 * key no event has (the hash maps: the path of a CPU whose cache is full).
 *   bench_handlers [SECONDS]
 * Prints one "bench <handler> runs=N ns_per_event=X ratio=Y" line per
 * handler and path (handler, or handler:hash). page_fault is an enter and
 * an exit in one run (two tracepoint hits in the kernel, two dispatches):
 * its figures are per hit, with the second hit's dispatch (an empty
 * program's run) added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bpf_test.h"
#include "standin.skel.h"

#define SLICE_S 0.05

struct bench {
	const char *name;
	struct bpf_program *prog;
	int hits;	/* tracepoint hits per run */
	bool hash;	/* the caches blocked: the hash maps */
	unsigned long long ns, cnt;
};

/* Every slot of a per-CPU cache set to 'key' on every CPU (0: free). */
static int cache_fill(const struct bpf_map *cache, unsigned long long key)
{
	size_t stride = (bpf_map__value_size(cache) + 7) & ~7UL;
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	char *buf = calloc(ncpus, stride);

	if (!buf)
		return -ENOMEM;
	for (int c = 0; c < ncpus; c++)
		memcpy(buf + c * stride, &key, sizeof(key));
	for (unsigned int i = 0; i < bpf_map__max_entries(cache) && !err; i++)
		if (bpf_map_update_elem(bpf_map__fd(cache), &i, buf, 0))
			err = -errno;
	free(buf);
	return err;
}

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

#define POPULATE (4 << 20)

/* Each program alone on mm_page_alloc for SLICE_S, in turn, until 'secs' are over. */
static int run_slices(struct standin_bpf *s, struct bench *b, int n, double secs, int *rounds,
		      unsigned long *loops)
{
	double end = now_s() + secs;

	for (*rounds = 0; now_s() < end; (*rounds)++) {
		for (int k = 0; k < n; k++) {
			/* a different program first each round */
			int i = (k + *rounds) % n;
			unsigned long long ns0, cnt0, ns1, cnt1;
			unsigned long long fill = b[i].hash ? ~0ULL : 0;
			struct bpf_link *l;
			double stop;

			if (cache_fill(s->maps.count_cache, fill) ||
			    cache_fill(s->maps.hist_cache, fill)) {
				fprintf(stderr, "bench: setting the caches failed\n");
				return -1;
			}
			/* a program's two paths share it: its statistics are per slice */
			if (prog_stats(b[i].prog, &ns0, &cnt0))
				return -1;
			l = bpf_program__attach(b[i].prog);
			if (!l) {
				fprintf(stderr, "bench: attaching %s to kmem:mm_page_alloc "
					"failed: %s\n", b[i].name, strerror(errno));
				return -1;
			}
			stop = now_s() + SLICE_S;
			while (now_s() < stop) {
				void *m = mmap(NULL, POPULATE, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

				if (m == MAP_FAILED) {
					fprintf(stderr, "bench: mmap: %s\n", strerror(errno));
					bpf_link__destroy(l);
					return -1;
				}
				munmap(m, POPULATE);
				*loops += POPULATE / 4096;
			}
			bpf_link__destroy(l);
			if (prog_stats(b[i].prog, &ns1, &cnt1))
				return -1;
			b[i].ns += ns1 - ns0;
			b[i].cnt += cnt1 - cnt0;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0, base = 0;
	unsigned long loops = 0;
	struct standin_bpf *s;
	struct bpf_program *p;
	struct bench b[16];
	int n = 0, stats_fd, err = 1, rounds = 0;

	bpft_quiet_libbpf();
	s = standin_bpf__open();
	if (!s) {
		fprintf(stderr, "bench: opening the stand-in object failed\n");
		return 1;
	}
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__name(p), "bench_", 6));
	if (standin_bpf__load(s)) {
		fprintf(stderr, "bench: loading failed\n");
		goto out;
	}
#define B(nm, pr, h) (b[n++] = (struct bench){ nm, s->progs.pr, h, false, 0, 0 })
#define H(nm, pr, h) (b[n++] = (struct bench){ nm ":hash", s->progs.pr, h, true, 0, 0 })
	B("empty", bench_empty, 1);
	B("hfault", bench_hfault, 1);
	B("hfault_v1", bench_hfault_v1, 1);
	B("segment", bench_segment, 1);
	B("segment_v1", bench_segment_v1, 1);
	B("guest_exit", bench_exit, 1);
	B("guest_exit_btf", bench_exit_vcpu, 1);
	B("page_fault", bench_page_fault, 2);
	H("hfault", bench_hfault, 1);
	H("hfault_v1", bench_hfault_v1, 1);
	H("segment_v1", bench_segment_v1, 1);
	H("guest_exit", bench_exit, 1);
	H("guest_exit_btf", bench_exit_vcpu, 1);
	H("page_fault", bench_page_fault, 2);
#undef B
#undef H
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "bench: bpf_enable_stats failed: %s\n", strerror(errno));
		goto out;
	}
	if (run_slices(s, b, n, secs, &rounds, &loops))
		goto out_stats;
	printf("# %lu pages populated in %.1f s, %d rounds of %.0f ms per program\n", loops,
	       secs, rounds, SLICE_S * 1000);
	for (int i = 0; i < n; i++) {
		double per;

		if (!b[i].cnt) {
			fprintf(stderr, "bench: no run statistics for %s\n", b[i].name);
			goto out_stats;
		}
		per = ((double)b[i].ns / b[i].cnt + base * (b[i].hits - 1)) / b[i].hits;
		if (!i)
			base = per;
		printf("bench %s runs=%llu ns_per_event=%.1f ratio=%.2f\n", b[i].name, b[i].cnt,
		       per, per / base);
	}
	err = 0;
out_stats:
	close(stats_fd);
out:
	standin_bpf__destroy(s);
	return err;
}
