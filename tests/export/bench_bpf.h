/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_data.h's counts in the real BPF maps of bpf/kvmslb.bpf.c, as its
 * programs would have counted them: for the benchmarks that read maps
 * (bench_maps, bench_export serve). Knows the maps' layout
 * (include/kvmslb/maps.h).
 */
#ifndef KVMSLB_BENCH_BPF_H
#define KVMSLB_BENCH_BPF_H

#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpf_source.h"
#include "kvmslb/maps.h"
#include "kvmslb.skel.h"
#include "bench_data.h"

/*
 * The slot of hist_vals the n-th new key takes: keys appear as vcpus first
 * take each path, guests interleaved, so not in key order: a fixed
 * permutation of 0..total-1 (n * a mod total, a coprime to total).
 */
static inline __u32 slot_of(unsigned int n, unsigned int total)
{
	const __u64 a = 1000003;	/* a prime above any total here: coprime */

	return (__u32)((n * a) % total);
}

/*
 * Fill the real maps with what the BPF programs would count for the guests
 * (series v2: keys per vcpu; segment counts in place in vcpu_seg, their
 * slots in vcpu_idx; histograms in place in hist_vals, their slots in
 * hist_idx; the per-CPU caches left empty, as on a host with more vcpus
 * than cache slots). VCPUS 0: one vcpu per guest, read whole. Guest i is
 * process pids[i] (NULL: tgid). The counts are bench_agg()'s.
 */
static inline int bench_fill_maps(struct kvmslb_bpf *skel, unsigned int g, unsigned int v,
				  const uint32_t *pids)
{
	int vcpu_seg = bpf_map__fd(skel->maps.vcpu_seg), vals = bpf_map__fd(skel->maps.hist_vals);
	int idx = bpf_map__fd(skel->maps.hist_idx), alloc = bpf_map__fd(skel->maps.slot_alloc);
	int vidx = bpf_map__fd(skel->maps.vcpu_idx);
	unsigned int units = v ? v : 1, total = g * units * BENCH_NPATHS, n = 0, nv = 0;
	__u32 which[2] = { KVMSLB_ALLOC_HIST, KVMSLB_ALLOC_VCPU };
	__u64 next[2] = { total, g * units };

	for (unsigned int i = 0; i < g; i++) {
		uint32_t tgid = pids ? pids[i] : BENCH_PID0 + i;

		for (unsigned int u = 0; u < units; u++) {
			struct kvmslb_vcpu_slot vs = { .key = { .vm = tgid, .vcpu_id = u } };
			__u32 vslot = slot_of(nv++, g * units);

			vs.seg.n[0][KVMSLB_SEG_REAL] = vs.seg.last_dsegi = 100 + i + u;
			vs.seg.n[1][KVMSLB_SEG_REAL] = vs.seg.last_isegi = 50 + i + u;
			if (bpf_map_update_elem(vcpu_seg, &vslot, &vs, BPF_ANY) ||
			    bpf_map_update_elem(vidx, &vs.key, &vslot, BPF_NOEXIST))
				return -errno;
			for (int p = 0; p < BENCH_NPATHS; p++) {
				__u64 hk = kvmslb_key(tgid, AGG_VCPU_ID(u),
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

/*
 * One more DSegI on every vcpu (and a fault path's sample on each of its
 * histograms' first slot): a storm, every key moving between two reads.
 */
static inline int bench_bump_maps(struct kvmslb_bpf *skel)
{
	int fds[2] = { bpf_map__fd(skel->maps.vcpu_seg), bpf_map__fd(skel->maps.hist_vals) };
	__u32 which[2] = { KVMSLB_ALLOC_VCPU, KVMSLB_ALLOC_HIST };
	int alloc = bpf_map__fd(skel->maps.slot_alloc);

	for (int m = 0; m < 2; m++) {
		__u64 n;

		if (bpf_map_lookup_elem(alloc, &which[m], &n))
			return -errno;
		for (__u32 i = 0; i < n; i++) {
			union {
				struct kvmslb_vcpu_slot v;
				struct kvmslb_hist_slot h;
			} e;

			if (bpf_map_lookup_elem(fds[m], &i, &e))
				return -errno;
			if (m == 0) {
				e.v.seg.n[0][KVMSLB_SEG_REAL]++;
				e.v.seg.last_dsegi++;
			} else {
				e.h.v.slots[7]++;
				e.h.v.sum_ns += 200;
			}
			if (bpf_map_update_elem(fds[m], &i, &e, BPF_ANY))
				return -errno;
		}
	}
	return 0;
}

/*
 * The maps only (no program), sized for G x V: opened and loaded. NULL on
 * failure, said on stderr.
 */
static inline struct kvmslb_bpf *bench_maps_load(unsigned int g, unsigned int v)
{
	unsigned int units = g * (v ? v : 1);
	struct kvmslb_bpf *skel = kvmslb_bpf__open();
	struct bpf_program *prog;

	if (!skel) {
		perror("bench: opening the BPF object");
		return NULL;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries(skel->maps.vcpu_seg, units + 64);
	bpf_map__set_max_entries(skel->maps.vcpu_idx, units + 64);
	bpf_map__set_max_entries(skel->maps.hists, BENCH_NPATHS * units + 64);
	bpf_map__set_max_entries(skel->maps.hist_vals, BENCH_NPATHS * units + 64);
	bpf_map__set_max_entries(skel->maps.hist_idx, BENCH_NPATHS * units + 64);
	if (kvmslb_bpf__load(skel)) {
		fprintf(stderr, "bench: loading the BPF maps: %s\n", strerror(errno));
		kvmslb_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The fds bpf_maps_read() reads, the arrays' mappings kept in hmap and vmap. */
static inline struct bpf_map_fds bench_map_fds(struct kvmslb_bpf *skel, struct slot_map *hmap,
					       struct slot_map *vmap)
{
	slot_map_init(hmap);
	slot_map_init(vmap);
	return (struct bpf_map_fds){
		.counts = bpf_map__fd(skel->maps.counts), .hists = bpf_map__fd(skel->maps.hists),
		.stats = bpf_map__fd(skel->maps.stats),
		.count_cache = bpf_map__fd(skel->maps.count_cache),
		.vcpu_seg = bpf_map__fd(skel->maps.vcpu_seg),
		.hist_vals = bpf_map__fd(skel->maps.hist_vals),
		.slot_alloc = bpf_map__fd(skel->maps.slot_alloc),
		.hist_map = hmap,
		.vcpu_map = vmap,
	};
}

#endif
