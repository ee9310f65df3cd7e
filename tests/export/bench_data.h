/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data of the export benchmarks, shared by bench_export.c (this tree)
 * and bench_render_v0.c (the exporter before issue 12, built from git by
 * tests/bench/40-export.sh), so both render exactly the same guests:
 * every guest busy on every path, as on a loaded host.
 *
 * Guest g (pid BENCH_PID0 + g, named like libvirt's "instance-0000002a")
 * has, per unit (the guest, or each of its vcpus): DSegI and ISegI
 * synthesized, and fault paths with latencies over six log2 buckets for
 * (HDSI, retry), (HDSI, segment), (HDSI, host), (HISI, retry),
 * (HISI, segment).
 */
#ifndef KVMSLB_BENCH_DATA_H
#define KVMSLB_BENCH_DATA_H

#include <stdio.h>

#include "core/agg.h"
#include "core/guest.h"

#define BENCH_PID0 100000u

static const struct { unsigned int trap, outcome; } bench_paths[] = {
	{ 0xe00, KVMSLB_OUTCOME_RETRY }, { 0xe00, KVMSLB_OUTCOME_SEGMENT },
	{ 0xe00, KVMSLB_OUTCOME_HOST }, { 0xe20, KVMSLB_OUTCOME_RETRY },
	{ 0xe20, KVMSLB_OUTCOME_SEGMENT },
};
#define BENCH_NPATHS ((int)(sizeof(bench_paths) / sizeof(bench_paths[0])))

static inline void bench_name(unsigned int g, char *out, size_t len)
{
	snprintf(out, len, "instance-%08x", g);
}

/* The histogram of one (unit, path): slots 7..12 (128 ns to 8 us). */
static inline void bench_hist(unsigned int g, unsigned int u, int p, struct log2_hist *h)
{
	uint64_t base = 1000 + 37 * g + 11 * u + 3 * (uint64_t)p;

	for (int i = 0; i < HIST_SLOTS; i++)
		h->slots[i] = 0;
	h->count = h->sum_ns = h->max_ns = 0;
	for (int k = 7; k <= 12; k++) {
		uint64_t n = base >> (k - 6);

		h->slots[k] = n;
		h->count += n;
		h->sum_ns += n * (3ull << (k - 1));
		h->max_ns = (2ull << k) - 1;
	}
	h->max_exact = true;
}

/*
 * One unit's counts, as export's bpf_maps_read() adds them: a vcpu's
 * histograms go to its guest only (BPF_READ_VCPU_COUNTS). The peer
 * (BENCH_V0) keeps the data it has always been measured with.
 */
static inline int bench_unit(struct agg *a, uint32_t tgid, unsigned int g, unsigned int u,
			     uint32_t tid)
{
	int err = agg_segment(a, tgid, tid, 0x380, false, 100 + g + u);

	err = err ? err : agg_segment(a, tgid, tid, 0x480, false, 50 + g + u);
	for (int p = 0; !err && p < BENCH_NPATHS; p++) {
		struct log2_hist h;

		bench_hist(g, u, p, &h);
#ifdef BENCH_V0
		err = agg_fault_hist(a, tgid, tid, bench_paths[p].trap, bench_paths[p].outcome,
				     &h, 0, 0);
#else
		err = agg_fault_hist_guest(a, tgid, tid, bench_paths[p].trap,
					   bench_paths[p].outcome, &h, 0, 0);
#endif
	}
	return err;
}

/*
 * nguests guests, each with nvcpus vcpus (series v2 units), or whole
 * guests (0); guest g is process pids[g] (NULL: BENCH_PID0 + g).
 */
static inline int bench_agg(struct agg *a, unsigned int nguests, unsigned int nvcpus,
			    const uint32_t *pids)
{
	int err = 0;

	for (unsigned int g = 0; !err && g < nguests; g++) {
		uint32_t tgid = pids ? pids[g] : BENCH_PID0 + g;

		if (!nvcpus)
			err = bench_unit(a, tgid, g, 0, 0);
		for (unsigned int v = 0; !err && v < nvcpus; v++)
			err = bench_unit(a, tgid, g, v, AGG_VCPU_ID(v));
	}
	return err;
}

#endif
