/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What perf.data (HEADER_TRACING_DATA) and trace-cmd's trace.dat share:
 * one-line errors about an untrusted input, bounded reads through struct rd,
 * and the tracing header that carries the event formats, saved cmdlines
 * included. Layout: tools/perf/util/trace-event-read.c and trace-cmd's
 * Documentation/trace-cmd/trace-cmd.dat.v6.5.txt and .v7.5.txt.
 */
#ifndef KVMSLB_TRACING_DATA_H
#define KVMSLB_TRACING_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/rd.h"
#include "record/tp_decode.h"
#include "record/trace_rec.h"

#define TRACING_MAGIC		"\x17\x08\x44tracing"
#define TRACING_MAGIC_LEN	10

/* Where a reader says what is wrong with its input (for -EINVAL). */
struct tdata {
	char *err;
	size_t errlen;
};

int tdata_fail(struct tdata *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* n bytes from r into *p (valid until r's next read), or "WHAT truncated at offset N". */
int trd_take(struct rd *r, struct tdata *t, uint64_t n, const uint8_t **p, const char *what);
int trd_u16(struct rd *r, struct tdata *t, uint16_t *v, const char *what);
int trd_u32(struct rd *r, struct tdata *t, uint32_t *v, const char *what);
int trd_u64(struct rd *r, struct tdata *t, uint64_t *v, const char *what);
/* A NUL-terminated string of at most max bytes, copied into out[max + 1]. */
int trd_str(struct rd *r, struct tdata *t, char *out, size_t max, const char *what);

struct tracing_params {
	bool big_endian;
	int long_size;
	uint32_t page_size;
};

/* Byte order, long size and page size (after the version string); sets r->swap. */
int tracing_params_parse(struct rd *r, struct tdata *t, struct tracing_params *p);
/* "header_page" and "header_event" with their sizes: the kernel's, known, skipped. */
int tracing_headers_skip(struct rd *r, struct tdata *t);
/* ftrace's own formats: u32 count, then (u64 size, text) each. */
int tracing_ftrace_formats(struct rd *r, struct tdata *t, struct tp_decoders *d);
/* Event systems: u32 count, then (name, u32 count, (u64 size, text)*) each. */
int tracing_event_formats(struct rd *r, struct tdata *t, struct tp_decoders *d);
/* "pid comm\n" lines of saved_cmdlines, size bytes, handed to s->comm as threads. */
int tracing_cmdlines(struct rd *r, struct tdata *t, uint64_t size, const struct trace_sink *s);
/*
 * The whole tracing header from the byte-order byte on, as perf.data and
 * trace.dat v6 store it: formats into d, kallsyms and printk skipped, the
 * saved cmdlines (version 0.6 and trace.dat 6) to s.
 */
int tracing_data_parse(struct rd *r, struct tdata *t, struct tp_decoders *d, bool has_cmdlines,
		       const struct trace_sink *s);

#endif
