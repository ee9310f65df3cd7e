// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/collector.h"
#include "core/msg.h"
#include "core/stats_source.h"

static void on_new_guest(uint32_t tgid, void *ctx)
{
	struct collector *c = ctx;

	if (tracker_see(&c->tracker, tgid))
		p_warn("out of memory naming guest %u", tgid);
}

int collector_open(struct collector *c, const struct collector_opts *o, char *err,
		   size_t errlen)
{
	struct source_prefs prefs = {
		.forced = o->source,
		.btf = o->btf,
		.per_vcpu = o->per_vcpu,
	};
	struct bpf_source_opts bo = {
		.tgid = o->tgid,
		.per_vcpu = o->per_vcpu,
		.vcpu_counts_only = o->vcpu_counts_only,
		.vcpu_paths_merged = o->vcpu_paths_merged,
		.on_event = o->on_event,
		.on_new_guest = on_new_guest,
		.ctx = o->ctx,
		.guest_ctx = c,
		.verbose = o->verbose,
		.pin_dir = o->pin_dir,
	};
	char why[512];

	agg_keep_heap();	/* a snapshot every refresh */
	memset(c, 0, sizeof(*c));
	c->tgid = o->tgid;
	host_probe(&c->probe, "", true);
	if (o->btf && !btf_describes_kvm("", o->btf, why, sizeof(why))) {
		snprintf(err, errlen, "--btf: %s (make one with 'kvmslb btf')", why);
		return COLLECTOR_BAD_OPTION;
	}
	if (source_select(&c->probe, &prefs, &c->choice)) {
		source_failure_line(&c->choice, err, errlen);
		return COLLECTOR_NO_SOURCE;
	}
	for (int i = 0; i < c->choice.nwarn; i++)
		c->warn_ptrs[i] = c->choice.warn[i];
	tracker_init(&c->tracker, "");
	agg_init(&c->view);
	if (c->choice.chosen == SOURCE_STATS) {
		if (o->per_vcpu) {
			snprintf(err, errlen, "--per-vcpu: the stats source sums KVM stats per VM; "
				 "use --source patched or stock");
			return COLLECTOR_BAD_OPTION;
		}
		if (o->on_event) {
			snprintf(err, errlen, "--events: the stats source has no individual events; "
				 "use --source patched or stock");
			return COLLECTOR_BAD_OPTION;
		}
		return 0;
	}
	bo.source = c->choice.chosen;
	bo.attribution = c->choice.attribution;
	bo.btf = c->choice.btf;
	bo.tracefs = c->probe.tracefs;
	if (bpf_source_open(&bo, &c->bpf, why, sizeof(why))) {
		struct source_choice *ch = &c->choice;

		/*
		 * The kernel's own BTF describes KVM but the CO-RE programs do not
		 * load: count with the tracefs offsets, and say so.
		 */
		if (ch->attribution != ATTR_BTF || o->btf || ch->nwarn >= SOURCE_WARN_MAX) {
			snprintf(err, errlen, "source %s: %s", source_name(ch->chosen), why);
			return COLLECTOR_OPEN_FAILED;
		}
		snprintf(ch->warn[ch->nwarn], sizeof(ch->warn[0]), "the CO-RE programs did not "
			 "load (%s): events are charged to the thread that emits them", why);
		c->warn_ptrs[ch->nwarn] = ch->warn[ch->nwarn];
		ch->nwarn++;
		ch->attribution = ATTR_TASK;
		snprintf(ch->how, sizeof(ch->how), "events are charged to the thread that emits "
			 "them (trap offsets from tracefs)");
		bo.attribution = ATTR_TASK;
		bo.btf = NULL;
		if (bpf_source_open(&bo, &c->bpf, why, sizeof(why))) {
			snprintf(err, errlen, "source %s: %s", source_name(ch->chosen), why);
			return COLLECTOR_OPEN_FAILED;
		}
	}
	return 0;
}

void collector_ready(const struct collector *c, struct collector_ready *r)
{
	memset(r, 0, sizeof(*r));
	r->source = source_name(c->choice.chosen);
	r->attribution = attribution_name(c->choice.attribution);
	r->how = c->choice.how;
	if (c->choice.attribution == ATTR_BTF)
		r->btf = c->choice.btf ? c->choice.btf : "kernel";
	if (c->bpf) {
		r->programs = bpf_source_info(c->bpf)->programs;
		r->sizes = &bpf_source_info(c->bpf)->sizes;
	}
	r->nwarn = c->choice.nwarn;
	r->warn = c->warn_ptrs;
}

int collector_wait(struct collector *c, int timeout_ms)
{
	struct timespec ts;

	if (c->bpf)
		return bpf_source_wait(c->bpf, timeout_ms);
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	return nanosleep(&ts, NULL) ? -errno : 0;
}

int collector_snapshot(struct collector *c)
{
	struct agg raw, view;
	int err;

	agg_init(&raw);
	agg_init(&view);
	if (c->bpf)
		err = bpf_source_read(c->bpf, &raw);
	else
		err = stats_read_all(c->probe.debugfs_kvm, c->tgid, &raw);
	if (!err)
		err = tracker_update(&c->tracker, &raw, &view);
	agg_free(&raw);
	if (err) {
		agg_free(&view);
		return err;
	}
	agg_free(&c->view);
	c->view = view;
	return 0;
}

void collector_take_view(struct collector *c, struct agg *dst)
{
	agg_free(dst);
	*dst = c->view;
	agg_init(&c->view);
}

void collector_close(struct collector *c)
{
	bpf_source_close(c->bpf);
	c->bpf = NULL;
	tracker_free(&c->tracker);
	agg_free(&c->view);
}

const struct guest_ident *collector_ident(const void *c, uint32_t tgid)
{
	return tracker_ident(&((const struct collector *)c)->tracker, tgid);
}
