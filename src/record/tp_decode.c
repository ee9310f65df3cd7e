// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "kvmslb/abi.h"
#include "record/tp_decode.h"

int tp_decoders_init(struct tp_decoders *t)
{
	memset(t, 0, sizeof(*t));
	key_index_init(&t->by_id);
	t->tep = tep_alloc();
	return t->tep ? 0 : -ENOMEM;
}

void tp_decoders_free(struct tp_decoders *t)
{
	if (t->tep)
		tep_free(t->tep);
	free(t->d);
	key_index_free(&t->by_id);
	memset(t, 0, sizeof(*t));
}

static bool skip_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

static bool skip_num(const char **p, const char *end)
{
	const char *s = *p;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > s && *p - s < 12;
}

/* "\tfield:TYPE NAME[N];\toffset:N;\tsize:N;\tsigned:N;" and nothing odd in it */
static bool field_line_ok(const char *p, const char *end)
{
	const char *semi, *q;
	int depth = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return true;	/* the blank line between common and own fields */
	if (!skip_lit(&p, end, "field:"))
		return false;
	semi = memchr(p, ';', end - p);
	if (!semi || semi == p)
		return false;
	for (q = p; q < semi; q++) {
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return false;
		depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
		if (depth < 0 || depth > 1)
			return false;
	}
	if (depth || !memchr(p, ' ', semi - p))
		return false;
	p = semi + 1;
	while (p < end && *p == '\t')
		p++;
	if (!skip_lit(&p, end, "offset:") || !skip_num(&p, end) || !skip_lit(&p, end, ";"))
		return false;
	while (p < end && *p == '\t')
		p++;
	if (!skip_lit(&p, end, "size:") || !skip_num(&p, end) || !skip_lit(&p, end, ";"))
		return false;
	while (p < end && *p == '\t')
		p++;
	return skip_lit(&p, end, "signed:") && skip_num(&p, end) && skip_lit(&p, end, ";");
}

/*
 * Whether libtraceevent may see this format: 1.7's parser dereferences NULL
 * on some malformed field lines (found by tests/fuzz). Checks the lines
 * between "format:" and "print fmt:".
 */
static bool format_sane(const char *text, size_t len)
{
	const char *end = text + len;
	const char *f = memmem(text, len, "\nformat:\n", 9);
	const char *line;

	if (!f || !memmem(text, len, "name: ", 6) || !memmem(text, len, "\nID: ", 5))
		return false;
	for (line = f + 9; line < end; ) {
		const char *nl = memchr(line, '\n', end - line);

		if (!nl)
			return false;	/* no print fmt line: truncated */
		if (nl - line >= 10 && !memcmp(line, "print fmt:", 10))
			return true;
		if (!field_line_ok(line, nl))
			return false;
		line = nl + 1;
	}
	return false;
}

int tp_decoders_parse(struct tp_decoders *t, const char *sys, const char *text, size_t len)
{
	/* the print format is not needed, and 1.7's parser crashes on some malformed ones */
	static const char no_print[] = "print fmt: \"\"\n";
	const char *pf;
	size_t keep;
	char *copy;

	if (!format_sane(text, len))
		return 0;	/* its records will count as undecodable */
	pf = memmem(text, len, "\nprint fmt:", sizeof("\nprint fmt:") - 1);
	keep = pf ? (size_t)(pf - text) + 1 : len;
	copy = malloc(keep + sizeof(no_print));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, keep);
	memcpy(copy + keep, no_print, sizeof(no_print));
	tep_parse_event(t->tep, copy, keep + sizeof(no_print) - 1, sys);
	free(copy);
	return 0;
}

/* Which kvm_hv events are read, and the fields each must have. */
static const struct {
	const char *name;
	enum trace_kind kind;
	unsigned int required;	/* bits of enum tp_role */
} kvm_events[] = {
	{ KVMSLB_TP_SEGMENT_SYNTH, TREC_SEGMENT, 1u << TPF_CODE | 1u << TPF_INJECTED },
	{ KVMSLB_TP_HFAULT, TREC_HFAULT, 1u << TPF_CODE | 1u << TPF_OUTCOME |
	  1u << TPF_LATENCY | 1u << TPF_INJECTED | 1u << TPF_DROPPED },
	{ "kvm_guest_exit", TREC_GUEST_EXIT, 1u << TPF_CODE },
	{ "kvm_page_fault_enter", TREC_PF_ENTER, 0 },
	{ "kvm_page_fault_exit", TREC_PF_EXIT, 0 },
};

/* Field names per role; the code is the trap or, for segments, the vector. */
static int role_of(enum trace_kind kind, const char *name)
{
	static const struct {
		const char *name;
		enum tp_role role;
	} names[] = {
		{ "common_pid", TPF_PID }, { KVMSLB_V2_FIELD, TPF_VM_PID },
		{ "vcpu_id", TPF_VCPU }, { "outcome", TPF_OUTCOME },
		{ "latency_ns", TPF_LATENCY }, { "injected", TPF_INJECTED },
		{ "dropped", TPF_DROPPED }, { "dsegi", TPF_DSEGI }, { "isegi", TPF_ISEGI },
		{ "fault_ns", TPF_FAULT_NS },
	};

	if (!strcmp(name, kind == TREC_SEGMENT ? "vector" : "trap"))
		return TPF_CODE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].role;
	return -1;
}

static void resolve(struct tp_decoder *d, struct tep_event *ev)
{
	struct tep_format_field **common = tep_event_common_fields(ev);
	struct tep_format_field **own = tep_event_fields(ev);
	struct tep_format_field **lists[2] = { common, own };
	unsigned int required = 0;

	for (size_t i = 0; d->kvm_hv && i < sizeof(kvm_events) / sizeof(kvm_events[0]); i++) {
		if (!strcmp(ev->name, kvm_events[i].name)) {
			d->kind = kvm_events[i].kind;
			required = kvm_events[i].required;
		}
	}
	for (int l = 0; l < 2; l++) {
		for (int i = 0; lists[l] && lists[l][i]; i++) {
			struct tep_format_field *f = lists[l][i];
			int role = role_of(d->kind, f->name);

			if (role < 0 || (!d->kvm_hv && role != TPF_PID))
				continue;
			if (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC) ||
			    (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) ||
			    f->offset < 0 || f->offset > 0xffff)
				continue;	/* not a scalar we can load: as if absent */
			d->f[role] = (struct tp_loc){ (uint16_t)f->offset, (uint8_t)f->size,
						      !!(f->flags & TEP_FIELD_IS_SIGNED) };
			if ((uint32_t)f->offset + f->size > d->need)
				d->need = f->offset + f->size;
		}
	}
	d->v2 = d->f[TPF_VM_PID].size != 0;
	d->fixed = d->kvm_hv;
	for (int role = 0; role < TPF_NR; role++) {
		if ((required >> role & 1) && !d->f[role].size)
			d->missing = true;
		if (d->f[role].size && d->f[role].size != tp_role_width[role])
			d->fixed = false;
		d->mask[role] = d->f[role].size ? UINT64_MAX : 0;
	}
	/* absent fields are loaded from offset 0: 8 bytes must be there */
	if (d->need < 8)
		d->fixed = false;
	free(common);
	free(own);
}

int tp_decoders_build(struct tp_decoders *t)
{
	struct tep_event **evs;
	int n = tep_get_events_count(t->tep);

	evs = tep_list_events(t->tep, TEP_EVENT_SORT_ID);
	t->d = calloc(n ? n : 1, sizeof(*t->d));
	if (!t->d || (n && !evs))
		return -ENOMEM;
	for (int i = 0; i < n && evs[i]; i++) {
		struct tp_decoder *d = &t->d[t->n];
		struct tep_format_field *ct;
		uint32_t dummy;

		if (key_index_get(&t->by_id, (uint64_t)evs[i]->id, &dummy))
			continue;	/* a second format with the same id: the first wins */
		d->id = (uint64_t)evs[i]->id;
		d->kvm_hv = evs[i]->system && !strcmp(evs[i]->system, KVMSLB_TP_SYSTEM);
		snprintf(d->name, sizeof(d->name), "%s:%s", evs[i]->system ? evs[i]->system : "?",
			 evs[i]->name ? evs[i]->name : "?");
		resolve(d, evs[i]);
		ct = tep_find_common_field(evs[i], "common_type");
		if (!t->common_type.size && ct && ct->offset >= 0 && ct->offset < 0xffff &&
		    (ct->size == 1 || ct->size == 2 || ct->size == 4))
			t->common_type = (struct tp_loc){ (uint16_t)ct->offset, (uint8_t)ct->size, false };
		if (key_index_put(&t->by_id, d->id, t->n))
			return -ENOMEM;
		t->n++;
	}
	tep_free(t->tep);
	t->tep = NULL;
	return 0;
}
