/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What perf.data (HEADER_TRACING_DATA) and trace-cmd's trace.dat share:
 * bounded reads of an untrusted file in the recording host's byte order,
 * and the tracing header that carries the event formats.
 */
#ifndef KVMSLB_TRACING_DATA_H
#define KVMSLB_TRACING_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <traceevent/event-parse.h>

#include "record/trace_rec.h"

/* A file in memory; every read is bounds-checked by the callers through tcur_*. */
struct tdata {
	const uint8_t *buf;
	size_t len;
	bool swap;		/* the file's byte order differs from ours */
	char *err;		/* one line saying what is wrong, for -EINVAL */
	size_t errlen;
};

int tdata_fail(struct tdata *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tdata_in_bounds(const struct tdata *t, uint64_t off, uint64_t size);
uint16_t tdata_rd16(const struct tdata *t, uint64_t off);
uint32_t tdata_rd32(const struct tdata *t, uint64_t off);
uint64_t tdata_rd64(const struct tdata *t, uint64_t off);

/* A position in [off, end): reads past end fail with "truncated". */
struct tcursor {
	struct tdata *t;
	uint64_t off, end;
	const char *what;	/* "tracing data", "trace.dat": for messages */
};

int tcur_take(struct tcursor *c, uint64_t n, uint64_t *at);
int tcur_u16(struct tcursor *c, uint16_t *v);
int tcur_u32(struct tcursor *c, uint32_t *v);
int tcur_u64(struct tcursor *c, uint64_t *v);
int tcur_str(struct tcursor *c, const char **s);

struct tracing_params {
	bool big_endian;
	int long_size;
	uint32_t page_size;
};

/*
 * From the byte-order byte after the version string through the event
 * systems: byte order, long and page size, header_page/header_event, and
 * every event format, parsed into tep (field layouts only: the print
 * formats are dropped because libtraceevent 1.7's parser crashes on some
 * malformed ones). Sets t->swap to the data's byte order.
 */
int tracing_formats_parse(struct tcursor *c, struct tep_handle *tep, struct tracing_params *p);

/*
 * The record's numeric fields into rec (event, system, fields), and its
 * common_pid if asked; -1 when its type has no known format or a field
 * lies outside the record.
 */
int tracing_decode(struct tep_handle *tep, struct trace_rec *rec, const uint8_t *raw,
		   uint32_t size, int32_t *common_pid);

#endif
