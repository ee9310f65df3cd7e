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
 *     vm_pid: the VMM process the VM belongs to: the tgid of the task
 *     that created the VM (KVM_CREATE_VM), recorded then in
 *     kvm->arch.vm_pid; not kvm->userspace_pid, which is the creating
 *     *thread's* pid and is set only as a side effect of the creation
 *     uevent. Only that process (kvm->mm) can run the vcpus. vcpu_id: the
 *     vcpu's id in that VM; fault_ns: when the guest exited for the fault,
 *     on local_clock() (ftrace's "local" clock, perf's clock); emission is
 *     deferred to the vcpu's next exit to the host, in the vcore runner's
 *     thread (another VM's with POWER8 dynamic micro-threading), so the
 *     event's own timestamp and current task are later and may be
 *     another VM's; srr0: guest PC; srr1: guest MSR (the SRR1 given);
 *     dropped: segment records this vcpu lost since its previous emitted
 *     segment record; dsegi/isegi: the vcpu's cumulative synthesized
 *     DSegI/ISegI counts including this one, so a consumer's totals are
 *     exact whatever was dropped (total = last - first + 1 per vcpu, or
 *     the sum of 1 + dropped). A full log keeps its newest record, so the
 *     latest counts always reach the next emission.
 *   fields: vm_pid (pid_t) vcpu_id (int) fault_ns (u64) ea srr0 srr1
 *     (unsigned long) vector (unsigned int) injected (bool) dropped (u32)
 *     dsegi isegi (u64)
 *   print fmt: "VM %d VCPU %d: vector=%s ea=0x%lx srr0=0x%lx srr1=0x%lx%s
 *               dropped=%u dsegi=%llu isegi=%llu fault_ns=%llu"
 *
 *   kvm_hfault(struct kvm_vcpu *vcpu, pid_t vm_pid, int vcpu_id,
 *              u64 fault_ns, unsigned long ea, unsigned long srr0,
 *              unsigned long dsisr, unsigned int trap, unsigned int outcome,
 *              u64 latency_ns, bool injected, u32 dropped)
 *     one per completed HDSI/HISI fault path of a hash guest, timed from
 *     the guest exit to the outcome (for host: to the host's handling of
 *     the exit; POWER9 hash guests too); dropped = fault-path records this
 *     vcpu lost since its previous emitted fault-path record. dsisr: the
 *     HDSISR; for an HISI, the HSRR1 bits. (No cumulative segment counts
 *     here: they would make 14 arguments.)
 *   fields: vm_pid (pid_t) vcpu_id (int) fault_ns (u64) ea srr0 dsisr
 *     (unsigned long) trap outcome (unsigned int) latency_ns (u64)
 *     injected (bool) dropped (u32)
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
 * Per-vcpu KVM binary stats (debugfs sums them per VM), series v2:
 *   dsegi_synth isegi_synth: always counted (inline in the real-mode asm);
 *   hfault_hdsi hfault_hisi hfault_retry hfault_reflect hfault_segment
 *   hfault_host hfault_mmio hdsi_latency_hist hisi_latency_hist
 *   (LOGHIST_TIME_NSEC): counted only while fault-path timing is on, that
 *   is while kvm_hfault or kvm_segment_synth is enabled or the kvm_hv
 *   module parameter hfault_stats is Y;
 *   hfault_log_drops segment_log_drops: records dropped, per kind;
 *   seg_synth_injected: only with CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT.
 *   v1 had hfault_log_drops for both kinds, no hfault_segment nor
 *   segment_log_drops, and counted everything always.
 *
 * Fault injection (CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT, test only):
 *   /sys/kernel/debug/kvm/<pid>-<vmfd>/slb_miss_inject, POWER7/8 hosts only
 *   write N: the next N HDSI/HISI with relocation on whose SLB entry
 *   slbfee. finds have that entry invalidated and a DSegI/ISegI
 *   synthesized; read: how many are left.
 */
#ifndef KVMSLB_ABI_H
#define KVMSLB_ABI_H

#define KVMSLB_TP_SYSTEM		"kvm_hv"
#define KVMSLB_TP_SEGMENT_SYNTH		"kvm_segment_synth"
#define KVMSLB_TP_HFAULT		"kvm_hfault"
#define KVMSLB_INJECT_FILE		"slb_miss_inject"
/* kvm_hv module parameter: fault-path stats without a tracepoint (v2) */
#define KVMSLB_STATS_PARAM		"/sys/module/kvm_hv/parameters/hfault_stats"
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
