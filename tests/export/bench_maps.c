// SPDX-License-Identifier: GPL-2.0
/*
 * The map-reading part of a refresh: the counts of G guests x V vcpus in
 * the real maps of bpf/kvmslb.bpf.c (loaded, not attached; filled from
 * userspace with what its programs would have counted), read into an agg
 * by core/bpf_source.c's reader, in CPU time of the reading thread.
 *
 *   bench_maps G V RUNS     prints maps_keys=, maps_read_ms= (median), ncpus=
 *
 * It knows the maps' keys (include/kvmslb/maps.h): a change of their layout
 * changes fill_maps() below, nothing else. Needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpf_source.h"
#include "kvmslb.skel.h"
#include "bench_data.h"

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

/* Fill the real maps with what the BPF programs would count for the guests. */
static int fill_maps(struct kvmslb_bpf *skel, unsigned int g, unsigned int v)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *cv = calloc(ncpus, sizeof(*cv));
	struct kvmslb_hist_val *hv = calloc(ncpus, sizeof(*hv));
	int counts = bpf_map__fd(skel->maps.counts), hists = bpf_map__fd(skel->maps.hists);
	unsigned int units = v ? v : 1;

	for (unsigned int i = 0; i < g; i++) {
		for (unsigned int u = 0; u < units; u++) {
			uint32_t tid = v ? AGG_VCPU_ID(u) : 0;
			struct kvmslb_count_key ck = { .tgid = BENCH_PID0 + i, .tid = tid,
						       .kind = KVMSLB_CNT_SEGMENT };

			ck.code = 0x380;
			cv[0] = 100 + i + u;
			if (bpf_map_update_elem(counts, &ck, cv, BPF_ANY))
				return -errno;
			ck.code = 0x480;
			cv[0] = 50 + i + u;
			if (bpf_map_update_elem(counts, &ck, cv, BPF_ANY))
				return -errno;
			for (int p = 0; p < BENCH_NPATHS; p++) {
				struct kvmslb_hist_key hk = { .tgid = BENCH_PID0 + i, .tid = tid,
							      .trap = bench_paths[p].trap,
							      .outcome = bench_paths[p].outcome };
				struct log2_hist h;

				bench_hist(i, u, p, &h);
				memcpy(hv[0].slots, h.slots, sizeof(hv[0].slots));
				hv[0].count = h.count;
				hv[0].sum_ns = h.sum_ns;
				hv[0].max_ns = h.max_ns;
				if (bpf_map_update_elem(hists, &hk, hv, BPF_ANY))
					return -errno;
			}
		}
	}
	free(cv);
	free(hv);
	return 0;
}

/* The cost of reading the counts from the maps into an agg (core/bpf_source.c). */
static int bench_maps(unsigned int g, unsigned int v, int runs)
{
	unsigned int units = g * (v ? v : 1);
	double *t = calloc(runs, sizeof(double));
	struct kvmslb_bpf *skel = kvmslb_bpf__open();
	struct bpf_program *prog;
	struct agg a;
	int err;

	if (!skel) {
		perror("bench_export: opening the BPF object");
		return 1;
	}
	/* only the maps: sized for the data (sizing them is the source's job) */
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries(skel->maps.counts, 2 * units + 64);
	bpf_map__set_max_entries(skel->maps.hists, BENCH_NPATHS * units + 64);
	err = kvmslb_bpf__load(skel);
	if (!err)
		err = fill_maps(skel, g, v);
	if (err) {
		fprintf(stderr, "bench_export: BPF maps: %s\n", strerror(-err));
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		double t0;

		agg_init(&a);
		t0 = cpu_ms();
		err = bpf_maps_read(bpf_map__fd(skel->maps.counts), bpf_map__fd(skel->maps.hists),
				    bpf_map__fd(skel->maps.stats), &a);
		t[i] = cpu_ms() - t0;
		if (err || a.nguests != (int)g) {
			fprintf(stderr, "bench_export: read %d guests of %u: %s\n", a.nguests, g,
				strerror(-err));
			return 1;
		}
		agg_free(&a);
	}
	qsort(t, runs, sizeof(*t), cmp_double);
	printf("maps_keys=%u\nmaps_read_ms=%.3f\nncpus=%d\n", units * (2 + BENCH_NPATHS),
	       t[runs / 2], libbpf_num_possible_cpus());
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
	return bench_maps((unsigned int)atoi(argv[1]), (unsigned int)atoi(argv[2]),
			  runs > 0 ? runs : 1);
}
