/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between bpf/kvmslb.bpf.c and the userspace that reads its
 * maps (src/core/bpf_source.c): keys, values, counters, events.
 * Included by BPF and userspace alike: only <linux/types.h> types.
 *
 * Histograms are log2 of nanoseconds, floor-based: slot 0 holds [0, 2),
 * slot k (1 <= k < KVMSLB_HIST_SLOTS - 1) holds [2^k, 2^(k+1)), and the
 * last slot holds everything from 2^(KVMSLB_HIST_SLOTS - 1) up.
 */
#ifndef KVMSLB_MAPS_H
#define KVMSLB_MAPS_H

#include <linux/types.h>

#define KVMSLB_HIST_SLOTS	32

/* Default map sizes (keys, not bytes); userspace may change them before load. */
#define KVMSLB_COUNTS_MAX	8192
#define KVMSLB_HISTS_MAX	4096
#define KVMSLB_STARTS_MAX	8192
#define KVMSLB_RINGBUF_BYTES	(256 * 1024)

/* Pseudo trap of the stock source's virtual-mode page-fault histogram. */
#define KVMSLB_TRAP_PAGE_FAULT	0
/* Outcome of histogram keys whose source does not report one (stock). */
#define KVMSLB_OUTCOME_NONE	0xff

/* counts: what kvmslb_count_key.kind counts */
enum kvmslb_count_kind {
	KVMSLB_CNT_SEGMENT = 1,	/* kvm_segment_synth; code = vector, flag = injected */
	KVMSLB_CNT_EXIT = 2,	/* kvm_guest_exit; code = trap (0xe00 0xe20 0x380 0x480) */
};

struct kvmslb_count_key {
	__u32 tgid;		/* guest: the VMM process */
	__u32 tid;		/* vcpu thread with per-vcpu keys, else 0 */
	__u16 code;
	__u8 kind;		/* enum kvmslb_count_kind */
	__u8 flag;
};

struct kvmslb_hist_key {
	__u32 tgid;
	__u32 tid;
	__u16 trap;		/* 0xe00, 0xe20, or KVMSLB_TRAP_PAGE_FAULT */
	__u8 outcome;		/* enum kvmslb_outcome, or KVMSLB_OUTCOME_NONE */
	__u8 pad;
};

struct kvmslb_hist_val {
	__u64 slots[KVMSLB_HIST_SLOTS];
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
	__u64 injected;		/* events with injected set (fault injection) */
	__u64 dropped;		/* sum of kvm_hfault.dropped */
};

/* stats: a per-CPU array of __u64, indexed by this */
enum kvmslb_stat {
	KVMSLB_STAT_EVENTS = 0,		/* events handled (after the guest filter) */
	KVMSLB_STAT_COUNT_OVERFLOW,	/* increments lost: counts map full */
	KVMSLB_STAT_HIST_OVERFLOW,	/* samples lost: hists map full */
	KVMSLB_STAT_START_OVERFLOW,	/* page-fault starts lost: starts map full */
	KVMSLB_STAT_UNPAIRED_EXIT,	/* page_fault_exit with no enter seen */
	KVMSLB_STAT_RB_LOST,		/* ring buffer full: event not sent */
	KVMSLB_STAT_RB_SENT,		/* events sent to the ring buffer */
	KVMSLB_STAT_NR
};

/* ringbuf record types */
enum kvmslb_event_type {
	KVMSLB_EV_SEGMENT = 1,
	KVMSLB_EV_HFAULT = 2,
	KVMSLB_EV_EXIT = 3,
	KVMSLB_EV_PAGE_FAULT = 4,
};

/* 56 bytes: with the 8-byte ringbuf header one record is exactly 64. */
struct kvmslb_event {
	__u64 ts_ns;
	__u64 ea;
	__u64 latency_ns;
	__u64 aux;		/* srr1 (segment) or dsisr (hfault) */
	__u32 tgid;
	__u32 tid;
	__u32 dropped;
	__u16 code;		/* vector or trap */
	__u8 type;		/* enum kvmslb_event_type */
	__u8 flag;		/* injected */
	__u8 outcome;
	__u8 pad[7];
};

#endif /* KVMSLB_MAPS_H */
