/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recorded kvm_hv events into the aggregation, with the same rules as the
 * live eBPF programs (bpf/kvmslb_handlers.h): segment synths per (guest,
 * vector, injected), kvm_hfault latencies per (guest, trap, outcome),
 * kvm_guest_exit counted for traps 0xe00, 0xe20, 0x380, 0x480, and
 * kvm_page_fault_enter/exit paired per thread.
 *
 * A guest is its VMM process: a series v2 event says which (vm_pid); a v1
 * or stock event is charged to the process that emitted it (its pid, or
 * its thread where the input has no pid). v2 segment totals are exact from
 * the cumulative per-vcpu counts the events carry, whatever perf lost or
 * the kernel dropped. Every lookup is hashed: cost is linear in the input
 * whatever the number of guests, comms and threads.
 */
#ifndef KVMSLB_TRACE_MAP_H
#define KVMSLB_TRACE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/guest.h"
#include "core/index.h"
#include "record/trace_rec.h"

struct time_range {
	uint64_t start, end;		/* ns, inclusive; end UINT64_MAX: open */
};

struct trace_map_stats {
	uint64_t no_pid;		/* records without a process or thread id */
	uint64_t missing_field;		/* records lacking a field their event must have */
	uint64_t tid_as_pid;		/* records keyed by thread: the input had no pid */
	uint64_t out_of_range;		/* records outside --time-range */
	uint64_t v2_records, v1_records;
	uint64_t seg_recovered;		/* v2 segments counted from the cumulative counts only */
	uint64_t seg_dropped;		/* v2 segment records the kernel's log dropped */
	uint64_t seg_inconsistent;	/* vcpus whose cumulative counts went backwards */
	uint64_t seg_implausible;	/* vcpus whose counts rose faster than possible */
	uint64_t reorder_overflow;	/* page-fault events flushed before their round ended */
};

struct pf_event;
struct seg_vcpu;
struct rec_comm;

struct trace_map {
	struct agg *agg;
	uint32_t tgid;			/* only this guest; 0: all */
	bool per_vcpu;
	bool ordered;			/* records come in time order (not perf.data) */
	struct time_range *ranges;	/* --time-range; none: all */
	int nranges;
	bool seen_patched, seen_stock;	/* which kind of data the input held */
	uint64_t first_ns, last_ns;	/* time span of the kvm_hv records */
	struct trace_map_stats st;
	/* open page faults by thread */
	struct key_index starts;
	uint64_t *start_ns;
	uint32_t nstart, start_cap;
	/* perf.data: page-fault events held until their round is complete */
	struct pf_event *pend;
	uint32_t npend, pend_cap;
	uint64_t max_ts, flush_ts;
	/* v2: per (vm_pid, vcpu_id) cumulative segment counts */
	struct key_index segs;
	struct seg_vcpu *seg;
	uint32_t nseg, seg_cap;
	/* comms: processes' (COMM, perf script) and threads' (saved cmdlines) */
	struct key_index comm_idx;
	struct rec_comm *comms;
	uint32_t ncomms, comms_cap;
	/* guests identified by a v2 vm_pid */
	struct key_index v2_guests;
	/* v2 guests noted lately (direct-mapped by tgid): guests' records interleave */
	uint32_t v2_noted[64];
};

void trace_map_init(struct trace_map *m, struct agg *a);
void trace_map_free(struct trace_map *m);
/* The trace_sink that feeds m. */
void trace_map_sink(struct trace_map *m, struct trace_sink *s);
/*
 * perf's --time syntax: "START,END" in seconds (either may be empty), several
 * ranges separated by spaces. 0, or -EINVAL with err saying what is wrong.
 */
int trace_map_time_range(struct trace_map *m, const char *arg, char *err, size_t errlen);
/* After the reader: pending page faults and v2 segment totals. 0 or -ENOMEM. */
int trace_map_finish(struct trace_map *m);
/* The guest's identity as the recording gives it (its name sanitized). */
void trace_map_ident(const struct trace_map *m, uint32_t tgid, struct guest_ident *id);

#endif
