// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test-only stand-ins: kvmslb's real handlers (bpf/kvmslb_handlers.h)
 * attached to raw_syscalls:sys_enter, a tracepoint that fires on this
 * x86 machine, where no kvm_hv tracepoint exists.
 *
 *   standin_segment: syscall number 0xe00 (an invalid one: ENOSYS, but
 *     sys_enter fires) becomes a kvm_segment_synth event, to exercise the
 *     maps and the ring buffer with exact counts.
 *   bench_*: the real handlers on every syscall, and an empty program,
 *     for tests/run-bench.sh (run_time_ns / run_cnt of each).
 */
#include "kvmslb_handlers.h"

char LICENSE[] SEC("license") = "GPL";

#define STANDIN_NR 0xe00

/* raw_syscalls:sys_enter(struct pt_regs *regs, long id) */
SEC("raw_tp/sys_enter")
int standin_segment(__u64 *ctx)
{
	if (ctx[1] != STANDIN_NR)
		return 0;
	return handle_segment_synth(0xc000000000001000ULL, KVMSLB_TRAP_DATA_SEGMENT,
				    0x9000000000001003ULL, 1);
}

SEC("raw_tp/sys_enter")
int bench_empty(__u64 *ctx)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int bench_hfault(__u64 *ctx)
{
	/* a latency that varies with the syscall: several buckets in use */
	return handle_hfault(KVMSLB_TRAP_H_DATA_STORAGE, ctx[1] << 12, 0x40000000,
			     KVMSLB_OUTCOME_RETRY, 300 + (ctx[1] & 0xff) * 37, 0, 0);
}

SEC("raw_tp/sys_enter")
int bench_segment(__u64 *ctx)
{
	return handle_segment_synth(ctx[1] << 12, KVMSLB_TRAP_DATA_SEGMENT, 0, 0);
}

SEC("raw_tp/sys_enter")
int bench_exit(__u64 *ctx)
{
	return handle_guest_exit(KVMSLB_TRAP_H_DATA_STORAGE);
}
