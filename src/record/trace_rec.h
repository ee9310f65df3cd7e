/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One decoded tracepoint record, whatever it was read from: perf.data,
 * perf script text or trace-cmd's trace.dat. Readers hand these to a
 * callback; the kvm_hv mapping turns them into the same aggregation
 * updates the live eBPF source makes.
 */
#ifndef KVMSLB_TRACE_REC_H
#define KVMSLB_TRACE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_REC_MAX_FIELDS 24

struct trace_field {
	const char *name;
	uint64_t val;
};

struct trace_rec {
	const char *system;		/* "kvm_hv" */
	const char *event;		/* "kvm_hfault" */
	int32_t pid, tid, cpu;		/* -1 when the input does not say */
	uint64_t time_ns;
	const char *comm;		/* NULL when unknown */
	bool comm_is_process;		/* comm names the process, not just the thread */
	int nfields;
	struct trace_field fields[TRACE_REC_MAX_FIELDS];
};

/* What a reader saw; nothing it skips goes uncounted. */
struct trace_read_stats {
	uint64_t samples;		/* tracepoint samples decoded */
	uint64_t undecodable;		/* samples whose format was unknown */
	uint64_t lost;			/* events the kernel reported lost */
	uint64_t other_records;		/* records of no interest (mmap, comm, ...) */
};

/* Nonzero return stops the reader, which then returns that value. */
typedef int (*trace_rec_fn)(const struct trace_rec *r, void *ctx);

bool trace_rec_get(const struct trace_rec *r, const char *name, uint64_t *val);

/*
 * Readers return 0, -EINVAL for malformed or unsupported input (err says
 * what and where), or another -errno for I/O errors.
 */
typedef int (*trace_mem_reader)(const void *buf, size_t len, trace_rec_fn fn, void *ctx,
				struct trace_read_stats *st, char *err, size_t errlen);

/* perf.data, from memory. */
int perf_data_read_mem(const void *buf, size_t len, trace_rec_fn fn, void *ctx,
		       struct trace_read_stats *st, char *err, size_t errlen);
/*
 * trace-cmd trace.dat, file version 6, from memory. Kernel records name the
 * thread only: pid is -1 and tid the record's common_pid.
 */
int trace_dat_read_mem(const void *buf, size_t len, trace_rec_fn fn, void *ctx,
		       struct trace_read_stats *st, char *err, size_t errlen);
/* A file mapped and handed to one of the readers above; errors name the file. */
int trace_read_file(const char *path, trace_mem_reader reader, trace_rec_fn fn, void *ctx,
		    struct trace_read_stats *st, char *err, size_t errlen);
/* perf script text (default fields) from an open stream. */
int perf_script_read(FILE *f, trace_rec_fn fn, void *ctx, struct trace_read_stats *st,
		     char *err, size_t errlen);

#endif
