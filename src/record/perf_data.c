// SPDX-License-Identifier: GPL-2.0
/*
 * perf.data reader for tracepoint samples (perf record -e 'kvm_hv:*').
 *
 * Both layouts perf writes: file mode (a header with the events' attrs
 * and, after the data, feature sections, HEADER_TRACING_DATA among them)
 * and pipe mode (perf record -o -: a 16-byte header, then the attrs, the
 * tracing data and the samples as records of one stream), and records
 * compressed with zstd (perf record -z, PERF_RECORD_COMPRESSED). The
 * tracepoint formats come from the file itself, so a file recorded on a
 * POWER host (either byte order) reads the same on any machine.
 * Layout: tools/perf/util/header.c, session.c and trace-event-read.c.
 *
 * Speed: each attr's sample layout and each event's field places are
 * resolved once; a sample costs a few bounds checks and loads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "core/compiler.h"
#include "record/trace_rec.h"
#include "record/tracing_data.h"

#define PERF_MAGIC2		0x32454c4946524550ULL	/* "PERFILE2" */
#define HEADER_TRACING_DATA	1
#define HEADER_FEAT_BITS	256
#define PIPE_HEADER_SIZE	16
#define FILE_HEADER_SIZE	104

enum {
	REC_LOST = 2,
	REC_COMM = 3,
	REC_SAMPLE = 9,
	REC_LOST_SAMPLES = 13,
	REC_HEADER_ATTR = 64,
	REC_HEADER_TRACING_DATA = 66,
	REC_FINISHED_ROUND = 68,
	REC_AUXTRACE = 71,
	REC_COMPRESSED = 81,
};

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

#define F_TOTAL_TIME_ENABLED	(1ULL << 0)
#define F_TOTAL_TIME_RUNNING	(1ULL << 1)
#define F_ID			(1ULL << 2)
#define F_GROUP			(1ULL << 3)
#define F_LOST			(1ULL << 4)

#define PERF_TYPE_TRACEPOINT	2
#define MAX_ATTRS		4096
#define MAX_IDS			(1U << 20)
/* More events than a ring buffer could have held in years: a corrupt count. */
#define LOST_IMPLAUSIBLE	(1ULL << 40)
#define ZSTD_WINDOW_LOG_MAX	24	/* 16 MiB: perf's frames are a ring buffer's size */
#define ZBUF_SIZE		(1U << 20)
#define PROGRESS_EVERY		(8U << 20)

/* An event's sample layout, resolved once. */
struct attr {
	uint32_t type;
	uint64_t config;		/* tracepoint id */
	uint64_t sample_type, read_format;
	const struct tp_decoder *dec;	/* NULL: not a tracepoint we know */
	bool variable;			/* READ with GROUP or CALLCHAIN: offsets per sample */
	int16_t off_tid, off_time, off_cpu, off_raw;	/* from the body; -1: absent */
	uint16_t fixed;			/* bytes before the callchain/raw part */
};

struct reader {
	struct tdata t;
	bool swap;
	struct tp_decoders dec;
	bool have_formats;
	struct attr *attrs;
	int nattrs;
	struct key_index by_id;		/* sample id -> attr */
	/*
	 * recent ids and their attr + 1 (0: none), by the id's low bits:
	 * samples of a few events interleave
	 */
	struct {
		uint64_t id;
		uint32_t attr;
	} id_cache[16];
	int id_pos;			/* where a sample's id is; -1: none (one attr) */
	bool resolved;			/* attrs tied to their formats (at the first sample) */
	const struct trace_sink *s;
	struct trace_read_stats *st;
	uint64_t next_progress;
	ZSTD_DStream *zs;
	uint8_t *zbuf;
	size_t zhave;
	uint64_t zrec_off;		/* the compressed record being decompressed */
};

static inline uint64_t u64at(const struct reader *r, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return r->swap ? __builtin_bswap64(v) : v;
}

static inline uint32_t u32at(const struct reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static inline uint16_t u16at(const struct reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

/* Bytes of a PERF_SAMPLE_READ value without GROUP. */
static unsigned int read_size(uint64_t rf)
{
	return 8 * (1 + !!(rf & F_TOTAL_TIME_ENABLED) + !!(rf & F_TOTAL_TIME_RUNNING) +
		    !!(rf & F_ID) + !!(rf & F_LOST));
}

/* Where the id is in a sample of this type (perf's evsel__calc_id_pos), or -1. */
static int id_pos_of(uint64_t st)
{
	int pos = 0;

	if (st & S_IDENTIFIER)
		return 0;
	if (!(st & S_ID))
		return -1;
	pos += !!(st & S_IP) + !!(st & S_TID) + !!(st & S_TIME) + !!(st & S_ADDR);
	return 8 * pos;
}

static void attr_layout(struct attr *a)
{
	uint64_t st = a->sample_type;
	int off = 0;

	a->off_tid = a->off_time = a->off_cpu = a->off_raw = -1;
	off += 8 * !!(st & S_IDENTIFIER) + 8 * !!(st & S_IP);
	if (st & S_TID) {
		a->off_tid = off;
		off += 8;
	}
	if (st & S_TIME) {
		a->off_time = off;
		off += 8;
	}
	off += 8 * (!!(st & S_ADDR) + !!(st & S_ID) + !!(st & S_STREAM_ID));
	if (st & S_CPU) {
		a->off_cpu = off;
		off += 8;
	}
	off += 8 * !!(st & S_PERIOD);
	a->variable = (st & S_CALLCHAIN) || ((st & S_READ) && (a->read_format & F_GROUP));
	if ((st & S_READ) && !(a->read_format & F_GROUP))
		off += read_size(a->read_format);
	a->fixed = off;
	if (!a->variable && (st & S_RAW))
		a->off_raw = off;
}

static int add_attr(struct reader *r, const uint8_t *p, uint64_t attr_size, const uint8_t *ids,
		    uint64_t nids)
{
	struct attr *a;

	if (r->nattrs == MAX_ATTRS)
		return tdata_fail(&r->t, "more than %d events in perf.data", MAX_ATTRS);
	if (attr_size < 64)
		return tdata_fail(&r->t, "perf.data event attr of %llu bytes is too small",
				  (unsigned long long)attr_size);
	if (nids > MAX_IDS)
		return tdata_fail(&r->t, "perf.data event claims %llu ids", (unsigned long long)nids);
	a = realloc(r->attrs, (r->nattrs + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	r->attrs = a;
	a = &r->attrs[r->nattrs];
	memset(a, 0, sizeof(*a));
	a->type = u32at(r, p);
	a->config = u64at(r, p + 8);
	a->sample_type = u64at(r, p + 24);
	a->read_format = u64at(r, p + 32);
	attr_layout(a);
	for (uint64_t i = 0; i < nids; i++)
		if (key_index_put(&r->by_id, u64at(r, ids + 8 * i), r->nattrs))
			return -ENOMEM;
	r->nattrs++;
	return 0;
}

/* After the attrs and the formats: which decoder each attr uses, where ids are. */
static int attrs_resolve(struct reader *r)
{
	r->resolved = true;
	if (!r->nattrs)
		return tdata_fail(&r->t, "perf.data has no events");
	r->id_pos = id_pos_of(r->attrs[0].sample_type);
	for (int i = 0; i < r->nattrs; i++) {
		struct attr *a = &r->attrs[i];

		if (r->nattrs > 1 && (id_pos_of(a->sample_type) != r->id_pos || r->id_pos < 0))
			return tdata_fail(&r->t, "perf.data holds %d events whose samples do not say "
					  "which event they belong to (no PERF_SAMPLE_ID or "
					  "PERF_SAMPLE_IDENTIFIER at one place)", r->nattrs);
		a->dec = a->type == PERF_TYPE_TRACEPOINT && (a->sample_type & S_RAW) ?
			tp_decoder_find(&r->dec, a->config) : NULL;
	}
	return 0;
}

static int formats_done(struct reader *r)
{
	int err = tp_decoders_build(&r->dec);

	if (!err)
		r->have_formats = true;
	return err;
}

/* The tracing header: magic, version, then what perf.data and trace.dat share. */
static int tracing_data(struct reader *r, struct rd *in)
{
	char version[16];
	const uint8_t *magic;
	bool swap = in->swap;
	int err;

	if (r->have_formats)
		return tdata_fail(&r->t, "perf.data has its tracing data twice");
	if ((err = trd_take(in, &r->t, TRACING_MAGIC_LEN, &magic, "tracing data")))
		return err;
	if (memcmp(magic, TRACING_MAGIC, TRACING_MAGIC_LEN))
		return tdata_fail(&r->t, "tracing data has a bad magic");
	if ((err = trd_str(in, &r->t, version, sizeof(version) - 1, "tracing data")))
		return err;
	err = tracing_data_parse(in, &r->t, &r->dec, strtod(version, NULL) >= 0.6, r->s);
	in->swap = swap;
	return err ? err : formats_done(r);
}

static int lost(struct reader *r, uint64_t n)
{
	if (n >= LOST_IMPLAUSIBLE) {
		r->st->lost_implausible++;
		if (n > r->st->lost_max_implausible)
			r->st->lost_max_implausible = n;
	} else {
		r->st->lost += n;
	}
	return 0;
}

static int undecodable(struct reader *r, const struct tp_decoder *d)
{
	r->st->undecodable++;
	if (d && d->kvm_hv) {
		if (!r->st->undecodable_kvm_hv++)
			snprintf(r->st->undecodable_first, sizeof(r->st->undecodable_first),
				 "a %s sample does not fit the event's format", d->name);
	}
	return 0;
}

/* Offsets of a sample with a callchain or a group read; false if truncated. */
static bool variable_offsets(const struct reader *r, const struct attr *a, const uint8_t *b,
			     uint32_t n, int *off_raw)
{
	uint64_t st = a->sample_type, off = a->fixed;

	if (st & S_READ) {
		uint64_t nr, each = 8 * (1 + !!(a->read_format & F_ID) + !!(a->read_format & F_LOST));

		if (off + 8 > n)
			return false;
		nr = u64at(r, b + off);
		off += 8 + 8 * (!!(a->read_format & F_TOTAL_TIME_ENABLED) +
				!!(a->read_format & F_TOTAL_TIME_RUNNING));
		if (nr > n / each || off + nr * each > n)
			return false;
		off += nr * each;
	}
	if (st & S_CALLCHAIN) {
		uint64_t nr;

		if (off + 8 > n)
			return false;
		nr = u64at(r, b + off);
		if (nr > n / 8 || off + 8 + nr * 8 > n)
			return false;
		off += 8 + nr * 8;
	}
	*off_raw = (st & S_RAW) ? (int)off : -1;
	return true;
}

/* The samples' loads with the byte order known at compile time: no test per field. */
static inline uint32_t ld32(bool swap, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static inline uint64_t ld64(bool swap, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return swap ? __builtin_bswap64(v) : v;
}

/* An id the cache does not hold: looked up and cached. NULL if unknown. */
static noinline const struct attr *sample_attr_slow(struct reader *r, uint64_t id)
{
	unsigned int c = id % 16;
	uint32_t i;

	if (!key_index_get(&r->by_id, id, &i))
		return NULL;
	r->id_cache[c].id = id;
	r->id_cache[c].attr = i + 1;
	return &r->attrs[i];
}

/* The attr of a sample of several events, by its id; NULL if unknown. */
static inline const struct attr *sample_attr(struct reader *r, uint64_t id)
{
	/* ids of a few events on a few CPUs: no hash for them */
	unsigned int c = id % 16;

	if (id == r->id_cache[c].id && r->id_cache[c].attr)
		return &r->attrs[r->id_cache[c].attr - 1];
	return sample_attr_slow(r, id);
}

/* One PERF_RECORD_SAMPLE: b is its body, n bytes. */
static __always_inline int sample_in(struct reader *r, const uint8_t *b, uint32_t n,
				     const bool swap)
{
	const struct attr *a;
	struct trace_rec rec;
	uint32_t raw_size;
	int off_raw;

	if (!r->resolved) {
		int err;

		if (!r->have_formats)
			return tdata_fail(&r->t, "perf.data has no tracing data before its first "
					  "sample: record tracepoints (perf record -e 'kvm_hv:*')");
		if ((err = attrs_resolve(r)))
			return err;
	}
	a = &r->attrs[0];	/* attrs_resolve made sure there is one */
	if (r->nattrs > 1) {
		if ((uint32_t)r->id_pos + 8 > n || !(a = sample_attr(r, ld64(swap, b + r->id_pos))))
			return undecodable(r, NULL);
	}
	if (!a->dec) {
		r->st->other_records++;
		return 0;
	}
	r->st->samples++;
	if (!a->dec->kvm_hv) {
		r->st->other_records++;
		return 0;
	}
	off_raw = a->off_raw;
	if (a->fixed > n || (a->variable && !variable_offsets(r, a, b, n, &off_raw)) || off_raw < 0 ||
	    (uint32_t)off_raw + 4 > n)
		return undecodable(r, a->dec);
	raw_size = ld32(swap, b + off_raw);
	if (raw_size > n - off_raw - 4 || !tp_decode(a->dec, b + off_raw + 4, raw_size, swap, &rec))
		return undecodable(r, a->dec);
	rec.pid = rec.tid = rec.cpu = -1;
	if (a->off_tid >= 0) {
		rec.pid = (int32_t)ld32(swap, b + a->off_tid);
		rec.tid = (int32_t)ld32(swap, b + a->off_tid + 4);
	}
	rec.time_ns = a->off_time >= 0 ? ld64(swap, b + a->off_time) : 0;
	if (a->off_cpu >= 0)
		rec.cpu = (int32_t)ld32(swap, b + a->off_cpu);
	rec.comm = NULL;
	rec.comm_is_process = false;
	r->st->kvm_hv++;
	return r->s->rec(r->s->ctx, &rec);
}

static int sample(struct reader *r, const uint8_t *b, uint32_t n)
{
	return r->swap ? sample_in(r, b, n, true) : sample_in(r, b, n, false);
}

static int decompress(struct reader *r, const uint8_t *src, size_t len);

/* One record of the data (file mode, pipe mode or decompressed); b is its body. */
static int record(struct reader *r, uint32_t type, const uint8_t *b, uint32_t n, uint64_t off)
{
	switch (type) {
	case REC_SAMPLE:
		return sample(r, b, n);
	case REC_LOST:
		if (n >= 16)
			return lost(r, u64at(r, b + 8));
		break;
	case REC_LOST_SAMPLES:
		if (n >= 8)
			return lost(r, u64at(r, b));
		break;
	case REC_COMM:
		r->st->other_records++;
		if (n > 8 && r->s->comm) {
			const uint8_t *nul = memchr(b + 8, 0, n - 8);

			return r->s->comm(r->s->ctx, (int32_t)u32at(r, b), (int32_t)u32at(r, b + 4),
					  (const char *)b + 8, nul ? (size_t)(nul - b - 8) : n - 8);
		}
		return 0;
	case REC_FINISHED_ROUND:
		return r->s->round ? r->s->round(r->s->ctx) : 0;
	case REC_COMPRESSED:
		r->zrec_off = off;
		return decompress(r, b, n);
	default:
		break;
	}
	r->st->other_records++;
	return 0;
}

static void progress(struct reader *r, uint64_t pos)
{
	if (pos >= r->next_progress && r->s->progress) {
		r->s->progress(r->s->progress_ctx, pos);
		r->next_progress = pos + PROGRESS_EVERY;
	}
}

/* Whole records in buf[0..len); returns the bytes used (a partial one stays). */
static int records_in(struct reader *r, const uint8_t *buf, size_t len, uint64_t base,
		      bool inner, size_t *used)
{
	size_t off = 0;

	while (len - off >= 8) {
		uint32_t type = u32at(r, buf + off);
		uint16_t size = u16at(r, buf + off + 6);
		int err;

		if (size < 8)
			return tdata_fail(&r->t, "%srecord at offset %llu has a bad size %u",
					  inner ? "decompressed " : "",
					  (unsigned long long)(base + off), size);
		if (size > len - off)
			break;
		if (inner && (type == REC_COMPRESSED ||
			      (type >= REC_HEADER_ATTR && type != REC_FINISHED_ROUND)))
			return tdata_fail(&r->t, "compressed record at offset %llu holds a record "
					  "of type %u", (unsigned long long)r->zrec_off, type);
		err = record(r, type, buf + off + 8, size - 8, base + off);
		if (err)
			return err;
		off += size;
	}
	*used = off;
	return 0;
}

static int decompress(struct reader *r, const uint8_t *src, size_t len)
{
	ZSTD_inBuffer in = { src, len, 0 };

	if (!r->zs) {
		r->zs = ZSTD_createDStream();
		r->zbuf = malloc(ZBUF_SIZE);
		if (!r->zs || !r->zbuf)
			return -ENOMEM;
		ZSTD_DCtx_setParameter(r->zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
	}
	for (;;) {
		ZSTD_outBuffer out = { r->zbuf + r->zhave, ZBUF_SIZE - r->zhave, 0 };
		size_t before = in.pos, ret = ZSTD_decompressStream(r->zs, &out, &in), used = 0;
		bool full = out.pos == out.size;	/* more may wait inside zstd */
		int err;

		if (ZSTD_isError(ret))
			return tdata_fail(&r->t, "compressed record at offset %llu: zstd: %s",
					  (unsigned long long)r->zrec_off, ZSTD_getErrorName(ret));
		if (in.pos == before && !out.pos) {
			if (in.pos >= in.size)
				break;		/* nothing was left inside zstd */
			return tdata_fail(&r->t, "compressed record at offset %llu does not "
					  "decompress", (unsigned long long)r->zrec_off);
		}
		r->zhave += out.pos;
		err = records_in(r, r->zbuf, r->zhave, 0, true, &used);
		if (err)
			return err;
		memmove(r->zbuf, r->zbuf + used, r->zhave - used);
		r->zhave -= used;
		if (in.pos >= in.size && !full)
			break;
	}
	return 0;
}

/* ---- file mode ---------------------------------------------------------- */

/* The file, in memory (fuzzing, tests) or read from fd: random access either way. */
struct src {
	const uint8_t *buf;
	int fd;
	uint64_t len;
};

static int src_get(struct reader *r, const struct src *s, uint64_t off, uint64_t n, void *dst,
		   const char *what)
{
	if (off > s->len || n > s->len - off)
		return tdata_fail(&r->t, "%s (offset %llu, %llu bytes) is out of file bounds", what,
				  (unsigned long long)off, (unsigned long long)n);
	if (s->buf) {
		memcpy(dst, s->buf + off, n);
		return 0;
	}
	for (uint64_t done = 0; done < n;) {
		ssize_t got = pread(s->fd, (uint8_t *)dst + done, n - done, off + done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : tdata_fail(&r->t, "%s is truncated", what);
		done += got;
	}
	return 0;
}

/* A part of the file to read in sequence. */
static int src_rd(struct reader *r, const struct src *s, struct rd *in, uint64_t off,
		  uint64_t n, const char *what)
{
	if (off > s->len || n > s->len - off)
		return tdata_fail(&r->t, "%s (offset %llu, %llu bytes) is out of file bounds", what,
				  (unsigned long long)off, (unsigned long long)n);
	if (s->buf) {
		rd_mem(in, s->buf + off, n, off);
		return 0;
	}
	return rd_file(in, s->fd, off, n);
}

/* Records from in until it ends (the data section, or a pipe). */
static int records_rd(struct reader *r, struct rd *in, bool pipe);

static int file_attrs(struct reader *r, const struct src *s, uint64_t attr_size,
		      uint64_t attrs_off, uint64_t attrs_size)
{
	uint8_t attr[4096], *ids = NULL;
	int err = 0;

	for (uint64_t off = attrs_off; !err && off + attr_size <= attrs_off + attrs_size;
	     off += attr_size) {
		uint64_t ids_off, ids_size;

		if ((err = src_get(r, s, off, attr_size, attr, "event attr")))
			break;
		ids_off = u64at(r, attr + attr_size - 16);
		ids_size = u64at(r, attr + attr_size - 8);
		if (ids_size / 8 > MAX_IDS) {
			err = tdata_fail(&r->t, "perf.data event claims %llu ids",
					 (unsigned long long)(ids_size / 8));
			break;
		}
		free(ids);
		ids = malloc(ids_size ? ids_size : 1);
		if (!ids)
			return -ENOMEM;
		if (!(err = src_get(r, s, ids_off, ids_size, ids, "event ids")))
			err = add_attr(r, attr, attr_size - 16, ids, ids_size / 8);
	}
	free(ids);
	return err;
}

static int file_mode(struct reader *r, const struct src *s, struct rd *in)
{
	uint64_t attr_size, attrs_off, attrs_size, data_off, data_size, feat_off, features[4];
	uint8_t h[FILE_HEADER_SIZE];
	int feat_idx = 0, err;

	if (s->len < FILE_HEADER_SIZE)
		return tdata_fail(&r->t, "too short for a perf.data header (%llu bytes)",
				  (unsigned long long)s->len);
	if ((err = src_get(r, s, 0, FILE_HEADER_SIZE, h, "perf.data header")))
		return err;
	attr_size = u64at(r, h + 16);
	attrs_off = u64at(r, h + 24);
	attrs_size = u64at(r, h + 32);
	data_off = u64at(r, h + 40);
	data_size = u64at(r, h + 48);
	if (u64at(r, h + 8) < FILE_HEADER_SIZE || attrs_off > s->len ||
	    attrs_size > s->len - attrs_off || data_off > s->len || data_size > s->len - data_off ||
	    attr_size < 16 + 64 || attr_size > 4096)
		return tdata_fail(&r->t, "corrupt perf.data header");
	for (int i = 0; i < 4; i++)
		features[i] = u64at(r, h + 72 + 8 * i);
	if ((err = file_attrs(r, s, attr_size, attrs_off, attrs_size)))
		return err;
	/* feature sections follow the data, one {offset, size} per set bit */
	feat_off = data_off + data_size;
	for (int bit = 0; bit < HEADER_FEAT_BITS && !r->have_formats; bit++) {
		uint8_t ent[16];
		uint64_t off, size;

		if (!((features[bit / 64] >> (bit % 64)) & 1))
			continue;
		if ((err = src_get(r, s, feat_off + 16 * feat_idx++, 16, ent, "feature table")))
			return err;
		if (bit != HEADER_TRACING_DATA)
			continue;
		off = u64at(r, ent);
		size = u64at(r, ent + 8);
		if ((err = src_rd(r, s, in, off, size, "tracing data section")) ||
		    (err = tracing_data(r, in)))
			return err;
	}
	if (!r->have_formats)
		return tdata_fail(&r->t, "perf.data has no tracing data: record tracepoints "
				  "(perf record -e 'kvm_hv:*')");
	if ((err = attrs_resolve(r)))
		return err;
	if ((err = src_rd(r, s, in, data_off, data_size, "data section")))
		return err;
	in->swap = r->swap;
	return records_rd(r, in, false);
}

/* ---- pipe mode ---------------------------------------------------------- */

static int pipe_attr(struct reader *r, const uint8_t *b, uint32_t n)
{
	uint32_t asize;

	if (n < 8)
		return tdata_fail(&r->t, "perf.data attr record too short");
	asize = u32at(r, b + 4);
	if (asize < 64 || asize > n)
		return tdata_fail(&r->t, "perf.data attr record with an attr of %u bytes", asize);
	return add_attr(r, b, asize, b + asize, (n - asize) / 8);
}

static int records_rd(struct reader *r, struct rd *in, bool pipe)
{
	const uint8_t *p;
	int err;

	r->next_progress = PROGRESS_EVERY;
	for (;;) {
		uint32_t type, size;
		uint64_t off = in->pos;

		/* the common case first: the whole record is in the buffer */
		if (rd_avail(in) >= 8) {
			p = in->p;
			size = u16at(r, p + 6);
			if (size >= 8 && size <= rd_avail(in) && u32at(r, p) == REC_SAMPLE) {
				if ((err = sample(r, p + 8, size - 8)))
					return err;
				rd_eat(in, size);
				continue;
			}
		}
		if (!(p = rd_peek(in, 8))) {
			if (in->err)
				return -in->err;
			if (rd_avail(in))
				return tdata_fail(&r->t, "record at offset %llu is truncated",
						  (unsigned long long)off);
			return 0;
		}
		type = u32at(r, p);
		size = u16at(r, p + 6);
		if (size < 8)
			return tdata_fail(&r->t, "record at offset %llu has a bad size %u",
					  (unsigned long long)off, size);
		if (!(p = rd_peek(in, size)))
			return in->err ? -in->err :
				tdata_fail(&r->t, "record at offset %llu is truncated",
					   (unsigned long long)off);
		progress(r, off);
		if (pipe && type == REC_HEADER_ATTR) {
			if (r->resolved)
				return tdata_fail(&r->t, "perf.data attr record at offset %llu after "
						  "the samples began", (unsigned long long)off);
			if ((err = pipe_attr(r, p + 8, size - 8)))
				return err;
			rd_eat(in, size);
			continue;
		}
		if (pipe && type == REC_HEADER_TRACING_DATA) {
			uint64_t start, want = size >= 12 ? u32at(r, p + 8) : 0;

			rd_eat(in, size);
			start = in->pos;
			if ((err = tracing_data(r, in)))
				return err;
			in->swap = r->swap;
			if (in->pos - start > want || !rd_skip(in, want - (in->pos - start)))
				return tdata_fail(&r->t, "tracing data at offset %llu does not fit its "
						  "%llu bytes", (unsigned long long)start,
						  (unsigned long long)want);
			continue;
		}
		if (pipe && type == REC_AUXTRACE) {
			uint64_t more = size >= 16 ? u64at(r, p + 8) : 0;

			rd_eat(in, size);
			r->st->other_records++;
			if (!rd_skip(in, more))
				return tdata_fail(&r->t, "auxtrace data at offset %llu is truncated",
						  (unsigned long long)off);
			continue;
		}
		if (type >= REC_HEADER_ATTR && type != REC_FINISHED_ROUND && type != REC_COMPRESSED) {
			r->st->other_records++;	/* features, build ids, id index, ... */
		} else if ((err = record(r, type, p + 8, size - 8, off))) {
			return err;
		}
		rd_eat(in, size);
	}
}

/* ---- entry points ------------------------------------------------------- */

static int reader_init(struct reader *r, const struct trace_sink *s,
		       struct trace_read_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	r->t.err = err;
	r->t.errlen = errlen;
	r->s = s;
	r->st = st;
	key_index_init(&r->by_id);
	return tp_decoders_init(&r->dec);
}

static void reader_free(struct reader *r)
{
	tp_decoders_free(&r->dec);
	key_index_free(&r->by_id);
	free(r->attrs);
	ZSTD_freeDStream(r->zs);
	free(r->zbuf);
}

/* The magic's byte order, or -EINVAL with what the file is. */
static int magic(struct reader *r, const uint8_t *buf, size_t len)
{
	uint64_t m;

	if (len < 8)
		return tdata_fail(&r->t, "too short for perf.data (%zu bytes)", len);
	memcpy(&m, buf, 8);
	if (m == PERF_MAGIC2)
		r->swap = false;
	else if (__builtin_bswap64(m) == PERF_MAGIC2)
		r->swap = true;
	else if (!memcmp(buf, "PERFFILE", 8) || !memcmp(buf, "PERFILE", 7))
		return tdata_fail(&r->t, "old perf.data format (version 1, from perf before 2.6.36) "
				  "is not supported: record it again");
	else
		return tdata_fail(&r->t, "not a perf.data file (bad magic)");
	return 0;
}

static int read_file(const struct src *src, struct rd *in, const struct trace_sink *s,
		     struct trace_read_stats *st, char *err, size_t errlen)
{
	uint8_t head[16];
	struct reader r;
	int ret = reader_init(&r, s, st, err, errlen);

	if (!ret && src->len < 8)
		ret = tdata_fail(&r.t, "too short for perf.data (%llu bytes)",
				 (unsigned long long)src->len);
	if (!ret)
		ret = src_get(&r, src, 0, src->len < 16 ? 8 : 16, head, "perf.data header");
	if (!ret)
		ret = magic(&r, head, 8);
	if (!ret && src->len >= 16 && u64at(&r, head + 8) == PIPE_HEADER_SIZE) {
		/* a pipe-mode stream saved to a file */
		in->swap = r.swap;
		ret = src_rd(&r, src, in, PIPE_HEADER_SIZE, src->len - PIPE_HEADER_SIZE, "data");
		if (!ret)
			ret = records_rd(&r, in, true);
	} else if (!ret) {
		ret = file_mode(&r, src, in);
	}
	if (!ret && r.zhave)
		ret = tdata_fail(&r.t, "compressed data ends inside a record");
	reader_free(&r);
	return ret;
}

int perf_data_read_mem(const void *buf, size_t len, const struct trace_sink *s,
		       struct trace_read_stats *st, char *err, size_t errlen)
{
	const struct src src = { buf, -1, len };
	struct rd in = { .fd = -1 };

	return read_file(&src, &in, s, st, err, errlen);
}

int perf_data_read_fd(int fd, uint64_t len, const struct trace_sink *s,
		      struct trace_read_stats *st, char *err, size_t errlen)
{
	const struct src src = { NULL, fd, len };
	struct rd in = { .fd = -1 };
	int ret = read_file(&src, &in, s, st, err, errlen);

	rd_free(&in);
	return ret;
}

int perf_data_read_stream(struct rd *in, const struct trace_sink *s, struct trace_read_stats *st,
			  char *err, size_t errlen)
{
	const uint8_t *p = rd_peek(in, PIPE_HEADER_SIZE);
	struct reader r;
	int ret = reader_init(&r, s, st, err, errlen);

	if (!ret && !p)
		ret = in->err ? -in->err : tdata_fail(&r.t, "too short for perf.data");
	if (!ret)
		ret = magic(&r, p, PIPE_HEADER_SIZE);
	if (!ret && u64at(&r, p + 8) != PIPE_HEADER_SIZE)
		ret = tdata_fail(&r.t, "perf.data in file mode cannot be read from a pipe: "
				 "give the file (-i FILE) or record with -o -");
	if (!ret) {
		rd_eat(in, PIPE_HEADER_SIZE);
		in->swap = r.swap;
		ret = records_rd(&r, in, true);
	}
	if (!ret && r.zhave)
		ret = tdata_fail(&r.t, "compressed data ends inside a record");
	reader_free(&r);
	return ret;
}
