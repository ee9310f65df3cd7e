// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test-only programs around kvmslb's real handlers (bpf/kvmslb_handlers.h);
 * never shipped (the product objects are built from bpf/).
 *
 *   test_*: raw_tp programs named after no real tracepoint, for
 *     BPF_PROG_TEST_RUN with crafted scalar arguments: the stock handlers
 *     as their tp/ (tracefs offsets) and CO-RE (kvmslb_btf.bpf.c) wrappers
 *     call them once the record or the vcpu has been read.
 *   standin_segment: attached to raw_syscalls:sys_enter, a tracepoint that
 *     fires on this x86 machine: syscall number 0xe00 (invalid: ENOSYS, but
 *     sys_enter fires) becomes a kvm_segment_synth event, for the maps and
 *     the ring buffer with exact counts.
 *   bench_*: the handlers the way the product's wrappers call them, and an
 *     empty program, on kmem:mm_page_alloc for tests/bench/.
 */
#include "kvmslb_handlers.h"

char LICENSE[] SEC("license") = "GPL";

#define STANDIN_NR 0xe00

/* ---- BPF_PROG_TEST_RUN stand-ins ------------------------------------------ */
/* stock without BTF: kvm_guest_exit's trap, charged to the current task */
SEC("raw_tp/kvmslb_test_guest_exit")
int test_guest_exit(__u64 *ctx)
{
	/* (trap) */
	struct kvmslb_who w;

	if (!trap_counted((__u32)ctx[0]) || !who_current(&w))
		return 0;
	return handle_guest_exit(&w, (__u32)ctx[0]);
}

/* stock with BTF: what kvmslb_guest_exit_btf does after reading the vcpu */
SEC("raw_tp/kvmslb_test_guest_exit_vcpu")
int test_guest_exit_vcpu(__u64 *ctx)
{
	/* (vm, vcpu_id, trap) */
	struct kvmslb_who w;

	if (!trap_counted((__u32)ctx[2]) || !who_vcpu(&w, (__u32)ctx[0], (__u32)ctx[1]))
		return 0;
	return handle_guest_exit(&w, (__u32)ctx[2]);
}

SEC("raw_tp/kvmslb_test_pf_enter")
int test_pf_enter(__u64 *ctx)
{
	/* (now_ns) */
	struct kvmslb_who w;

	if (!who_current(&w))
		return 0;
	return handle_pf_enter(w.unit, ctx[0]);
}

SEC("raw_tp/kvmslb_test_pf_exit")
int test_pf_exit(__u64 *ctx)
{
	/* (now_ns) */
	struct kvmslb_who w;

	if (!who_current(&w))
		return 0;
	return handle_pf_exit(&w, w.unit, ctx[0]);
}

/* ---- stand-in on a tracepoint that fires here ----------------------------- */
SEC("raw_tp/sys_enter")
int standin_segment(__u64 *ctx)
{
	struct kvmslb_who w;

	if (ctx[1] != STANDIN_NR || !who_current(&w))
		return 0;
	return handle_segment_synth(&w, 0xc000000000001000ULL, KVMSLB_TRAP_DATA_SEGMENT,
				    0x9000000000001003ULL, 1);
}

/* ---- bench: every handler as its product wrapper calls it ----------------- */
/*
 * On kmem:mm_page_alloc (ctx[0]: the struct page), which a page-populating
 * mmap() fires 1024 times in a row in the kernel (tests/bpf/bench_handlers.c):
 * events back to back as exits come on a busy host, without a system call
 * between two of them. Each CPU stands for one vcpu of a guest: one writer
 * per key, as in production.
 */
#define BENCH_VM 4242
#define BENCH_LAT(ctx) (300 + ((ctx[0] >> 6) & 0xff) * 37)	/* several buckets */

/* v2 cumulative counts that advance like a vcpu's: one synthesis per event */
__u64 bench_seq[64];

/* the vcpu an event names (v2 arguments, CO-RE reads) */
static __always_inline bool bench_vcpu(struct kvmslb_who *w)
{
	return who_vcpu(w, BENCH_VM, bpf_get_smp_processor_id());
}

/*
 * The current task, read as the product does, then replaced by a fixed
 * guest and vcpu: at a kvm_hv tracepoint the current task is one of a few
 * vcpu threads, while page allocations come from every task.
 */
static __always_inline bool bench_task(struct kvmslb_who *w)
{
	if (!who_current(w))
		return false;
	w->tgid = BENCH_VM + 1;
	w->unit = bpf_get_smp_processor_id();
	return true;
}

SEC("raw_tp/mm_page_alloc")
int bench_empty(__u64 *ctx)
{
	return 0;
}

/* patched v2 kvm_hfault: the vm and vcpu from the arguments */
SEC("raw_tp/mm_page_alloc")
int bench_hfault(__u64 *ctx)
{
	struct kvmslb_who w;

	if (!bench_vcpu(&w))
		return 0;
	return handle_hfault(&w, KVMSLB_TRAP_H_DATA_STORAGE, ctx[0], 0x40000000,
			     KVMSLB_OUTCOME_RETRY, BENCH_LAT(ctx), 0, 0);
}

/* patched v1 kvm_hfault: the current task */
SEC("raw_tp/mm_page_alloc")
int bench_hfault_v1(__u64 *ctx)
{
	struct kvmslb_who w;

	if (!bench_task(&w))
		return 0;
	return handle_hfault(&w, KVMSLB_TRAP_H_DATA_STORAGE, ctx[0], 0x40000000,
			     KVMSLB_OUTCOME_RETRY, BENCH_LAT(ctx), 0, 0);
}

/* patched v2 kvm_segment_synth, with the cumulative-count bookkeeping */
SEC("raw_tp/mm_page_alloc")
int bench_segment(__u64 *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 n = ++bench_seq[cpu & 63];

	return handle_segment_synth_v2(BENCH_VM, cpu, ctx[0], 0, KVMSLB_TRAP_DATA_SEGMENT, 0,
				       0, n, 0);
}

/* patched v1 kvm_segment_synth */
SEC("raw_tp/mm_page_alloc")
int bench_segment_v1(__u64 *ctx)
{
	struct kvmslb_who w;

	if (!bench_task(&w))
		return 0;
	return handle_segment_synth(&w, ctx[0], KVMSLB_TRAP_DATA_SEGMENT, 0, 0);
}

/* stock kvm_guest_exit without BTF (the current task) */
SEC("raw_tp/mm_page_alloc")
int bench_exit(__u64 *ctx)
{
	struct kvmslb_who w;

	if (!bench_task(&w))
		return 0;
	return handle_guest_exit(&w, KVMSLB_TRAP_H_DATA_STORAGE);
}

/* stock kvm_guest_exit with BTF, after its reads (the vcpu's VM) */
SEC("raw_tp/mm_page_alloc")
int bench_exit_vcpu(__u64 *ctx)
{
	struct kvmslb_who w;

	if (!bench_vcpu(&w))
		return 0;
	return handle_guest_exit(&w, KVMSLB_TRAP_H_DATA_STORAGE);
}

/* stock page fault: enter and exit, two tracepoint hits in one run */
SEC("raw_tp/mm_page_alloc")
int bench_page_fault(__u64 *ctx)
{
	struct kvmslb_who w;
	__u64 t = 1000000;

	if (!bench_task(&w))
		return 0;
	handle_pf_enter(w.unit, t);
	return handle_pf_exit(&w, w.unit, t + BENCH_LAT(ctx));
}

/*
 * Fake kernel objects for the CO-RE programs: the kernel address of a map
 * value, so that a test can lay out a struct kvm_vcpu (tests/bpf/power_kvm.h)
 * there and pass its address as a tracepoint's vcpu argument. Needs the
 * privilege to leak kernel addresses (root; CAP_PERFMON).
 */
struct fake_mem {
	char bytes[2048];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fake_mem);
} fake SEC(".maps");

__u64 fake_addr;

SEC("raw_tp/kvmslb_test_fake_addr")
int test_fake_addr(__u64 *ctx)
{
	__u32 k = 0;
	void *p = bpf_map_lookup_elem(&fake, &k);

	if (p)
		fake_addr = (__u64)p;
	return 0;
}
