/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One kvm_hv record, whatever it was read from (perf.data, perf script
 * text, trace-cmd's trace.dat), and the interface every reader feeds.
 * Readers resolve each event type's fields once (record/tp_decode.h) and
 * hand on fixed fields, so nothing per record is looked up by name.
 */
#ifndef KVMSLB_TRACE_REC_H
#define KVMSLB_TRACE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/rd.h"

enum trace_kind {
	TREC_KVM_OTHER = 0,	/* another kvm_hv event: counts for the time span only */
	TREC_SEGMENT,		/* kvm_segment_synth */
	TREC_HFAULT,		/* kvm_hfault */
	TREC_GUEST_EXIT,	/* kvm_guest_exit (stock) */
	TREC_PF_ENTER,		/* kvm_page_fault_enter (stock) */
	TREC_PF_EXIT,		/* kvm_page_fault_exit (stock) */
};

struct trace_rec {
	uint8_t kind;			/* enum trace_kind */
	bool v2;			/* series v2: vm_pid says whose VM it is */
	bool has_vcpu;			/* the event has a vcpu_id */
	bool missing;			/* the event lacks a field it must have */
	bool injected;
	int32_t pid, tid, cpu;		/* -1 when the input does not say */
	uint64_t time_ns;
	const char *comm;		/* perf script text: the line's comm, else NULL */
	bool comm_is_process;		/* that comm names the process (pid == tid) */
	int32_t vm_pid;			/* v2 */
	int32_t vcpu_id;
	uint32_t code;			/* trap (hfault, guest_exit) or vector (segment) */
	uint32_t outcome;
	uint32_t dropped;
	uint64_t latency_ns;
	uint64_t dsegi, isegi;		/* v2 segment: the vcpu's cumulative counts */
	uint64_t fault_ns;		/* v2 */
};

/* What a reader saw; nothing it skips goes uncounted. */
struct trace_read_stats {
	uint64_t samples;		/* tracepoint samples/records of any event */
	uint64_t kvm_hv;		/* of which kvm_hv records handed on */
	uint64_t undecodable;		/* records whose format is unknown or that do not fit it */
	uint64_t undecodable_kvm_hv;	/* of which kvm_hv (perf script text: lines) */
	uint64_t other_records;		/* records of no interest (mmap, other events, ...) */
	uint64_t lost;			/* events the kernel or perf reported lost */
	uint64_t lost_implausible;	/* lost counts too large to be true: not in lost */
	uint64_t lost_max_implausible;	/* the largest of those */
	char undecodable_first[160];	/* what the first undecodable kvm_hv record was */
	char note[160];			/* what the user should know about how it was read */
};

/* Where a reader's records go. Nonzero returns stop the reader, which returns them. */
struct trace_sink {
	int (*rec)(void *ctx, const struct trace_rec *r);
	/* A comm: the process's when pid == tid; a thread's (pid -1) from saved cmdlines. */
	int (*comm)(void *ctx, int32_t pid, int32_t tid, const char *name, size_t len);
	/* perf's FINISHED_ROUND: records before the previous round are complete. */
	int (*round)(void *ctx);
	/* Bytes of input read so far, every few MB. */
	void (*progress)(void *progress_ctx, uint64_t done);
	void *ctx, *progress_ctx;
};

/*
 * Readers return 0, -EINVAL for malformed or unsupported input (err says
 * what and where), or another -errno (-ENOMEM, I/O errors).
 */

/* perf.data from memory: file mode (PERFILE2 with its header) or a saved pipe stream. */
int perf_data_read_mem(const void *buf, size_t len, const struct trace_sink *s,
		       struct trace_read_stats *st, char *err, size_t errlen);
/* The same from a file descriptor: read in sequence, memory bounded. */
int perf_data_read_fd(int fd, uint64_t len, const struct trace_sink *s,
		      struct trace_read_stats *st, char *err, size_t errlen);
/* perf.data in pipe mode (perf record -o -) from a stream. */
int perf_data_read_stream(struct rd *r, const struct trace_sink *s, struct trace_read_stats *st,
			  char *err, size_t errlen);
/*
 * trace-cmd trace.dat, file versions 6 and 7 (sectioned, zlib or zstd
 * compressed), from memory. Kernel records name the thread only: pid is -1
 * and tid the record's common_pid.
 */
int trace_dat_read_mem(const void *buf, size_t len, const struct trace_sink *s,
		       struct trace_read_stats *st, char *err, size_t errlen);
/* perf script text from a stream. */
int perf_script_read(struct rd *r, const struct trace_sink *s, struct trace_read_stats *st,
		     char *err, size_t errlen);

#endif
