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
 *                           once, in place), ncpus=
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

/*
 * The slot of hist_vals the n-th new key takes: keys appear as vcpus first
 * take each path, guests interleaved, so not in key order: a fixed
 * permutation of 0..total-1 (n * a mod total, a coprime to total).
 */
static __u32 slot_of(unsigned int n, unsigned int total)
{
	const __u64 a = 1000003;	/* a prime above any total here: coprime */

	return (__u32)((n * a) % total);
}

/*
 * Fill the real maps with what the BPF programs would count for the guests
 * (series v2: keys per vcpu; segment counts in place in vcpu_seg, their
 * slots in vcpu_idx; histograms in place in hist_vals, their slots in
 * hist_idx; the per-CPU caches left empty, as on a host with more vcpus
 * than cache slots). VCPUS 0: one vcpu per guest, read whole.
 */
static int fill_maps(struct kvmslb_bpf *skel, unsigned int g, unsigned int v)
{
	int vcpu_seg = bpf_map__fd(skel->maps.vcpu_seg), vals = bpf_map__fd(skel->maps.hist_vals);
	int idx = bpf_map__fd(skel->maps.hist_idx), alloc = bpf_map__fd(skel->maps.slot_alloc);
	int vidx = bpf_map__fd(skel->maps.vcpu_idx);
	unsigned int units = v ? v : 1, total = g * units * BENCH_NPATHS, n = 0, nv = 0;
	__u32 which[2] = { KVMSLB_ALLOC_HIST, KVMSLB_ALLOC_VCPU };
	__u64 next[2] = { total, g * units };

	for (unsigned int i = 0; i < g; i++) {
		for (unsigned int u = 0; u < units; u++) {
			struct kvmslb_vcpu_slot vs = { .key = { .vm = BENCH_PID0 + i, .vcpu_id = u } };
			__u32 vslot = slot_of(nv++, g * units);

			vs.seg.n[0][KVMSLB_SEG_REAL] = vs.seg.last_dsegi = 100 + i + u;
			vs.seg.n[1][KVMSLB_SEG_REAL] = vs.seg.last_isegi = 50 + i + u;
			if (bpf_map_update_elem(vcpu_seg, &vslot, &vs, BPF_ANY) ||
			    bpf_map_update_elem(vidx, &vs.key, &vslot, BPF_NOEXIST))
				return -errno;
			for (int p = 0; p < BENCH_NPATHS; p++) {
				__u64 hk = kvmslb_key(BENCH_PID0 + i, AGG_VCPU_ID(u),
						      bench_paths[p].trap, bench_paths[p].outcome);
				struct kvmslb_hist_slot hs = { .key = hk };
				__u32 slot = slot_of(n++, total);
				struct log2_hist h;

				bench_hist(i, u, p, &h);
				memcpy(hs.v.slots, h.slots, sizeof(hs.v.slots));
				hs.v.sum_ns = h.sum_ns;
				hs.v.max_ns = h.max_ns;
				if (bpf_map_update_elem(vals, &slot, &hs, BPF_ANY) ||
				    bpf_map_update_elem(idx, &hk, &slot, BPF_NOEXIST))
					return -errno;
			}
		}
	}
	for (int k = 0; k < 2; k++)
		if (bpf_map_update_elem(alloc, &which[k], &next[k], BPF_ANY))
			return -errno;
	return 0;
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

/* The cost of reading the counts from the maps into an agg (core/bpf_source.c). */
static int bench_maps(unsigned int g, unsigned int v, int runs)
{
	unsigned int units = g * (v ? v : 1);
	double *t = calloc(runs, sizeof(double)), *tc = calloc(runs, sizeof(double));
	double *tv = calloc(runs, sizeof(double));
	struct kvmslb_bpf *skel = kvmslb_bpf__open();
	struct bpf_program *prog;
	struct bpf_map_fds fds;
	struct slot_map hmap, vmap;
	volatile __u64 sink;
	int err;

	slot_map_init(&hmap);
	slot_map_init(&vmap);
	if (!skel) {
		perror("bench_export: opening the BPF object");
		return 1;
	}
	/* only the maps: sized for the data (sizing them is the source's job) */
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries(skel->maps.vcpu_seg, units + 64);
	bpf_map__set_max_entries(skel->maps.vcpu_idx, units + 64);
	bpf_map__set_max_entries(skel->maps.hists, BENCH_NPATHS * units + 64);
	bpf_map__set_max_entries(skel->maps.hist_vals, BENCH_NPATHS * units + 64);
	bpf_map__set_max_entries(skel->maps.hist_idx, BENCH_NPATHS * units + 64);
	err = kvmslb_bpf__load(skel);
	if (!err)
		err = fill_maps(skel, g, v);
	if (err) {
		fprintf(stderr, "bench_export: BPF maps: %s\n", strerror(-err));
		return 1;
	}
	fds = (struct bpf_map_fds){
		.counts = bpf_map__fd(skel->maps.counts), .hists = bpf_map__fd(skel->maps.hists),
		.stats = bpf_map__fd(skel->maps.stats),
		.count_cache = bpf_map__fd(skel->maps.count_cache),
		.vcpu_seg = bpf_map__fd(skel->maps.vcpu_seg),
		.hist_vals = bpf_map__fd(skel->maps.hist_vals),
		.slot_alloc = bpf_map__fd(skel->maps.slot_alloc),
		/* kept from read to read, as bpf_source keeps them */
		.hist_map = &hmap,
		.vcpu_map = &vmap,
	};
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
	printf("maps_keys=%u\nmaps_read_ms=%.3f\nmaps_read_vcpus_ms=%.3f\nmaps_copy_ms=%.3f\n"
	       "ncpus=%d\n", units * (1 + BENCH_NPATHS), t[runs / 2], tv[runs / 2], tc[runs / 2],
	       libbpf_num_possible_cpus());
	free(tc);
	free(tv);
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
