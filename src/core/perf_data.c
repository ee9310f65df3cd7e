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
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "core/trace_rec.h"

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
	const uint8_t *buf;
	size_t len;
	bool swap;		/* file endianness differs from ours */
	struct attr_info attrs[MAX_ATTRS];
	int nattrs;
	struct tep_handle *tep;
	struct comm comms[MAX_COMMS];
	int ncomms;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool in_bounds(const struct reader *r, uint64_t off, uint64_t size)
{
	return off <= r->len && size <= r->len - off;
}

static uint64_t rd64(const struct reader *r, uint64_t off)
{
	uint64_t v;

	memcpy(&v, r->buf + off, 8);
	return r->swap ? __builtin_bswap64(v) : v;
}

static uint32_t rd32(const struct reader *r, uint64_t off)
{
	uint32_t v;

	memcpy(&v, r->buf + off, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct reader *r, uint64_t off)
{
	uint16_t v;

	memcpy(&v, r->buf + off, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

/* The tracing data's own numbers follow the recording host's endianness. */
struct cursor {
	struct reader *r;
	uint64_t off, end;
};

static int cur_take(struct cursor *c, uint64_t n, uint64_t *at)
{
	if (c->off > c->end || n > c->end - c->off)
		return fail(c->r, "tracing data truncated at offset %llu",
			    (unsigned long long)c->off);
	*at = c->off;
	c->off += n;
	return 0;
}

static int cur_u32(struct cursor *c, uint32_t *v)
{
	uint64_t at = 0;
	int err = cur_take(c, 4, &at);

	if (!err)
		*v = rd32(c->r, at);
	return err;
}

static int cur_u64(struct cursor *c, uint64_t *v)
{
	uint64_t at = 0;
	int err = cur_take(c, 8, &at);

	if (!err)
		*v = rd64(c->r, at);
	return err;
}

/* NUL-terminated string inside the cursor's range. */
static int cur_str(struct cursor *c, const char **s)
{
	const uint8_t *p = c->r->buf + c->off;
	const uint8_t *nul;

	if (c->off >= c->end)
		return fail(c->r, "tracing data truncated at offset %llu",
			    (unsigned long long)c->off);
	nul = memchr(p, 0, c->end - c->off);
	if (!nul)
		return fail(c->r, "unterminated string in tracing data at offset %llu",
			    (unsigned long long)c->off);
	*s = (const char *)p;
	c->off += nul - p + 1;
	return 0;
}

/*
 * Only the field layout is needed. The print format is replaced before
 * parsing: libtraceevent 1.7's print-format parser crashes on some malformed
 * input (found by tests/fuzz), and a file is untrusted input.
 */
static int parse_format(struct cursor *c, const char *sys, uint64_t size)
{
	static const char no_print[] = "print fmt: \"\"\n";
	const char *text, *pf;
	uint64_t at = 0, keep;
	char *copy;
	int err = cur_take(c, size, &at);

	if (err)
		return err;
	text = (const char *)c->r->buf + at;
	keep = size;
	pf = memmem(text, size, "\nprint fmt:", sizeof("\nprint fmt:") - 1);
	if (pf)
		keep = pf - text + 1;
	copy = malloc(keep + sizeof(no_print));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, keep);
	memcpy(copy + keep, no_print, sizeof(no_print));
	/* A format libtraceevent cannot parse only makes its samples undecodable. */
	tep_parse_event(c->r->tep, copy, keep + sizeof(no_print) - 1, sys);
	free(copy);
	return 0;
}

static int parse_tracing_data(struct reader *r, uint64_t off, uint64_t size)
{
	static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	struct cursor c = { r, off, off + size };
	const char *version, *name;
	uint32_t n, page_size, nsys;
	uint64_t at = 0, len = 0;
	int long_size;
	bool file_big;
	int err;

	if (!in_bounds(r, off, size))
		return fail(r, "tracing data section out of file bounds");
	if ((err = cur_take(&c, sizeof(magic), &at)))
		return err;
	if (memcmp(r->buf + at, magic, sizeof(magic)))
		return fail(r, "tracing data has a bad magic");
	if ((err = cur_str(&c, &version)))
		return err;
	if ((err = cur_take(&c, 2, &at)))
		return err;
	file_big = r->buf[at] != 0;
	/* From here on the reader swaps according to the tracing data's byte order. */
	r->swap = file_big != (__BYTE_ORDER == __BIG_ENDIAN);
	tep_set_file_bigendian(r->tep, file_big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(r->tep, __BYTE_ORDER == __BIG_ENDIAN ? TEP_BIG_ENDIAN :
				TEP_LITTLE_ENDIAN);
	long_size = r->buf[at + 1];
	tep_set_long_size(r->tep, long_size);
	if ((err = cur_u32(&c, &page_size)))
		return err;
	tep_set_page_size(r->tep, page_size);

	/* header_page, header_event */
	for (int i = 0; i < 2; i++) {
		if ((err = cur_str(&c, &name)) || (err = cur_u64(&c, &len)) ||
		    (err = cur_take(&c, len, &at)))
			return err;
		if (i == 0)
			tep_parse_header_page(r->tep, (char *)r->buf + at, len, long_size);
	}
	/* ftrace's own events */
	if ((err = cur_u32(&c, &n)))
		return err;
	for (uint32_t i = 0; i < n; i++) {
		if ((err = cur_u64(&c, &len)) || (err = parse_format(&c, "ftrace", len)))
			return err;
	}
	/* event systems */
	if ((err = cur_u32(&c, &nsys)))
		return err;
	for (uint32_t s = 0; s < nsys; s++) {
		if ((err = cur_str(&c, &name)) || (err = cur_u32(&c, &n)))
			return err;
		for (uint32_t i = 0; i < n; i++) {
			if ((err = cur_u64(&c, &len)) || (err = parse_format(&c, name, len)))
				return err;
		}
	}
	(void)version;
	return 0;
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

static int decode_raw(struct reader *r, struct trace_rec *rec, const uint8_t *raw,
		      uint32_t size)
{
	struct tep_record trec = { .data = (void *)raw, .size = (int)size };
	struct tep_format_field **fields;
	struct tep_event *ev;
	int type;

	if (size < 2)
		return -1;
	type = tep_data_type(r->tep, &trec);
	ev = tep_find_event(r->tep, type);
	if (!ev)
		return -1;
	rec->system = ev->system;
	rec->event = ev->name;
	fields = tep_event_fields(ev);
	for (int i = 0; fields && fields[i] && rec->nfields < TRACE_REC_MAX_FIELDS; i++) {
		struct tep_format_field *f = fields[i];
		unsigned long long v;

		if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC))
			continue;
		if (f->offset + f->size > (int)size || f->size > 8)
			return -1;
		if (tep_read_number_field(f, raw, &v))
			continue;
		if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8 &&
		    (v >> (f->size * 8 - 1)) & 1)
			v |= ~0ULL << (f->size * 8);	/* keep negative values negative */
		rec->fields[rec->nfields].name = f->name;
		rec->fields[rec->nfields].val = v;
		rec->nfields++;
	}
	free(fields);
	return 0;
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
			return fail(r, "several events without PERF_SAMPLE_IDENTIFIER: unsupported");
		NEED(8);
		a = attr_for_id(r, rd64(r, off));
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
		rec.pid = (int32_t)rd32(r, off);
		rec.tid = (int32_t)rd32(r, off + 4);
		off += 8;
	}
	if (st_type & S_TIME) {
		NEED(8);
		rec.time_ns = rd64(r, off);
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
		rec.cpu = (int32_t)rd32(r, off);
		off += 8;
	}
	if (st_type & S_PERIOD) {
		NEED(8);
		off += 8;
	}
	if (st_type & S_READ)
		return fail(r, "samples with PERF_SAMPLE_READ are not supported");
	if (st_type & S_CALLCHAIN) {
		uint64_t nr;

		NEED(8);
		nr = rd64(r, off);
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
	raw_size = rd32(r, off);
	off += 4;
	NEED(raw_size);
	if (decode_raw(r, &rec, r->buf + off, raw_size)) {
		st->undecodable++;
		return 0;
	}
	rec.comm = comm_of(r, rec.pid);
	rec.comm_is_process = rec.comm != NULL;
	st->samples++;
	return fn(&rec, ctx);
#undef NEED
truncated:
	return fail(r, "sample record at offset %llu is truncated", (unsigned long long)off);
}

static int parse_header(struct reader *r, uint64_t *data_off, uint64_t *data_size)
{
	uint64_t magic, hsize, attr_size, attrs_off, attrs_size, feat_off;
	uint64_t features[HEADER_FEAT_BITS / 64];
	int feat_idx = 0, err;

	if (r->len < 104)
		return fail(r, "too short for a perf.data header (%zu bytes)", r->len);
	memcpy(&magic, r->buf, 8);
	if (magic == PERF_MAGIC2)
		r->swap = false;
	else if (__builtin_bswap64(magic) == PERF_MAGIC2)
		r->swap = true;
	else if (!memcmp(r->buf, "PERFILE", 7) || !memcmp(r->buf, "PERFFILE", 8))
		return fail(r, "old perf.data format (version 1) is not supported");
	else
		return fail(r, "not a perf.data file (bad magic)");
	hsize = rd64(r, 8);
	attr_size = rd64(r, 16);
	attrs_off = rd64(r, 24);
	attrs_size = rd64(r, 32);
	*data_off = rd64(r, 40);
	*data_size = rd64(r, 48);
	if (hsize == 16)
		return fail(r, "perf.data written to a pipe is not supported: record to a file");
	if (hsize < 104 || !in_bounds(r, attrs_off, attrs_size) ||
	    !in_bounds(r, *data_off, *data_size) || attr_size < 16 + 64 ||
	    attr_size > 4096)
		return fail(r, "corrupt perf.data header");
	for (int i = 0; i < 4; i++)
		features[i] = rd64(r, 72 + 8 * i);

	r->nattrs = 0;
	for (uint64_t off = attrs_off; off + attr_size <= attrs_off + attrs_size;
	     off += attr_size) {
		struct attr_info *a;
		uint64_t ids_off, ids_size;

		if (r->nattrs == MAX_ATTRS)
			return fail(r, "more than %d events in perf.data", MAX_ATTRS);
		a = &r->attrs[r->nattrs++];
		a->type = rd32(r, off);
		a->config = rd64(r, off + 8);
		a->sample_type = rd64(r, off + 24);
		ids_off = rd64(r, off + attr_size - 16);
		ids_size = rd64(r, off + attr_size - 8);
		if (!in_bounds(r, ids_off, ids_size))
			return fail(r, "event ids out of file bounds");
		a->nr_ids = ids_size / 8;
		a->ids = calloc(a->nr_ids ? a->nr_ids : 1, sizeof(uint64_t));
		if (!a->ids)
			return -ENOMEM;
		for (uint64_t i = 0; i < a->nr_ids; i++)
			a->ids[i] = rd64(r, ids_off + 8 * i);
	}
	if (!r->nattrs)
		return fail(r, "perf.data has no events");

	/* Feature sections follow the data, one {offset,size} per set bit. */
	feat_off = *data_off + *data_size;
	for (int bit = 0; bit < HEADER_FEAT_BITS; bit++) {
		uint64_t off, size;

		if (!((features[bit / 64] >> (bit % 64)) & 1))
			continue;
		if (!in_bounds(r, feat_off + 16 * feat_idx, 16))
			return fail(r, "feature table out of file bounds");
		off = rd64(r, feat_off + 16 * feat_idx);
		size = rd64(r, feat_off + 16 * feat_idx + 8);
		feat_idx++;
		if (bit == HEADER_TRACING_DATA) {
			bool swap = r->swap;

			err = parse_tracing_data(r, off, size);
			r->swap = swap;
			return err;
		}
	}
	return fail(r, "perf.data has no tracing data: record tracepoints (perf record -e 'kvm_hv:*')");
}

static int read_records(struct reader *r, uint64_t off, uint64_t size, trace_rec_fn fn,
			void *ctx, struct trace_read_stats *st)
{
	uint64_t end = off + size;

	while (off + 8 <= end) {
		uint32_t type = rd32(r, off);
		uint16_t rsize = rd16(r, off + 6);
		int err = 0;

		if (rsize < 8 || off + rsize > end)
			return fail(r, "record at offset %llu has a bad size %u",
				    (unsigned long long)off, rsize);
		switch (type) {
		case PERF_RECORD_SAMPLE:
			err = parse_sample(r, off + 8, off + rsize, fn, ctx, st);
			break;
		case PERF_RECORD_LOST:
			if (rsize >= 24)
				st->lost += rd64(r, off + 16);
			break;
		case PERF_RECORD_COMM:
			/* the process's name, not a thread's ("CPU 0/KVM") */
			if (rsize >= 17 && rd32(r, off + 8) == rd32(r, off + 12))
				comm_set(r, (int32_t)rd32(r, off + 8),
					 (const char *)r->buf + off + 16, rsize - 16);
			break;
		case PERF_RECORD_COMPRESSED:
			return fail(r, "compressed perf.data (perf record -z) is not supported: "
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
	r->buf = buf;
	r->len = len;
	r->err = err;
	r->errlen = errlen;
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

int perf_data_read(const char *path, trace_rec_fn fn, void *ctx,
		   struct trace_read_stats *st, char *err, size_t errlen)
{
	struct stat sb;
	void *map;
	int fd, ret;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular, non-empty file", path);
		return -EINVAL;
	}
	map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return ret;
	}
	ret = perf_data_read_mem(map, sb.st_size, fn, ctx, st, err, errlen);
	if (ret == -EINVAL) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	munmap(map, sb.st_size);
	return ret;
}
