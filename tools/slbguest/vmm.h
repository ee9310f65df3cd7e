/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * slbguest mini VMM: one KVM-HV HPT VM with V vcpu threads running the
 * payload of guest.S. The front end (slbguest.c) fills struct slbg_opts,
 * then calls slbg_vm_create(), slbg_vm_inject(), slbg_vm_run() and reads
 * the per-vcpu results.
 */
#ifndef SLBGUEST_VMM_H
#define SLBGUEST_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct slbg_opts {
	const char *name;
	unsigned int ndata;		/* data pages per vcpu */
	unsigned int ncode;		/* code pages per vcpu */
	unsigned int nvcpus;
	unsigned long loops;		/* passes; 0 = not limited by count */
	unsigned long duration;		/* seconds; 0 = not limited by time */
	unsigned long timeout;		/* seconds; 0 = none */
	unsigned long inject;		/* written to slb_miss_inject if > 0 */
	bool stale_erat;
	bool pace;			/* hcall from every segment handler */
	bool dup_test;			/* handlers reload before the SLB check */
	bool quiet;
};

/* What one vcpu reported (SLBG_HC_REPORT), in guest.S register order */
struct slbg_counts {
	uint64_t dsegi, isegi, dsi, isi, other, hcalls, passes, stub;
	uint64_t status;
};

struct slbg_vm;

struct slbg_vcpu {
	struct slbg_vm *vm;
	unsigned int index;
	int fd;
	void *run;			/* struct kvm_run, mmap()ed */
	pthread_t thread;
	bool started;
	bool finished;			/* thread done (under vm->lock) */
	struct slbg_counts counts;
	bool reported;			/* SLBG_HC_REPORT received */
	bool failed;
	char err[256];			/* first failure of this vcpu */
	uint64_t kvm_runs;
	uint64_t vmm_hcalls;		/* KVM_EXIT_PAPR_HCALL exits */
	uint64_t seg_dsegi, seg_isegi;	/* --pace: SLBG_HC_SEG seen */
};

struct slbg_vm {
	const struct slbg_opts *o;
	int kvm_fd, vm_fd;
	pid_t pid;
	char debugfs[96];
	uint8_t *low;			/* slot 0: low region + code pages */
	size_t low_size;
	uint8_t *data;			/* slot 1: data pages */
	size_t data_size;
	uint64_t data_gpa;
	unsigned int hpt_order;
	bool hash_v3;			/* POWER9+: HPT chosen by CONFIGURE_V3_MMU */
	size_t run_size;
	struct slbg_vcpu *vcpus;
	struct timespec start;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	unsigned int ndone;
	unsigned int active;		/* vcpu threads still running */
	/* end-of-pass barrier (under lock) */
	pthread_cond_t pass_cv;
	unsigned int pass_arrived;
	uint64_t pass_gen;
	uint64_t pass_done;
	bool pass_go;
	char pass_err[256];
	char err[320];
};

/* All return 0 or -1 with a one-line message in vm->err. */
int slbg_vm_create(struct slbg_vm *vm, const struct slbg_opts *o);
int slbg_vm_inject(struct slbg_vm *vm, unsigned long count);
int slbg_vm_inject_left(struct slbg_vm *vm, long *left);
/* Runs all vcpus to their report; -1 on timeout or thread start failure. */
int slbg_vm_run(struct slbg_vm *vm);
/* Counters read back from guest memory (for vcpus that did not report) */
void slbg_vm_peek_counts(struct slbg_vm *vm, unsigned int index, struct slbg_counts *c);

#endif /* SLBGUEST_VMM_H */
