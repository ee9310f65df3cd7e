// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslbtop's refresh loop: wait for the source (or the recording's next
 * interval), read the keys, take a snapshot, build the rows, show them on
 * the screen, in batch mode or in the log.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/msg.h"
#include "core/out.h"
#include "top/run.h"

static volatile sig_atomic_t got_hup;

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

void top_catch_hup(void)
{
	struct sigaction sa = { .sa_handler = on_hup };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

int top_copy_agg(struct agg *dst, const struct agg *src)
{
	agg_free(dst);
	agg_init(dst);
	for (int i = 0; i < src->nguests; i++) {
		int err = agg_guest_merge(dst, &src->guests[i]);

		if (err)
			return err;
	}
	dst->health = src->health;
	return 0;
}

top_ident_fn top_ident(const struct top_run *r)
{
	return r->rp ? replay_ident : collector_ident;
}

const void *top_ident_ctx(const struct top_run *r)
{
	return r->rp ? (const void *)r->rp : (const void *)&r->col;
}

void top_filter_text(struct top_run *r)
{
	char g[160] = "";

	if (r->guest_pid)
		snprintf(g, sizeof(g), "guest pid %u", r->guest_pid);
	else if (r->guest_name[0])
		snprintf(g, sizeof(g), "guest %s", r->guest_name);
	snprintf(r->filter_shown, sizeof(r->filter_shown), "%s%s%s%s", r->has_re ? "/" : "",
		 r->has_re ? r->re_text : "", r->has_re ? "/" : "", g[0] && r->has_re ? " " : "");
	strncat(r->filter_shown, g, sizeof(r->filter_shown) - strlen(r->filter_shown) - 1);
	r->frame.filter = r->filter_shown[0] ? r->filter_shown : NULL;
}

int top_rebuild(struct top_run *r)
{
	struct top_filter flt = {
		.re = r->has_re ? &r->re : NULL,
		.pid = r->guest_pid,
		.name = r->guest_name[0] ? r->guest_name : NULL,
	};
	const struct agg *base = r->has_base ? &r->base : NULL;
	int n = top_rows_build(r->cur, &r->prev, base, r->dt, top_ident(r), top_ident_ctx(r), &flt,
			       &r->rows);

	if (n < 0)
		return n;
	r->nrows = n;
	top_rows_sort(r->rows, n, r->a->sort, r->a->ascending);
	r->frame.nguests = n;
	r->frame.nexited = 0;
	for (int i = 0; i < n; i++)
		r->frame.nexited += !r->rows[i].alive;
	r->frame.kernel_dropped = 0;
	for (int i = 0; i < r->cur->nguests; i++) {
		const struct agg_guest *g = &r->cur->guests[i], *b = base ? agg_find(base, g->tgid) : NULL;
		uint64_t then = b ? b->total.c.dropped : 0;

		r->frame.kernel_dropped += g->total.c.dropped > then ? g->total.c.dropped - then : 0;
	}
	r->frame.sort = r->a->sort;
	r->frame.ascending = r->a->ascending;
	r->frame.delay_s = r->a->delay;
	r->frame.paused = r->paused;
	r->frame.since_reset_s = r->has_base ? cli_now() - r->reset_at : -1;
	r->frame.health = &r->cur->health;
	r->frame.trends = &r->trends;
	if (r->rp) {
		r->frame.replay_pos = replay_pos(r->rp);
		r->frame.replay_steps = replay_steps(r->rp);
	}
	return 0;
}

void top_draw(struct top_run *r)
{
	struct top_detail d = { 0 };

	if (!r->tui)
		return;
	if (r->ui.view == TOP_VIEW_GUEST && r->ui.pid) {
		d.cur = agg_find(r->cur, r->ui.pid);
		d.prev = agg_find(&r->prev, r->ui.pid);
		d.base = r->has_base ? agg_find(&r->base, r->ui.pid) : NULL;
		d.id = top_ident(r)(top_ident_ctx(r), r->ui.pid);
		d.dt = r->dt;
	}
	/* a message stays a few seconds, past the refreshes in between */
	if (r->ui.message[0] && !r->ui.message_until)
		r->ui.message_until = cli_now() + 4;
	else if (r->ui.message[0] && cli_now() > r->ui.message_until)
		r->ui.message[0] = '\0';
	top_screen_draw(r->tui, r->repaint, &r->frame, r->rows, r->nrows, &r->ui, &d);
	r->repaint = false;
}

/* The next snapshot into r->cur, r->prev the one before. 1: the recording ended. */
static int snapshot(struct top_run *r, double now)
{
	int err;

	if (r->rp) {
		double dt;

		if (r->replay_end || replay_pos(r->rp) >= replay_steps(r->rp)) {
			r->replay_end = true;
			return 1;
		}
		err = top_copy_agg(&r->prev, replay_view(r->rp));
		if (!err)
			err = replay_next(r->rp, &dt);
		if (err == 1) {
			r->replay_end = true;
			return 1;
		}
		r->dt = dt;
		return err;
	}
	/* the view becomes prev, no copy (the tracker reads it until the snapshot) */
	collector_take_view(&r->col, &r->prev);
	err = collector_snapshot(&r->col);
	r->dt = now - r->last;
	return err;
}

static int refresh_once(struct top_run *r)
{
	double now = cli_now();
	int err = snapshot(r, now);
	char why[512];

	if (err == 1)
		return 1;
	if (err)
		return err;
	r->last = now;
	err = top_trends_push(&r->trends, r->cur, &r->prev, r->dt, r->frame.has_segments);
	if (!err)
		err = top_rebuild(r);
	if (err)
		return err;
	r->frame.refresh++;
	r->frame.interval_s = r->dt;
	r->frame.elapsed_s = now - r->start;
	if (r->log) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		if (top_log_write(r->log, ts.tv_sec + ts.tv_nsec / 1e9, r->dt, r->frame.source,
				  r->rows, r->nrows, why, sizeof(why))) {
			p_err("%s", why);
			return -EIO;
		}
	} else if (r->tui) {
		/* every refresh repaints all: a console message must not stay */
		r->repaint = true;
		top_draw(r);
	} else {
		if (kvmslb_g.json)
			top_batch_json(stdout, &r->frame, r->rows, r->nrows, kvmslb_g.pretty);
		else
			top_batch_text(stdout, &r->frame, r->rows, r->nrows);
		if (out_flush(stdout, "standard output"))
			return -EIO;
	}
	return 0;
}

/*
 * A replay off the screen runs on the recording's clock alone, as fast as
 * it can, unless -d asks for wall-clock refreshes.
 */
static bool replay_waits(const struct top_run *r)
{
	return r->tui || r->a->delay_set;
}

static int wait_a_bit(struct top_run *r)
{
	if (r->rp) {
		struct timespec ts = { 0, 50 * 1000000L };
		struct pollfd key = { .fd = 0, .events = POLLIN };

		/* on the screen, a key ends the wait */
		if (r->tui)
			poll(&key, 1, 50);
		else if (replay_waits(r))
			nanosleep(&ts, NULL);
		return 0;
	}
	return collector_wait(&r->col, r->tui ? 50 : 100);
}

int top_loop(struct top_run *r)
{
	unsigned long long done = 0;
	int err = 0;

	r->start = r->last = cli_now();
	/* the first snapshot is the baseline: rates need an interval */
	if (!r->rp)
		err = collector_snapshot(&r->col);
	if (!err)
		err = top_copy_agg(&r->prev, r->cur);
	if (!err)
		err = top_rebuild(r);
	r->repaint = true;
	top_draw(r);
	r->next = r->last + r->a->delay;
	while (!err && !cli_stop) {
		bool now = false;
		int c;

		err = wait_a_bit(r);
		if (err == -EINTR)
			err = 0;
		if (err)
			break;
		while (r->tui && (c = tui_key(r->tui, 0)) >= 0 && !cli_stop)
			top_key(r, c, &now);
		if (got_hup && r->log) {
			char why[512];

			got_hup = 0;
			if (top_log_reopen(r->log, why, sizeof(why))) {
				p_err("%s", why);
				return KVMSLB_EXIT_RUNTIME;
			}
		}
		if (cli_stop)
			break;
		if (!now && (cli_now() < r->next && (!r->rp || replay_waits(r))))
			continue;
		if (r->paused && !now) {
			/* no new data, but a stray console message goes away */
			r->next = cli_now() + r->a->delay;
			r->repaint = true;
			top_draw(r);
			continue;
		}
		err = refresh_once(r);
		r->next = cli_now() + r->a->delay;
		if (err == 1) {
			err = 0;
			if (!r->tui)
				break;	/* the recording ended */
			r->repaint = true;
			top_draw(r);
			continue;
		}
		if (r->a->count && ++done >= r->a->count)
			break;
	}
	if (err == -EIO)
		return KVMSLB_EXIT_RUNTIME;
	if (err) {
		p_err("reading the %s source failed: %s", r->frame.source, strerror(-err));
		return KVMSLB_EXIT_RUNTIME;
	}
	return KVMSLB_EXIT_OK;
}
