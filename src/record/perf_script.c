// SPDX-License-Identifier: GPL-2.0
/*
 * 'perf script' text reader for kvm_hv tracepoints.
 *
 * perf script prints each tracepoint with its kernel print format, so the
 * field values are recovered from that text: "key=value" pairs, the
 * "VCPU n:" prefix, symbolic trap names and the composite values some
 * kvm_hv events print ("hpte=V:R", "ea=EA,DSISR"). Field names are the
 * tracefs ones, so this feeds the same mapping as the perf.data reader.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/trace_rec.h"
#include "core/traps.h"
#include "kvmslb/abi.h"

/* key printed as "A<sep>B" and the two fields it holds */
struct pair_key {
	const char *event, *key;
	const char *first, *second;
	int second_base;	/* base of the second value when printed without 0x */
};

static const struct pair_key pair_keys[] = {
	{ "kvm_page_fault_enter", "hpte", "hpte_v", "hpte_r", 16 },
	{ "kvm_page_fault_enter", "ea", "ea", "dsisr", 16 },
	{ "kvm_page_fault_enter", "slot", "base_gfn", "slot_flags", 16 },
	{ "kvm_page_fault_exit", "hpte", "hpte_v", "hpte_r", 16 },
};

/* keys printed under another name than the field's */
static const struct {
	const char *event, *key, *field;
} renamed_keys[] = {
	{ "kvm_page_fault_enter", "guest", "gpte_r" },
	{ "kvm_hfault", "latency", "latency_ns" },
};

/* kvm_hfault's outcome, as __print_symbolic prints it (kvmslb/abi.h) */
static const char *const outcome_names[KVMSLB_OUTCOME_NR] = {
	[KVMSLB_OUTCOME_RETRY] = "retry", [KVMSLB_OUTCOME_REFLECT] = "reflect",
	[KVMSLB_OUTCOME_SEGMENT] = "segment", [KVMSLB_OUTCOME_HOST] = "host",
	[KVMSLB_OUTCOME_MMIO] = "mmio",
};

static bool parse_num(const char *s, int base, uint64_t *v)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	if (*s == '-')
		*v = (uint64_t)strtoll(s, &end, base);
	else
		*v = strtoull(s, &end, base);
	return !errno && !*end;
}

static void add_field(struct trace_rec *rec, const char *name, uint64_t v)
{
	if (rec->nfields < TRACE_REC_MAX_FIELDS) {
		rec->fields[rec->nfields].name = name;
		rec->fields[rec->nfields].val = v;
		rec->nfields++;
	}
}

static bool parse_value(const char *event, char *key, char *val, struct trace_rec *rec)
{
	unsigned int trap;
	uint64_t a, b;
	char *sep;

	for (size_t i = 0; i < sizeof(pair_keys) / sizeof(pair_keys[0]); i++) {
		const struct pair_key *p = &pair_keys[i];

		if (strcmp(p->event, event) || strcmp(p->key, key))
			continue;
		sep = strpbrk(val, ",:");
		if (!sep)
			return false;
		*sep = '\0';
		if (!parse_num(val, 0, &a))
			return false;
		/* "0x.." parses in any base; bare digits are hex here (%x) */
		if (!parse_num(sep + 1, strncmp(sep + 1, "0x", 2) ? p->second_base : 0, &b))
			return false;
		add_field(rec, p->first, a);
		add_field(rec, p->second, b);
		return true;
	}
	for (size_t i = 0; i < sizeof(renamed_keys) / sizeof(renamed_keys[0]); i++)
		if (!strcmp(renamed_keys[i].event, event) && !strcmp(renamed_keys[i].key, key))
			key = (char *)renamed_keys[i].field;
	if ((!strcmp(key, "trap") || !strcmp(key, "vector")) && trap_from_name(val, &trap)) {
		add_field(rec, key, trap);
		return true;
	}
	if (!strcmp(key, "outcome")) {
		for (unsigned int i = 0; i < KVMSLB_OUTCOME_NR; i++) {
			if (!strcmp(val, outcome_names[i])) {
				add_field(rec, key, i);
				return true;
			}
		}
	}
	if (!parse_num(val, 0, &a))
		return false;
	add_field(rec, key, a);
	return true;
}

/* "VCPU 0: trap=H_DATA_STORAGE pc=0x1000 msr=0x8000000000000033, ceded=0" */
static bool parse_trace_text(const char *event, char *text, struct trace_rec *rec)
{
	char *save = NULL, *tok;
	bool injected = false;
	int nkeys = 0;

	if (!strncmp(text, "VCPU ", 5)) {
		char *end;
		long id = strtol(text + 5, &end, 10);

		if (end == text + 5 || *end != ':')
			return false;
		add_field(rec, "vcpu_id", (uint64_t)id);
		text = end + 1;
	}
	for (tok = strtok_r(text, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		size_t len = strlen(tok);

		if (!eq) {
			/* kvm_segment_synth and kvm_hfault print a flag as a word */
			if (!strcmp(tok, "injected")) {
				add_field(rec, "injected", 1);
				injected = true;
			}
			continue;	/* other words belong to the format */
		}
		if (len && tok[len - 1] == ',')
			tok[len - 1] = '\0';
		*eq = '\0';
		/* the key's storage is the line buffer, valid for this callback */
		if (!parse_value(event, tok, eq + 1, rec))
			return false;
		nkeys++;
	}
	if (!injected && (!strcmp(event, KVMSLB_TP_SEGMENT_SYNTH) || !strcmp(event, KVMSLB_TP_HFAULT)))
		add_field(rec, "injected", 0);
	return nkeys > 0;
}

/*
 * "  comm-with spaces  1234/1235 [002]  1090.008065: kvm_hv:kvm_guest_exit: text"
 * or "comm  1235 [002] ..." (perf script's default shows only the tid).
 */
static int parse_line(char *line, struct trace_rec *rec)
{
	char *lb, *rb, *p, *tidtok, *colon, *ev, *text;
	unsigned long long sec, frac;
	int fracdigits;

	memset(rec, 0, sizeof(*rec));
	rec->pid = rec->tid = rec->cpu = -1;
	/* the cpu: " [digits]" */
	for (lb = strstr(line, " ["); lb; lb = strstr(lb + 1, " [")) {
		p = lb + 2;
		while (isdigit((unsigned char)*p))
			p++;
		if (p > lb + 2 && *p == ']')
			break;
	}
	if (!lb)
		return -1;
	rb = p;
	rec->cpu = (int32_t)strtol(lb + 2, NULL, 10);
	/* the pid/tid token just before it, the comm before that */
	*lb = '\0';
	for (char *e = lb; e > line && e[-1] == ' '; e--)
		e[-1] = '\0';
	tidtok = strrchr(line, ' ');
	tidtok = tidtok ? tidtok + 1 : line;
	if (!isdigit((unsigned char)*tidtok))
		return -1;
	if (strchr(tidtok, '/')) {
		rec->pid = (int32_t)strtol(tidtok, &p, 10);
		rec->tid = (int32_t)strtol(p + 1, NULL, 10);
	} else {
		rec->tid = (int32_t)strtol(tidtok, NULL, 10);
	}
	*tidtok = '\0';
	for (p = line; *p == ' '; p++)
		;
	for (char *e = p + strlen(p); e > p && e[-1] == ' '; e--)
		e[-1] = '\0';
	rec->comm = *p ? p : NULL;
	rec->comm_is_process = rec->pid >= 0 && rec->pid == rec->tid;
	/* time "S.F:" */
	p = rb + 1;
	while (*p == ' ')
		p++;
	if (sscanf(p, "%llu.%llu%n", &sec, &frac, &fracdigits) != 2)
		return -1;
	colon = strchr(p, ':');
	if (!colon)
		return -1;
	fracdigits = (int)(colon - strchr(p, '.') - 1);
	if (fracdigits < 1 || fracdigits > 9)
		return -1;
	for (int i = fracdigits; i < 9; i++)
		frac *= 10;
	rec->time_ns = sec * 1000000000ULL + frac;
	/* "sys:event: text" */
	ev = colon + 1;
	while (*ev == ' ')
		ev++;
	colon = strchr(ev, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	rec->system = ev;
	rec->event = colon + 1;
	colon = strchr(colon + 1, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	text = colon + 1;
	while (*text == ' ')
		text++;
	return parse_trace_text(rec->event, text, rec) ? 0 : 1;
}

int perf_script_read(FILE *f, trace_rec_fn fn, void *ctx, struct trace_read_stats *st,
		     char *err, size_t errlen)
{
	struct trace_rec rec;
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	long lineno = 0;
	int ret = 0, samples_seen = 0;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	while ((n = getline(&line, &cap, f)) > 0) {
		int r;

		lineno++;
		if (memchr(line, '\0', n)) {
			snprintf(err, errlen, "line %ld: binary data: is this perf script text?",
				 lineno);
			ret = -EINVAL;
			break;
		}
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		r = parse_line(line, &rec);
		if (r < 0) {
			st->other_records++;
			continue;
		}
		samples_seen++;
		if (strcmp(rec.system, "kvm_hv")) {
			st->other_records++;
			continue;
		}
		if (r > 0) {
			if (!err[0])
				snprintf(err, errlen, "line %ld: cannot read the fields of %s:%s",
					 lineno, rec.system, rec.event);
			st->undecodable++;
			continue;
		}
		st->samples++;
		ret = fn(&rec, ctx);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "read error");
	}
	if (!ret && !lineno) {
		snprintf(err, errlen, "empty input");
		ret = -EINVAL;
	} else if (!ret && !samples_seen) {
		snprintf(err, errlen, "no perf script sample lines in %ld lines of input", lineno);
		ret = -EINVAL;
	}
	free(line);
	return ret;
}
