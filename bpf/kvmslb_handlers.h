/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps and event handlers of the kvmslb BPF programs. Every program
 * (tp/, raw_tp/, and the test-only stand-ins of tests/bpf/) is a thin
 * wrapper that extracts arguments and calls one handler here, so what is
 * tested through BPF_PROG_TEST_RUN is what runs on a POWER host.
 *
 * Maps are per-CPU with bounded sizes; an increment whose key cannot be
 * inserted is added to an overflow counter in 'stats', never lost silently.
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
const volatile __u32 targ_per_vcpu = 0;		/* key by vcpu thread too */
const volatile __u32 targ_ringbuf = 0;		/* send individual events */
/*
 * kvm_guest_exit's 'trap' field in the tracefs record, from the format file
 * at load time (there is no BTF on Debian's ppc64el kernel). Size 0: not
 * configured, and the tp/ program counts nothing rather than guess.
 */
const volatile __u32 exit_trap_off = 0;
const volatile __u32 exit_trap_size = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KVMSLB_COUNTS_MAX);
	__type(key, struct kvmslb_count_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KVMSLB_HISTS_MAX);
	__type(key, struct kvmslb_hist_key);
	__type(value, struct kvmslb_hist_val);
} hists SEC(".maps");

/* Page-fault start time per vcpu thread (enter and exit may be on different CPUs). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KVMSLB_STARTS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

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

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n;
}

/* Guest filter; fills tgid and the tid part of keys. */
static __always_inline bool kvmslb_current(__u32 *tgid, __u32 *tid)
{
	__u64 id = bpf_get_current_pid_tgid();

	*tgid = id >> 32;
	if (targ_tgid && *tgid != targ_tgid)
		return false;
	*tid = targ_per_vcpu ? (__u32)id : 0;
	return true;
}

static __always_inline void count_add(__u32 tgid, __u32 tid, __u8 kind, __u16 code,
				      __u8 flag, __u64 n)
{
	struct kvmslb_count_key k = {
		.tgid = tgid, .tid = tid, .code = code, .kind = kind, .flag = flag,
	};
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (!v) {
		__u64 zero = 0;

		if (!bpf_map_update_elem(&counts, &k, &zero, BPF_NOEXIST))
			note_new_key(tgid);
		v = bpf_map_lookup_elem(&counts, &k);
		if (!v) {
			stat_add(KVMSLB_STAT_COUNT_OVERFLOW, n);
			return;
		}
	}
	*v += n;
}

static __always_inline void hist_add(__u32 tgid, __u32 tid, __u16 trap, __u8 outcome,
				     __u64 lat_ns, bool injected, __u32 dropped)
{
	struct kvmslb_hist_key k = {
		.tgid = tgid, .tid = tid, .trap = trap, .outcome = outcome,
	};
	struct kvmslb_hist_val *v = bpf_map_lookup_elem(&hists, &k);
	__u32 slot;

	if (!v) {
		struct kvmslb_hist_val zero;

		__builtin_memset(&zero, 0, sizeof(zero));
		if (!bpf_map_update_elem(&hists, &k, &zero, BPF_NOEXIST))
			note_new_key(tgid);
		v = bpf_map_lookup_elem(&hists, &k);
		if (!v) {
			stat_add(KVMSLB_STAT_HIST_OVERFLOW, 1);
			return;
		}
	}
	slot = kvmslb_slot(lat_ns);
	/*
	 * Older verifiers (Debian's 6.1) lose the clamp's bound through a
	 * register copy: hide the value from clang and mask it again.
	 */
	asm volatile("" : "+r"(slot));
	v->slots[slot & (KVMSLB_HIST_SLOTS - 1)]++;
	v->count++;
	v->sum_ns += lat_ns;
	if (lat_ns > v->max_ns)
		v->max_ns = lat_ns;
	v->injected += injected;
	v->dropped += dropped;
}

static __always_inline void event_send(__u8 type, __u32 tgid, __u32 tid, __u16 code,
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
	e->tgid = tgid;
	/* the event always names its thread, per-vcpu keys or not */
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->dropped = dropped;
	e->code = code;
	e->type = type;
	e->flag = flag;
	e->outcome = outcome;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_ringbuf_submit(e, 0);
	stat_add(KVMSLB_STAT_RB_SENT, 1);
}

/* patched: kvm_hv:kvm_segment_synth(vcpu, ea, vector, srr1, injected) */
static __always_inline int handle_segment_synth(__u64 ea, __u32 vector, __u64 srr1,
						bool injected)
{
	__u32 tgid, tid;

	if (!kvmslb_current(&tgid, &tid))
		return 0;
	stat_add(KVMSLB_STAT_EVENTS, 1);
	count_add(tgid, tid, KVMSLB_CNT_SEGMENT, vector, injected, 1);
	event_send(KVMSLB_EV_SEGMENT, tgid, tid, vector, injected, 0, ea, srr1, 0, 0);
	return 0;
}

/*
 * patched: kvm_hv:kvm_hfault(vcpu, trap, ea, dsisr, outcome, latency_ns,
 * injected, dropped)
 */
static __always_inline int handle_hfault(__u32 trap, __u64 ea, __u64 dsisr, __u32 outcome,
					 __u64 lat_ns, bool injected, __u32 dropped)
{
	__u32 tgid, tid;

	if (!kvmslb_current(&tgid, &tid))
		return 0;
	stat_add(KVMSLB_STAT_EVENTS, 1);
	hist_add(tgid, tid, trap, outcome, lat_ns, injected, dropped);
	event_send(KVMSLB_EV_HFAULT, tgid, tid, trap, injected, outcome, ea, dsisr, lat_ns,
		   dropped);
	return 0;
}

static __always_inline bool trap_counted(__u32 trap)
{
	return trap == KVMSLB_TRAP_H_DATA_STORAGE || trap == KVMSLB_TRAP_H_INST_STORAGE ||
	       trap == KVMSLB_TRAP_DATA_SEGMENT || trap == KVMSLB_TRAP_INST_SEGMENT;
}

/* stock: kvm_hv:kvm_guest_exit, only the traps of the fault path */
static __always_inline int handle_guest_exit(__u32 trap)
{
	__u32 tgid, tid;

	if (!trap_counted(trap))
		return 0;
	if (!kvmslb_current(&tgid, &tid))
		return 0;
	stat_add(KVMSLB_STAT_EVENTS, 1);
	count_add(tgid, tid, KVMSLB_CNT_EXIT, trap, 0, 1);
	event_send(KVMSLB_EV_EXIT, tgid, tid, trap, 0, 0, 0, 0, 0, 0);
	return 0;
}

/* stock: kvm_hv:kvm_page_fault_enter; paired with the exit by thread id */
static __always_inline int handle_pf_enter(__u64 now)
{
	__u32 tgid, tid, thread;

	if (!kvmslb_current(&tgid, &tid))
		return 0;
	thread = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&starts, &thread, &now, BPF_ANY))
		stat_add(KVMSLB_STAT_START_OVERFLOW, 1);
	return 0;
}

/* stock: kvm_hv:kvm_page_fault_exit */
static __always_inline int handle_pf_exit(__u64 now)
{
	__u32 tgid, tid, thread;
	__u64 *start, lat;

	if (!kvmslb_current(&tgid, &tid))
		return 0;
	thread = (__u32)bpf_get_current_pid_tgid();
	start = bpf_map_lookup_elem(&starts, &thread);
	if (!start) {
		stat_add(KVMSLB_STAT_UNPAIRED_EXIT, 1);
		return 0;
	}
	lat = now > *start ? now - *start : 0;
	bpf_map_delete_elem(&starts, &thread);
	stat_add(KVMSLB_STAT_EVENTS, 1);
	hist_add(tgid, tid, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE, lat, 0, 0);
	event_send(KVMSLB_EV_PAGE_FAULT, tgid, tid, KVMSLB_TRAP_PAGE_FAULT, 0,
		   KVMSLB_OUTCOME_NONE, 0, 0, lat, 0);
	return 0;
}

#endif /* KVMSLB_HANDLERS_H */
