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
	const uint8_t *buf;
	size_t len;
	bool swap;
	bool file_big;
	int long_size;
	uint32_t page_size;
	struct tep_handle *tep;
	int type_off, type_size;	/* common_type, checked before tep_data_type */
	struct comm comms[MAX_COMMS];
	int ncomms;
	uint32_t ncpus;
	struct cpu_iter *cpus;
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

static uint64_t rdlong(const struct reader *r, uint64_t off)
{
	return r->long_size == 8 ? rd64(r, off) : rd32(r, off);
}

struct cursor {
	struct reader *r;
	uint64_t off;
};

static int cur_take(struct cursor *c, uint64_t n, uint64_t *at)
{
	if (!in_bounds(c->r, c->off, n))
		return fail(c->r, "trace.dat truncated at offset %llu",
			    (unsigned long long)c->off);
	*at = c->off;
	c->off += n;
	return 0;
}

static int cur_u16(struct cursor *c, uint16_t *v)
{
	uint64_t at = 0;
	int err = cur_take(c, 2, &at);

	if (!err)
		*v = rd16(c->r, at);
	return err;
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

static int cur_str(struct cursor *c, const char **s)
{
	const uint8_t *p, *nul;

	if (c->off >= c->r->len)
		return fail(c->r, "trace.dat truncated at offset %llu",
			    (unsigned long long)c->off);
	p = c->r->buf + c->off;
	nul = memchr(p, 0, c->r->len - c->off);
	if (!nul)
		return fail(c->r, "unterminated string in trace.dat at offset %llu",
			    (unsigned long long)c->off);
	*s = (const char *)p;
	c->off += nul - p + 1;
	return 0;
}

/*
 * Only the field layout is needed; the print format is replaced before
 * parsing (libtraceevent 1.7's print-format parser crashes on malformed
 * input, see perf_data.c).
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
	tep_parse_event(c->r->tep, copy, keep + sizeof(no_print) - 1, sys);
	free(copy);
	return 0;
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
	struct cursor c = { r, 0 };
	const char *version, *name;
	uint32_t n, nsys, size32;
	uint64_t at = 0, len = 0;
	uint16_t id;
	bool file_big;
	int err;

	if (r->len < sizeof(magic) || memcmp(r->buf, magic, sizeof(magic)))
		return fail(r, "not a trace.dat file (bad magic)");
	c.off = sizeof(magic);
	if ((err = cur_str(&c, &version)))
		return err;
	if (!strcmp(version, "7"))
		return fail(r, "trace.dat version 7 (sectioned, compressed) is not supported: "
			    "record with 'trace-cmd record --file-version 6' or convert with "
			    "'trace-cmd convert --file-version 6'");
	if (strcmp(version, "6"))
		return fail(r, "trace.dat version '%.16s' is not supported (only 6)", version);
	if ((err = cur_take(&c, 2, &at)))
		return err;
	file_big = r->buf[at] != 0;
	r->file_big = file_big;
	r->swap = file_big != (__BYTE_ORDER == __BIG_ENDIAN);
	tep_set_file_bigendian(r->tep, file_big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(r->tep, __BYTE_ORDER == __BIG_ENDIAN ? TEP_BIG_ENDIAN :
				TEP_LITTLE_ENDIAN);
	r->long_size = r->buf[at + 1];
	if (r->long_size != 4 && r->long_size != 8)
		return fail(r, "trace.dat has a bad long size %d", r->long_size);
	tep_set_long_size(r->tep, r->long_size);
	if ((err = cur_u32(&c, &r->page_size)))
		return err;
	if (r->page_size < 64 || r->page_size > MAX_PAGE_SIZE)
		return fail(r, "trace.dat has a bad page size %u", r->page_size);
	tep_set_page_size(r->tep, r->page_size);

	/* header_page, header_event */
	for (int i = 0; i < 2; i++) {
		if ((err = cur_str(&c, &name)) || (err = cur_u64(&c, &len)) ||
		    (err = cur_take(&c, len, &at)))
			return err;
	}
	/* ftrace's own events */
	if ((err = cur_u32(&c, &n)))
		return err;
	for (uint32_t i = 0; i < n; i++) {
		if ((err = cur_u64(&c, &len)) || (err = parse_format(&c, "ftrace", len)))
			return err;
	}
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
	/* kallsyms, printk */
	for (int i = 0; i < 2; i++) {
		if ((err = cur_u32(&c, &size32)) || (err = cur_take(&c, size32, &at)))
			return err;
	}
	/* saved cmdlines */
	if ((err = cur_u64(&c, &len)) || (err = cur_take(&c, len, &at)))
		return err;
	parse_cmdlines(r, (const char *)r->buf + at, len);
	if ((err = cur_u32(&c, &r->ncpus)))
		return err;
	if (r->ncpus > MAX_CPUS)
		return fail(r, "trace.dat claims %u cpus", r->ncpus);
	if ((err = cur_take(&c, 10, &at)))
		return err;
	if (!memcmp(r->buf + at, "options  \0", 10)) {
		for (;;) {
			if ((err = cur_u16(&c, &id)))
				return err;
			if (!id)
				break;
			/* instance buffers, clock, uname, ...: the top buffer is enough */
			if ((err = cur_u32(&c, &size32)) || (err = cur_take(&c, size32, &at)))
				return err;
		}
		if ((err = cur_take(&c, 10, &at)))
			return err;
	}
	if (!memcmp(r->buf + at, "latency  \0", 10))
		return fail(r, "trace.dat holds latency tracer text, not events: "
			    "record events (trace-cmd record -e kvm_hv)");
	if (memcmp(r->buf + at, "flyrecord\0", 10))
		return fail(r, "trace.dat has no flyrecord section at offset %llu",
			    (unsigned long long)at);
	if ((err = cur_take(&c, 16ULL * r->ncpus, cpu_table)))
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
		uint64_t off = rd64(r, table + 16 * i), size = rd64(r, table + 16 * i + 8);

		if (!in_bounds(r, off, size))
			return fail(r, "cpu %u data (offset %llu, %llu bytes) out of file bounds",
				    i, (unsigned long long)off, (unsigned long long)size);
		if (size % r->page_size)
			return fail(r, "cpu %u data is not whole pages (%llu bytes of %u)", i,
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
	ci->ts = rd64(r, ci->page);
	flags = rdlong(r, ci->page + 8);
	commit = flags & RB_COMMIT_MASK;
	if (commit > r->page_size - hdr)
		return fail(r, "ring buffer page at offset %llu commits %llu bytes of %llu",
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
		hdr = rd32(r, p);
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
		return fail(r, "corrupt ring buffer event at offset %llu", (unsigned long long)p);
	}
}

static int emit(struct reader *r, struct cpu_iter *ci, int cpu, trace_rec_fn fn, void *ctx,
		struct trace_read_stats *st)
{
	struct trace_rec rec = { .pid = -1, .tid = -1, .cpu = cpu, .time_ns = ci->ev_ts };
	const uint8_t *raw = r->buf + ci->ev_off;
	struct tep_record trec = { .data = (void *)raw, .size = (int)ci->ev_len };
	struct tep_format_field **fields, *f;
	struct tep_event *ev;
	unsigned long long v;
	uint32_t size = ci->ev_len;

	if (r->type_size <= 0 || (uint64_t)r->type_off + r->type_size > size)
		goto undecodable;
	ev = tep_find_event(r->tep, tep_data_type(r->tep, &trec));
	if (!ev)
		goto undecodable;
	f = tep_find_common_field(ev, "common_pid");
	if (!f || f->offset < 0 || f->size <= 0 || f->size > 8 ||
	    (uint64_t)f->offset + f->size > size || tep_read_number_field(f, raw, &v))
		goto undecodable;
	rec.tid = (int32_t)v;
	rec.system = ev->system;
	rec.event = ev->name;
	rec.comm = comm_of(r, rec.tid);
	rec.comm_is_process = false;	/* a thread's name ("CPU 0/KVM") */
	fields = tep_event_fields(ev);
	for (int i = 0; fields && fields[i] && rec.nfields < TRACE_REC_MAX_FIELDS; i++) {
		f = fields[i];
		if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC))
			continue;
		if (f->offset < 0 || f->size <= 0 || f->size > 8 ||
		    (uint64_t)f->offset + f->size > size) {
			free(fields);
			goto undecodable;
		}
		if (tep_read_number_field(f, raw, &v))
			continue;
		if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8 &&
		    (v >> (f->size * 8 - 1)) & 1)
			v |= ~0ULL << (f->size * 8);
		rec.fields[rec.nfields].name = f->name;
		rec.fields[rec.nfields].val = v;
		rec.nfields++;
	}
	free(fields);
	st->samples++;
	return fn(&rec, ctx);
undecodable:
	st->undecodable++;
	return 0;
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

/* common_type's place, so tep_data_type never reads past a short record */
static void find_type_field(struct reader *r)
{
	struct tep_event **evs = tep_list_events(r->tep, TEP_EVENT_SORT_ID);
	struct tep_format_field *f;

	r->type_off = 0;
	r->type_size = 0;
	if (!evs || !evs[0])
		return;
	f = tep_find_common_field(evs[0], "common_type");
	if (f && f->offset >= 0 && f->size > 0 && f->size <= 8) {
		r->type_off = f->offset;
		r->type_size = f->size;
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
	r->buf = buf;
	r->len = len;
	r->err = err;
	r->errlen = errlen;
	r->tep = tep_alloc();
	ret = r->tep ? parse_header(r, &table) : -ENOMEM;
	if (!ret)
		ret = setup_cpus(r, table);
	if (!ret) {
		find_type_field(r);
		ret = read_events(r, fn, ctx, st);
	}
	free(r->cpus);
	if (r->tep)
		tep_free(r->tep);
	free(r);
	return ret;
}

int trace_dat_read(const char *path, trace_rec_fn fn, void *ctx,
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
	ret = trace_dat_read_mem(map, sb.st_size, fn, ctx, st, err, errlen);
	if (ret == -EINVAL) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	munmap(map, sb.st_size);
	return ret;
}
