/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps and event handlers of the kvmslb BPF programs. Every program
 * (tp/, raw_tp/, and the test-only stand-ins of tests/bpf/) is a thin
 * wrapper that extracts arguments, says whom the event belongs to
 * (struct kvmslb_who), and calls one handler here, so what is tested
 * through BPF_PROG_TEST_RUN is what runs on a POWER host.
 *
 * Whom an event is charged to:
 *   - the VM and vcpu the event names (patched series v2: vm_pid and
 *     vcpu_id arguments; stock with BTF: vcpu->kvm and vcpu->vcpu_id);
 *   - else the current task (patched v1, stock without BTF), which on
 *     POWER8 can be another VM's vcore runner (dynamic micro-threading):
 *     userspace says so wherever these programs run.
 *
 * Maps are bounded (sized by userspace from the options and the host); an
 * increment whose key cannot be inserted is added to an overflow counter
 * in 'stats', never lost silently. Counts go to a per-CPU, direct-mapped
 * cache first, the hash map when another key holds the slot; histograms
 * and series v2's vcpu states to their slot of an mmapable array, which
 * userspace reads in place (include/kvmslb/maps.h).
 *
 * One writer per key: keys are always per vcpu (a vcpu id, or the thread
 * that emits the event), whatever the user asked to see; userspace sums
 * them per guest. A vcpu's events come one at a time (from its own thread,
 * or from its vcore's runner), so plain adds on one shared value are exact:
 * no atomics (but one fetch-and-add when a new key takes its slot of an
 * array, include/kvmslb/maps.h), no cache line bouncing between the CPUs
 * a guest runs on, and no per-CPU copies (a 288-byte histogram times 150+
 * possible CPUs of a POWER host, times 1000 guests, would be gigabytes).
 *
 * Cost: an event is two array lookups (a histogram: its cache slot, then
 * its slot in place; a hash lookup instead of the first when its cache
 * slots are taken) and a few adds. Nothing else is touched on the common path
 * (the number of events handled is what the maps hold): each cache line
 * more is a measurable share of the handler's cost
 * (tests/bench/10-bpf-handlers.sh).
 */
#ifndef KVMSLB_HANDLERS_H
#define KVMSLB_HANDLERS_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "kvmslb/abi.h"
#include "kvmslb/maps.h"

#if KVMSLB_HIST_SLOTS & (KVMSLB_HIST_SLOTS - 1)
#error "KVMSLB_HIST_SLOTS must be a power of two (the slot index is masked)"
#endif

/* Set by userspace before load (read-only data). */
const volatile __u32 targ_tgid = 0;		/* only this guest; 0: all */
const volatile __u32 targ_ringbuf = 0;		/* send individual events */
/*
 * kvm_guest_exit's 'trap' field in the tracefs record, from the format file
 * at load time (there is no BTF on Debian's ppc64el kernel). Size 0: not
 * configured, and the tp/ program counts nothing rather than guess.
 */
const volatile __u32 exit_trap_off = 0;
const volatile __u32 exit_trap_size = 0;
/* the starts array's size - 1 (a power of two - 1) */
const volatile __u32 starts_mask = KVMSLB_STARTS_MAX - 1;

/* Per-CPU caches in front of counts and hists (include/kvmslb/maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KVMSLB_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct kvmslb_count_slot);
} count_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KVMSLB_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct kvmslb_hist_ref);
} hist_cache SEC(".maps");

/* Histograms in place, read by userspace through mmap (include/kvmslb/maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KVMSLB_HIST_VALS_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct kvmslb_hist_slot);
} hist_vals SEC(".maps");

/* a key -> its slot of hist_vals; as many keys as slots */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVMSLB_HIST_VALS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} hist_idx SEC(".maps");

/* the next free slot of hist_vals and vcpu_seg (past the end: all taken) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KVMSLB_ALLOC_NR);
	__type(key, __u32);
	__type(value, __u64);
} slot_alloc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVMSLB_COUNTS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVMSLB_HISTS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct kvmslb_hist_val);
} hists SEC(".maps");

/* Page-fault start per vcpu thread (include/kvmslb/maps.h: kvmslb_start_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KVMSLB_STARTS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

/* Series v2: each vcpu's cumulative DSegI/ISegI counts and segment counts, in place. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KVMSLB_VCPUS_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct kvmslb_vcpu_slot);
} vcpu_seg SEC(".maps");

/* a vcpu -> its slot of vcpu_seg; as many keys as slots */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVMSLB_VCPUS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct kvmslb_vcpu_key);
	__type(value, __u32);
} vcpu_idx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KVMSLB_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KVMSLB_RINGBUF_BYTES);
} events SEC(".maps");

/*
 * The tgid of every key inserted, so that userspace wakes up and reads the
 * guest's name while its process is alive, however short-lived.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} new_keys SEC(".maps");

/* Whom an event is charged to. */
struct kvmslb_who {
	__u32 tgid;	/* the guest: its VMM process */
	__u32 unit;	/* the vcpu: its id | KVMSLB_UNIT_VCPU_ID, or a thread id */
};

/* The event's own VM and vcpu (v2 arguments, or BTF reads). Guest filter. */
static __always_inline bool who_vcpu(struct kvmslb_who *w, __u32 vm, __u32 vcpu_id)
{
	if (targ_tgid && vm != targ_tgid)
		return false;
	w->tgid = vm;
	w->unit = KVMSLB_UNIT_VCPU_ID | (vcpu_id & ~KVMSLB_UNIT_VCPU_ID);
	return true;
}

/* The current task: right unless another VM's vcore runner emits the event. */
static __always_inline bool who_current(struct kvmslb_who *w)
{
	__u64 id = bpf_get_current_pid_tgid();

	w->tgid = id >> 32;
	if (targ_tgid && w->tgid != targ_tgid)
		return false;
	w->unit = (__u32)id;
	return true;
}

static __always_inline void note_new_key(__u32 tgid)
{
	__u32 *e = bpf_ringbuf_reserve(&new_keys, sizeof(*e), 0);

	/* full: userspace's periodic poll still finds the key */
	if (e) {
		*e = tgid;
		bpf_ringbuf_submit(e, 0);
	}
}

/* floor(log2(v)), v > 0; 0 for 0 (libbpf-tools bits.bpf.h) */
static __always_inline __u32 kvmslb_log2(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 kvmslb_slot(__u64 v)
{
	__u32 hi = v >> 32;
	__u32 s = hi ? kvmslb_log2(hi) + 32 : kvmslb_log2((__u32)v);

	return s < KVMSLB_HIST_SLOTS ? s : KVMSLB_HIST_SLOTS - 1;
}

/*
 * Keys are written with whole-word stores. The hash map reads a key back
 * with wide loads (memcmp, jhash); a key assembled field by field in
 * narrower stores makes those loads miss store forwarding and wait, which
 * tripled the cost of a lookup in tests/bench/10-bpf-handlers.sh (x86).
 */
union kvmslb_vcpu_key8 {
	struct kvmslb_vcpu_key key;
	__u64 raw;
};

static __always_inline void vcpu_key8(union kvmslb_vcpu_key8 *k, __u32 vm, __u32 vcpu_id)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u64 raw = vm | (__u64)vcpu_id << 32;
#else
	__u64 raw = (__u64)vm << 32 | vcpu_id;
#endif

	asm volatile("" : "+r"(raw));
	k->raw = raw;
}

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n;
}

/*
 * This CPU's slot for 'key' in a cache map (whose values start with their
 * key): the first of its two slots (kvmslb_cache_slot(), and the one next
 * to it) that holds the key or is free, taking a free one; NULL if other
 * keys hold both. *taken: a slot was just taken (a new key on this CPU).
 */
static __always_inline void *cache_get(void *cache, __u64 key, bool *taken)
{
	__u32 slot = kvmslb_cache_slot(key);
	__u64 *e = bpf_map_lookup_elem(cache, &slot);

	*taken = false;
	if (!e || *e == key)
		return e;
	if (*e) {
		slot ^= 1;
		e = bpf_map_lookup_elem(cache, &slot);
		if (!e || *e == key)
			return e;
		if (*e)
			return NULL;
	}
	*e = key;
	*taken = true;
	return e;
}

static __always_inline void count_add(const struct kvmslb_who *w, __u8 kind, __u16 code,
				      __u8 flag, __u64 n)
{
	__u64 key = kvmslb_key(w->tgid, w->unit, code, kvmslb_count_sub(kind, flag));
	struct kvmslb_count_slot *e;
	bool taken;
	__u64 *v;

	e = cache_get(&count_cache, key, &taken);
	if (e) {
		if (taken)
			note_new_key(w->tgid);
		e->n += n;
		return;
	}
	/* the slot is another key's on this CPU: the hash map */
	asm volatile("" : "+r"(key));
	v = bpf_map_lookup_elem(&counts, &key);
	if (!v) {
		__u64 zero = 0;

		if (!bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST))
			note_new_key(w->tgid);
		v = bpf_map_lookup_elem(&counts, &key);
		if (!v) {
			stat_add(KVMSLB_STAT_COUNT_OVERFLOW, n);
			return;
		}
	}
	*v += n;
}

/* A key in the hash map hists (every slot of hist_vals taken); NULL: full. */
static __always_inline struct kvmslb_hist_val *hist_hashed(__u32 tgid, __u64 key)
{
	struct kvmslb_hist_val *v;

	asm volatile("" : "+r"(key));
	v = bpf_map_lookup_elem(&hists, &key);
	if (!v) {
		struct kvmslb_hist_val zero;

		__builtin_memset(&zero, 0, sizeof(zero));
		if (!bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST))
			note_new_key(tgid);
		v = bpf_map_lookup_elem(&hists, &key);
		if (!v)
			stat_add(KVMSLB_STAT_HIST_OVERFLOW, 1);
	}
	return v;
}

/*
 * The next free slot of an array of slots (enum kvmslb_alloc), or -1 when
 * every slot is taken. The atomic add keeps two new keys on two CPUs
 * apart; 64 bits, so once every slot is taken the count (one more at each
 * miss) never wraps around to a taken slot.
 */
static __always_inline int slot_take(__u32 which, void *array, void **e)
{
	__u64 *next = bpf_map_lookup_elem(&slot_alloc, &which), slot;
	__u32 slot32;

	*e = NULL;
	if (!next)
		return -1;
	slot = __sync_fetch_and_add(next, 1);
	if (slot >= KVMSLB_HIST_IN_HASH)
		return -1;
	slot32 = slot;
	*e = bpf_map_lookup_elem(array, &slot32);
	return *e ? (int)slot32 : -1;
}

/*
 * The slot of hist_vals that holds key, taking the next free one for a new
 * key; KVMSLB_HIST_IN_HASH when every slot is taken. One writer per key, so
 * no other CPU takes a slot for the same key meanwhile. The slot's key is
 * written before the slot is published in hist_idx: userspace skips a slot
 * whose key is 0.
 */
static __always_inline __u32 hist_slot_of(__u32 tgid, __u64 key)
{
	struct kvmslb_hist_slot *e;
	__u32 *idx, slot;
	int taken;

	asm volatile("" : "+r"(key));
	idx = bpf_map_lookup_elem(&hist_idx, &key);
	if (idx)
		return *idx;
	taken = slot_take(KVMSLB_ALLOC_HIST, &hist_vals, (void **)&e);
	if (taken < 0 || !e)
		return KVMSLB_HIST_IN_HASH;	/* all taken: the hash map */
	slot = taken;
	e->key = key;
	/* as many keys as slots: cannot be full; if it were, the slot still counts */
	bpf_map_update_elem(&hist_idx, &key, &slot, BPF_NOEXIST);
	note_new_key(tgid);
	return slot;
}

static __always_inline void hist_add(const struct kvmslb_who *w, __u16 trap, __u8 outcome,
				     __u64 lat_ns, bool injected, __u32 dropped)
{
	__u64 key = kvmslb_key(w->tgid, w->unit, trap, outcome);
	struct kvmslb_hist_slot *e = NULL;
	struct kvmslb_hist_ref *ref;
	struct kvmslb_hist_val *v;
	__u32 slot;
	bool taken;

	ref = cache_get(&hist_cache, key, &taken);
	if (ref && !taken) {
		slot = ref->slot;
	} else {
		slot = hist_slot_of(w->tgid, key);
		if (ref)
			ref->slot = slot;
	}
	if (slot != KVMSLB_HIST_IN_HASH)
		e = bpf_map_lookup_elem(&hist_vals, &slot);
	if (e) {
		v = &e->v;
	} else {
		v = hist_hashed(w->tgid, key);
		if (!v)
			return;
	}
	slot = kvmslb_slot(lat_ns);
	/*
	 * Older verifiers (Debian's 6.1) lose the clamp's bound through a
	 * register copy: hide the value from clang and mask it again.
	 */
	asm volatile("" : "+r"(slot));
	/* one writer per key: plain adds (samples = the sum of the slots) */
	v->slots[slot & (KVMSLB_HIST_SLOTS - 1)]++;
	v->sum_ns += lat_ns;
	if (lat_ns > v->max_ns)
		v->max_ns = lat_ns;
	if (injected)
		v->injected++;
	if (dropped)
		v->dropped += dropped;
}

static __always_inline void event_send(const struct kvmslb_who *w, __u8 type, __u16 code,
				       __u8 flag, __u8 outcome, __u64 ea, __u64 aux,
				       __u64 lat_ns, __u32 dropped)
{
	struct kvmslb_event *e;

	if (!targ_ringbuf)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_add(KVMSLB_STAT_RB_LOST, 1);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->ea = ea;
	e->latency_ns = lat_ns;
	e->aux = aux;
	e->tgid = w->tgid;
	e->tid = w->unit;
	e->dropped = dropped;
	e->code = code;
	e->type = type;
	e->flag = flag;
	e->outcome = outcome;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_ringbuf_submit(e, 0);
	stat_add(KVMSLB_STAT_RB_SENT, 1);
}

/* patched v1: one kvm_segment_synth event */
static __always_inline int handle_segment_synth(const struct kvmslb_who *w, __u64 ea,
						__u32 vector, __u64 srr1, bool injected)
{
	count_add(w, KVMSLB_CNT_SEGMENT, vector, injected, 1);
	event_send(w, KVMSLB_EV_SEGMENT, vector, injected, 0, ea, srr1, 0, 0);
	return 0;
}

/*
 * patched v2: this event, and the segment interrupts of the vcpu that have
 * no record, from its cumulative counts (dsegi/isegi include this event).
 * The first event of a vcpu sets its base: only this event counts, unless
 * 'dropped' says every earlier synthesis of the vcpu's life was a dropped
 * record, in which case they all count (the kernel's log may keep its
 * oldest or its newest records; either way a vcpu created while kvmslb is
 * attached comes out exact). Counts going backwards mean a new vcpu under
 * a reused (vm_pid, vcpu_id): it starts over.
 */
static __always_inline void segment_v2_count(struct kvmslb_vcpu_seg *st, __u32 vector,
					     bool injected, __u32 dropped, __u64 dsegi,
					     __u64 isegi, bool first)
{
	bool d = vector == KVMSLB_TRAP_DATA_SEGMENT, i = vector == KVMSLB_TRAP_INST_SEGMENT;
	__u64 base_d = dsegi - d, base_i = isegi - i, gap_d = 0, gap_i = 0;

	if (!first && base_d >= st->last_dsegi && base_i >= st->last_isegi &&
	    dsegi >= d && isegi >= i) {
		gap_d = base_d - st->last_dsegi;
		gap_i = base_i - st->last_isegi;
	} else if (dropped && dsegi >= d && isegi >= i && (__u64)dropped == base_d + base_i) {
		/* first event (or a restart): all of the vcpu's earlier ones dropped */
		gap_d = base_d;
		gap_i = base_i;
	}
	st->last_dsegi = dsegi;
	st->last_isegi = isegi;
	if (d || i)
		st->n[i][injected ? KVMSLB_SEG_INJECTED : KVMSLB_SEG_REAL]++;
	st->n[0][KVMSLB_SEG_RECOVERED] += gap_d;
	st->n[1][KVMSLB_SEG_RECOVERED] += gap_i;
	st->dropped += dropped;
}

/*
 * A vcpu's state in vcpu_seg, taking a slot at its first event (*first);
 * NULL when every slot is taken.
 */
static __always_inline struct kvmslb_vcpu_seg *vcpu_state(__u32 vm, const union kvmslb_vcpu_key8 *k,
							  bool *first)
{
	struct kvmslb_vcpu_slot *e;
	__u32 *idx, slot;
	int taken;

	*first = false;
	idx = bpf_map_lookup_elem(&vcpu_idx, &k->key);
	if (idx) {
		slot = *idx;
		e = bpf_map_lookup_elem(&vcpu_seg, &slot);
		return e ? &e->seg : NULL;
	}
	taken = slot_take(KVMSLB_ALLOC_VCPU, &vcpu_seg, (void **)&e);
	if (taken < 0 || !e)
		return NULL;
	slot = taken;
	/* the vcpu before its counts: userspace skips a slot whose vm is 0 */
	e->key = k->key;
	bpf_map_update_elem(&vcpu_idx, &k->key, &slot, BPF_NOEXIST);
	note_new_key(vm);
	*first = true;
	return &e->seg;
}

/* patched v2: kvm_segment_synth, charged to the vm and vcpu it names */
static __always_inline int handle_segment_synth_v2(__u32 vm, __u32 vcpu_id, __u64 ea,
						   __u64 srr1, __u32 vector, bool injected,
						   __u32 dropped, __u64 dsegi, __u64 isegi)
{
	union kvmslb_vcpu_key8 k;
	struct kvmslb_vcpu_seg *st;
	struct kvmslb_who w;
	bool first;

	if (!who_vcpu(&w, vm, vcpu_id))
		return 0;
	vcpu_key8(&k, vm, vcpu_id);
	st = vcpu_state(vm, &k, &first);
	if (st) {
		segment_v2_count(st, vector, injected, dropped, dsegi, isegi, first);
	} else {
		/* full: this event still counts; the vcpu's drops cannot be recovered */
		stat_add(KVMSLB_STAT_VCPU_OVERFLOW, 1);
		count_add(&w, KVMSLB_CNT_SEGMENT, vector, injected, 1);
	}
	event_send(&w, KVMSLB_EV_SEGMENT, vector, injected, 0, ea, srr1, 0, dropped);
	return 0;
}

/* patched (v1 and v2): one completed HDSI/HISI fault path */
static __always_inline int handle_hfault(const struct kvmslb_who *w, __u32 trap, __u64 ea,
					 __u64 dsisr, __u32 outcome, __u64 lat_ns,
					 bool injected, __u32 dropped)
{
	hist_add(w, trap, outcome, lat_ns, injected, dropped);
	event_send(w, KVMSLB_EV_HFAULT, trap, injected, outcome, ea, dsisr, lat_ns, dropped);
	return 0;
}

static __always_inline bool trap_counted(__u32 trap)
{
	return trap == KVMSLB_TRAP_H_DATA_STORAGE || trap == KVMSLB_TRAP_H_INST_STORAGE ||
	       trap == KVMSLB_TRAP_DATA_SEGMENT || trap == KVMSLB_TRAP_INST_SEGMENT;
}

/* stock: kvm_hv:kvm_guest_exit of a trap on the fault path (trap_counted()) */
static __always_inline int handle_guest_exit(const struct kvmslb_who *w, __u32 trap)
{
	count_add(w, KVMSLB_CNT_EXIT, trap, 0, 1);
	event_send(w, KVMSLB_EV_EXIT, trap, 0, 0, 0, 0, 0, 0);
	return 0;
}

/*
 * stock: kvm_hv:kvm_page_fault_enter; paired with the exit by thread id
 * (both fire in the vcpu's own thread, in kvmppc_book3s_hv_page_fault(),
 * possibly on different CPUs).
 */
static __always_inline int handle_pf_enter(__u32 thread, __u64 now)
{
	__u32 slot = kvmslb_start_slot(thread, starts_mask);
	__u64 *start = bpf_map_lookup_elem(&starts, &slot);

	if (!start)
		return 0;
	/* another thread's fault in flight in this slot: its start is lost */
	if (*start && *start >> KVMSLB_START_TIME_BITS != thread)
		stat_add(KVMSLB_STAT_START_OVERFLOW, 1);
	*start = kvmslb_start_pack(thread, now);
	return 0;
}

/* stock: kvm_hv:kvm_page_fault_exit */
static __always_inline int handle_pf_exit(const struct kvmslb_who *w, __u32 thread, __u64 now)
{
	__u32 slot = kvmslb_start_slot(thread, starts_mask);
	__u64 *start = bpf_map_lookup_elem(&starts, &slot), s, lat;

	if (!start)
		return 0;
	s = *start;
	if (!s || s >> KVMSLB_START_TIME_BITS != thread) {
		stat_add(KVMSLB_STAT_UNPAIRED_EXIT, 1);
		return 0;
	}
	*start = 0;
	lat = (now - s) & KVMSLB_START_TIME_MASK;
	hist_add(w, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE, lat, 0, 0);
	event_send(w, KVMSLB_EV_PAGE_FAULT, KVMSLB_TRAP_PAGE_FAULT, 0, KVMSLB_OUTCOME_NONE, 0, 0,
		   lat, 0);
	return 0;
}

#endif /* KVMSLB_HANDLERS_H */
