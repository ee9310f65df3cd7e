// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kvmslb's BPF programs. One thin wrapper per attach point; the work is
 * done by the static handlers in kvmslb_handlers.h.
 *
 * patched source (kernel-patch/): raw_tp/kvm_segment_synth, raw_tp/kvm_hfault.
 *   Their TP_PROTO is (struct kvm_vcpu *, scalars...), so the scalars are
 *   ctx[1..] and no BTF is needed: raw_tp is the production attach path
 *   and the path BPF_PROG_TEST_RUN exercises.
 *
 * stock source: tp/kvm_hv/kvm_guest_exit, tp/kvm_hv/kvm_page_fault_{enter,exit}.
 *   Their TP_PROTO carries only struct pointers; without kernel BTF the
 *   fields are read from the tracefs record at offsets userspace parsed
 *   from the event's format file before load (exit_trap_off/size), never
 *   from a guess. The raw_tp/kvmslb_test_* programs take crafted scalar
 *   arguments for BPF_PROG_TEST_RUN and call the same handlers; they are
 *   named after no real tracepoint, so they can never attach to one.
 */
#include "kvmslb_handlers.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- patched ------------------------------------------------------------ */
SEC("raw_tp/kvm_segment_synth")
int kvmslb_segment_synth(__u64 *ctx)
{
	/* (vcpu, ea, vector, srr1, injected) */
	return handle_segment_synth(ctx[1], (__u32)ctx[2], ctx[3], ctx[4] & 1);
}

SEC("raw_tp/kvm_hfault")
int kvmslb_hfault(__u64 *ctx)
{
	/* (vcpu, trap, ea, dsisr, outcome, latency_ns, injected, dropped) */
	return handle_hfault((__u32)ctx[1], ctx[2], ctx[3], (__u32)ctx[4], ctx[5],
			     ctx[6] & 1, (__u32)ctx[7]);
}

/* ---- stock: tracefs records -------------------------------------------- */
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
	__u64 trap;

	if (read_field(ctx, exit_trap_off, exit_trap_size, &trap))
		return 0;
	return handle_guest_exit((__u32)trap);
}

SEC("tp/kvm_hv/kvm_page_fault_enter")
int kvmslb_pf_enter(void *ctx)
{
	return handle_pf_enter(bpf_ktime_get_ns());
}

SEC("tp/kvm_hv/kvm_page_fault_exit")
int kvmslb_pf_exit(void *ctx)
{
	return handle_pf_exit(bpf_ktime_get_ns());
}

/* ---- stock: test-run stand-ins (crafted scalar arguments) -------------- */
SEC("raw_tp/kvmslb_test_guest_exit")
int kvmslb_test_guest_exit(__u64 *ctx)
{
	/* (trap) */
	return handle_guest_exit((__u32)ctx[0]);
}

SEC("raw_tp/kvmslb_test_pf_enter")
int kvmslb_test_pf_enter(__u64 *ctx)
{
	/* (now_ns) */
	return handle_pf_enter(ctx[0]);
}

SEC("raw_tp/kvmslb_test_pf_exit")
int kvmslb_test_pf_exit(__u64 *ctx)
{
	/* (now_ns) */
	return handle_pf_exit(ctx[0]);
}
