// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/trace_map.h"
#include "kvmslb/maps.h"

void trace_map_init(struct trace_map *m, struct agg *a)
{
	memset(m, 0, sizeof(*m));
	m->agg = a;
}

void trace_map_free(struct trace_map *m)
{
	free(m->comms);
	m->comms = NULL;
	m->ncomms = m->comms_cap = 0;
	free(m->starts);
	m->starts = NULL;
	m->nstarts = m->cap = 0;
}

const char *trace_map_comm(const struct trace_map *m, uint32_t tgid)
{
	for (int i = 0; i < m->ncomms; i++)
		if (m->comms[i].tgid == tgid)
			return m->comms[i].comm;
	return NULL;
}

/* The process's comm; a thread's ("CPU 0/KVM") would misname the guest. */
static int comm_note(struct trace_map *m, uint32_t tgid, const struct trace_rec *r)
{
	struct rec_comm *c = NULL;

	if (!r->comm || !r->comm_is_process)
		return 0;
	for (int i = 0; i < m->ncomms; i++)
		if (m->comms[i].tgid == tgid)
			c = &m->comms[i];
	if (!c) {
		if (m->ncomms == m->comms_cap) {
			int cap = m->comms_cap ? 2 * m->comms_cap : 16;
			struct rec_comm *n = realloc(m->comms, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			m->comms = n;
			m->comms_cap = cap;
		}
		c = &m->comms[m->ncomms++];
		c->tgid = tgid;
	}
	snprintf(c->comm, sizeof(c->comm), "%s", r->comm);
	return 0;
}

static struct pf_start *start_find(struct trace_map *m, int32_t tid)
{
	for (int i = 0; i < m->nstarts; i++)
		if (m->starts[i].tid == tid)
			return &m->starts[i];
	return NULL;
}

static int pf_enter(struct trace_map *m, int32_t tid, uint64_t t)
{
	struct pf_start *s = start_find(m, tid);

	if (!s) {
		if (m->nstarts == m->cap) {
			int cap = m->cap ? 2 * m->cap : 64;
			struct pf_start *n = realloc(m->starts, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			m->starts = n;
			m->cap = cap;
		}
		s = &m->starts[m->nstarts++];
		s->tid = tid;
	}
	s->time_ns = t;
	return 0;
}

static int pf_exit(struct trace_map *m, uint32_t tgid, uint32_t key_tid, int32_t tid,
		   uint64_t t)
{
	struct pf_start *s = start_find(m, tid);
	uint64_t start;

	if (!s) {
		m->agg->health.unpaired++;
		return 0;
	}
	start = s->time_ns;
	*s = m->starts[--m->nstarts];
	m->agg->health.events++;
	return agg_fault(m->agg, tgid, key_tid, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE,
			 t >= start ? t - start : 0, false, 0);
}

#define GET(name, var)                                          \
	do {                                                    \
		if (!trace_rec_get(r, name, &(var))) {          \
			m->missing_field++;                     \
			return 0;                               \
		}                                               \
	} while (0)

int trace_map_feed(const struct trace_rec *r, void *ctx)
{
	struct trace_map *m = ctx;
	uint64_t trap, vector, injected, outcome, lat, dropped;
	uint32_t tgid, tid;

	if (!r->system || strcmp(r->system, "kvm_hv"))
		return 0;
	/* perf script's default fields give the thread, not the process */
	if (r->pid < 0 && r->tid < 0) {
		m->no_pid++;
		return 0;
	}
	if (!m->first_ns || r->time_ns < m->first_ns)
		m->first_ns = r->time_ns;
	if (r->time_ns > m->last_ns)
		m->last_ns = r->time_ns;
	if (r->pid < 0)
		m->tid_as_pid++;
	tgid = (uint32_t)(r->pid >= 0 ? r->pid : r->tid);
	if (m->tgid && tgid != m->tgid)
		return 0;
	if (comm_note(m, tgid, r))
		return -ENOMEM;
	tid = m->per_vcpu ? (uint32_t)r->tid : 0;

	if (!strcmp(r->event, KVMSLB_TP_SEGMENT_SYNTH)) {
		m->seen_patched = true;
		GET("vector", vector);
		GET("injected", injected);
		m->agg->health.events++;
		return agg_segment(m->agg, tgid, tid, (unsigned int)vector, injected != 0, 1);
	}
	if (!strcmp(r->event, KVMSLB_TP_HFAULT)) {
		m->seen_patched = true;
		GET("trap", trap);
		GET("outcome", outcome);
		GET("latency_ns", lat);
		GET("injected", injected);
		GET("dropped", dropped);
		m->agg->health.events++;
		return agg_fault(m->agg, tgid, tid, (unsigned int)(trap & 0xffffffff),
				 (unsigned int)outcome, lat, injected != 0, dropped);
	}
	if (!strcmp(r->event, "kvm_guest_exit")) {
		m->seen_stock = true;
		GET("trap", trap);
		trap &= 0xffffffff;
		if (trap != KVMSLB_TRAP_H_DATA_STORAGE && trap != KVMSLB_TRAP_H_INST_STORAGE &&
		    trap != KVMSLB_TRAP_DATA_SEGMENT && trap != KVMSLB_TRAP_INST_SEGMENT)
			return 0;
		m->agg->health.events++;
		return agg_exit(m->agg, tgid, tid, (unsigned int)trap, 1);
	}
	if (!strcmp(r->event, "kvm_page_fault_enter")) {
		m->seen_stock = true;
		return pf_enter(m, r->tid, r->time_ns);
	}
	if (!strcmp(r->event, "kvm_page_fault_exit")) {
		m->seen_stock = true;
		return pf_exit(m, tgid, tid, r->tid, r->time_ns);
	}
	return 0;
}
