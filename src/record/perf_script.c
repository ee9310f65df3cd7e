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

static bool is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
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

static const char *const outcome_names[KVMSLB_OUTCOME_NR] = {
	[KVMSLB_OUTCOME_RETRY] = "retry", [KVMSLB_OUTCOME_REFLECT] = "reflect",
	[KVMSLB_OUTCOME_SEGMENT] = "segment", [KVMSLB_OUTCOME_HOST] = "host",
	[KVMSLB_OUTCOME_MMIO] = "mmio",
};

enum { HAVE_CODE = 1, HAVE_OUTCOME = 2, HAVE_LATENCY = 4, HAVE_DROPPED = 8 };

/* The fields kvmslb needs from the event's text; false if one does not parse. */
static bool parse_text(char *text, struct trace_rec *rec)
{
	const char *code_key = rec->kind == TREC_SEGMENT ? "vector" : "trap";
	unsigned int need = 0, have = 0;
	char *save = NULL, *tok;

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
	if (!strncmp(text, "VM ", 3)) {
		char *end;
		long pid = strtol(text + 3, &end, 10);

		if (end == text + 3 || *end != ' ')
			return false;
		rec->v2 = true;
		rec->vm_pid = (int32_t)pid;
		text = end + 1;
	}
	if (!strncmp(text, "VCPU ", 5)) {
		char *end;
		long id = strtol(text + 5, &end, 10);

		if (end == text + 5 || *end != ':')
			return false;
		rec->has_vcpu = true;
		rec->vcpu_id = (int32_t)id;
		text = end + 1;
	} else if (rec->v2) {
		return false;
	}
	for (tok = strtok_r(text, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		size_t len = strlen(tok);
		uint64_t v;

		if (!eq) {
			/* kvm_segment_synth and kvm_hfault print a flag as a word */
			if (!strcmp(tok, "injected"))
				rec->injected = true;
			continue;	/* other words belong to the format ("ns") */
		}
		if (len && tok[len - 1] == ',')
			tok[len - 1] = '\0';
		*eq = '\0';
		if (!strcmp(tok, code_key)) {
			unsigned int trap;

			if (trap_from_name(eq + 1, &trap))
				v = trap;
			else if (!parse_num(eq + 1, &v))
				return false;
			rec->code = (uint32_t)v;
			have |= HAVE_CODE;
		} else if (!strcmp(tok, "outcome")) {
			unsigned int o;

			for (o = 0; o < KVMSLB_OUTCOME_NR; o++)
				if (!strcmp(eq + 1, outcome_names[o]))
					break;
			if (o == KVMSLB_OUTCOME_NR) {
				if (!parse_num(eq + 1, &v))
					return false;
				o = (unsigned int)v;
			}
			rec->outcome = o;
			have |= HAVE_OUTCOME;
		} else if (!strcmp(tok, "latency")) {
			if (!parse_num(eq + 1, &rec->latency_ns))
				return false;
			have |= HAVE_LATENCY;
		} else if (!strcmp(tok, "dropped")) {
			if (!parse_num(eq + 1, &v))
				return false;
			rec->dropped = (uint32_t)v;
			have |= HAVE_DROPPED;
		} else if (!strcmp(tok, "dsegi")) {
			if (!parse_num(eq + 1, &rec->dsegi))
				return false;
		} else if (!strcmp(tok, "isegi")) {
			if (!parse_num(eq + 1, &rec->isegi))
				return false;
		} else if (!strcmp(tok, "fault_ns")) {
			if (!parse_num(eq + 1, &rec->fault_ns))
				return false;
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

/*
 * The line's head, taking the " [cpu]" at lb: pid/tid before it, comm before
 * that, time and "sys:event:" after. Returns the text after "event:", or NULL.
 */
static char *parse_head(char *line, char *lb, struct trace_rec *rec, char **sys, char **ev)
{
	char *p = lb + 2, *tid, *e, *colon;
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
	*sys = p;
	while (is_word(*p))
		p++;
	if (p == *sys || *p != ':')
		return NULL;
	colon = p;
	*ev = ++p;
	while (is_word(*p))
		p++;
	if (p == *ev || *p != ':')
		return NULL;
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
			rec->pid = (int32_t)strtol(tid, &end, 10);
			if (end != slash)
				return NULL;
			rec->tid = (int32_t)strtol(slash + 1, &end, 10);
		} else {
			rec->tid = (int32_t)strtol(tid, &end, 10);
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
	*colon = '\0';
	*p = '\0';
	return p + 1;
}

static const struct {
	const char *name;
	enum trace_kind kind;
} kvm_events[] = {
	{ KVMSLB_TP_SEGMENT_SYNTH, TREC_SEGMENT }, { KVMSLB_TP_HFAULT, TREC_HFAULT },
	{ "kvm_guest_exit", TREC_GUEST_EXIT }, { "kvm_page_fault_enter", TREC_PF_ENTER },
	{ "kvm_page_fault_exit", TREC_PF_EXIT },
};

/* -1: not a sample line; 0: a kvm_hv record; 1: kvm_hv but unreadable; 2: another event. */
static int parse_line(char *line, struct trace_rec *rec)
{
	char *sys = NULL, *ev = NULL, *text = NULL;

	memset(rec, 0, sizeof(*rec));
	for (char *lb = strstr(line, " ["); lb; lb = strstr(lb + 1, " [")) {
		rec->pid = rec->tid = rec->cpu = -1;
		if ((text = parse_head(line, lb, rec, &sys, &ev)))
			break;
	}
	if (!text)
		return -1;
	if (strcmp(sys, KVMSLB_TP_SYSTEM))
		return 2;
	rec->kind = TREC_KVM_OTHER;
	for (size_t i = 0; i < sizeof(kvm_events) / sizeof(kvm_events[0]); i++)
		if (!strcmp(ev, kvm_events[i].name))
			rec->kind = kvm_events[i].kind;
	while (*text == ' ')
		text++;
	if (rec->kind == TREC_KVM_OTHER)
		return 0;
	return parse_text(text, rec) ? 0 : 1;
}

int perf_script_read(struct rd *r, const struct trace_sink *s, struct trace_read_stats *st,
		     char *err, size_t errlen)
{
	char line[MAX_LINE + 1];
	struct trace_rec rec;
	uint64_t lineno = 0, next_progress = 8U << 20;
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
		/* binary input (a NUL byte) is told at once, before any length check */
		if (memchr(p, '\0', n < MAX_LINE + 1 ? n : MAX_LINE + 1)) {
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
		line[n] = '\0';
		if (r->pos >= next_progress && s->progress) {
			s->progress(s->progress_ctx, r->pos);
			next_progress = r->pos + (8U << 20);
		}
		k = parse_line(line, &rec);
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
