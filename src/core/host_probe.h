/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this host can observe: CPU generation, kvm_hv (and its
 * micro-threading parameters), tracepoints (and which series of the
 * kvmslb patch), BTF (and whether it describes KVM's vcpu), bpf(),
 * privileges, KVM stats. Used by 'doctor' and by source selection, so
 * both always agree on why a data source cannot run.
 */
#ifndef KVMSLB_HOST_PROBE_H
#define KVMSLB_HOST_PROBE_H

#include <stdbool.h>

enum cpu_gen {
	CPU_GEN_OTHER = 0,
	CPU_GEN_POWER7,
	CPU_GEN_POWER8,
	CPU_GEN_POWER9,
	CPU_GEN_POWER10,
	CPU_GEN_POWER_OTHER,
};

enum data_source {
	SOURCE_PATCHED = 0,	/* our kvm_hv tracepoints, via eBPF */
	SOURCE_STOCK,		/* kvm_guest_exit + kvm_page_fault_*, via eBPF */
	SOURCE_STATS,		/* KVM binary stats in debugfs, no eBPF */
	SOURCE_NR
};

/* Tracepoints kvmslb looks for in kvm_hv; index = enum kvm_hv_tp. */
enum kvm_hv_tp {
	TP_SEGMENT_SYNTH = 0,
	TP_HFAULT,
	TP_GUEST_EXIT,
	TP_PAGE_FAULT_ENTER,
	TP_PAGE_FAULT_EXIT,
	TP_NR
};

#define PROBE_STR 256

struct host_probe {
	char machine[64];		/* uname -m */
	char release[128];		/* uname -r */
	char cpu[PROBE_STR];		/* /proc/cpuinfo "cpu" or "model name" */
	enum cpu_gen gen;
	bool is_power;
	bool kvm_dev;			/* /dev/kvm exists */
	bool kvm_hv;			/* /sys/module/kvm_hv exists */
	char tracefs[PROBE_STR];	/* mount point, "" if none */
	char tracefs_err[PROBE_STR];
	bool tp[TP_NR];
	bool patched_v2;		/* kvm_segment_synth names its VM (vm_pid field) */
	bool btf;			/* /sys/kernel/btf/vmlinux */
	bool btf_kvm;			/* ... and it (or kvm_hv's) describes struct kvm_vcpu */
	char btf_kvm_why[PROBE_STR];	/* where, or why not */
	int mt_modes;			/* kvm_hv dynamic_mt_modes; -1 unknown */
	int one_vm_per_core;		/* kvm_hv one_vm_per_core: 1 Y, 0 N, -1 unknown */
	int hfault_stats;		/* kvm_hv hfault_stats (series v2): 1 Y, 0 N, -1 absent */
	bool bpf_ok;			/* a trivial program loaded */
	char bpf_err[PROBE_STR];
	bool cap_bpf, cap_perfmon, cap_sys_admin;
	char debugfs_kvm[PROBE_STR];	/* "/sys/kernel/debug/kvm" if readable */
	char debugfs_err[PROBE_STR];
	bool stats_patched;		/* debugfs has our counters (dsegi_synth) */
	int fix_2015;			/* 1 yes, 0 unknown, -1 not applicable */
	char fix_2015_why[PROBE_STR];
};

const char *tp_name(enum kvm_hv_tp tp);
const char *source_name(enum data_source s);
int source_from_name(const char *name, enum data_source *out);
const char *cpu_gen_name(enum cpu_gen g);

/*
 * Fill 'p'. Paths are taken relative to 'root' ("" for the real host) so
 * tests can point it at a directory tree. Never fails: what cannot be
 * probed is recorded with its reason.
 */
void host_probe(struct host_probe *p, const char *root, bool try_mount);

/*
 * Does this BTF describe what kvmslb_btf.bpf.c reads (struct kvm_vcpu's
 * vcpu_id, arch.trap and arch.run_task; task_struct's tgid)? 'file': a BTF
 * file (--btf), or NULL for the kernel's own under 'root' (vmlinux, then
 * the kvm_hv and kvm modules). Where it was found, or why not, in 'why'.
 */
bool btf_describes_kvm(const char *root, const char *file, char *why, unsigned long len);
struct btf;
/* What kvmslb_btf.bpf.c reads that 'btf' lacks: "" if nothing, else its name. */
const char *btf_kvm_missing(const struct btf *btf);

/*
 * POWER8 dynamic micro-threading can run vcores of several VMs on one core
 * (kvm_hv dynamic_mt_modes != 0 and one_vm_per_core N, or unknown), and the
 * runner thread then reports the others' exits: events charged to the
 * current task can land on the wrong guest.
 */
bool host_mt_can_mix_vms(const struct host_probe *p);
/* POWER7/POWER8: a vcore's runner thread reports every vcpu of the vcore. */
bool host_runner_reports(const struct host_probe *p);

/* Can source 's' run here? If not, why (one line) in 'why'. */
bool source_usable(const struct host_probe *p, enum data_source s, char *why,
		   unsigned long len);

/* Parsers, exposed for unit tests. */
enum cpu_gen cpu_gen_from_cpuinfo(const char *cpuinfo, char *cpu, unsigned long len);
bool caps_from_status(const char *status, int cap);

#endif
