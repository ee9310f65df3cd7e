// SPDX-License-Identifier: GPL-2.0
/*
 * perf.data reader for tracepoint samples (perf record -e 'kvm_hv:*').
 *
 * The tracepoint formats come from the file's own HEADER_TRACING_DATA
 * feature and are decoded with libtraceevent, so a file recorded on a
 * POWER host (little or big endian) is read correctly on any machine.
 * Layout: tools/perf/util/header.c and tools/perf/util/trace-event-read.c.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "record/trace_rec.h"
#include "record/tracing_data.h"

#define PERF_MAGIC2		0x32454c4946524550ULL	/* "PERFILE2" */
#define HEADER_TRACING_DATA	1
#define HEADER_FEAT_BITS	256

#define PERF_RECORD_LOST	2
#define PERF_RECORD_COMM	3
#define PERF_RECORD_SAMPLE	9
#define PERF_RECORD_COMPRESSED	81

#define S_IP		(1ULL << 0)
#define S_TID		(1ULL << 1)
#define S_TIME		(1ULL << 2)
#define S_ADDR		(1ULL << 3)
#define S_READ		(1ULL << 4)
#define S_CALLCHAIN	(1ULL << 5)
#define S_ID		(1ULL << 6)
#define S_CPU		(1ULL << 7)
#define S_PERIOD	(1ULL << 8)
#define S_STREAM_ID	(1ULL << 9)
#define S_RAW		(1ULL << 10)
#define S_IDENTIFIER	(1ULL << 16)

#define PERF_TYPE_TRACEPOINT	2
#define MAX_ATTRS		256
#define MAX_COMMS		4096

struct attr_info {
	uint32_t type;
	uint64_t config;	/* tracepoint id */
	uint64_t sample_type;
	uint64_t *ids;
	uint64_t nr_ids;
};

struct comm {
	int32_t pid;
	char name[16];
};

struct reader {
	struct tdata t;
	struct attr_info attrs[MAX_ATTRS];
	int nattrs;
	struct tep_handle *tep;
	struct comm comms[MAX_COMMS];
	int ncomms;
};

static int parse_tracing_data(struct reader *r, uint64_t off, uint64_t size)
{
	static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	struct tcursor c = { &r->t, off, off + size, "tracing data" };
	struct tracing_params tp;
	const char *version;
	uint64_t at = 0;
	int err;

	if (!tdata_in_bounds(&r->t, off, size))
		return tdata_fail(&r->t, "tracing data section out of file bounds");
	if ((err = tcur_take(&c, sizeof(magic), &at)))
		return err;
	if (memcmp(r->t.buf + at, magic, sizeof(magic)))
		return tdata_fail(&r->t, "tracing data has a bad magic");
	if ((err = tcur_str(&c, &version)))
		return err;
	/* kallsyms, printk formats and saved cmdlines that follow are not needed */
	return tracing_formats_parse(&c, r->tep, &tp);
}

static const char *comm_of(const struct reader *r, int32_t pid)
{
	for (int i = r->ncomms - 1; i >= 0; i--)
		if (r->comms[i].pid == pid)
			return r->comms[i].name;
	return NULL;
}

static void comm_set(struct reader *r, int32_t pid, const char *name, size_t maxlen)
{
	struct comm *c = NULL;

	for (int i = 0; i < r->ncomms; i++)
		if (r->comms[i].pid == pid)
			c = &r->comms[i];
	if (!c) {
		if (r->ncomms == MAX_COMMS)
			return;	/* names are a courtesy; pids are still reported */
		c = &r->comms[r->ncomms++];
	}
	c->pid = pid;
	snprintf(c->name, sizeof(c->name), "%.*s", (int)maxlen, name);
}

static const struct attr_info *attr_for_id(const struct reader *r, uint64_t id)
{
	for (int a = 0; a < r->nattrs; a++)
		for (uint64_t i = 0; i < r->attrs[a].nr_ids; i++)
			if (r->attrs[a].ids[i] == id)
				return &r->attrs[a];
	return NULL;
}

static int parse_sample(struct reader *r, uint64_t off, uint64_t end, trace_rec_fn fn,
			void *ctx, struct trace_read_stats *st)
{
	const struct attr_info *a = r->nattrs == 1 ? &r->attrs[0] : NULL;
	struct trace_rec rec = { .pid = -1, .tid = -1, .cpu = -1 };
	uint64_t st_type;
	uint32_t raw_size;

#define NEED(n) do { if (off + (n) > end) goto truncated; } while (0)
	if (!a) {
		/* several events: IDENTIFIER comes first; all attrs share sample_type */
		if (!(r->attrs[0].sample_type & S_IDENTIFIER))
			return tdata_fail(&r->t, "several events without PERF_SAMPLE_IDENTIFIER: unsupported");
		NEED(8);
		a = attr_for_id(r, tdata_rd64(&r->t, off));
		if (!a) {
			st->undecodable++;
			return 0;
		}
	}
	st_type = a->sample_type;
	if (st_type & S_IDENTIFIER) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_IP) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_TID) {
		NEED(8);
		rec.pid = (int32_t)tdata_rd32(&r->t, off);
		rec.tid = (int32_t)tdata_rd32(&r->t, off + 4);
		off += 8;
	}
	if (st_type & S_TIME) {
		NEED(8);
		rec.time_ns = tdata_rd64(&r->t, off);
		off += 8;
	}
	if (st_type & S_ADDR) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_ID) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_STREAM_ID) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_CPU) {
		NEED(8);
		rec.cpu = (int32_t)tdata_rd32(&r->t, off);
		off += 8;
	}
	if (st_type & S_PERIOD) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_READ)
		return tdata_fail(&r->t, "samples with PERF_SAMPLE_READ are not supported");
	if (st_type & S_CALLCHAIN) {
		uint64_t nr;

		NEED(8);
		nr = tdata_rd64(&r->t, off);
		off += 8;
		if (nr > (end - off) / 8)
			goto truncated;
		off += nr * 8;
	}
	if (!(st_type & S_RAW) || a->type != PERF_TYPE_TRACEPOINT) {
		st->other_records++;
		return 0;
	}
	NEED(4);
	raw_size = tdata_rd32(&r->t, off);
	off += 4;
	NEED(raw_size);
	if (tracing_decode(r->tep, &rec, r->t.buf + off, raw_size, NULL)) {
		st->undecodable++;
		return 0;
	}
	rec.comm = comm_of(r, rec.pid);
	rec.comm_is_process = rec.comm != NULL;
	st->samples++;
	return fn(&rec, ctx);
#undef NEED
truncated:
	return tdata_fail(&r->t, "sample record at offset %llu is truncated", (unsigned long long)off);
}

static int parse_header(struct reader *r, uint64_t *data_off, uint64_t *data_size)
{
	uint64_t magic, hsize, attr_size, attrs_off, attrs_size, feat_off;
	uint64_t features[HEADER_FEAT_BITS / 64];
	int feat_idx = 0, err;

	if (r->t.len < 104)
		return tdata_fail(&r->t, "too short for a perf.data header (%zu bytes)", r->t.len);
	memcpy(&magic, r->t.buf, 8);
	if (magic == PERF_MAGIC2)
		r->t.swap = false;
	else if (__builtin_bswap64(magic) == PERF_MAGIC2)
		r->t.swap = true;
	else if (!memcmp(r->t.buf, "PERFILE", 7) || !memcmp(r->t.buf, "PERFFILE", 8))
		return tdata_fail(&r->t, "old perf.data format (version 1) is not supported");
	else
		return tdata_fail(&r->t, "not a perf.data file (bad magic)");
	hsize = tdata_rd64(&r->t, 8);
	attr_size = tdata_rd64(&r->t, 16);
	attrs_off = tdata_rd64(&r->t, 24);
	attrs_size = tdata_rd64(&r->t, 32);
	*data_off = tdata_rd64(&r->t, 40);
	*data_size = tdata_rd64(&r->t, 48);
	if (hsize == 16)
		return tdata_fail(&r->t, "perf.data written to a pipe is not supported: record to a file");
	if (hsize < 104 || !tdata_in_bounds(&r->t, attrs_off, attrs_size) ||
	    !tdata_in_bounds(&r->t, *data_off, *data_size) || attr_size < 16 + 64 ||
	    attr_size > 4096)
		return tdata_fail(&r->t, "corrupt perf.data header");
	for (int i = 0; i < 4; i++)
		features[i] = tdata_rd64(&r->t, 72 + 8 * i);

	r->nattrs = 0;
	for (uint64_t off = attrs_off; off + attr_size <= attrs_off + attrs_size;
	     off += attr_size) {
		struct attr_info *a;
		uint64_t ids_off, ids_size;

		if (r->nattrs == MAX_ATTRS)
			return tdata_fail(&r->t, "more than %d events in perf.data", MAX_ATTRS);
		a = &r->attrs[r->nattrs++];
		a->type = tdata_rd32(&r->t, off);
		a->config = tdata_rd64(&r->t, off + 8);
		a->sample_type = tdata_rd64(&r->t, off + 24);
		ids_off = tdata_rd64(&r->t, off + attr_size - 16);
		ids_size = tdata_rd64(&r->t, off + attr_size - 8);
		if (!tdata_in_bounds(&r->t, ids_off, ids_size))
			return tdata_fail(&r->t, "event ids out of file bounds");
		a->nr_ids = ids_size / 8;
		a->ids = calloc(a->nr_ids ? a->nr_ids : 1, sizeof(uint64_t));
		if (!a->ids)
			return -ENOMEM;
		for (uint64_t i = 0; i < a->nr_ids; i++)
			a->ids[i] = tdata_rd64(&r->t, ids_off + 8 * i);
	}
	if (!r->nattrs)
		return tdata_fail(&r->t, "perf.data has no events");

	/* Feature sections follow the data, one {offset,size} per set bit. */
	feat_off = *data_off + *data_size;
	for (int bit = 0; bit < HEADER_FEAT_BITS; bit++) {
		uint64_t off, size;

		if (!((features[bit / 64] >> (bit % 64)) & 1))
			continue;
		if (!tdata_in_bounds(&r->t, feat_off + 16 * feat_idx, 16))
			return tdata_fail(&r->t, "feature table out of file bounds");
		off = tdata_rd64(&r->t, feat_off + 16 * feat_idx);
		size = tdata_rd64(&r->t, feat_off + 16 * feat_idx + 8);
		feat_idx++;
		if (bit == HEADER_TRACING_DATA) {
			bool swap = r->t.swap;

			err = parse_tracing_data(r, off, size);
			r->t.swap = swap;
			return err;
		}
	}
	return tdata_fail(&r->t, "perf.data has no tracing data: record tracepoints (perf record -e 'kvm_hv:*')");
}

static int read_records(struct reader *r, uint64_t off, uint64_t size, trace_rec_fn fn,
			void *ctx, struct trace_read_stats *st)
{
	uint64_t end = off + size;

	while (off + 8 <= end) {
		uint32_t type = tdata_rd32(&r->t, off);
		uint16_t rsize = tdata_rd16(&r->t, off + 6);
		int err = 0;

		if (rsize < 8 || off + rsize > end)
			return tdata_fail(&r->t, "record at offset %llu has a bad size %u",
				    (unsigned long long)off, rsize);
		switch (type) {
		case PERF_RECORD_SAMPLE:
			err = parse_sample(r, off + 8, off + rsize, fn, ctx, st);
			break;
		case PERF_RECORD_LOST:
			if (rsize >= 24)
				st->lost += tdata_rd64(&r->t, off + 16);
			break;
		case PERF_RECORD_COMM:
			/* the process's name, not a thread's ("CPU 0/KVM") */
			if (rsize >= 17 && tdata_rd32(&r->t, off + 8) == tdata_rd32(&r->t, off + 12))
				comm_set(r, (int32_t)tdata_rd32(&r->t, off + 8),
					 (const char *)r->t.buf + off + 16, rsize - 16);
			break;
		case PERF_RECORD_COMPRESSED:
			return tdata_fail(&r->t, "compressed perf.data (perf record -z) is not supported: "
				    "record without -z or convert with 'perf inject'");
		default:
			st->other_records++;
		}
		if (err)
			return err;
		off += rsize;
	}
	return 0;
}

int perf_data_read_mem(const void *buf, size_t len, trace_rec_fn fn, void *ctx,
		       struct trace_read_stats *st, char *err, size_t errlen)
{
	uint64_t data_off = 0, data_size = 0;
	struct reader *r;
	int ret;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->t.buf = buf;
	r->t.len = len;
	r->t.err = err;
	r->t.errlen = errlen;
	r->tep = tep_alloc();
	ret = r->tep ? parse_header(r, &data_off, &data_size) : -ENOMEM;
	if (!ret)
		ret = read_records(r, data_off, data_size, fn, ctx, st);
	for (int i = 0; i < r->nattrs; i++)
		free(r->attrs[i].ids);
	if (r->tep)
		tep_free(r->tep);
	free(r);
	return ret;
}
