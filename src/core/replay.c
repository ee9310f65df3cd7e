// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/replay.h"
#include "core/text.h"

struct replay_step {
	struct agg delta;		/* this interval's counts */
	struct guest_ident *ids;	/* the guests named in it */
	int nids;
	double dt;
};

struct replay_note {
	char metric[64];
	char reason[512];
};

struct replay {
	struct replay_step *steps;
	int nsteps, pos;
	struct agg view;
	struct guest_ident *ids;	/* latest identity of each tgid, sorted */
	int nids;
	enum data_source source;
	bool per_vcpu;
	struct replay_note notes[8];
	int nnotes;
};

/* ---- reading one line --------------------------------------------------- */
struct line_ctx {
	const char *path;
	unsigned long lineno;
	char *err;
	size_t errlen;
};

static int bad(struct line_ctx *c, const char *what)
{
	snprintf(c->err, c->errlen, "%s:%lu: %s (expected lines of 'kvmslb stat -j')", c->path,
		 c->lineno, what);
	return -EINVAL;
}

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static uint64_t get_u64(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_int);

	return v ? json_object_get_uint64(v) : 0;
}

static int read_hist(struct line_ctx *c, json_object *o, struct log2_hist *h)
{
	json_object *buckets = get(o, "buckets", json_type_array);
	json_object *max = get(o, "max_ns", json_type_int);

	memset(h, 0, sizeof(*h));
	if (!buckets)
		return bad(c, "a histogram without buckets");
	for (size_t i = 0; i < json_object_array_length(buckets); i++) {
		json_object *b = json_object_array_get_idx(buckets, i);
		unsigned int k;

		if (!get(b, "ge", json_type_int) || !get(b, "count", json_type_int))
			return bad(c, "a bucket without ge or count");
		k = hist_slot(get_u64(b, "ge"));
		if (hist_bucket_lo(k) != get_u64(b, "ge"))
			return bad(c, "a bucket that is not log2");
		h->slots[k] += get_u64(b, "count");
		h->count += get_u64(b, "count");
	}
	if (h->count != get_u64(o, "samples"))
		return bad(c, "histogram buckets that do not add up to its samples");
	h->sum_ns = get_u64(o, "sum_ns");
	h->max_ns = max ? json_object_get_uint64(max) : 0;
	h->max_exact = json_object_get_boolean(get(o, "max_exact", json_type_boolean));
	return 0;
}

static int read_outcome(const char *name, unsigned int *out)
{
	for (unsigned int o = 0; o < KVMSLB_OUTCOME_NR; o++) {
		if (!strcmp(name, agg_outcome_name(o))) {
			*out = o;
			return 0;
		}
	}
	if (!strcmp(name, "none")) {
		*out = KVMSLB_OUTCOME_NONE;
		return 0;
	}
	return -1;
}

static int read_counters(struct line_ctx *c, json_object *o, struct agg_counters *k)
{
	json_object *cnt = get(o, "counters", json_type_object), *outc;

	if (!cnt)
		return bad(c, "a guest without counters");
	memset(k, 0, sizeof(*k));
	k->hdsi = get_u64(cnt, "hdsi");
	k->hisi = get_u64(cnt, "hisi");
	k->dsegi = get_u64(cnt, "dsegi");
	k->isegi = get_u64(cnt, "isegi");
	k->seg_injected = get_u64(cnt, "seg_injected");
	k->dseg_exits = get_u64(cnt, "dseg_exits");
	k->iseg_exits = get_u64(cnt, "iseg_exits");
	k->fault_injected = get_u64(cnt, "fault_injected");
	k->dropped = get_u64(cnt, "dropped");
	outc = get(cnt, "outcomes", json_type_object);
	for (unsigned int i = 0; outc && i < KVMSLB_OUTCOME_NR; i++)
		k->outcome[i] = get_u64(outc, agg_outcome_name(i));
	return 0;
}

static void unit_free(struct agg_unit *u)
{
	free(u->paths);
	u->paths = NULL;
	u->npaths = u->cappaths = 0;
}

/* A vcpu's merged latency histogram, as one path (vcpus have no paths in stat -j). */
static int read_vcpu(struct line_ctx *c, json_object *o, struct agg_unit *u)
{
	json_object *lat = get(o, "latency_hist", json_type_object);
	int err;

	memset(u, 0, sizeof(*u));
	if (get(o, "vcpu_id", json_type_int))
		u->tid = AGG_VCPU_ID(get_u64(o, "vcpu_id"));
	else if (get(o, "tid", json_type_int))
		u->tid = (uint32_t)get_u64(o, "tid");
	else
		return bad(c, "a vcpu without vcpu_id or tid");
	err = read_counters(c, o, &u->c);
	if (err || !lat)
		return err;
	u->paths = calloc(1, sizeof(*u->paths));
	if (!u->paths)
		return -ENOMEM;
	u->npaths = u->cappaths = 1;
	/* stat -j gives a vcpu's paths as one histogram, as top reads them live */
	u->paths[0].trap = AGG_TRAP_ALL;
	u->paths[0].outcome = KVMSLB_OUTCOME_NONE;
	err = read_hist(c, lat, &u->paths[0].hist);
	/* no samples, or an error: the unit keeps no path */
	if (err || !u->paths[0].hist.count)
		unit_free(u);
	return err;
}

static int read_guest(struct replay *r, struct line_ctx *c, json_object *o,
		      struct replay_step *s)
{
	json_object *paths = get(o, "paths", json_type_array);
	json_object *vcpus = get(o, "vcpus", json_type_array);
	json_object *name = get(o, "name", json_type_string);
	struct guest_ident *id = &s->ids[s->nids];
	struct agg_guest g;
	int err;

	if (!get(o, "pid", json_type_int) || !get_u64(o, "pid") || get_u64(o, "pid") > UINT32_MAX)
		return bad(c, "a guest without a pid");
	memset(&g, 0, sizeof(g));
	memset(id, 0, sizeof(*id));
	g.tgid = id->tgid = (uint32_t)get_u64(o, "pid");
	if (name)
		text_sanitize(id->name, sizeof(id->name), json_object_get_string(name),
			      json_object_get_string_len(name));
	id->from = NAME_QEMU_GUEST;
	id->alive = json_object_get_boolean(get(o, "alive", json_type_boolean));
	s->nids++;
	err = read_counters(c, o, &g.total.c);
	if (!err && paths) {
		g.total.paths = calloc(json_object_array_length(paths) + 1, sizeof(*g.total.paths));
		err = g.total.paths ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !err && paths && i < json_object_array_length(paths); i++) {
		json_object *p = json_object_array_get_idx(paths, i);
		json_object *h = get(p, "hist", json_type_object);
		json_object *oc = get(p, "outcome", json_type_string);
		struct agg_path *ap = &g.total.paths[g.total.npaths];

		if (!h || !oc || !get(p, "trap_nr", json_type_int) ||
		    read_outcome(json_object_get_string(oc), &ap->outcome)) {
			err = bad(c, "a latency path without trap_nr, outcome or hist");
			break;
		}
		ap->trap = (unsigned int)get_u64(p, "trap_nr");
		err = read_hist(c, h, &ap->hist);
		g.total.npaths++;
	}
	if (!err && vcpus) {
		size_t nv = json_object_array_length(vcpus);

		g.vcpus = calloc(nv + 1, sizeof(*g.vcpus));
		err = g.vcpus ? 0 : -ENOMEM;
		for (size_t i = 0; !err && i < nv; i++) {
			err = read_vcpu(c, json_object_array_get_idx(vcpus, i), &g.vcpus[i]);
			if (!err)
				g.nvcpus++;
		}
		if (nv)
			r->per_vcpu = true;
	}
	if (!err)
		err = agg_guest_merge(&s->delta, &g);
	unit_free(&g.total);
	for (int i = 0; i < g.nvcpus; i++)
		unit_free(&g.vcpus[i]);
	free(g.vcpus);
	return err;
}

static void read_notes(struct replay *r, json_object *line)
{
	json_object *un = get(line, "unavailable", json_type_array);

	for (size_t i = 0; un && i < json_object_array_length(un); i++) {
		json_object *m = json_object_array_get_idx(un, i);
		json_object *metric = get(m, "metric", json_type_string);
		json_object *why = get(m, "reason", json_type_string);
		struct replay_note *n = &r->notes[r->nnotes];

		if (!metric || !why || r->nnotes >= (int)(sizeof(r->notes) / sizeof(r->notes[0])))
			continue;
		if (replay_unavailable(r, json_object_get_string(metric)))
			continue;
		text_sanitize(n->metric, sizeof(n->metric), json_object_get_string(metric),
			      json_object_get_string_len(metric));
		text_sanitize(n->reason, sizeof(n->reason), json_object_get_string(why),
			      json_object_get_string_len(why));
		r->nnotes++;
	}
}

static bool is_attached(json_object *line)
{
	json_object *kind;

	return json_object_object_get_ex(line, "kind", &kind) &&
	       json_object_is_type(kind, json_type_string) &&
	       !strcmp(json_object_get_string(kind), "attached");
}

static int read_line(struct replay *r, struct line_ctx *c, json_object *line, bool *total)
{
	json_object *kind = get(line, "kind", json_type_string);
	json_object *src = get(line, "source", json_type_string);
	json_object *guests = get(line, "guests", json_type_array);
	json_object *health = get(line, "health", json_type_object);
	json_object *el = get(line, "elapsed_s", json_type_double);
	struct replay_step *s;
	enum data_source ds;
	int err = 0;

	if (get(line, "event", json_type_object))
		return 0;	/* stat --events lines */
	if (!kind || !guests || !src)
		return bad(c, "a line without kind, source or guests");
	if (source_from_name(json_object_get_string(src), &ds))
		return bad(c, "an unknown source");
	if (r->nsteps && ds != r->source)
		return bad(c, "a change of source in the middle");
	*total = !strcmp(json_object_get_string(kind), "total");
	if (!*total && strcmp(json_object_get_string(kind), "interval"))
		return bad(c, "a kind other than interval or total");
	s = realloc(r->steps, (r->nsteps + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	r->steps = s;
	s = &s[r->nsteps];
	memset(s, 0, sizeof(*s));
	agg_init(&s->delta);
	r->nsteps++;
	r->source = ds;
	read_notes(r, line);
	if (!el)
		el = get(line, "elapsed_s", json_type_int);
	s->dt = el ? json_object_get_double(el) : 0;
	if (health) {
		s->delta.health.events = get_u64(health, "events");
		s->delta.health.count_overflow = get_u64(health, "count_overflow");
		s->delta.health.hist_overflow = get_u64(health, "hist_overflow");
		s->delta.health.start_overflow = get_u64(health, "start_overflow");
		s->delta.health.unpaired = get_u64(health, "unpaired_exits");
		s->delta.health.rb_lost = get_u64(health, "ringbuf_lost");
		s->delta.health.rb_sent = get_u64(health, "ringbuf_sent");
	}
	s->ids = calloc(json_object_array_length(guests) + 1, sizeof(*s->ids));
	if (!s->ids)
		return -ENOMEM;
	for (size_t i = 0; !err && i < json_object_array_length(guests); i++)
		err = read_guest(r, c, json_object_array_get_idx(guests, i), s);
	return err;
}

static void step_free(struct replay_step *s)
{
	agg_free(&s->delta);
	free(s->ids);
}

int replay_read(FILE *f, const char *name, struct replay **out, char *err, size_t errlen)
{
	struct line_ctx c = { .path = name, .err = err, .errlen = errlen };
	struct replay *r = calloc(1, sizeof(*r));
	bool intervals = false;
	size_t cap = 0;
	char *buf = NULL;
	ssize_t len;
	int ret = 0;

	*out = NULL;
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	agg_init(&r->view);
	/* JSON lines or not, the first byte says: /dev/zero is not read to its end */
	for (int ch = fgetc(f); ch != EOF; ch = fgetc(f)) {
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		ungetc(ch, f);
		if (ch != '{') {
			c.lineno = 1;
			ret = bad(&c, "not a JSON object");
		}
		break;
	}
	while (!ret && (len = getline(&buf, &cap, f)) >= 0) {
		enum json_tokener_error jerr;
		json_object *line;
		bool is_total = false;

		c.lineno++;
		if (strspn(buf, " \t\r\n") == (size_t)len)
			continue;
		if ((size_t)len != strlen(buf)) {
			ret = bad(&c, "a NUL byte");
			break;
		}
		line = json_tokener_parse_verbose(buf, &jerr);
		if (!line || !json_object_is_type(line, json_type_object)) {
			json_object_put(line);
			ret = bad(&c, line ? "not a JSON object" : json_tokener_error_desc(jerr));
			break;
		}
		if (is_attached(line)) {
			/* stat's readiness line: no counts */
			json_object_put(line);
			continue;
		}
		ret = read_line(r, &c, line, &is_total);
		json_object_put(line);
		if (ret)
			break;
		/* a recording with intervals replays them; its total line would count twice */
		if (is_total && intervals)
			step_free(&r->steps[--r->nsteps]);
		intervals |= !is_total && r->nsteps;
	}
	free(buf);
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", name);
	}
	if (!ret && !r->nsteps) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: empty: no line of 'kvmslb stat -j'", name);
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", name);
	if (ret) {
		replay_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

int replay_open(const char *path, struct replay **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int ret;

	*out = NULL;
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		/* a file that is not there is bad input, like a bad one */
		return ret == -ENOENT || ret == -EISDIR || ret == -EACCES ? -EINVAL : ret;
	}
	ret = replay_read(f, path, out, err, errlen);
	fclose(f);
	return ret;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nsteps; i++)
		step_free(&r->steps[i]);
	free(r->steps);
	free(r->ids);
	agg_free(&r->view);
	free(r);
}

static int ident_set(struct replay *r, const struct guest_ident *id)
{
	struct guest_ident *ids;
	int i = 0;

	while (i < r->nids && r->ids[i].tgid < id->tgid)
		i++;
	if (i < r->nids && r->ids[i].tgid == id->tgid) {
		r->ids[i] = *id;
		return 0;
	}
	ids = realloc(r->ids, (r->nids + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	r->ids = ids;
	memmove(&ids[i + 1], &ids[i], (r->nids - i) * sizeof(*ids));
	ids[i] = *id;
	r->nids++;
	return 0;
}

int replay_next(struct replay *r, double *dt)
{
	const struct replay_step *s;
	int err = 0;

	if (r->pos >= r->nsteps)
		return 1;
	s = &r->steps[r->pos++];
	for (int i = 0; !err && i < s->delta.nguests; i++)
		err = agg_guest_merge(&r->view, &s->delta.guests[i]);
	for (int i = 0; !err && i < s->nids; i++)
		err = ident_set(r, &s->ids[i]);
	r->view.health.events += s->delta.health.events;
	r->view.health.count_overflow += s->delta.health.count_overflow;
	r->view.health.hist_overflow += s->delta.health.hist_overflow;
	r->view.health.start_overflow += s->delta.health.start_overflow;
	r->view.health.unpaired += s->delta.health.unpaired;
	r->view.health.rb_lost += s->delta.health.rb_lost;
	r->view.health.rb_sent += s->delta.health.rb_sent;
	*dt = s->dt;
	return err;
}

const struct agg *replay_view(const struct replay *r)
{
	return &r->view;
}

const struct guest_ident *replay_ident(const void *ctx, uint32_t tgid)
{
	const struct replay *r = ctx;
	int lo = 0, hi = r->nids;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (r->ids[mid].tgid == tgid)
			return &r->ids[mid];
		if (r->ids[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int replay_steps(const struct replay *r)
{
	return r->nsteps;
}

int replay_pos(const struct replay *r)
{
	return r->pos;
}

enum data_source replay_source(const struct replay *r)
{
	return r->source;
}

bool replay_per_vcpu(const struct replay *r)
{
	return r->per_vcpu;
}

const char *replay_unavailable(const struct replay *r, const char *metric)
{
	for (int i = 0; i < r->nnotes; i++)
		if (!strcmp(r->notes[i].metric, metric))
			return r->notes[i].reason;
	return NULL;
}
