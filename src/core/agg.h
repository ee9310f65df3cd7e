/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aggregation of kvm_hv fault-path activity per guest (VMM tgid) and,
 * optionally, per vcpu thread. Every source feeds it the same way: the
 * live BPF source from its maps, the stats source from KVM stats, and
 * readers of recorded data (perf.data, perf script) event by event:
 *
 *   segment interrupts synthesized:  (guest, vector, injected) += n
 *   guest exits of the fault path:   (guest, trap) += n
 *   fault paths with latency:        (guest, trap, outcome, latency_ns)
 *
 * The unit below a guest ("tid" in the calls below) is 0 for "not per
 * vcpu", a vcpu thread id (stock and series v1 sources: the thread that
 * emitted the event), or AGG_VCPU_ID(id), a vcpu by its KVM vcpu id
 * (series v2 events carry it: on POWER8 a vcore's runner thread emits the
 * exits of every vcpu of the vcore, so threads are not vcpus there).
 * Nothing here knows about BPF maps, screens or output formats.
 */
#ifndef KVMSLB_AGG_H
#define KVMSLB_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hist.h"
#include "core/index.h"
#include "kvmslb/abi.h"

#define AGG_VCPU_ID_FLAG	0x80000000u
#define AGG_VCPU_ID(id)		(AGG_VCPU_ID_FLAG | ((uint32_t)(id) & ~AGG_VCPU_ID_FLAG))

static inline bool agg_unit_is_vcpu_id(uint32_t unit)
{
	return unit & AGG_VCPU_ID_FLAG;
}

/* The vcpu id of an AGG_VCPU_ID() unit. */
static inline uint32_t agg_unit_vcpu_id(uint32_t unit)
{
	return unit & ~AGG_VCPU_ID_FLAG;
}

struct agg_counters {
	uint64_t hdsi, hisi;		/* HDSI/HISI fault paths (0xe00, 0xe20) */
	uint64_t dsegi, isegi;		/* DSegI/ISegI synthesized (0x380, 0x480) */
	uint64_t seg_injected;		/* of which forced by fault injection */
	uint64_t dseg_exits, iseg_exits; /* guest exits with trap 0x380/0x480 */
	uint64_t fault_injected;	/* fault paths forced by fault injection */
	uint64_t dropped;		/* records the kernel's real-mode log lost */
	uint64_t outcome[KVMSLB_OUTCOME_NR]; /* fault paths by outcome */
};

/*
 * The trap of a vcpu's one path holding all its fault paths, when a reader
 * keeps them merged (AGG_VCPU_HIST_MERGED): it shows them so.
 */
#define AGG_TRAP_ALL 0

/* One latency histogram: a (trap, outcome) pair. */
struct agg_path {
	unsigned int trap;		/* 0xe00, 0xe20, KVMSLB_TRAP_PAGE_FAULT, AGG_TRAP_ALL */
	unsigned int outcome;		/* enum kvmslb_outcome or KVMSLB_OUTCOME_NONE */
	struct log2_hist hist;
};

struct agg_unit {
	uint32_t tid;			/* 0: the whole guest; a thread or AGG_VCPU_ID() */
	struct agg_counters c;
	struct agg_path *paths;
	int npaths;
	int cappaths;			/* private: room in paths */
	bool paths_in_block;		/* private: paths lie in its guest's block */
	uint8_t path_at[4][6];		/* private: (trap, outcome) -> paths index + 1 */
};

struct agg_guest {
	uint32_t tgid;
	struct agg_unit total;
	struct agg_unit *vcpus;		/* sorted by tid */
	int nvcpus;
	struct agg_path *block;		/* private: the paths of all its units, at once */
};

/* What the source itself lost or could not attribute. */
struct agg_health {
	uint64_t events;		/* events handled */
	uint64_t count_overflow;	/* increments lost: counter map full */
	uint64_t hist_overflow;		/* samples lost: histogram map full */
	uint64_t start_overflow;	/* fault starts lost: start map full */
	uint64_t unpaired;		/* fault exits without a start */
	uint64_t rb_lost;		/* individual events the ring buffer dropped */
	uint64_t rb_sent;
};

struct agg {
	struct agg_guest *guests;	/* sorted by tgid (but see agg_bulk_begin) */
	int nguests;
	struct agg_health health;
	/* private: capacity, tgid -> position, the last guest updated */
	int cap;
	bool bulk;
	int last;
	struct key_index index;
};

/* "retry", "reflect", "segment", "host", "mmio"; "none" for KVMSLB_OUTCOME_NONE. */
const char *agg_outcome_name(unsigned int outcome);

void agg_init(struct agg *a);
/*
 * For processes that rebuild snapshots every refresh (top, stat, export):
 * keep freed memory in the heap for the next snapshot instead of giving it
 * back to the kernel and faulting it in again (1000 guests x 8 vcpus: a
 * map read of 120 ms, 37 ms with this).
 */
void agg_keep_heap(void);
void agg_free(struct agg *a);
/* Reset to empty, keeping nothing. */
void agg_reset(struct agg *a);
/*
 * Loading many guests at once (recorded data): until agg_bulk_end, new
 * guests and vcpus are appended in arrival order rather than inserted in
 * sorted place (each such insert moves everything after it); agg_find and
 * every update work meanwhile. agg_bulk_end sorts them, O(n log n).
 */
void agg_bulk_begin(struct agg *a);
void agg_bulk_end(struct agg *a);

/* Updates; 0 or -ENOMEM. */
int agg_segment(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int vector,
		bool injected, uint64_t n);
int agg_exit(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap, uint64_t n);
int agg_fault(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
	      unsigned int outcome, uint64_t latency_ns, bool injected, uint64_t dropped);
/* A histogram of fault paths at once (BPF maps); injected/dropped are sums. */
int agg_fault_hist(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
		   unsigned int outcome, const struct log2_hist *h, uint64_t injected,
		   uint64_t dropped);
/*
 * The same with the histogram kept on the guest only: the vcpu unit tid
 * gets the counters (a reader that shows no per-vcpu latency, export,
 * holds no per-vcpu histograms).
 */
int agg_fault_hist_guest(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
			 unsigned int outcome, const struct log2_hist *h, uint64_t injected,
			 uint64_t dropped);
/*
 * A fault-path histogram as the BPF maps hold it (include/kvmslb/maps.h):
 * slots in place, max exact.
 */
struct agg_map_hist {
	const __u64 *slots;		/* HIST_SLOTS of them */
	uint64_t count;			/* the sum of the slots */
	uint64_t sum_ns, max_ns, injected, dropped;
};

/* What a vcpu unit keeps of the fault-path histograms it is given. */
enum agg_vcpu_hist {
	AGG_VCPU_HIST_PATHS,	/* one per (trap, outcome), as its guest */
	/*
	 * One of all its paths (trap AGG_TRAP_ALL, outcome NONE): what top
	 * and stat -j show of a vcpu, at a fifth of the bytes to build and
	 * subtract at five paths a vcpu.
	 */
	AGG_VCPU_HIST_MERGED,
	AGG_VCPU_HIST_NONE,	/* none: its counters only (agg_fault_hist_guest) */
};

/*
 * A histogram of such a fault path into its guest, and into its vcpu as
 * vcpu_hist says; merged from where it lies.
 */
int agg_fault_map_hist(struct agg *a, uint32_t tgid, uint32_t tid, unsigned int trap,
		       unsigned int outcome, const struct agg_map_hist *h,
		       enum agg_vcpu_hist vcpu_hist);
/* Counters without latency (KVM stats). */
int agg_counters_add(struct agg *a, uint32_t tgid, uint32_t tid,
		     const struct agg_counters *c);

struct agg_guest *agg_find(const struct agg *a, uint32_t tgid);
/* All paths of a unit merged into one histogram. */
void agg_unit_hist(const struct agg_unit *u, struct log2_hist *out);

/* dst (empty) = cur - prev, guest by guest; for cumulative snapshots. */
int agg_diff(struct agg *dst, const struct agg *cur, const struct agg *prev);
/* Deep copy of one guest into dst (appended or merged). */
int agg_guest_merge(struct agg *dst, const struct agg_guest *g);
/* g -= base, in place (same tgid; for pid reuse). */
void agg_guest_sub(struct agg_guest *g, const struct agg_guest *base);
/* Remove guest tgid from a. */
void agg_remove(struct agg *a, uint32_t tgid);

#endif
