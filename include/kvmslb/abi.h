/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the patched kernel (kernel-patch/) exposes, as kvmslb sees it.
 * Shared by bpf/ and src/: keep it free of libc and kernel headers.
 *
 * Tracepoints, system kvm_hv. raw_tp programs see the TP_PROTO arguments
 * as ctx[0..11] (the kernel's limit is 12), so every scalar a consumer
 * needs is an argument and no BTF is needed to read it.
 *
 * ---- series v2 (the contract every front end reads today) ----
 *
 *   kvm_segment_synth(struct kvm_vcpu *vcpu, pid_t vm_pid, int vcpu_id,
 *                     u64 fault_ns, unsigned long ea, unsigned long srr0,
 *                     unsigned long srr1, unsigned int vector, bool injected,
 *                     u32 dropped, u64 dsegi, u64 isegi)
 *     one per Data/Instruction Segment interrupt synthesized for a guest
 *     because slbfee. found no SLB entry on an HDSI/HISI (the 2015 fix).
 *     vm_pid: the VMM process the VM belongs to (see the kernel series'
 *     README for the exact kernel source of this value); vcpu_id: the
 *     vcpu's id in that VM; fault_ns: when the fault happened, on the
 *     kernel's trace clock (emission is deferred to the vcpu's next exit
 *     to the host, so the event's own timestamp is later); srr0: guest PC;
 *     dropped: segment records this vcpu lost since its previous emitted
 *     segment record; dsegi/isegi: the vcpu's cumulative synthesized
 *     DSegI/ISegI counts including this one, so a consumer's totals are
 *     exact whatever was dropped (total = last - first + 1 per vcpu, or
 *     the sum of 1 + dropped).
 *   print fmt: "VM %d VCPU %d: vector=%s ea=0x%lx srr0=0x%lx srr1=0x%lx%s
 *               dropped=%u dsegi=%llu isegi=%llu fault_ns=%llu"
 *
 *   kvm_hfault(struct kvm_vcpu *vcpu, pid_t vm_pid, int vcpu_id,
 *              u64 fault_ns, unsigned long ea, unsigned long srr0,
 *              unsigned long dsisr, unsigned int trap, unsigned int outcome,
 *              u64 latency_ns, bool injected, u32 dropped)
 *     one per completed HDSI/HISI fault path; dropped = fault-path records
 *     this vcpu lost since its previous emitted fault-path record. For an
 *     HISI, dsisr carries the SRR1 bits. (No cumulative segment counts
 *     here: they would make 14 arguments.)
 *   print fmt: "VM %d VCPU %d: trap=%s ea=0x%lx srr0=0x%lx dsisr=0x%lx
 *               outcome=%s latency=%llu ns%s dropped=%u fault_ns=%llu"
 *
 *   A v2 event is told from a v1 one by its vm_pid field (tracefs format)
 *   or its "VM %d" prefix (perf script text).
 *
 * ---- series v1 (recordings made with it must still be read) ----
 *
 *   kvm_segment_synth(vcpu, ea, vector, srr1, injected)
 *     fields vcpu_id ea vector srr1 injected;
 *     "VCPU %d: vector=%s ea=0x%lx srr1=0x%lx%s"
 *   kvm_hfault(vcpu, trap, ea, dsisr, outcome, latency_ns, injected, dropped)
 *     fields vcpu_id trap ea dsisr outcome latency_ns injected dropped;
 *     "VCPU %d: trap=%s ea=0x%lx dsisr=0x%lx outcome=%s latency=%llu ns%s dropped=%u"
 *   v1 events carry no VM identity: they are charged to the emitting task's
 *   process, which is wrong when POWER8 micro-threading runs another VM's
 *   vcore on the emitting thread's core.
 *
 * Per-vcpu KVM binary stats (debugfs sums them per VM):
 *   hfault_hdsi hfault_hisi dsegi_synth isegi_synth seg_synth_injected
 *   hfault_retry hfault_reflect hfault_host hfault_mmio hfault_log_drops
 *   hdsi_latency_hist hisi_latency_hist (LOGHIST_TIME_NSEC)
 *   (the kernel series' README is authoritative for v2's names)
 *
 * Fault injection (CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT, test only):
 *   /sys/kernel/debug/kvm/<pid>-<vmfd>/slb_miss_inject
 *   write N: the next N HDSI/HISI with relocation on take the SLB-miss
 *   branch; read: how many are left.
 */
#ifndef KVMSLB_ABI_H
#define KVMSLB_ABI_H

#define KVMSLB_TP_SYSTEM		"kvm_hv"
#define KVMSLB_TP_SEGMENT_SYNTH		"kvm_segment_synth"
#define KVMSLB_TP_HFAULT		"kvm_hfault"
#define KVMSLB_INJECT_FILE		"slb_miss_inject"
/* The field that marks a series v2 event (tracefs format, perf.data, trace.dat). */
#define KVMSLB_V2_FIELD			"vm_pid"

/* Interrupt vectors (BOOK3S_INTERRUPT_*) */
#define KVMSLB_TRAP_DATA_STORAGE	0x300
#define KVMSLB_TRAP_DATA_SEGMENT	0x380
#define KVMSLB_TRAP_INST_STORAGE	0x400
#define KVMSLB_TRAP_INST_SEGMENT	0x480
#define KVMSLB_TRAP_H_DATA_STORAGE	0xe00
#define KVMSLB_TRAP_H_INST_STORAGE	0xe20

/* kvm_hfault.outcome */
enum kvmslb_outcome {
	KVMSLB_OUTCOME_RETRY = 0,	/* HPTE found/fixed, guest retries */
	KVMSLB_OUTCOME_REFLECT = 1,	/* DSI/ISI delivered to the guest */
	KVMSLB_OUTCOME_SEGMENT = 2,	/* DSegI/ISegI synthesized */
	KVMSLB_OUTCOME_HOST = 3,	/* passed to the host (virtual mode) */
	KVMSLB_OUTCOME_MMIO = 4,	/* MMIO emulation */
	KVMSLB_OUTCOME_NR
};

#endif /* KVMSLB_ABI_H */
