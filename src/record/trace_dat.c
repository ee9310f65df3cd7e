// SPDX-License-Identifier: GPL-2.0
/*
 * trace-cmd trace.dat reader, file versions 6 and 7, for kvm_hv tracepoints.
 *
 * Layout: trace-cmd's Documentation/trace-cmd/trace-cmd.dat.v6.5.txt and
 * .v7.5.txt. Version 6 is the tracing header perf.data also uses, the saved
 * cmdlines, the cpu count, options, then "flyrecord" and a (u64 offset,
 * u64 size) of ring-buffer pages per cpu. Version 7 (trace-cmd 3's default)
 * puts the same pieces into sections found through options, any of them
 * compressed (zlib or zstd), the per-cpu pages in compressed chunks.
 * Instance buffers (trace-cmd record -B) are read as well as the top one.
 *
 * Why not libtracecmd: Debian ships it as a shared library only, and the
 * static ppc64le build (what runs on POWER hosts) links everything
 * statically; its reader also trusts a file's lengths (trace-cmd report
 * crashed on 12 of 808 malformed files where this reader refused them all
 * with a message). trace-cmd itself is the oracle in tests/suites.
 *
 * The pages are walked here: the event layout is the kernel's ring buffer's
 * (kernel/trace/ring_buffer.c), each length checked against its page. Each
 * cpu's next event is read ahead and the cpus are merged by time, since a
 * page fault's enter and exit may be on different cpus.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "record/trace_rec.h"
#include "record/tracing_data.h"

#define MAX_CPUS		4096
#define MAX_BUFFERS		64
#define MAX_PAGE_SIZE		(1U << 24)
#define MAX_CHUNK		(64U << 20)
#define LOST_IMPLAUSIBLE	(1ULL << 40)

/* ring buffer event types (type_len) */
#define RB_PADDING		29
#define RB_TIME_EXTEND		30
#define RB_TIME_STAMP		31
#define RB_TS_SHIFT		27
#define RB_MISSED_EVENTS	(1ULL << 31)
#define RB_MISSED_STORED	(1ULL << 30)
#define RB_COMMIT_MASK		((1ULL << 30) - 1)

/* trace.dat v7 sections and options */
#define SEC_FL_COMPRESS		1
enum {
	OPT_DONE = 0,
	OPT_BUFFER = 3,
	OPT_HEADER_INFO = 16,
	OPT_FTRACE_EVENTS = 17,
	OPT_EVENT_FORMATS = 18,
	OPT_CMDLINES = 21,
	OPT_BUFFER_TEXT = 22,
};

enum zalgo { Z_NONE, Z_ZLIB, Z_ZSTD };

struct cpu_range {
	uint32_t cpu;
	uint64_t off, size;
	uint64_t span;			/* bytes in the file: size, + 4 when compressed */
};

struct buffer {
	char name[64];
	uint64_t section;		/* v7: where its section header is */
	uint32_t page_size;
	uint32_t ncpus;
	struct cpu_range *cpus;
	bool compressed;
	bool latency;			/* text from the latency tracer, not events */
};

/* One cpu's pages, read one data event ahead so the cpus merge by time. */
struct cpu_iter {
	uint32_t cpu;
	const uint8_t *next, *end;	/* pages still to read (uncompressed in memory) */
	/* compressed: chunks left, the current one decompressed */
	uint64_t zoff;
	uint32_t zleft;
	uint8_t *zbuf;
	size_t zcap;
	const uint8_t *page;		/* current page */
	const uint8_t *pos, *pend;	/* next event and end of committed data */
	uint64_t ts;
	bool loaded, done;
	/* the event read ahead */
	uint64_t ev_ts;
	const uint8_t *ev;
	uint32_t ev_len;
};

struct reader {
	struct tdata t;
	const uint8_t *buf;
	size_t len;
	bool swap, big;
	int long_size;
	uint32_t page_size;
	enum zalgo zalgo;
	struct tp_decoders dec;
	struct buffer buffers[MAX_BUFFERS];
	int nbuffers;
	struct cpu_iter *it;
	const struct trace_sink *s;
	struct trace_read_stats *st;
	uint64_t next_progress;
};

static uint64_t rd64(const struct reader *r, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return r->swap ? __builtin_bswap64(v) : v;
}

static uint32_t rd32(const struct reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rdlong(const struct reader *r, const uint8_t *p)
{
	return r->long_size == 8 ? rd64(r, p) : rd32(r, p);
}

static bool in_bounds(const struct reader *r, uint64_t off, uint64_t size)
{
	return off <= r->len && size <= r->len - off;
}

static void lost(struct reader *r, uint64_t n)
{
	if (n >= LOST_IMPLAUSIBLE) {
		r->st->lost_implausible++;
		if (n > r->st->lost_max_implausible)
			r->st->lost_max_implausible = n;
	} else {
		r->st->lost += n;
	}
}

/* ---- decompression ------------------------------------------------------ */

static int uncompress_to(struct reader *r, const uint8_t *src, uint32_t csize, uint8_t *dst,
			 uint32_t usize, uint64_t at)
{
	if (r->zalgo == Z_ZSTD) {
		size_t n = ZSTD_decompress(dst, usize, src, csize);

		if (ZSTD_isError(n) || n != usize)
			return tdata_fail(&r->t, "compressed data at offset %llu does not decompress "
					  "to its %u bytes (zstd: %s)", (unsigned long long)at, usize,
					  ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
	} else {
		uLongf n = usize;

		if (uncompress(dst, &n, src, csize) != Z_OK || n != usize)
			return tdata_fail(&r->t, "compressed data at offset %llu does not decompress "
					  "to its %u bytes (zlib)", (unsigned long long)at, usize);
	}
	return 0;
}

/*
 * A v7 section's content: in place, or decompressed into *owned (freed by
 * the caller). The section header is at off.
 */
static int section(struct reader *r, uint64_t off, uint16_t want_id, const uint8_t **data,
		   uint64_t *size, uint8_t **owned, uint16_t *flags_out)
{
	uint16_t id, flags;
	uint64_t ssize;
	const uint8_t *p;

	*owned = NULL;
	if (!in_bounds(r, off, 16))
		return tdata_fail(&r->t, "section at offset %llu is out of the file",
				  (unsigned long long)off);
	p = r->buf + off;
	memcpy(&id, p, 2);
	memcpy(&flags, p + 2, 2);
	if (r->swap) {
		id = __builtin_bswap16(id);
		flags = __builtin_bswap16(flags);
	}
	ssize = rd64(r, p + 8);
	if (id != want_id)
		return tdata_fail(&r->t, "section at offset %llu is of type %u, not %u",
				  (unsigned long long)off, id, want_id);
	if (!in_bounds(r, off + 16, ssize))
		return tdata_fail(&r->t, "section at offset %llu (%llu bytes) runs past the end of "
				  "the file", (unsigned long long)off, (unsigned long long)ssize);
	if (flags_out)
		*flags_out = flags;
	p += 16;
	if (!(flags & SEC_FL_COMPRESS) || want_id == OPT_BUFFER) {
		*data = p;
		*size = ssize;
		return 0;
	}
	if (r->zalgo == Z_NONE)
		return tdata_fail(&r->t, "section at offset %llu is compressed, but the file names "
				  "no compression", (unsigned long long)off);
	{
		uint32_t csize, usize;
		int err;

		if (ssize < 8)
			return tdata_fail(&r->t, "compressed section at offset %llu is truncated",
					  (unsigned long long)off);
		csize = rd32(r, p);
		usize = rd32(r, p + 4);
		if (csize > ssize - 8 || usize > MAX_CHUNK)
			return tdata_fail(&r->t, "compressed section at offset %llu claims %u bytes "
					  "(%u compressed)", (unsigned long long)off, usize, csize);
		*owned = malloc(usize ? usize : 1);
		if (!*owned)
			return -ENOMEM;
		err = uncompress_to(r, p + 8, csize, *owned, usize, off);
		if (err) {
			free(*owned);
			*owned = NULL;
			return err;
		}
		*data = *owned;
		*size = usize;
	}
	return 0;
}

/* ---- the cpus' pages ----------------------------------------------------- */

static int next_chunk(struct reader *r, struct cpu_iter *ci, uint64_t end)
{
	uint32_t csize, usize;
	int err;

	if (!in_bounds(r, ci->zoff, 8) || ci->zoff + 8 > end)
		return tdata_fail(&r->t, "cpu %u: compressed chunk at offset %llu is truncated",
				  ci->cpu, (unsigned long long)ci->zoff);
	csize = rd32(r, r->buf + ci->zoff);
	usize = rd32(r, r->buf + ci->zoff + 4);
	if (csize > end - ci->zoff - 8 || usize > MAX_CHUNK || usize % r->page_size)
		return tdata_fail(&r->t, "cpu %u: compressed chunk at offset %llu claims %u bytes "
				  "(%u compressed)", ci->cpu, (unsigned long long)ci->zoff, usize,
				  csize);
	if (usize > ci->zcap) {
		uint8_t *b = realloc(ci->zbuf, usize);

		if (!b)
			return -ENOMEM;
		ci->zbuf = b;
		ci->zcap = usize;
	}
	if ((err = uncompress_to(r, r->buf + ci->zoff + 8, csize, ci->zbuf, usize, ci->zoff)))
		return err;
	ci->zoff += 8 + csize;
	ci->zleft--;
	if (!usize) {		/* an empty chunk: on to the next */
		ci->next = ci->end = NULL;
		return 0;
	}
	ci->next = ci->zbuf;
	ci->end = ci->zbuf + usize;
	return 0;
}

/* Load the cpu's next page: its timestamp, committed size and lost count. */
static int load_page(struct reader *r, struct cpu_iter *ci)
{
	uint64_t hdr = 8 + r->long_size, flags, commit;

	ci->page = ci->next;
	ci->next += r->page_size;
	ci->ts = rd64(r, ci->page);
	flags = rdlong(r, ci->page + 8);
	commit = flags & RB_COMMIT_MASK;
	if (commit > r->page_size - hdr)
		return tdata_fail(&r->t, "cpu %u: ring buffer page commits %llu bytes of %llu",
				  ci->cpu, (unsigned long long)commit,
				  (unsigned long long)(r->page_size - hdr));
	ci->pos = ci->page + hdr;
	ci->pend = ci->pos + commit;
	if ((flags & RB_MISSED_EVENTS) && (flags & RB_MISSED_STORED) &&
	    commit + r->long_size <= r->page_size - hdr)
		lost(r, rdlong(r, ci->pend));
	ci->loaded = true;
	return 0;
}

/* Read ahead the cpu's next data event, or mark it done. */
static int cpu_advance(struct reader *r, struct cpu_iter *ci, uint64_t zend)
{
	for (;;) {
		uint32_t hdr, type_len, delta, len;
		const uint8_t *p;
		int err;

		if (!ci->loaded || ci->pos >= ci->pend) {
			if (ci->next >= ci->end) {
				if (!ci->zleft) {
					ci->done = true;
					return 0;
				}
				if ((err = next_chunk(r, ci, zend)))
					return err;
				continue;
			}
			if ((err = load_page(r, ci)))
				return err;
			continue;
		}
		p = ci->pos;
		if (ci->pend - p < 4)
			goto bad;
		hdr = rd32(r, p);
		if (r->big) {
			/* big-endian bitfield: type_len in the top bits */
			type_len = hdr >> RB_TS_SHIFT;
			delta = hdr & ((1U << RB_TS_SHIFT) - 1);
		} else {
			type_len = hdr & 0x1f;
			delta = hdr >> 5;
		}
		switch (type_len) {
		case RB_PADDING:
			if (!delta) {		/* the rest of the page is unused */
				ci->pos = ci->pend;
				continue;
			}
			if (ci->pend - p < 8)
				goto bad;
			len = rd32(r, p + 4);
			if (len > ci->pend - p - 4)
				goto bad;
			ci->ts += delta;
			ci->pos = p + 4 + (len ? len : 4);
			continue;
		case RB_TIME_EXTEND:
			if (ci->pend - p < 8)
				goto bad;
			ci->ts += ((uint64_t)rd32(r, p + 4) << RB_TS_SHIFT) + delta;
			ci->pos = p + 8;
			continue;
		case RB_TIME_STAMP:
			if (ci->pend - p < 8)
				goto bad;
			ci->ts = ((uint64_t)rd32(r, p + 4) << RB_TS_SHIFT) | delta;
			ci->pos = p + 8;
			continue;
		case 0:
			if (ci->pend - p < 8)
				goto bad;
			len = rd32(r, p + 4);
			if (len < 4 || len - 4 > ci->pend - p - 8)
				goto bad;
			ci->ev = p + 8;
			ci->ev_len = len - 4;
			ci->pos = p + 8 + ((uint64_t)(len - 4 + 3) & ~3ULL);
			break;
		default:
			len = type_len * 4;
			if (len > ci->pend - p - 4)
				goto bad;
			ci->ev = p + 4;
			ci->ev_len = len;
			ci->pos = p + 4 + len;
			break;
		}
		ci->ts += delta;
		ci->ev_ts = ci->ts;
		return 0;
bad:
		return tdata_fail(&r->t, "cpu %u: corrupt ring buffer event %llu bytes into a page",
				  ci->cpu, (unsigned long long)(p - ci->page));
	}
}

static int emit(struct reader *r, struct cpu_iter *ci)
{
	const struct tp_decoder *d = NULL;
	struct trace_rec rec;
	const struct tp_loc *ct = &r->dec.common_type;

	r->st->samples++;
	if (ct->size && (uint32_t)ct->off + ct->size <= ci->ev_len)
		d = tp_decoder_find(&r->dec, rd_field(r->swap, ci->ev + ct->off, ct->size, false));
	if (!d) {
		r->st->undecodable++;
		return 0;
	}
	if (!d->kvm_hv) {
		r->st->other_records++;
		return 0;
	}
	if (!tp_decode(d, ci->ev, ci->ev_len, r->swap, &rec)) {
		r->st->undecodable++;
		if (!r->st->undecodable_kvm_hv++)
			snprintf(r->st->undecodable_first, sizeof(r->st->undecodable_first),
				 "a %s record does not fit the event's format", d->name);
		return 0;
	}
	/* trace.dat has no tgid: the thread stands for its process (see trace_map) */
	rec.pid = -1;
	rec.tid = tp_common_pid(d, ci->ev, ci->ev_len, r->swap);
	rec.cpu = (int32_t)ci->cpu;
	rec.time_ns = ci->ev_ts;
	rec.comm = NULL;
	rec.comm_is_process = false;
	r->st->kvm_hv++;
	return r->s->rec(r->s->ctx, &rec);
}

static int cmp_range(const void *a, const void *b)
{
	const struct cpu_range *x = *(const struct cpu_range *const *)a;
	const struct cpu_range *y = *(const struct cpu_range *const *)b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Every cpu's pages in the file, in bounds and apart from each other's. */
static int check_ranges(struct reader *r)
{
	const struct cpu_range **all;
	int n = 0, err = 0;

	for (int b = 0; b < r->nbuffers; b++)
		n += r->buffers[b].ncpus;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	n = 0;
	for (int b = 0; b < r->nbuffers && !err; b++) {
		const struct buffer *bf = &r->buffers[b];

		for (uint32_t i = 0; i < bf->ncpus && !err; i++) {
			struct cpu_range *c = &bf->cpus[i];

			if (!c->size)
				continue;
			c->span = c->size + (bf->compressed ? 4 : 0);
			if (!in_bounds(r, c->off, c->span))
				err = tdata_fail(&r->t, "cpu %u data (offset %llu, %llu bytes) runs past "
						 "the end of the file (truncated?)", c->cpu,
						 (unsigned long long)c->off, (unsigned long long)c->size);
			else if (!bf->compressed && c->size % r->page_size)
				err = tdata_fail(&r->t, "cpu %u data is not whole pages (%llu bytes of "
						 "%u)", c->cpu, (unsigned long long)c->size, r->page_size);
			all[n++] = c;
		}
	}
	qsort(all, n, sizeof(*all), cmp_range);
	for (int i = 1; i < n && !err; i++)
		if (all[i - 1]->off + all[i - 1]->span > all[i]->off)
			err = tdata_fail(&r->t, "cpu %u's pages (offset %llu, %llu bytes) overlap cpu "
					 "%u's (offset %llu): the file is corrupt", all[i]->cpu,
					 (unsigned long long)all[i]->off,
					 (unsigned long long)all[i]->size, all[i - 1]->cpu,
					 (unsigned long long)all[i - 1]->off);
	free(all);
	return err;
}

/* Where a cpu's compressed chunks end: trace-cmd's size leaves out the chunk count. */
static uint64_t zend(const struct buffer *bf, uint32_t i)
{
	return bf->cpus[i].off + bf->cpus[i].size + (bf->compressed ? 4 : 0);
}

static int read_buffer(struct reader *r, struct buffer *bf)
{
	int err = 0;

	r->it = calloc(bf->ncpus ? bf->ncpus : 1, sizeof(*r->it));
	if (!r->it)
		return -ENOMEM;
	for (uint32_t i = 0; i < bf->ncpus; i++) {
		struct cpu_iter *ci = &r->it[i];
		const struct cpu_range *c = &bf->cpus[i];

		ci->cpu = c->cpu;
		if (!c->size) {
			/* no pages: its offset was never checked, keep no pointer to it */
			ci->next = ci->end = NULL;
		} else if (bf->compressed) {
			ci->zleft = rd32(r, r->buf + c->off);
			ci->zoff = c->off + 4;
			ci->next = ci->end = NULL;
		} else {
			ci->next = r->buf + c->off;
			ci->end = ci->next + c->size;
		}
	}
	for (uint32_t i = 0; i < bf->ncpus && !err; i++)
		err = cpu_advance(r, &r->it[i], zend(bf, i));
	while (!err) {
		struct cpu_iter *min = NULL;
		uint32_t mi = 0;

		for (uint32_t i = 0; i < bf->ncpus; i++) {
			struct cpu_iter *ci = &r->it[i];

			if (!ci->done && (!min || ci->ev_ts < min->ev_ts)) {
				min = ci;
				mi = i;
			}
		}
		if (!min)
			break;
		if ((err = emit(r, min)))
			break;
		err = cpu_advance(r, min, zend(bf, mi));
		if (r->s->progress && min->next && !bf->compressed &&
		    (uint64_t)(min->next - r->buf) >= r->next_progress) {
			r->s->progress(r->s->progress_ctx, min->next - r->buf);
			r->next_progress = min->next - r->buf + (8U << 20);
		}
	}
	for (uint32_t i = 0; i < bf->ncpus; i++)
		free(r->it[i].zbuf);
	free(r->it);
	r->it = NULL;
	return err;
}

/* ---- version 6 ------------------------------------------------------------ */

static struct buffer *new_buffer(struct reader *r, const char *name, size_t n)
{
	struct buffer *b;

	if (r->nbuffers == MAX_BUFFERS) {
		tdata_fail(&r->t, "trace.dat has more than %d buffers", MAX_BUFFERS);
		return NULL;
	}
	b = &r->buffers[r->nbuffers++];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%.*s", (int)n, name);
	b->page_size = r->page_size;
	return b;
}

/* ncpus (u64 offset, u64 size) at off */
static int cpu_table(struct reader *r, struct buffer *b, uint64_t off, uint32_t ncpus)
{
	if (!in_bounds(r, off, 16ULL * ncpus))
		return tdata_fail(&r->t, "cpu table of buffer '%s' is out of the file", b->name);
	b->cpus = calloc(ncpus ? ncpus : 1, sizeof(*b->cpus));
	if (!b->cpus)
		return -ENOMEM;
	b->ncpus = ncpus;
	for (uint32_t i = 0; i < ncpus; i++) {
		b->cpus[i].cpu = i;
		b->cpus[i].off = rd64(r, r->buf + off + 16 * i);
		b->cpus[i].size = rd64(r, r->buf + off + 16 * i + 8);
	}
	return 0;
}

static int v6(struct reader *r, struct rd *in)
{
	struct { uint64_t off; char name[64]; size_t len; } inst[MAX_BUFFERS];
	const uint8_t *p;
	uint32_t ncpus, size32;
	uint16_t id;
	int ninst = 0, err;
	struct buffer *top;

	if ((err = tracing_data_parse(in, &r->t, &r->dec, true, r->s)) ||
	    (err = tp_decoders_build(&r->dec)))
		return err;
	r->swap = in->swap;
	if ((err = trd_u32(in, &r->t, &ncpus, "trace.dat")))
		return err;
	if (ncpus > MAX_CPUS)
		return tdata_fail(&r->t, "trace.dat claims %u cpus", ncpus);
	if ((err = trd_take(in, &r->t, 10, &p, "trace.dat")))
		return err;
	if (!memcmp(p, "options  \0", 10)) {
		for (;;) {
			if ((err = trd_u16(in, &r->t, &id, "options")))
				return err;
			if (!id)
				break;
			if ((err = trd_u32(in, &r->t, &size32, "options")) ||
			    (err = trd_take(in, &r->t, size32, &p, "options")))
				return err;
			/* instance buffers: u64 offset of their cpu table, name */
			if (id == OPT_BUFFER && size32 > 8 && ninst < MAX_BUFFERS - 1) {
				const uint8_t *nul = memchr(p + 8, 0, size32 - 8);

				inst[ninst].off = rd64(r, p);
				inst[ninst].len = nul ? (size_t)(nul - p - 8) : size32 - 8;
				snprintf(inst[ninst].name, sizeof(inst[ninst].name), "%.*s",
					 (int)inst[ninst].len, (const char *)p + 8);
				inst[ninst].len = strlen(inst[ninst].name);
				ninst++;
			}
		}
		if ((err = trd_take(in, &r->t, 10, &p, "trace.dat")))
			return err;
	}
	if (!memcmp(p, "latency  \0", 10))
		return tdata_fail(&r->t, "trace.dat holds latency tracer text, not events: "
				  "record events (trace-cmd record -e kvm_hv)");
	if (memcmp(p, "flyrecord\0", 10))
		return tdata_fail(&r->t, "trace.dat has no flyrecord section at offset %llu",
				  (unsigned long long)(in->pos - 10));
	if (!(top = new_buffer(r, "", 0)))
		return -EINVAL;
	if ((err = cpu_table(r, top, in->pos, ncpus)))
		return err;
	for (int i = 0; i < ninst; i++) {
		struct buffer *b = new_buffer(r, inst[i].name, inst[i].len);
		uint64_t at = inst[i].off;

		if (!b)
			return -EINVAL;
		/* "flyrecord\0" and the instance's cpu table (trace-cmd's read_options_type) */
		if (!in_bounds(r, at, 10) || memcmp(r->buf + at, "flyrecord\0", 10)) {
			if (in_bounds(r, at, 10) && !memcmp(r->buf + at, "latency  \0", 10)) {
				b->latency = true;
				continue;
			}
			return tdata_fail(&r->t, "instance buffer '%s' at offset %llu has no "
					  "flyrecord section", b->name, (unsigned long long)at);
		}
		if ((err = cpu_table(r, b, at + 10, ncpus)))
			return err;
	}
	return 0;
}

/* ---- version 7 ------------------------------------------------------------ */

static int v7_buffer_option(struct reader *r, const uint8_t *p, uint32_t n, bool latency)
{
	const uint8_t *end = p + n, *nul;
	struct buffer *b;
	uint64_t off;
	uint32_t ncpus;

	if (n < 8)
		goto bad;
	off = rd64(r, p);
	p += 8;
	if (!(nul = memchr(p, 0, end - p)))
		goto bad;
	if (!(b = new_buffer(r, (const char *)p, nul - p)))
		return -EINVAL;
	b->section = off;
	b->latency = latency;
	p = nul + 1;
	if (!(nul = memchr(p, 0, end - p)))	/* the clock */
		goto bad;
	p = nul + 1;
	if (latency)
		return 0;
	if (end - p < 8)
		goto bad;
	b->page_size = rd32(r, p);
	ncpus = rd32(r, p + 4);
	p += 8;
	if (ncpus > MAX_CPUS || (uint64_t)(end - p) < 20ULL * ncpus)
		goto bad;
	b->cpus = calloc(ncpus ? ncpus : 1, sizeof(*b->cpus));
	if (!b->cpus)
		return -ENOMEM;
	b->ncpus = ncpus;
	for (uint32_t i = 0; i < ncpus; i++, p += 20) {
		b->cpus[i].cpu = rd32(r, p);
		b->cpus[i].off = rd64(r, p + 4);
		b->cpus[i].size = rd64(r, p + 12);
	}
	return 0;
bad:
	return tdata_fail(&r->t, "trace.dat buffer option is malformed");
}

/* A section holding one of the tracing header's parts, parsed by fn. */
static int v7_part(struct reader *r, uint64_t off, uint16_t id,
		   int (*fn)(struct reader *r, struct rd *in, uint64_t size))
{
	const uint8_t *data;
	uint8_t *owned;
	uint64_t size;
	struct rd in;
	int err = section(r, off, id, &data, &size, &owned, NULL);

	if (!err) {
		in.swap = r->swap;
		rd_mem(&in, data, size, off);
		err = fn(r, &in, size);
	}
	free(owned);
	return err;
}

static int part_headers(struct reader *r, struct rd *in, uint64_t size)
{
	(void)size;
	return tracing_headers_skip(in, &r->t);
}

static int part_ftrace(struct reader *r, struct rd *in, uint64_t size)
{
	(void)size;
	return tracing_ftrace_formats(in, &r->t, &r->dec);
}

static int part_events(struct reader *r, struct rd *in, uint64_t size)
{
	(void)size;
	return tracing_event_formats(in, &r->t, &r->dec);
}

static int part_cmdlines(struct reader *r, struct rd *in, uint64_t size)
{
	uint64_t len;
	int err = trd_u64(in, &r->t, &len, "saved cmdlines");

	(void)size;
	return err ? err : tracing_cmdlines(in, &r->t, len, r->s);
}

static int v7(struct reader *r, struct rd *in)
{
	struct tracing_params tp;
	char zname[32], zver[32];
	uint64_t opt_off, parts[4] = { 0 };	/* header info, ftrace, events, cmdlines */
	int nsections = 0, err;

	if ((err = tracing_params_parse(in, &r->t, &tp)) ||
	    (err = trd_str(in, &r->t, zname, sizeof(zname) - 1, "compression name")) ||
	    (err = trd_str(in, &r->t, zver, sizeof(zver) - 1, "compression version")) ||
	    (err = trd_u64(in, &r->t, &opt_off, "trace.dat")))
		return err;
	r->page_size = tp.page_size;
	r->long_size = tp.long_size;
	r->swap = in->swap;
	if (!strcmp(zname, "none"))
		r->zalgo = Z_NONE;
	else if (!strcmp(zname, "zstd"))
		r->zalgo = Z_ZSTD;
	else if (!strcmp(zname, "zlib"))
		r->zalgo = Z_ZLIB;
	else
		return tdata_fail(&r->t, "trace.dat compressed with '%s', which kvmslb does not read "
				  "(zlib and zstd are read)", zname);
	/* the chain of options sections */
	while (opt_off) {
		const uint8_t *data, *p, *end;
		uint8_t *owned;
		uint64_t size, next = 0;

		if (++nsections > 1024)
			return tdata_fail(&r->t, "trace.dat has more than 1024 options sections");
		if ((err = section(r, opt_off, OPT_DONE, &data, &size, &owned, NULL)))
			return err;
		for (p = data, end = data + size; !err;) {
			uint16_t id;
			uint32_t n;

			if (end - p < 6) {
				err = tdata_fail(&r->t, "options at offset %llu end without DONE",
						 (unsigned long long)opt_off);
				break;
			}
			memcpy(&id, p, 2);
			id = r->swap ? __builtin_bswap16(id) : id;
			n = rd32(r, p + 2);
			p += 6;
			if (n > (uint64_t)(end - p)) {
				err = tdata_fail(&r->t, "option %u at offset %llu runs past its section",
						 id, (unsigned long long)opt_off);
				break;
			}
			if (id == OPT_DONE) {
				next = n >= 8 ? rd64(r, p) : 0;
				break;
			}
			if (id >= OPT_HEADER_INFO && id <= OPT_CMDLINES && id != 19 && id != 20 &&
			    n >= 8)
				parts[id == OPT_CMDLINES ? 3 : id - OPT_HEADER_INFO] = rd64(r, p);
			else if (id == OPT_BUFFER || id == OPT_BUFFER_TEXT)
				err = v7_buffer_option(r, p, n, id == OPT_BUFFER_TEXT);
			p += n;
		}
		free(owned);
		if (err)
			return err;
		if (next && next <= opt_off)
			return tdata_fail(&r->t, "options section at offset %llu points back to %llu",
					  (unsigned long long)opt_off, (unsigned long long)next);
		opt_off = next;
	}
	if (!parts[2])
		return tdata_fail(&r->t, "trace.dat has no event formats section");
	if ((parts[0] && (err = v7_part(r, parts[0], OPT_HEADER_INFO, part_headers))) ||
	    (parts[1] && (err = v7_part(r, parts[1], OPT_FTRACE_EVENTS, part_ftrace))) ||
	    (err = v7_part(r, parts[2], OPT_EVENT_FORMATS, part_events)) ||
	    (err = tp_decoders_build(&r->dec)) ||
	    (parts[3] && (err = v7_part(r, parts[3], OPT_CMDLINES, part_cmdlines))))
		return err;
	for (int i = 0; i < r->nbuffers; i++) {
		struct buffer *b = &r->buffers[i];
		const uint8_t *data;
		uint8_t *owned;
		uint64_t size;
		uint16_t flags = 0;

		if (b->latency)
			continue;
		if (b->page_size != r->page_size)
			return tdata_fail(&r->t, "buffer '%s' has pages of %u bytes, the file %u",
					  b->name, b->page_size, r->page_size);
		if ((err = section(r, b->section, OPT_BUFFER, &data, &size, &owned, &flags)))
			return err;
		b->compressed = flags & SEC_FL_COMPRESS;
		if (b->compressed && r->zalgo == Z_NONE)
			return tdata_fail(&r->t, "buffer '%s' is compressed, but the file names no "
					  "compression", b->name);
	}
	return 0;
}

/* ---- entry point ------------------------------------------------------------ */

int trace_dat_read_mem(const void *buf, size_t len, const struct trace_sink *s,
		       struct trace_read_stats *st, char *err, size_t errlen)
{
	char version[16];
	const uint8_t *magic;
	struct reader *r;
	struct rd in;
	int ret, with_events = 0, nflight = 0;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->t.err = err;
	r->t.errlen = errlen;
	r->buf = buf;
	r->len = len;
	r->s = s;
	r->st = st;
	r->next_progress = 8U << 20;
	in.swap = false;
	rd_mem(&in, buf, len, 0);
	ret = tp_decoders_init(&r->dec);
	if (!ret && (ret = trd_take(&in, &r->t, TRACING_MAGIC_LEN, &magic, "trace.dat")) == 0 &&
	    memcmp(magic, TRACING_MAGIC, TRACING_MAGIC_LEN))
		ret = tdata_fail(&r->t, "not a trace.dat file (bad magic)");
	if (!ret)
		ret = trd_str(&in, &r->t, version, sizeof(version) - 1, "trace.dat");
	if (!ret && !strcmp(version, "6")) {
		ret = v6(r, &in);
	} else if (!ret && !strcmp(version, "7")) {
		ret = v7(r, &in);
	} else if (!ret) {
		ret = tdata_fail(&r->t, "trace.dat version '%s' is not supported (6 and 7 are)",
				 version);
	}
	r->swap = in.swap;
	r->big = r->swap != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	if (!ret && !r->page_size)
		r->page_size = r->dec.page_size;
	if (!r->long_size)
		r->long_size = r->dec.long_size;
	if (!ret && (r->page_size < 64 || r->page_size > MAX_PAGE_SIZE))
		ret = tdata_fail(&r->t, "trace.dat has a bad page size %u", r->page_size);
	if (!ret)
		ret = check_ranges(r);
	for (int i = 0; !ret && i < r->nbuffers; i++) {
		uint64_t before = st->kvm_hv;

		if (r->buffers[i].latency)
			continue;
		nflight++;
		ret = read_buffer(r, &r->buffers[i]);
		if (st->kvm_hv > before) {
			with_events++;
			if (r->buffers[i].name[0] && !st->note[0])
				snprintf(st->note, sizeof(st->note),
					 "kvm_hv events read from instance buffer '%s'",
					 r->buffers[i].name);
		}
	}
	if (!ret && !nflight)
		ret = tdata_fail(&r->t, "trace.dat holds latency tracer text, not events: record "
				 "events (trace-cmd record -e kvm_hv)");
	if (!ret && with_events > 1)
		snprintf(st->note, sizeof(st->note), "kvm_hv events read from %d buffers (top and "
			 "instances) and counted together", with_events);
	for (int i = 0; i < r->nbuffers; i++)
		free(r->buffers[i].cpus);
	tp_decoders_free(&r->dec);
	free(r);
	return ret;
}
