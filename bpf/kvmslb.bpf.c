// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kvmslb's BPF programs. One thin wrapper per attach point; the work is
 * done by the static handlers in kvmslb_handlers.h. Userspace loads the
 * programs of one source (src/core/bpf_source.c):
 *
 * patched, series v2 (include/kvmslb/abi.h): raw_tp/kvm_segment_synth and
 *   raw_tp/kvm_hfault. Every scalar is a TP_PROTO argument (ctx[1..11]),
 *   the VM and vcpu included, so no BTF is needed and events are charged
 *   to the VM they name, whichever thread emits them.
 * patched, series v1: the same tracepoints with v1's arguments, charged
 *   to the current task.
 * stock without BTF: tp/kvm_hv/kvm_guest_exit, tp/kvm_hv/kvm_page_fault_*.
 *   Their TP_PROTO carries only struct pointers: the trap is read from the
 *   tracefs record at the offset userspace parsed from the event's format
 *   file (exit_trap_off/size), never from a guess; events are charged to
 *   the current task.
 *
 * The stock programs that read struct kvm_vcpu with CO-RE are in
 * kvmslb_btf.bpf.c: an object with CO-RE relocations cannot be loaded at
 * all where the kernel has no BTF, so they live apart.
 */
#include "kvmslb_handlers.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- patched, series v2 -------------------------------------------------- */
SEC("raw_tp/kvm_segment_synth")
int kvmslb_segment_synth(__u64 *ctx)
{
	/*
	 * (vcpu, vm_pid, vcpu_id, fault_ns, ea, srr0, srr1, vector, injected,
	 *  dropped, dsegi, isegi)
	 */
	return handle_segment_synth_v2((__u32)ctx[1], (__u32)ctx[2], ctx[4], ctx[6],
				       (__u32)ctx[7], ctx[8] & 1, (__u32)ctx[9], ctx[10],
				       ctx[11]);
}

SEC("raw_tp/kvm_hfault")
int kvmslb_hfault(__u64 *ctx)
{
	/*
	 * (vcpu, vm_pid, vcpu_id, fault_ns, ea, srr0, dsisr, trap, outcome,
	 *  latency_ns, injected, dropped)
	 */
	struct kvmslb_who w;

	if (!who_vcpu(&w, (__u32)ctx[1], (__u32)ctx[2]))
		return 0;
	return handle_hfault(&w, (__u32)ctx[7], ctx[4], ctx[6], (__u32)ctx[8], ctx[9],
			     ctx[10] & 1, (__u32)ctx[11]);
}

/* ---- patched, series v1 -------------------------------------------------- */
SEC("raw_tp/kvm_segment_synth")
int kvmslb_segment_synth_v1(__u64 *ctx)
{
	/* (vcpu, ea, vector, srr1, injected) */
	struct kvmslb_who w;

	if (!who_current(&w))
		return 0;
	return handle_segment_synth(&w, ctx[1], (__u32)ctx[2], ctx[3], ctx[4] & 1);
}

SEC("raw_tp/kvm_hfault")
int kvmslb_hfault_v1(__u64 *ctx)
{
	/* (vcpu, trap, ea, dsisr, outcome, latency_ns, injected, dropped) */
	struct kvmslb_who w;

	if (!who_current(&w))
		return 0;
	return handle_hfault(&w, (__u32)ctx[1], ctx[2], ctx[3], (__u32)ctx[4], ctx[5],
			     ctx[6] & 1, (__u32)ctx[7]);
}

/* ---- stock, no BTF: tracefs records ---------------------------------------- */
static __always_inline int read_field(void *rec, __u32 off, __u32 size, __u64 *val)
{
	__u64 v = 0;

	/* little-endian on both build and target (x86_64, ppc64le) */
	if (size == 0 || size > 8)
		return -1;
	if (bpf_probe_read_kernel(&v, size & 0xf, (char *)rec + off))
		return -1;
	*val = v;
	return 0;
}

SEC("tp/kvm_hv/kvm_guest_exit")
int kvmslb_guest_exit(void *ctx)
{
	struct kvmslb_who w;
	__u64 trap;

	if (read_field(ctx, exit_trap_off, exit_trap_size, &trap) || !trap_counted(trap))
		return 0;
	if (!who_current(&w))
		return 0;
	return handle_guest_exit(&w, (__u32)trap);
}

SEC("tp/kvm_hv/kvm_page_fault_enter")
int kvmslb_pf_enter(void *ctx)
{
	struct kvmslb_who w;

	if (!who_current(&w))
		return 0;
	return handle_pf_enter(w.unit, bpf_ktime_get_ns());
}

SEC("tp/kvm_hv/kvm_page_fault_exit")
int kvmslb_pf_exit(void *ctx)
{
	struct kvmslb_who w;

	if (!who_current(&w))
		return 0;
	return handle_pf_exit(&w, w.unit, bpf_ktime_get_ns());
}
