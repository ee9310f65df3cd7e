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
	struct bpf_source_opts bo = {
		.tgid = o->tgid,
		.per_vcpu = o->per_vcpu,
		.on_event = o->on_event,
		.on_new_guest = on_new_guest,
		.ctx = o->ctx,
		.guest_ctx = c,
		.verbose = o->verbose,
		.pin_dir = o->pin_dir,
	};
	char why[512];

	memset(c, 0, sizeof(*c));
	c->tgid = o->tgid;
	host_probe(&c->probe, "", true);
	if (source_select(&c->probe, o->source, &c->choice)) {
		source_failure_line(&c->choice, err, errlen);
		return COLLECTOR_NO_SOURCE;
	}
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
	bo.tracefs = c->probe.tracefs;
	if (bpf_source_open(&bo, &c->bpf, why, sizeof(why))) {
		snprintf(err, errlen, "source %s: %s", source_name(c->choice.chosen), why);
		return COLLECTOR_OPEN_FAILED;
	}
	return 0;
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
