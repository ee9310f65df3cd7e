/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recorded kvm_hv events (perf.data, perf script) into the aggregation,
 * with the same rules as the live eBPF programs (bpf/kvmslb_handlers.h):
 * segment synths per (guest, vector, injected), kvm_hfault latencies per
 * (guest, trap, outcome), kvm_guest_exit counted for traps 0xe00, 0xe20,
 * 0x380, 0x480, and kvm_page_fault_enter/exit paired per thread.
 */
#ifndef KVMSLB_TRACE_MAP_H
#define KVMSLB_TRACE_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"
#include "record/trace_rec.h"

struct pf_start {
	int32_t tid;
	uint64_t time_ns;
};

/* A guest's name as the recording gives it: its process's comm. */
struct rec_comm {
	uint32_t tgid;
	char comm[16];
};

struct trace_map {
	struct agg *agg;
	uint32_t tgid;			/* only this guest; 0: all */
	bool per_vcpu;
	struct pf_start *starts;	/* open page faults, by thread */
	int nstarts, cap;
	uint64_t no_pid;		/* samples without a process id */
	uint64_t missing_field;		/* samples lacking a field the event must have */
	bool seen_patched, seen_stock;	/* which kind of data the input held */
	uint64_t first_ns, last_ns;	/* time span of the kvm_hv samples */
	uint64_t tid_as_pid;		/* samples keyed by thread: the input had no pid */
	struct rec_comm *comms;
	int ncomms, comms_cap;
};

void trace_map_init(struct trace_map *m, struct agg *a);
void trace_map_free(struct trace_map *m);
/* trace_rec_fn: feed one record. 0, or -ENOMEM. */
int trace_map_feed(const struct trace_rec *r, void *ctx);
/* The comm the recording gave tgid's process, or NULL. */
const char *trace_map_comm(const struct trace_map *m, uint32_t tgid);

#endif
