// SPDX-License-Identifier: GPL-2.0
/*
 * 'perf script' text reader for kvm_hv tracepoints.
 *
 * perf script prints each tracepoint with its kernel print format, so the
 * field values are recovered from that text: "key=value" pairs, the
 * "VCPU n:" (series v1, stock) or "VM p VCPU n:" (series v2) prefix, and
 * symbolic trap and outcome names (include/kvmslb/abi.h).
 *
 * A line is "comm pid/tid [cpu] sec.frac: sys:event: text" (or "comm tid
 * [cpu] ..."). A comm may hold anything, " [3]" included, so every " [N]"
 * is tried until the rest of the line parses. Lines are bounded (64 KiB)
 * and input with a NUL byte is binary, refused at once: memory stays
 * bounded whatever comes in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/traps.h"
#include "kvmslb/abi.h"
#include "record/trace_rec.h"

#define MAX_LINE	(64U << 10)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [0-9A-Za-z_], by table: every byte of an event's name goes through it */
static const bool word_char[256] = {
	['0' ... '9'] = true, ['A' ... 'Z'] = true, ['a' ... 'z'] = true, ['_'] = true,
};

static bool is_word(char c)
{
	return word_char[(unsigned char)c];
}

/* A whole number in base 0 (0x.. or decimal), possibly negative. */
static bool parse_num(const char *s, uint64_t *v)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	if (*s == '-')
		*v = (uint64_t)strtoll(s, &end, 0);
	else
		*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* strtol(s, end, 10), with the plain digits of every line done inline. */
static inline long dec_long(char *s, char **end)
{
	long v = 0;
	char *p = s;

	while (is_digit(*p)) {
		v = v * 10 + (*p++ - '0');
		if (p - s == 18)
			return strtol(s, end, 10);	/* it may overflow */
	}
	if (p == s)
		return strtol(s, end, 10);	/* spaces or a sign first */
	*end = p;
	return v;
}

/*
 * Scans a word (8 bytes) at a time for the few bytes that end a token: the
 * line is padded with NULs to a whole word past its end, so a load never
 * leaves it. The lowest byte flagged is exact (a borrow only runs upwards).
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

static inline uint64_t zero_bytes(uint64_t x)
{
	return (x - ONES) & ~x & HIGHS;
}

static inline uint64_t load8(const char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(m) (__builtin_ctzll(m) >> 3)
#else
#define FIRST_FLAGGED(m) (__builtin_clzll(m) >> 3)
#endif

/* Where a token of the event's text ends: a space or the line's end. */
static inline char *token_end(char *p)
{
	for (;; p += 8) {
		uint64_t x = load8(p), m = zero_bytes(x) | zero_bytes(x ^ (ONES * ' '));

		if (m)
			return p + FIRST_FLAGGED(m);
	}
}

/* Where a key ends: its '=', or the token's end. */
static inline char *key_end(char *p)
{
	for (;; p += 8) {
		uint64_t x = load8(p);
		uint64_t m = zero_bytes(x) | zero_bytes(x ^ (ONES * ' ')) | zero_bytes(x ^ (ONES * '='));

		if (m)
			return p + FIRST_FLAGGED(m);
	}
}

/* A value ends at its token's end, after at most one comma ("a=1, b=2"). */
static bool value_end(const char *p)
{
	return *p == ' ' || !*p || (*p == ',' && (p[1] == ' ' || !p[1]));
}

/*
 * The common values inline: "0", a decimal without a leading zero, or 0x
 * hex, that end their token. Returns where the value ends, or NULL for
 * anything else, which parse_num then reads as before.
 */
static char *fast_num(char *s, uint64_t *v)
{
	uint64_t x = 0;
	char *p = s;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (p = s + 2; p - s < 18; p++) {
			unsigned int c = (unsigned char)*p;

			if (c - '0' < 10)
				x = x << 4 | (c - '0');
			else if ((c | 0x20) - 'a' < 6)
				x = x << 4 | ((c | 0x20) - 'a' + 10);
			else
				break;
		}
		if (p == s + 2)
			return NULL;
	} else if (*s >= '1' && *s <= '9') {
		while (is_digit(*p) && p - s < 19)
			x = x * 10 + (*p++ - '0');
	} else if (*s == '0') {
		p++;
	} else {
		return NULL;
	}
	if (!value_end(p))
		return NULL;
	*v = x;
	return p;
}

static const struct {
	const char *name;
	size_t len;
} outcome_names[KVMSLB_OUTCOME_NR] = {
#define OUTCOME(o, n) [o] = { n, sizeof(n) - 1 }
	OUTCOME(KVMSLB_OUTCOME_RETRY, "retry"), OUTCOME(KVMSLB_OUTCOME_REFLECT, "reflect"),
	OUTCOME(KVMSLB_OUTCOME_SEGMENT, "segment"), OUTCOME(KVMSLB_OUTCOME_HOST, "host"),
	OUTCOME(KVMSLB_OUTCOME_MMIO, "mmio"),
#undef OUTCOME
};

/* Trap names seen so far: a recording uses a handful, each on many lines. */
#define TRAP_SEEN	8
struct ps_state {
	struct {
		uint8_t len;
		char name[23];
		unsigned int trap;
	} trap[TRAP_SEEN];
	int ntrap;
};

enum { HAVE_CODE = 1, HAVE_OUTCOME = 2, HAVE_LATENCY = 4, HAVE_DROPPED = 8 };

enum key {
	K_NONE, K_CODE, K_OUTCOME, K_LATENCY, K_DROPPED, K_DSEGI, K_ISEGI, K_FAULT_NS
};

#define IS_KEY(k, lit) (len == sizeof(lit) - 1 && !memcmp(k, lit, sizeof(lit) - 1))

static enum key key_of(const char *k, size_t len, enum trace_kind kind)
{
	switch (k[0]) {
	case 't':
		return kind != TREC_SEGMENT && IS_KEY(k, "trap") ? K_CODE : K_NONE;
	case 'v':
		return kind == TREC_SEGMENT && IS_KEY(k, "vector") ? K_CODE : K_NONE;
	case 'o':
		return IS_KEY(k, "outcome") ? K_OUTCOME : K_NONE;
	case 'l':
		return IS_KEY(k, "latency") ? K_LATENCY : K_NONE;
	case 'd':
		return IS_KEY(k, "dropped") ? K_DROPPED : IS_KEY(k, "dsegi") ? K_DSEGI : K_NONE;
	case 'i':
		return IS_KEY(k, "isegi") ? K_ISEGI : K_NONE;
	case 'f':
		return IS_KEY(k, "fault_ns") ? K_FAULT_NS : K_NONE;
	default:
		return K_NONE;
	}
}

/*
 * The value of key at val, its token ending at q, as the reader always
 * took it: one trailing comma cut, a trap or outcome by name, else a number.
 */
static bool slow_value(struct ps_state *ps, enum key key, char *val, char *q, uint64_t *v)
{
	char save = *q;
	bool ok = true;

	*q = '\0';
	if (q > val && q[-1] == ',')
		q[-1] = '\0';
	if (key == K_CODE) {
		unsigned int trap;

		if (trap_from_name(val, &trap)) {
			size_t len = strlen(val);

			*v = trap;
			if (ps->ntrap < TRAP_SEEN && len < sizeof(ps->trap[0].name)) {
				ps->trap[ps->ntrap].len = (uint8_t)len;
				memcpy(ps->trap[ps->ntrap].name, val, len);
				ps->trap[ps->ntrap++].trap = trap;
			}
		} else {
			ok = parse_num(val, v);
		}
	} else if (key == K_OUTCOME) {
		unsigned int o;

		for (o = 0; o < KVMSLB_OUTCOME_NR; o++)
			if (!strcmp(val, outcome_names[o].name))
				break;
		*v = o;
		if (o == KVMSLB_OUTCOME_NR)
			ok = parse_num(val, v);
	} else {
		ok = parse_num(val, v);
	}
	*q = save;
	return ok;
}

/* Short names compared inline, a word at a time: a library call costs more. */
static inline bool same(const char *a, const char *b, size_t n)
{
	size_t i;

	if (n < 8) {
		for (i = 0; i < n && a[i] == b[i]; i++)
			;
		return i == n;
	}
	for (i = 0; i + 8 < n; i += 8)
		if (load8(a + i) != load8(b + i))
			return false;
	return load8(a + n - 8) == load8(b + n - 8);
}

/* A trap or outcome name already known, without the slow path; false if not. */
static bool known_name(const struct ps_state *ps, enum key key, const char *val, size_t len,
		       uint64_t *v)
{
	if (key == K_CODE) {
		for (int i = 0; i < ps->ntrap; i++) {
			if (ps->trap[i].len == len && same(ps->trap[i].name, val, len)) {
				*v = ps->trap[i].trap;
				return true;
			}
		}
	} else if (key == K_OUTCOME) {
		for (unsigned int o = 0; o < KVMSLB_OUTCOME_NR; o++) {
			if (outcome_names[o].len == len && same(outcome_names[o].name, val, len)) {
				*v = o;
				return true;
			}
		}
	}
	return false;
}

/*
 * The fields kvmslb needs from the event's text; false if one does not
 * parse. Tokens are separated by spaces; "key=value" (the key up to the
 * first '=') or a word, of which only "injected" means something.
 */
static bool parse_text(struct ps_state *ps, char *text, struct trace_rec *rec)
{
	unsigned int need = 0, have = 0;
	char *p = text;

	switch (rec->kind) {
	case TREC_SEGMENT:
	case TREC_GUEST_EXIT:
		need = HAVE_CODE;
		break;
	case TREC_HFAULT:
		need = HAVE_CODE | HAVE_OUTCOME | HAVE_LATENCY | HAVE_DROPPED;
		break;
	default:
		break;
	}
	if (p[0] == 'V' && p[1] == 'M' && p[2] == ' ') {
		char *end;
		long pid = dec_long(p + 3, &end);

		if (end == p + 3 || *end != ' ')
			return false;
		rec->v2 = true;
		rec->vm_pid = (int32_t)pid;
		p = end + 1;
	}
	if (p[0] == 'V' && p[1] == 'C' && p[2] == 'P' && p[3] == 'U' && p[4] == ' ') {
		char *end;
		long id = dec_long(p + 5, &end);

		if (end == p + 5 || *end != ':')
			return false;
		rec->has_vcpu = true;
		rec->vcpu_id = (int32_t)id;
		p = end + 1;
	} else if (rec->v2) {
		return false;
	}
	for (;;) {
		char *tok, *val, *q;
		enum key key;
		uint64_t v;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		tok = p;
		p = key_end(p);
		if (*p != '=') {
			/* kvm_segment_synth and kvm_hfault print a flag as a word */
			if (p - tok == 8 && !memcmp(tok, "injected", 8))
				rec->injected = true;
			continue;	/* other words belong to the format ("ns") */
		}
		key = key_of(tok, p - tok, rec->kind);
		val = ++p;
		if (key == K_NONE) {
			p = token_end(p);
			continue;
		}
		if ((q = fast_num(val, &v))) {
			p = q + (*q == ',');
		} else {
			size_t len;

			p = token_end(val);
			len = p - val;
			if (len && p[-1] == ',')
				len--;
			if (!known_name(ps, key, val, len, &v) && !slow_value(ps, key, val, p, &v))
				return false;
		}
		switch (key) {
		case K_CODE:
			rec->code = (uint32_t)v;
			have |= HAVE_CODE;
			break;
		case K_OUTCOME:
			rec->outcome = (uint32_t)v;
			have |= HAVE_OUTCOME;
			break;
		case K_LATENCY:
			rec->latency_ns = v;
			have |= HAVE_LATENCY;
			break;
		case K_DROPPED:
			rec->dropped = (uint32_t)v;
			have |= HAVE_DROPPED;
			break;
		case K_DSEGI:
			rec->dsegi = v;
			break;
		case K_ISEGI:
			rec->isegi = v;
			break;
		case K_FAULT_NS:
			rec->fault_ns = v;
			break;
		default:
			break;
		}
	}
	/* a v2 segment without its cumulative counts could not give exact totals */
	return (have & need) == need;
}

/* The time "S.F" at p, up to its ':'; returns the char after it or NULL. */
static char *parse_time(char *p, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;
	char *s = p;

	while (is_digit(*p) && p - s < 12)
		sec = sec * 10 + (*p++ - '0');
	if (p == s || *p++ != '.')
		return NULL;
	while (is_digit(*p) && digits < 9) {
		frac = frac * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p != ':')
		return NULL;
	for (int i = digits; i < 9; i++)
		frac *= 10;
	*ns = sec * 1000000000ULL + frac;
	return p + 1;
}

struct head {
	const char *sys, *ev;
	size_t sys_len, ev_len;
};

/*
 * The line's head, taking the " [cpu]" at lb: pid/tid before it, comm before
 * that, time and "sys:event:" after. Returns the text after "event:", or NULL.
 */
static char *parse_head(char *line, char *lb, struct trace_rec *rec, struct head *h)
{
	char *p = lb + 2, *tid, *e, *sys, *ev;
	long cpu = 0;

	while (is_digit(*p) && p - lb < 9)
		cpu = cpu * 10 + (*p++ - '0');
	if (p == lb + 2 || *p != ']')
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	if (!(p = parse_time(p, &rec->time_ns)))
		return NULL;
	while (*p == ' ')
		p++;
	sys = p;
	while (is_word(*p))
		p++;
	if (p == sys || *p != ':')
		return NULL;
	h->sys_len = p - sys;
	ev = ++p;
	while (is_word(*p))
		p++;
	if (p == ev || *p != ':')
		return NULL;
	h->ev_len = p - ev;
	/* pid/tid: the token before " [" */
	e = lb;
	while (e > line && e[-1] == ' ')
		e--;
	tid = e;
	while (tid > line && (is_digit(tid[-1]) || tid[-1] == '/'))
		tid--;
	if (tid == e || !is_digit(*tid) || (tid > line && tid[-1] != ' '))
		return NULL;
	{
		char *slash = memchr(tid, '/', e - tid), *end;

		if (slash) {
			rec->pid = (int32_t)dec_long(tid, &end);
			if (end != slash)
				return NULL;
			rec->tid = (int32_t)dec_long(slash + 1, &end);
		} else {
			rec->tid = (int32_t)dec_long(tid, &end);
		}
		if (end != e)
			return NULL;
	}
	rec->cpu = (int32_t)cpu;
	/* the comm: what is left, trimmed */
	while (tid > line && tid[-1] == ' ')
		tid--;
	*tid = '\0';
	e = line;
	while (*e == ' ')
		e++;
	rec->comm = *e ? e : NULL;
	rec->comm_is_process = rec->pid >= 0 && rec->pid == rec->tid;
	h->sys = sys;
	h->ev = ev;
	return p + 1;
}

static const struct {
	const char *name;
	size_t len;
	enum trace_kind kind;
} kvm_events[] = {
#define EV(n, k) { n, sizeof(n) - 1, k }
	EV(KVMSLB_TP_SEGMENT_SYNTH, TREC_SEGMENT), EV(KVMSLB_TP_HFAULT, TREC_HFAULT),
	EV("kvm_guest_exit", TREC_GUEST_EXIT), EV("kvm_page_fault_enter", TREC_PF_ENTER),
	EV("kvm_page_fault_exit", TREC_PF_EXIT),
#undef EV
};

/*
 * Line of n bytes, NUL-terminated: -1: not a sample line; 0: a kvm_hv
 * record; 1: kvm_hv but unreadable; 2: another event.
 */
static int parse_line(struct ps_state *ps, char *line, size_t n, struct trace_rec *rec)
{
	struct head h;
	char *text = NULL;

	memset(rec, 0, sizeof(*rec));
	/* every " [" in turn: a comm may hold one */
	for (char *b = memchr(line, '[', n); b; b = memchr(b + 1, '[', line + n - b - 1)) {
		if (b == line || b[-1] != ' ')
			continue;
		rec->pid = rec->tid = rec->cpu = -1;
		if ((text = parse_head(line, b - 1, rec, &h)))
			break;
	}
	if (!text)
		return -1;
	if (h.sys_len != sizeof(KVMSLB_TP_SYSTEM) - 1 ||
	    memcmp(h.sys, KVMSLB_TP_SYSTEM, sizeof(KVMSLB_TP_SYSTEM) - 1))
		return 2;
	rec->kind = TREC_KVM_OTHER;
	for (size_t i = 0; i < sizeof(kvm_events) / sizeof(kvm_events[0]); i++)
		if (h.ev_len == kvm_events[i].len && same(h.ev, kvm_events[i].name, h.ev_len))
			rec->kind = kvm_events[i].kind;
	while (*text == ' ')
		text++;
	if (rec->kind == TREC_KVM_OTHER)
		return 0;
	return parse_text(ps, text, rec) ? 0 : 1;
}

int perf_script_read(struct rd *r, const struct trace_sink *s, struct trace_read_stats *st,
		     char *err, size_t errlen)
{
	char line[MAX_LINE + 8];	/* a line, its NUL and the padding of token_end() */
	struct trace_rec rec;
	struct ps_state ps = { .ntrap = 0 };
	uint64_t lineno = 0, next_progress = 8U << 20;
	/* input offsets: bytes before 'scanned' were looked at for a NUL, the first at 'nul' */
	uint64_t scanned = r->pos, nul = UINT64_MAX;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	for (;;) {
		size_t avail = rd_avail(r), n;
		const uint8_t *p = r->p, *nl = avail ? memchr(p, '\n', avail) : NULL;
		int k;

		if (!nl && avail <= MAX_LINE && !r->eof) {
			rd_fill(r, avail + 1);	/* more, or the end */
			if (r->err) {
				snprintf(err, errlen, "read error: %s", strerror(r->err));
				return -r->err;
			}
			continue;
		}
		if (!avail)
			break;
		n = nl ? (size_t)(nl - p) : avail;
		lineno++;
		/* what came in since the last look, at once: one pass, not one per line */
		if (nul == UINT64_MAX && scanned < r->pos + avail) {
			const uint8_t *from = p + (scanned - r->pos);
			const uint8_t *z = memchr(from, '\0', p + avail - from);

			if (z)
				nul = r->pos + (z - p);
			scanned = r->pos + avail;
		}
		/* binary input (a NUL byte) is told at once, before any length check */
		if (nul < r->pos + (n < MAX_LINE + 1 ? n : MAX_LINE + 1)) {
			snprintf(err, errlen, "binary data (a NUL byte in line %llu): not perf "
				 "script text, perf.data or trace.dat", (unsigned long long)lineno);
			return -EINVAL;
		}
		if (n > MAX_LINE) {
			snprintf(err, errlen, "line %llu is longer than %u KiB: not perf script text",
				 (unsigned long long)lineno, MAX_LINE >> 10);
			return -EINVAL;
		}
		memcpy(line, p, n);
		rd_eat(r, n + (nl != NULL));
		if (n && line[n - 1] == '\r')
			n--;
		memset(line + n, 0, 8);
		if (r->pos >= next_progress && s->progress) {
			s->progress(s->progress_ctx, r->pos);
			next_progress = r->pos + (8U << 20);
		}
		k = parse_line(&ps, line, n, &rec);
		if (k < 0) {
			st->other_records++;
			continue;
		}
		st->samples++;
		if (k == 2) {
			st->other_records++;
			continue;
		}
		if (k == 1) {
			st->undecodable++;
			if (!st->undecodable_kvm_hv++)
				snprintf(st->undecodable_first, sizeof(st->undecodable_first),
					 "line %llu: cannot read the fields of kvm_hv:%s",
					 (unsigned long long)lineno, kvm_events[rec.kind - 1].name);
			continue;
		}
		st->kvm_hv++;
		if (rec.comm && rec.comm_is_process && s->comm &&
		    (ret = s->comm(s->ctx, rec.pid, rec.tid, rec.comm, strlen(rec.comm))))
			return ret;
		if ((ret = s->rec(s->ctx, &rec)))
			return ret;
	}
	if (!lineno) {
		snprintf(err, errlen, "empty input");
		return -EINVAL;
	}
	if (!st->samples) {
		snprintf(err, errlen, "no perf script sample lines in %llu lines of input",
			 (unsigned long long)lineno);
		return -EINVAL;
	}
	return 0;
}
