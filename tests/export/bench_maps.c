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
 *                           floor: vcpu_seg copied out of the kernel, each
 *                           histogram read in place once), ncpus=
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
 * (series v2: keys per vcpu, segment counts in vcpu_seg, histograms in
 * place in hist_vals, their slots in hist_idx; the per-CPU caches left
 * empty, as on a host with more vcpus than cache slots). VCPUS 0: one vcpu
 * per guest, read whole.
 */
static int fill_maps(struct kvmslb_bpf *skel, unsigned int g, unsigned int v)
{
	int vcpu_seg = bpf_map__fd(skel->maps.vcpu_seg), vals = bpf_map__fd(skel->maps.hist_vals);
	int idx = bpf_map__fd(skel->maps.hist_idx), alloc = bpf_map__fd(skel->maps.hist_alloc);
	unsigned int units = v ? v : 1, total = g * units * BENCH_NPATHS, n = 0;
	__u32 zero = 0;
	__u64 next = total;

	for (unsigned int i = 0; i < g; i++) {
		for (unsigned int u = 0; u < units; u++) {
			struct kvmslb_vcpu_key vk = { .vm = BENCH_PID0 + i, .vcpu_id = u };
			struct kvmslb_vcpu_seg vs = { 0 };

			vs.n[0][KVMSLB_SEG_REAL] = vs.last_dsegi = 100 + i + u;
			vs.n[1][KVMSLB_SEG_REAL] = vs.last_isegi = 50 + i + u;
			if (bpf_map_update_elem(vcpu_seg, &vk, &vs, BPF_ANY))
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
	return bpf_map_update_elem(alloc, &zero, &next, BPF_ANY) ? -errno : 0;
}

/* Copying every entry of a hash map out of the kernel, nothing else. */
static int copy_map(int fd, size_t ksz, size_t vsz)
{
	__u32 batch = 128 * 1024 / (ksz + vsz);
	char *keys = malloc(batch * ksz), *vals = malloc(batch * vsz);
	uint64_t token = 0;
	bool first = true;
	int r = 0;

	while (keys && vals) {
		__u32 n = batch;

		r = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &n, NULL);
		first = false;
		if (r < 0) {
			r = errno == ENOENT ? 0 : -errno;
			break;
		}
	}
	free(keys);
	free(vals);
	return r;
}

/* Reading each histogram in place once (its 36 words), nothing else. */
static int touch_slots(const struct bpf_map_fds *fds, volatile __u64 *sink)
{
	const struct kvmslb_hist_slot *slots;
	uint64_t n, sum = 0;
	__u32 zero = 0;
	int err;

	if (bpf_map_lookup_elem(fds->hist_alloc, &zero, &n))
		return -errno;
	err = hist_map_slots(fds->hist_map, fds->hist_vals, &n, &slots);
	for (uint64_t i = 0; !err && i < n; i++) {
		sum += slots[i].key + slots[i].v.sum_ns + slots[i].v.max_ns;
		for (int k = 0; k < KVMSLB_HIST_SLOTS; k++)
			sum += slots[i].v.slots[k];
	}
	*sink = sum;
	return err;
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
	struct hist_map hmap;
	volatile __u64 sink;
	int err;

	hist_map_init(&hmap);
	if (!skel) {
		perror("bench_export: opening the BPF object");
		return 1;
	}
	/* only the maps: sized for the data (sizing them is the source's job) */
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries(skel->maps.vcpu_seg, units + 64);
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
		.hist_alloc = bpf_map__fd(skel->maps.hist_alloc),
		.hist_map = &hmap,	/* kept from read to read, as bpf_source keeps it */
	};
	for (int i = 0; i < runs; i++) {
		double t0;

		t[i] = read_once(&fds, v ? BPF_READ_VCPU_COUNTS : BPF_READ_GUESTS, g, v);
		tv[i] = read_once(&fds, v ? BPF_READ_VCPUS : BPF_READ_GUESTS, g, v);
		if (t[i] < 0 || tv[i] < 0)
			return 1;
		t0 = cpu_ms();
		err = copy_map(fds.vcpu_seg, sizeof(struct kvmslb_vcpu_key),
			       sizeof(struct kvmslb_vcpu_seg));
		if (!err)
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
	hist_map_free(&hmap);
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
