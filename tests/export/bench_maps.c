// SPDX-License-Identifier: GPL-2.0
/*
 * The map-reading part of a refresh: the counts of G guests x V vcpus in
 * the real maps of bpf/kvmslb.bpf.c (loaded, not attached; filled from
 * userspace with what its programs would have counted), read into an agg
 * by core/bpf_source.c's reader, in CPU time of the reading thread.
 *
 *   bench_maps G V RUNS     prints maps_keys=, maps_read_ms= (median: as export
 *                           reads, per-vcpu counters, histograms per guest),
 *                           maps_read_vcpus_ms= (as stat and top read V > 0:
 *                           per-vcpu histograms too), maps_copy_ms= (the
 *                           floor: every word of the slots taken read
 *                           once, in place), ncpus=, stat_interval_ms=
 *                           (stat INTERVAL: read, diff; stat -j --per-vcpu
 *                           INTERVAL, one histogram a vcpu:
 *                           stat_interval_vcpus_ms=; text, one a vcpu's
 *                           path: stat_interval_vcpu_paths_ms=), and
 *                           printing such an interval as stat does, to
 *                           /dev/null: stat_print_vcpus_ms= (JSON),
 *                           stat_print_vcpu_paths_ms= (text); top_refresh_ms=
 *
 * It knows the maps' keys (include/kvmslb/maps.h): a change of their layout
 * changes bench_fill_maps() (bench_bpf.h), nothing else. Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpf_source.h"
#include "kvmslb.skel.h"
#include "bench_data.h"
#include "bench_bpf.h"
#include "top/rows.h"
#include "top/trend.h"
#include "view/agg_view.h"
#include "kvmslb.h"

struct kvmslb_global kvmslb_g = { .prog = "bench_maps" };

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Reading every word of each slot in place once, nothing else. */
static int touch_slots(const struct bpf_map_fds *fds, volatile __u64 *sink)
{
	const struct { int fd; struct slot_map *m; __u32 which; size_t size; } arr[2] = {
		{ fds->hist_vals, fds->hist_map, KVMSLB_ALLOC_HIST, sizeof(struct kvmslb_hist_slot) },
		{ fds->vcpu_seg, fds->vcpu_map, KVMSLB_ALLOC_VCPU, sizeof(struct kvmslb_vcpu_slot) },
	};
	uint64_t sum = 0;

	for (int a = 0; a < 2; a++) {
		const uint64_t *w;
		uint64_t n;
		int err;

		if (bpf_map_lookup_elem(fds->slot_alloc, &arr[a].which, &n))
			return -errno;
		err = slot_map_get(arr[a].m, arr[a].fd, arr[a].size, &n, (const void **)&w);
		if (err)
			return err;
		for (uint64_t i = 0; i < n * arr[a].size / sizeof(*w); i++)
			sum += w[i];
	}
	*sink = sum;
	return 0;
}

/* One read into an empty agg, in ms of CPU; -1 on failure. */
static double read_once(const struct bpf_map_fds *fds, enum bpf_read_units mode,
			unsigned int g, unsigned int v)
{
	struct agg a;
	double t0, t;
	int err;

	agg_init(&a);
	t0 = cpu_ms();
	err = bpf_maps_read(fds, mode, &a);
	t = cpu_ms() - t0;
	if (err || a.nguests != (int)g || a.guests[0].nvcpus != (int)v) {
		fprintf(stderr, "bench_export: read %d guests of %u: %s\n", a.nguests, g,
			strerror(-err));
		t = -1;
	}
	agg_free(&a);
	return t;
}

static const struct guest_ident *no_ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	(void)tgid;
	return NULL;
}

/*
 * top's refresh as src/top/loop.c does it, but the tracker (export's
 * refresh measures it) and the screen: the read (a histogram a vcpu: the
 * drill-down shows p99 and max per vcpu), the rows with rates against the
 * previous view, sorted, the trends; the view then becomes the previous
 * one (moved). In ms of CPU; -1 on failure.
 */
static double top_once(const struct bpf_map_fds *fds, struct agg *prev, struct top_trends *tr,
		       unsigned int g)
{
	struct top_filter flt = { 0 };
	struct top_row *rows = NULL;
	struct agg cur;
	double t0, t;
	int n;

	agg_init(&cur);
	t0 = cpu_ms();
	n = bpf_maps_read(fds, BPF_READ_VCPU_LATENCY, &cur);
	if (!n)
		n = top_rows_build(&cur, prev, NULL, 1.0, no_ident, NULL, &flt, &rows);
	if (n >= 0)
		top_rows_sort(rows, n, SORT_SEG_RATE, false);
	if (n >= 0 && top_trends_push(tr, &cur, prev, 1.0, true))
		n = -ENOMEM;
	agg_free(prev);
	*prev = cur;
	t = cpu_ms() - t0;
	free(rows);
	if (n != (int)g) {
		fprintf(stderr, "bench_export: top's rows: %d of %u guests\n", n, g);
		return -1;
	}
	return t;
}

/*
 * An interval printed as kvmslb stat --per-vcpu prints it (src/view), to
 * /dev/null, in ms of CPU: every guest's and vcpu's lines, or its JSON.
 */
static double print_once(const struct agg *d, bool json)
{
	struct view_opts vo = { .kind = SOURCE_PATCHED, .per_vcpu = true };
	int null = open("/dev/null", O_WRONLY), saved = dup(STDOUT_FILENO);
	double t0, t;

	fflush(stdout);
	if (null < 0 || saved < 0 || dup2(null, STDOUT_FILENO) < 0)
		return -1;
	kvmslb_g.json = json;
	t0 = cpu_ms();
	view_report(&vo, d, "interval", 1, 1.0, false);
	fflush(stdout);
	t = cpu_ms() - t0;
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	return t;
}

/*
 * stat's interval (kvmslb stat INTERVAL COUNT) as cmd_stat.c does it but
 * the tracker and the printing: the read, the interval (this view minus
 * the one shown last), which then becomes the one shown (moved). Every
 * vcpu moved since the last (bench_bump_maps): none is left out of the
 * interval as idle. In ms of CPU; -1 on failure.
 */
static double stat_once(const struct bpf_map_fds *fds, enum bpf_read_units mode,
			struct agg *shown, double *print_ms)
{
	struct agg cur, d;
	double t0, t;
	int err;

	agg_init(&cur);
	agg_init(&d);
	t0 = cpu_ms();
	err = bpf_maps_read(fds, mode, &cur);
	if (!err)
		err = agg_diff(&d, &cur, shown);
	agg_free(shown);
	*shown = cur;
	t = cpu_ms() - t0;
	if (!err && print_ms)
		*print_ms = print_once(&d, mode == BPF_READ_VCPU_LATENCY);
	agg_free(&d);
	return err ? -1 : t;
}

/* The cost of reading the counts from the maps into an agg (core/bpf_source.c). */
static int bench_maps(unsigned int g, unsigned int v, int runs)
{
	unsigned int units = g * (v ? v : 1);
	double *t = calloc(runs, sizeof(double)), *tc = calloc(runs, sizeof(double));
	double *tv = calloc(runs, sizeof(double)), *tt = calloc(runs + 1, sizeof(double));
	struct top_trends trends = { 0 };
	double *ts = calloc(runs + 1, sizeof(double)), *tg = calloc(runs + 1, sizeof(double));
	double *tp = calloc(runs + 1, sizeof(double)), print[2] = { 0 };
	struct agg prev, shown;
	struct kvmslb_bpf *skel = bench_maps_load(g, v);
	struct bpf_map_fds fds;
	struct slot_map hmap, vmap;
	volatile __u64 sink;
	int err;

	/* only the maps, sized for the data (sizing them is the source's job) */
	if (!skel)
		return 1;
	err = bench_fill_maps(skel, g, v, NULL);
	if (err) {
		fprintf(stderr, "bench_export: BPF maps: %s\n", strerror(-err));
		return 1;
	}
	/* kept from read to read, as bpf_source keeps them */
	fds = bench_map_fds(skel, &hmap, &vmap);
	agg_init(&prev);
	/* the first refresh has no previous view: not counted */
	for (int i = -1; v && i < runs; i++) {
		tt[i + 1] = top_once(&fds, &prev, &trends, g);
		if (tt[i + 1] < 0)
			return 1;
	}
	agg_free(&prev);
	top_trends_free(&trends);
	/* stat's intervals: without --per-vcpu, with it in JSON, in text */
	for (int pv = 0; pv < (v ? 3 : 1); pv++) {
		static const enum bpf_read_units mode[3] = {
			BPF_READ_GUESTS, BPF_READ_VCPU_LATENCY, BPF_READ_VCPUS,
		};
		double *x = pv == 2 ? tp : pv ? ts : tg;

		agg_init(&shown);
		for (int i = -1; i < runs; i++) {
			/* every vcpu moved during the interval (not timed) */
			if (bench_bump_maps(skel)) {
				fprintf(stderr, "bench_export: updating the maps failed\n");
				return 1;
			}
			x[i + 1] = stat_once(&fds, mode[pv], &shown,
					     i == runs - 1 && pv ? &print[pv - 1] : NULL);
			if (x[i + 1] < 0)
				return 1;
		}
		agg_free(&shown);
		qsort(x + 1, runs, sizeof(*x), cmp_double);
	}
	for (int i = 0; i < runs; i++) {
		double t0;

		t[i] = read_once(&fds, v ? BPF_READ_VCPU_COUNTS : BPF_READ_GUESTS, g, v);
		tv[i] = read_once(&fds, v ? BPF_READ_VCPUS : BPF_READ_GUESTS, g, v);
		if (t[i] < 0 || tv[i] < 0)
			return 1;
		t0 = cpu_ms();
		err = touch_slots(&fds, &sink);
		tc[i] = cpu_ms() - t0;
		if (err) {
			fprintf(stderr, "bench_export: copying the maps: %s\n", strerror(-err));
			return 1;
		}
	}
	qsort(t, runs, sizeof(*t), cmp_double);
	qsort(tc, runs, sizeof(*tc), cmp_double);
	qsort(tv, runs, sizeof(*tv), cmp_double);
	qsort(tt + 1, runs, sizeof(*tt), cmp_double);
	printf("maps_keys=%u\nmaps_read_ms=%.3f\nmaps_read_vcpus_ms=%.3f\nmaps_copy_ms=%.3f\n"
	       "ncpus=%d\n", units * (1 + BENCH_NPATHS), t[runs / 2], tv[runs / 2], tc[runs / 2],
	       libbpf_num_possible_cpus());
	printf("stat_interval_ms=%.3f\n", tg[1 + runs / 2]);
	if (v)
		printf("top_refresh_ms=%.3f\nstat_interval_vcpus_ms=%.3f\n"
		       "stat_interval_vcpu_paths_ms=%.3f\nstat_print_vcpus_ms=%.3f\n"
		       "stat_print_vcpu_paths_ms=%.3f\n", tt[1 + runs / 2], ts[1 + runs / 2],
		       tp[1 + runs / 2], print[0], print[1]);
	free(tc);
	free(tv);
	free(tt);
	free(ts);
	free(tg);
	free(tp);
	slot_map_free(&hmap);
	slot_map_free(&vmap);
	kvmslb_bpf__destroy(skel);
	return 0;
}

int main(int argc, char **argv)
{
	int runs;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_maps GUESTS VCPUS RUNS\n");
		return 2;
	}
	runs = atoi(argv[3]);
	libbpf_set_print(NULL);
	agg_keep_heap();	/* as collector_open() does */
	return bench_maps((unsigned int)atoi(argv[1]), (unsigned int)atoi(argv[2]),
			  runs > 0 ? runs : 1);
}
