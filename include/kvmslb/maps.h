/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the BPF programs (bpf/) and the userspace that reads
 * their maps (src/core/bpf_source.c): keys, values, counters, events.
 * Included by BPF and userspace alike: only <linux/types.h> types.
 *
 * Histograms are log2 of nanoseconds, floor-based: slot 0 holds [0, 2),
 * slot k (1 <= k < KVMSLB_HIST_SLOTS - 1) holds [2^k, 2^(k+1)), and the
 * last slot holds everything from 2^(KVMSLB_HIST_SLOTS - 1) up.
 *
 * Where an event's counts go:
 *   - one writer per key: keys are always per vcpu (its id, or the thread
 *     that emits the event), whatever the user asked to see; userspace sums
 *     them per guest. A vcpu's events come one at a time, so plain adds do.
 *   - counts: a per-CPU, two-way cache first (count_cache): an inline
 *     array lookup, no hashing; a key keeps the slot it took on a CPU. A
 *     key whose two slots other keys hold goes to the hash map (counts).
 *     Each event is counted in exactly one place; userspace adds the
 *     caches of every CPU and the hash map.
 *   - histograms in place: a key's histogram has one slot of hist_vals, an
 *     mmapable array that userspace reads where it is, with no copy (a
 *     refresh over 1000 guests x 8 vcpus reads 40 000 histograms). The
 *     first event of a key takes the next free slot (slot_alloc) and
 *     records it in hist_idx; the per-CPU, two-way hist_cache keeps (key,
 *     slot) pairs so that most events skip that hash lookup. When every
 *     slot is taken, new keys go to the hash map hists (read by copy).
 *
 * Map sizes are set by userspace before load, from the options and the
 * host (bpf_map_sizes() in src/core/bpf_source.c); the values below are
 * what the object file declares. The hash maps are not preallocated, so
 * their memory follows the keys in use; hist_vals, an array, is allocated
 * whole when loaded (sized for the paths vcpus take, not every path).
 */
#ifndef KVMSLB_MAPS_H
#define KVMSLB_MAPS_H

#include <linux/types.h>

#define KVMSLB_HIST_SLOTS	32

/* Declared map sizes (keys, not bytes); userspace sizes them before load. */
#define KVMSLB_COUNTS_MAX	8192
#define KVMSLB_HISTS_MAX	4096
#define KVMSLB_HIST_VALS_MAX	4096
#define KVMSLB_STARTS_MAX	8192	/* a power of two */
#define KVMSLB_VCPUS_MAX	8192
#define KVMSLB_CACHE_SLOTS	64	/* per CPU; a power of two */
#define KVMSLB_RINGBUF_BYTES	(256 * 1024)

/* Pseudo trap of the stock source's virtual-mode page-fault histogram. */
#define KVMSLB_TRAP_PAGE_FAULT	0
/* Outcome of histogram keys whose source does not report one (stock). */
#define KVMSLB_OUTCOME_NONE	0xff

/*
 * The unit below a guest: a vcpu id with this bit set (events that name
 * their vcpu: patched v2, stock with BTF), or a thread id (the emitting
 * thread: stock without BTF, patched v1). Equal to AGG_VCPU_ID_FLAG of
 * src/core/agg.h.
 */
#define KVMSLB_UNIT_VCPU_ID	0x80000000u

/* counts: what a count key's kind counts */
enum kvmslb_count_kind {
	KVMSLB_CNT_SEGMENT = 1,	/* kvm_segment_synth (v1); code = vector, flag = injected */
	KVMSLB_CNT_EXIT = 2,	/* kvm_guest_exit; code = trap (0xe00 0xe20 0x380 0x480) */
};

/*
 * Keys of counts and hists: 64 bits, so a cache slot checks its key with
 * one compare and the hash maps hash two words.
 *   bits  0..21  tgid (pid_max is at most 2^22)
 *   bits 22..44  unit: a thread id, or a vcpu id with bit 44 set
 *   bits 45..56  code: the trap or vector (0x380 0x480 0xe00 0xe20; 0)
 *   bits 57..63  sub: counts: kind << 2 | flag; hists: the outcome
 *                (KVMSLB_OUTCOME_NONE as 0x7f)
 */
#define KVMSLB_KEY_PID_MASK	0x3fffffu

static inline __u64 kvmslb_key(__u32 tgid, __u32 unit, __u32 code, __u32 sub)
{
	__u64 u = (unit & KVMSLB_KEY_PID_MASK) | (__u64)(unit >> 31) << 22;

	return (tgid & KVMSLB_KEY_PID_MASK) | u << 22 | (__u64)(code & 0xfff) << 45 |
	       (__u64)(sub & 0x7f) << 57;
}

static inline __u32 kvmslb_key_tgid(__u64 k)
{
	return k & KVMSLB_KEY_PID_MASK;
}

static inline __u32 kvmslb_key_unit(__u64 k)
{
	return ((k >> 22) & KVMSLB_KEY_PID_MASK) | (__u32)((k >> 44) & 1) << 31;
}

static inline __u32 kvmslb_key_code(__u64 k)
{
	return (k >> 45) & 0xfff;
}

static inline __u32 kvmslb_key_sub(__u64 k)
{
	return k >> 57;
}

/* A count key's sub; a hist key's sub is its outcome. */
static inline __u32 kvmslb_count_sub(__u32 kind, __u32 flag)
{
	return kind << 2 | flag;
}

/*
 * The first cache slot of a key on every CPU (a multiplicative hash's high
 * bits); the key may also hold the slot next to it (slot ^ 1).
 */
static inline __u32 kvmslb_cache_slot(__u64 key)
{
	return (__u32)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (KVMSLB_CACHE_SLOTS - 1);
}

/*
 * One value per key, written by one vcpu at a time. Samples = the sum of
 * the slots.
 */
struct kvmslb_hist_val {
	__u64 slots[KVMSLB_HIST_SLOTS];
	__u64 sum_ns;
	__u64 max_ns;
	__u64 injected;		/* events with injected set (fault injection) */
	__u64 dropped;		/* sum of kvm_hfault.dropped */
};

/* Cache slots: the key that holds the slot (0: free) and its value. */
struct kvmslb_count_slot {
	__u64 key;
	__u64 n;
};

/* hist_vals: a slot's key (0: not taken yet) and its histogram. */
struct kvmslb_hist_slot {
	__u64 key;
	struct kvmslb_hist_val v;
};

/*
 * hist_cache: a key (0: free) and its slot of hist_vals, or
 * KVMSLB_HIST_IN_HASH when its histogram is in the hash map hists.
 */
struct kvmslb_hist_ref {
	__u64 key;
	__u32 slot;
	__u32 pad;
};

#define KVMSLB_HIST_IN_HASH	0xffffffffu

/*
 * Series v2 segment interrupts, per vcpu: the cumulative synthesized
 * DSegI/ISegI counts of its last kvm_segment_synth event (so records the
 * kernel dropped in between are still counted), and the counts themselves
 * by vector and kind. State that follows a vcpu from CPU to CPU, in place
 * as histograms are: a slot of the mmapable array vcpu_seg per vcpu, taken
 * at its first event (slot_alloc), found through the hash map vcpu_idx.
 */
struct kvmslb_vcpu_key {
	__u32 vm;		/* vm_pid */
	__u32 vcpu_id;
};

enum kvmslb_seg_kind {
	KVMSLB_SEG_REAL = 0,		/* an event, not injected */
	KVMSLB_SEG_INJECTED = 1,	/* an event, forced by fault injection */
	/*
	 * No event: counted from the vcpu's cumulative counts, for records
	 * the kernel's log dropped; injected or not is unknown.
	 */
	KVMSLB_SEG_RECOVERED = 2,
	KVMSLB_SEG_KINDS
};

struct kvmslb_vcpu_seg {
	__u64 last_dsegi;
	__u64 last_isegi;
	__u64 n[2][KVMSLB_SEG_KINDS];	/* [0: DSegI, 1: ISegI][enum kvmslb_seg_kind] */
	__u64 dropped;			/* sum of kvm_segment_synth.dropped */
};

/* vcpu_seg: a slot's vcpu (vm 0: not taken yet) and its state. */
struct kvmslb_vcpu_slot {
	struct kvmslb_vcpu_key key;
	struct kvmslb_vcpu_seg seg;
};

/* slot_alloc: the next free slot of each array of slots */
enum kvmslb_alloc {
	KVMSLB_ALLOC_HIST = 0,		/* of hist_vals */
	KVMSLB_ALLOC_VCPU = 1,		/* of vcpu_seg */
	KVMSLB_ALLOC_NR
};

/*
 * starts: a page fault in flight per vcpu thread (stock source), in a
 * direct-mapped array (an inline array lookup; a hash map's lookup, insert
 * and delete cost several times more per fault). Slot: a multiplicative hash
 * of the thread id; value: the thread id in the top bits, the start time in
 * ns modulo 2^42 (73 minutes) below, 0 when none is pending. One 64-bit
 * store writes both, so a slot shared by two threads never mixes them.
 */
#define KVMSLB_START_TIME_BITS	42
#define KVMSLB_START_TIME_MASK	((1ULL << KVMSLB_START_TIME_BITS) - 1)

static inline __u32 kvmslb_start_slot(__u32 thread, __u32 mask)
{
	__u32 h = thread * 0x9e3779b1u;

	return (h ^ (h >> 16)) & mask;
}

static inline __u64 kvmslb_start_pack(__u32 thread, __u64 now)
{
	return (__u64)thread << KVMSLB_START_TIME_BITS | (now & KVMSLB_START_TIME_MASK);
}

/*
 * stats: a per-CPU array of __u64, indexed by this; only the rare paths
 * touch it (the handled events are counted from the other maps).
 */
enum kvmslb_stat {
	KVMSLB_STAT_COUNT_OVERFLOW = 0,	/* increments lost: counts map full */
	KVMSLB_STAT_HIST_OVERFLOW,	/* samples lost: hists map full */
	KVMSLB_STAT_START_OVERFLOW,	/* page-fault starts lost: another thread took the slot */
	KVMSLB_STAT_UNPAIRED_EXIT,	/* page_fault_exit with no enter seen */
	KVMSLB_STAT_RB_LOST,		/* ring buffer full: event not sent */
	KVMSLB_STAT_RB_SENT,		/* events sent to the ring buffer */
	KVMSLB_STAT_VCPU_OVERFLOW,	/* vcpu_seg full: a vcpu counted without its state */
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
	__u64 ts_ns;		/* bpf_ktime_get_ns() at emission */
	__u64 ea;
	__u64 latency_ns;
	__u64 aux;		/* srr1 (segment) or dsisr (hfault) */
	__u32 tgid;		/* the guest (vm_pid, or the emitting task's process) */
	__u32 tid;		/* thread, or vcpu id | KVMSLB_UNIT_VCPU_ID */
	__u32 dropped;
	__u16 code;		/* vector or trap */
	__u8 type;		/* enum kvmslb_event_type */
	__u8 flag;		/* injected */
	__u8 outcome;
	__u8 pad[7];
};

#endif /* KVMSLB_MAPS_H */
