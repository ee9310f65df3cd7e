// SPDX-License-Identifier: GPL-2.0
/*
 * trace-cmd trace.dat reader (file version 6) for kvm_hv tracepoints.
 *
 * Layout (trace-cmd Documentation/trace-cmd/trace-cmd.dat.v6.5.txt): the
 * tracing header perf.data's HEADER_TRACING_DATA also uses (magic, version,
 * endianness, long size, page size, header_page, header_event, ftrace and
 * event-system formats, kallsyms, printk), the saved cmdlines, the cpu
 * count, "options  " with (u16 id, u32 size, data)* ending with id 0, then
 * "flyrecord" and one (u64 offset, u64 size) of ring-buffer pages per cpu.
 *
 * The pages are walked here rather than with libtraceevent's kbuffer: kbuffer
 * trusts the lengths inside a page (a zero-length extended event walks
 * backwards forever, a commit larger than the page reads past it), and a
 * file is untrusted input. The event layout is the kernel's ring buffer's
 * (kernel/trace/ring_buffer.c), the same one kbuffer decodes; the fields are
 * decoded with libtraceevent from the file's own formats, as in perf_data.c.
 *
 * Kernel trace records carry the thread (common_pid), not the process, and
 * trace.dat stores no thread-to-process map: records get pid -1 and their
 * thread as tid, so guests are keyed by thread (trace_map counts them).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "record/trace_rec.h"
#include "record/tracing_data.h"

#define MAX_CPUS		4096
#define MAX_COMMS		4096
#define MAX_PAGE_SIZE		(1U << 24)

/* ring buffer event types (type_len) */
#define RB_PADDING		29
#define RB_TIME_EXTEND		30
#define RB_TIME_STAMP		31
#define RB_TS_SHIFT		27

#define RB_MISSED_EVENTS	(1ULL << 31)
#define RB_MISSED_STORED	(1ULL << 30)
#define RB_COMMIT_MASK		((1ULL << 30) - 1)

struct comm {
	int32_t pid;
	char name[16];
};

/* One cpu's pages, read one data event ahead so the cpus merge by time. */
struct cpu_iter {
	uint64_t off, end;	/* pages still to read */
	uint64_t page;		/* current page's offset in the file */
	uint64_t pos, pend;	/* next event and end of committed data */
	uint64_t ts;
	bool loaded, done;
	/* the event read ahead */
	uint64_t ev_ts, ev_off;
	uint32_t ev_len;
};

struct reader {
	struct tdata t;
	bool file_big;
	int long_size;
	uint32_t page_size;
	struct tep_handle *tep;
	struct comm comms[MAX_COMMS];
	int ncomms;
	uint32_t ncpus;
	struct cpu_iter *cpus;
};

static uint64_t rdlong(const struct reader *r, uint64_t off)
{
	return r->long_size == 8 ? tdata_rd64(&r->t, off) : tdata_rd32(&r->t, off);
}

static void comm_add(struct reader *r, int32_t pid, const char *name, size_t n)
{
	struct comm *c;

	if (r->ncomms == MAX_COMMS)
		return;	/* names are a courtesy */
	c = &r->comms[r->ncomms++];
	c->pid = pid;
	snprintf(c->name, sizeof(c->name), "%.*s", (int)n, name);
}

/* "pid comm\n" lines, as in tracefs's saved_cmdlines */
static void parse_cmdlines(struct reader *r, const char *p, uint64_t size)
{
	const char *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *line_end = nl ? nl : end;
		const char *sp = memchr(p, ' ', line_end - p);
		long pid = 0;
		bool num = sp && sp > p && sp - p < 10;

		for (const char *q = p; num && q < sp; q++) {
			if (*q < '0' || *q > '9')
				num = false;
			else
				pid = pid * 10 + (*q - '0');
		}
		if (num && line_end > sp + 1)
			comm_add(r, (int32_t)pid, sp + 1, line_end - sp - 1);
		p = line_end + 1;
	}
}

static const char *comm_of(const struct reader *r, int32_t pid)
{
	for (int i = r->ncomms - 1; i >= 0; i--)
		if (r->comms[i].pid == pid)
			return r->comms[i].name;
	return NULL;
}

static int parse_header(struct reader *r, uint64_t *cpu_table)
{
	static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	struct tcursor c = { &r->t, 0, UINT64_MAX, "trace.dat" };
	struct tracing_params tp;
	const char *version;
	uint32_t size32;
	uint64_t at = 0, len = 0;
	uint16_t id;
	int err;

	if (r->t.len < sizeof(magic) || memcmp(r->t.buf, magic, sizeof(magic)))
		return tdata_fail(&r->t, "not a trace.dat file (bad magic)");
	c.off = sizeof(magic);
	if ((err = tcur_str(&c, &version)))
		return err;
	if (!strcmp(version, "7"))
		return tdata_fail(&r->t, "trace.dat version 7 (sectioned, compressed) is not supported: "
			    "record with 'trace-cmd record --file-version 6' or convert with "
			    "'trace-cmd convert --file-version 6'");
	if (strcmp(version, "6"))
		return tdata_fail(&r->t, "trace.dat version '%.16s' is not supported (only 6)", version);
	if ((err = tracing_formats_parse(&c, r->tep, &tp)))
		return err;
	r->file_big = tp.big_endian;
	r->long_size = tp.long_size;
	r->page_size = tp.page_size;
	if (r->page_size < 64 || r->page_size > MAX_PAGE_SIZE)
		return tdata_fail(&r->t, "trace.dat has a bad page size %u", r->page_size);
	/* kallsyms, printk */
	for (int i = 0; i < 2; i++) {
		if ((err = tcur_u32(&c, &size32)) || (err = tcur_take(&c, size32, &at)))
			return err;
	}
	/* saved cmdlines */
	if ((err = tcur_u64(&c, &len)) || (err = tcur_take(&c, len, &at)))
		return err;
	parse_cmdlines(r, (const char *)r->t.buf + at, len);
	if ((err = tcur_u32(&c, &r->ncpus)))
		return err;
	if (r->ncpus > MAX_CPUS)
		return tdata_fail(&r->t, "trace.dat claims %u cpus", r->ncpus);
	if ((err = tcur_take(&c, 10, &at)))
		return err;
	if (!memcmp(r->t.buf + at, "options  \0", 10)) {
		for (;;) {
			if ((err = tcur_u16(&c, &id)))
				return err;
			if (!id)
				break;
			/* instance buffers, clock, uname, ...: the top buffer is enough */
			if ((err = tcur_u32(&c, &size32)) || (err = tcur_take(&c, size32, &at)))
				return err;
		}
		if ((err = tcur_take(&c, 10, &at)))
			return err;
	}
	if (!memcmp(r->t.buf + at, "latency  \0", 10))
		return tdata_fail(&r->t, "trace.dat holds latency tracer text, not events: "
			    "record events (trace-cmd record -e kvm_hv)");
	if (memcmp(r->t.buf + at, "flyrecord\0", 10))
		return tdata_fail(&r->t, "trace.dat has no flyrecord section at offset %llu",
			    (unsigned long long)at);
	if ((err = tcur_take(&c, 16ULL * r->ncpus, cpu_table)))
		return err;
	return 0;
}

static int setup_cpus(struct reader *r, uint64_t table)
{
	r->cpus = calloc(r->ncpus ? r->ncpus : 1, sizeof(*r->cpus));
	if (!r->cpus)
		return -ENOMEM;
	for (uint32_t i = 0; i < r->ncpus; i++) {
		struct cpu_iter *ci = &r->cpus[i];
		uint64_t off = tdata_rd64(&r->t, table + 16 * i), size = tdata_rd64(&r->t, table + 16 * i + 8);

		if (!tdata_in_bounds(&r->t, off, size))
			return tdata_fail(&r->t, "cpu %u data (offset %llu, %llu bytes) out of file bounds",
				    i, (unsigned long long)off, (unsigned long long)size);
		if (size % r->page_size)
			return tdata_fail(&r->t, "cpu %u data is not whole pages (%llu bytes of %u)", i,
				    (unsigned long long)size, r->page_size);
		ci->off = off;
		ci->end = off + size;
	}
	return 0;
}

/* Load the cpu's next page: its timestamp, committed size and lost count. */
static int load_page(struct reader *r, struct cpu_iter *ci, struct trace_read_stats *st)
{
	uint64_t hdr = 8 + r->long_size, flags, commit;

	ci->page = ci->off;
	ci->off += r->page_size;
	ci->ts = tdata_rd64(&r->t, ci->page);
	flags = rdlong(r, ci->page + 8);
	commit = flags & RB_COMMIT_MASK;
	if (commit > r->page_size - hdr)
		return tdata_fail(&r->t, "ring buffer page at offset %llu commits %llu bytes of %llu",
			    (unsigned long long)ci->page, (unsigned long long)commit,
			    (unsigned long long)(r->page_size - hdr));
	ci->pos = ci->page + hdr;
	ci->pend = ci->pos + commit;
	if ((flags & RB_MISSED_EVENTS) && (flags & RB_MISSED_STORED) &&
	    commit + r->long_size <= r->page_size - hdr)
		st->lost += rdlong(r, ci->pend);
	ci->loaded = true;
	return 0;
}

/* Read ahead the cpu's next data event, or mark it done. */
static int cpu_advance(struct reader *r, struct cpu_iter *ci, struct trace_read_stats *st)
{
	for (;;) {
		uint32_t hdr, type_len, delta, len;
		uint64_t p;
		int err;

		if (!ci->loaded || ci->pos >= ci->pend) {
			if (ci->off >= ci->end) {
				ci->done = true;
				return 0;
			}
			if ((err = load_page(r, ci, st)))
				return err;
			continue;
		}
		p = ci->pos;
		if (ci->pend - p < 4)
			goto bad;
		hdr = tdata_rd32(&r->t, p);
		if (r->file_big) {
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
			len = tdata_rd32(&r->t, p + 4);
			if (len > ci->pend - p - 4)
				goto bad;
			ci->ts += delta;
			ci->pos = p + 4 + (len ? len : 4);
			continue;
		case RB_TIME_EXTEND:
			if (ci->pend - p < 8)
				goto bad;
			ci->ts += ((uint64_t)tdata_rd32(&r->t, p + 4) << RB_TS_SHIFT) + delta;
			ci->pos = p + 8;
			continue;
		case RB_TIME_STAMP:
			if (ci->pend - p < 8)
				goto bad;
			ci->ts = ((uint64_t)tdata_rd32(&r->t, p + 4) << RB_TS_SHIFT) | delta;
			ci->pos = p + 8;
			continue;
		case 0:
			if (ci->pend - p < 8)
				goto bad;
			len = tdata_rd32(&r->t, p + 4);
			if (len < 4 || len - 4 > ci->pend - p - 8)
				goto bad;
			ci->ev_off = p + 8;
			ci->ev_len = len - 4;
			ci->pos = p + 8 + ((uint64_t)(len - 4 + 3) & ~3ULL);
			break;
		default:
			len = type_len * 4;
			if (len > ci->pend - p - 4)
				goto bad;
			ci->ev_off = p + 4;
			ci->ev_len = len;
			ci->pos = p + 4 + len;
			break;
		}
		ci->ts += delta;
		ci->ev_ts = ci->ts;
		return 0;
bad:
		return tdata_fail(&r->t, "corrupt ring buffer event at offset %llu", (unsigned long long)p);
	}
}

static int emit(struct reader *r, struct cpu_iter *ci, int cpu, trace_rec_fn fn, void *ctx,
		struct trace_read_stats *st)
{
	struct trace_rec rec = { .pid = -1, .tid = -1, .cpu = cpu, .time_ns = ci->ev_ts };
	int32_t tid;

	if (tracing_decode(r->tep, &rec, r->t.buf + ci->ev_off, ci->ev_len, &tid)) {
		st->undecodable++;
		return 0;
	}
	/* trace.dat has no tgid: the thread stands for its process (see report) */
	rec.tid = tid;
	rec.comm = comm_of(r, tid);
	rec.comm_is_process = false;	/* a thread's name ("CPU 0/KVM") */
	st->samples++;
	return fn(&rec, ctx);
}

static int read_events(struct reader *r, trace_rec_fn fn, void *ctx,
		       struct trace_read_stats *st)
{
	int err;

	for (uint32_t i = 0; i < r->ncpus; i++)
		if ((err = cpu_advance(r, &r->cpus[i], st)))
			return err;
	for (;;) {
		struct cpu_iter *min = NULL;
		int cpu = -1;

		/* kvm_page_fault_enter/exit of one thread may be on different cpus */
		for (uint32_t i = 0; i < r->ncpus; i++) {
			struct cpu_iter *ci = &r->cpus[i];

			if (!ci->done && (!min || ci->ev_ts < min->ev_ts)) {
				min = ci;
				cpu = (int)i;
			}
		}
		if (!min)
			return 0;
		if ((err = emit(r, min, cpu, fn, ctx, st)))
			return err;
		if ((err = cpu_advance(r, min, st)))
			return err;
	}
}

int trace_dat_read_mem(const void *buf, size_t len, trace_rec_fn fn, void *ctx,
		       struct trace_read_stats *st, char *err, size_t errlen)
{
	uint64_t table = 0;
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
	ret = r->tep ? parse_header(r, &table) : -ENOMEM;
	if (!ret)
		ret = setup_cpus(r, table);
	if (!ret)
		ret = read_events(r, fn, ctx, st);
	free(r->cpus);
	if (r->tep)
		tep_free(r->tep);
	free(r);
	return ret;
}
