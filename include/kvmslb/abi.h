/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the patched kernel (kernel-patch/) exposes, as kvmslb sees it.
 * Shared by bpf/ and src/: keep it free of libc and kernel headers.
 *
 * Tracepoints, system kvm_hv (TP_PROTO order is what raw_tp programs see):
 *
 *   kvm_segment_synth(struct kvm_vcpu *vcpu, unsigned long ea,
 *                     unsigned int vector, unsigned long srr1, bool injected)
 *     one per Data/Instruction Segment interrupt synthesized for a guest
 *     because slbfee. found no SLB entry on an HDSI/HISI (the 2015 fix).
 *
 *   kvm_hfault(struct kvm_vcpu *vcpu, unsigned int trap, unsigned long ea,
 *              unsigned long dsisr, unsigned int outcome, u64 latency_ns,
 *              bool injected, unsigned int dropped)
 *     one per completed HDSI/HISI fault path; dropped = records lost from
 *     the per-vcpu real-mode log since the previous emitted event.
 *
 * Per-vcpu KVM binary stats (debugfs sums them per VM):
 *   hfault_hdsi hfault_hisi dsegi_synth isegi_synth seg_synth_injected
 *   hfault_retry hfault_reflect hfault_host hfault_mmio hfault_log_drops
 *   hdsi_latency_hist hisi_latency_hist (LOGHIST_TIME_NSEC)
 *
 * Fault injection (CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT):
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
