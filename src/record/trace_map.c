// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "kvmslb/maps.h"
#include "record/trace_map.h"

/* A page-fault event held for ordering (perf.data is ordered per round only). */
struct pf_event {
	uint64_t time_ns;
	int32_t tid;
	uint32_t tgid, unit;
	bool exit;
	bool counted;			/* the exit passed the filters */
};

struct seg_vcpu {
	uint32_t tgid, unit;
	uint64_t seen_d, seen_i;	/* records seen of each vector */
	uint64_t min_d, max_d, min_i, max_i;
	bool own_min_d, own_min_i;	/* a record of that vector carries the minimum */
	uint64_t first_ns, last_ns;	/* fault times */
};

struct rec_comm {
	int32_t pid;
	bool process;			/* the process's comm, not one of its threads' */
	char name[16];
};

/* At most this many held page-fault events (24 bytes each) before flushing early. */
#define PEND_MAX	(256U << 10)
/* Segments a vcpu can take per ns of fault time, and slack: more is a corrupt count. */
#define SEG_PER_NS_MAX	0.01
#define SEG_SLACK	1000

void trace_map_init(struct trace_map *m, struct agg *a)
{
	memset(m, 0, sizeof(*m));
	m->agg = a;
	key_index_init(&m->starts);
	key_index_init(&m->segs);
	key_index_init(&m->comm_idx);
	key_index_init(&m->v2_guests);
}

void trace_map_free(struct trace_map *m)
{
	key_index_free(&m->starts);
	key_index_free(&m->segs);
	key_index_free(&m->comm_idx);
	key_index_free(&m->v2_guests);
	free(m->start_ns);
	free(m->pend);
	free(m->seg);
	free(m->comms);
	free(m->ranges);
	memset(m, 0, sizeof(*m));
}

static int grow(void **arr, uint32_t *cap, uint32_t n, size_t size)
{
	void *p;
	uint32_t c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 64;
	p = realloc(*arr, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

/* ---- comms ------------------------------------------------------------------ */

static int comm(void *ctx, int32_t pid, int32_t tid, const char *name, size_t len)
{
	struct trace_map *m = ctx;
	bool process = pid >= 0 && pid == tid;
	struct rec_comm *c;
	uint32_t i;

	if (pid >= 0 && !process)
		return 0;	/* a thread's name ("CPU 0/KVM") would misname the guest */
	if (key_index_get(&m->comm_idx, (uint32_t)tid, &i)) {
		c = &m->comms[i];
		if (c->process && !process)
			return 0;
	} else {
		if (grow((void **)&m->comms, &m->comms_cap, m->ncomms, sizeof(*m->comms)) ||
		    key_index_put(&m->comm_idx, (uint32_t)tid, m->ncomms))
			return -ENOMEM;
		c = &m->comms[m->ncomms++];
	}
	c->pid = tid;
	c->process = process;
	if (len > sizeof(c->name) - 1)
		len = sizeof(c->name) - 1;
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	return 0;
}

/*
 * The kernel cuts a comm at 15 bytes, whatever the characters: a multi-byte
 * character cut there is a cut, not bad input, and is left out.
 */
static size_t comm_len(const char *s)
{
	size_t n = strnlen(s, 15), i = n, need;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return n;
	need = ((unsigned char)s[i - 1] & 0xe0) == 0xc0 ? 2 :
	       ((unsigned char)s[i - 1] & 0xf0) == 0xe0 ? 3 :
	       ((unsigned char)s[i - 1] & 0xf8) == 0xf0 ? 4 : 0;
	return n == 15 && need && n - (i - 1) < need ? i - 1 : n;
}

void trace_map_ident(const struct trace_map *m, uint32_t tgid, struct guest_ident *id)
{
	bool v2;
	uint32_t i, dummy;
	const struct rec_comm *c = key_index_get(&m->comm_idx, tgid, &i) ? &m->comms[i] : NULL;

	memset(id, 0, sizeof(*id));
	id->tgid = tgid;
	v2 = key_index_get(&m->v2_guests, tgid, &dummy);
	/* a saved cmdline names a thread: the process's only if tgid is known to be one */
	if (c && (c->process || v2)) {
		text_sanitize(id->name, sizeof(id->name), c->name, comm_len(c->name));
		id->from = NAME_COMM;
	} else if (v2) {
		snprintf(id->name, sizeof(id->name), "pid %u", tgid);
	}
}

/* ---- page faults ---------------------------------------------------------- */

static int pf_enter(struct trace_map *m, int32_t tid, uint64_t t)
{
	uint32_t i;

	if (!key_index_get(&m->starts, (uint32_t)tid, &i)) {
		if (grow((void **)&m->start_ns, &m->start_cap, m->nstart, sizeof(uint64_t)) ||
		    key_index_put(&m->starts, (uint32_t)tid, m->nstart))
			return -ENOMEM;
		i = m->nstart++;
	}
	m->start_ns[i] = t;
	return 0;
}

static int pf_exit(struct trace_map *m, const struct pf_event *e)
{
	uint32_t i;
	uint64_t start;

	if (!key_index_get(&m->starts, (uint32_t)e->tid, &i) || m->start_ns[i] == UINT64_MAX) {
		if (e->counted)
			m->agg->health.unpaired++;
		return 0;
	}
	start = m->start_ns[i];
	m->start_ns[i] = UINT64_MAX;	/* closed; the slot stays the thread's */
	if (!e->counted)
		return 0;
	m->agg->health.events++;
	return agg_fault(m->agg, e->tgid, e->unit, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE,
			 e->time_ns >= start ? e->time_ns - start : 0, false, 0);
}

static int pf_apply(struct trace_map *m, const struct pf_event *e)
{
	return e->exit ? pf_exit(m, e) : pf_enter(m, e->tid, e->time_ns);
}

static int cmp_pf(const void *a, const void *b)
{
	const struct pf_event *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return (int)x->exit - (int)y->exit;	/* an enter before an exit at the same time */
}

/* Apply the held events up to time 'upto', in time order. */
static int pf_flush(struct trace_map *m, uint64_t upto)
{
	uint32_t n = 0, keep = 0;
	int err = 0;

	qsort(m->pend, m->npend, sizeof(*m->pend), cmp_pf);
	while (n < m->npend && m->pend[n].time_ns <= upto && !err)
		err = pf_apply(m, &m->pend[n++]);
	for (uint32_t i = n; i < m->npend; i++)
		m->pend[keep++] = m->pend[i];
	m->npend = keep;
	return err;
}

static int pf_event(struct trace_map *m, const struct pf_event *e)
{
	if (m->ordered)
		return pf_apply(m, e);
	if (m->npend == PEND_MAX) {
		/* no round marks for this long: flush the older half */
		int err;

		qsort(m->pend, m->npend, sizeof(*m->pend), cmp_pf);
		m->st.reorder_overflow += m->npend / 2;
		if ((err = pf_flush(m, m->pend[m->npend / 2].time_ns)))
			return err;
	}
	if (grow((void **)&m->pend, &m->pend_cap, m->npend, sizeof(*m->pend)))
		return -ENOMEM;
	m->pend[m->npend++] = *e;
	if (e->time_ns > m->max_ts)
		m->max_ts = e->time_ns;
	return 0;
}

/* perf's FINISHED_ROUND: what is older than the previous round's newest is complete. */
static int round_done(void *ctx)
{
	struct trace_map *m = ctx;
	int err = m->npend ? pf_flush(m, m->flush_ts) : 0;

	m->flush_ts = m->max_ts;
	return err;
}

/* ---- v2 segment totals ---------------------------------------------------- */

static int seg_note(struct trace_map *m, const struct trace_rec *r, uint32_t tgid, uint32_t unit)
{
	uint64_t key = (uint64_t)(uint32_t)r->vm_pid << 32 | (uint32_t)r->vcpu_id;
	bool d = r->code == KVMSLB_TRAP_DATA_SEGMENT, i = r->code == KVMSLB_TRAP_INST_SEGMENT;
	struct seg_vcpu *s;
	uint32_t at;

	if (!key_index_get(&m->segs, key, &at)) {
		if (grow((void **)&m->seg, &m->seg_cap, m->nseg, sizeof(*m->seg)) ||
		    key_index_put(&m->segs, key, m->nseg))
			return -ENOMEM;
		at = m->nseg++;
		s = &m->seg[at];
		memset(s, 0, sizeof(*s));
		s->tgid = tgid;
		s->unit = unit;
		s->min_d = s->min_i = s->first_ns = UINT64_MAX;
	}
	s = &m->seg[at];
	s->seen_d += d;
	s->seen_i += i;
	/* which record holds the minimum says whether its own segment is in the window */
	if (r->dsegi < s->min_d) {
		s->min_d = r->dsegi;
		s->own_min_d = d;
	} else if (r->dsegi == s->min_d && d) {
		s->own_min_d = true;
	}
	if (r->isegi < s->min_i) {
		s->min_i = r->isegi;
		s->own_min_i = i;
	} else if (r->isegi == s->min_i && i) {
		s->own_min_i = true;
	}
	if (r->dsegi > s->max_d)
		s->max_d = r->dsegi;
	if (r->isegi > s->max_i)
		s->max_i = r->isegi;
	if (r->fault_ns < s->first_ns)
		s->first_ns = r->fault_ns;
	if (r->fault_ns > s->last_ns)
		s->last_ns = r->fault_ns;
	m->st.seg_dropped += r->dropped;
	return 0;
}

/* The segments the cumulative counts prove that no record showed. */
static int seg_totals(struct trace_map *m)
{
	for (uint32_t k = 0; k < m->nseg; k++) {
		const struct seg_vcpu *s = &m->seg[k];
		uint64_t exact_d = s->max_d - s->min_d + s->own_min_d;
		uint64_t exact_i = s->max_i - s->min_i + s->own_min_i;
		double span = s->last_ns >= s->first_ns ? (double)(s->last_ns - s->first_ns) : 0;
		int err;

		if (exact_d < s->seen_d || exact_i < s->seen_i) {
			m->st.seg_inconsistent++;
			continue;
		}
		if ((double)(exact_d - s->seen_d + exact_i - s->seen_i) > SEG_SLACK + span * SEG_PER_NS_MAX) {
			m->st.seg_implausible++;
			continue;
		}
		m->st.seg_recovered += exact_d - s->seen_d + exact_i - s->seen_i;
		if ((err = agg_segment(m->agg, s->tgid, s->unit, KVMSLB_TRAP_DATA_SEGMENT, false,
				       exact_d - s->seen_d)) ||
		    (err = agg_segment(m->agg, s->tgid, s->unit, KVMSLB_TRAP_INST_SEGMENT, false,
				       exact_i - s->seen_i)))
			return err;
	}
	return 0;
}

/* ---- records ------------------------------------------------------------- */

static bool in_ranges(const struct trace_map *m, uint64_t t)
{
	if (!m->nranges)
		return true;
	for (int i = 0; i < m->nranges; i++)
		if (t >= m->ranges[i].start && t <= m->ranges[i].end)
			return true;
	return false;
}

static int feed(void *ctx, const struct trace_rec *r)
{
	struct trace_map *m = ctx;
	bool counted = in_ranges(m, r->time_ns);
	uint32_t tgid, unit;
	int err;

	if (r->pid < 0 && r->tid < 0 && !(r->v2 && r->vm_pid > 0)) {
		m->st.no_pid++;
		return 0;
	}
	if (!counted && r->kind != TREC_PF_ENTER) {
		m->st.out_of_range++;
		if (r->kind != TREC_PF_EXIT)
			return 0;
	}
	if (counted) {
		if (!m->first_ns || r->time_ns < m->first_ns)
			m->first_ns = r->time_ns;
		if (r->time_ns > m->last_ns)
			m->last_ns = r->time_ns;
	}
	if (r->v2 && r->vm_pid > 0) {
		tgid = (uint32_t)r->vm_pid;
		m->st.v2_records++;
	} else {
		if (r->pid < 0)
			m->st.tid_as_pid++;
		tgid = (uint32_t)(r->pid >= 0 ? r->pid : r->tid);
		m->st.v1_records += r->kind == TREC_SEGMENT || r->kind == TREC_HFAULT;
	}
	if (m->tgid && tgid != m->tgid)
		return 0;
	if (r->v2 && r->vm_pid > 0) {
		uint32_t *noted = &m->v2_noted[(tgid * 0x9e3779b1u) >> 26];

		if (*noted != tgid) {
			if (key_index_put(&m->v2_guests, tgid, 1))
				return -ENOMEM;
			*noted = tgid;
		}
	}
	/* by vcpu id where the event has one: threads are not vcpus on POWER8 */
	unit = !m->per_vcpu ? 0 : r->has_vcpu ? AGG_VCPU_ID(r->vcpu_id) : (uint32_t)r->tid;
	if (r->missing) {
		m->st.missing_field++;
		return 0;
	}

	switch (r->kind) {
	case TREC_SEGMENT:
		m->seen_patched = true;
		m->agg->health.events++;
		if (r->v2 && r->vm_pid > 0 && (err = seg_note(m, r, tgid, unit)))
			return err;
		return agg_segment(m->agg, tgid, unit, r->code, r->injected, 1);
	case TREC_HFAULT:
		m->seen_patched = true;
		m->agg->health.events++;
		return agg_fault(m->agg, tgid, unit, r->code, r->outcome, r->latency_ns,
				 r->injected, r->dropped);
	case TREC_GUEST_EXIT:
		m->seen_stock = true;
		if (r->code != KVMSLB_TRAP_H_DATA_STORAGE && r->code != KVMSLB_TRAP_H_INST_STORAGE &&
		    r->code != KVMSLB_TRAP_DATA_SEGMENT && r->code != KVMSLB_TRAP_INST_SEGMENT)
			return 0;
		m->agg->health.events++;
		return agg_exit(m->agg, tgid, unit, r->code, 1);
	case TREC_PF_ENTER:
	case TREC_PF_EXIT: {
		struct pf_event e = { r->time_ns, r->tid, tgid, unit, r->kind == TREC_PF_EXIT,
				      counted };

		m->seen_stock = true;
		return pf_event(m, &e);
	}
	default:
		return 0;
	}
}

void trace_map_sink(struct trace_map *m, struct trace_sink *s)
{
	memset(s, 0, sizeof(*s));
	s->rec = feed;
	s->comm = comm;
	s->round = round_done;
	s->ctx = m;
}

int trace_map_finish(struct trace_map *m)
{
	int err = m->npend ? pf_flush(m, UINT64_MAX) : 0;

	return err ? err : seg_totals(m);
}

/* ---- --time-range ---------------------------------------------------------- */

/* "S[.F]" seconds into ns; empty is 'none'. */
static bool parse_secs(const char *s, const char *end, uint64_t *ns, bool *none)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	*none = s == end;
	if (*none)
		return true;
	while (p < end && *p >= '0' && *p <= '9' && p - s < 12)
		sec = sec * 10 + (*p++ - '0');
	if (p == s)
		return false;
	if (p < end && *p == '.') {
		p++;
		while (p < end && *p >= '0' && *p <= '9' && digits < 9) {
			frac = frac * 10 + (*p++ - '0');
			digits++;
		}
	}
	if (p != end)
		return false;
	for (int i = digits; i < 9; i++)
		frac *= 10;
	*ns = sec * 1000000000ULL + frac;
	return true;
}

int trace_map_time_range(struct trace_map *m, const char *arg, char *err, size_t errlen)
{
	const char *p = arg;

	while (*p) {
		const char *end, *comma;
		struct time_range r = { 0, UINT64_MAX }, *n;
		bool none_s, none_e;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		end = strchr(p, ' ');
		end = end ? end : p + strlen(p);
		comma = memchr(p, ',', end - p);
		if (!comma || !parse_secs(p, comma, &r.start, &none_s) ||
		    !parse_secs(comma + 1, end, &r.end, &none_e) || (none_s && none_e) ||
		    (!none_e && r.end < r.start)) {
			snprintf(err, errlen, "--time-range '%.*s': want START,END in seconds "
				 "(e.g. 1234.5,1240 or ,1240 or 1234.5,)", (int)(end - p), p);
			return -EINVAL;
		}
		if (none_s)
			r.start = 0;
		if (none_e)
			r.end = UINT64_MAX;
		n = realloc(m->ranges, (m->nranges + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		m->ranges = n;
		m->ranges[m->nranges++] = r;
		p = end;
	}
	if (!m->nranges) {
		snprintf(err, errlen, "--time-range: no range given");
		return -EINVAL;
	}
	return 0;
}
