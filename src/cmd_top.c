// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb top (kvmslbtop): the live per-guest view. Each refresh takes a
 * cumulative snapshot of the source (core/collector.c on a host, or
 * core/replay.c for a recording), turns it, the previous one and the one
 * of the last reset into rows (top/rows.c) and shows them: top/screen.c on
 * a terminal, top/batch.c (-b) as text or JSON lines, top/log.c (-L).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/collector.h"
#include "core/msg.h"
#include "core/out.h"
#include "core/replay.h"
#include "top/batch.h"
#include "top/cols.h"
#include "top/log.h"
#include "top/rows.h"
#include "top/screen.h"
#include "top/textw.h"
#include "top/trend.h"
#include "top/tui.h"

static const char doc[] =
	"kvmslb top: live per-guest view: segment interrupts synthesized per second and in "
	"total, HDSI/HISI fault paths per second, fault-path latency, what was dropped.\v"
	"Rates and latency are of the last refresh interval, totals since start or the last "
	"reset. Latency is shown as its log2 bucket: <8.2us is [4.1us, 8.2us). Columns are "
	"laid out for the terminal's width, most useful first; guest names take the rest. "
	"What the source cannot measure is named in the header, with the reason.\n\n"
	"Keys (h on the screen lists them all): q quit, h or ? help, p or space pause, "
	"r reset, s delay, o/O/i sort, f regex filter, g guest, c clear, Enter drill-down of "
	"the selected guest (per vcpu, latency by path), Ctrl-L repaint.\n\n"
	"USAGE: kvmslb top [-b [-j]] [-n COUNT] [-d SECONDS] [--sort KEY] [--source SRC] "
	"[--guest NAME|PID] [-L FILE] [--replay FILE]\n\n"
	"EXAMPLES:\n"
	"  kvmslbtop                          # live screen, refreshed every second\n"
	"  kvmslb top -b -n 10                # batch: ten refreshes as text\n"
	"  kvmslb top -b -j -d 5 --sort p99   # JSON lines every 5 s, slowest first\n"
	"  kvmslbtop -L /var/log/kvmslb.csv -d 60   # a line per guest and minute\n"
	"  kvmslbtop --replay host1.jsonl     # replay 'kvmslb stat -j --per-vcpu 1 N'\n";

enum { OPT_SOURCE = 1000, OPT_GUEST, OPT_SORT, OPT_REPLAY };

static const struct argp_option options[] = {
	{ "batch", 'b', NULL, 0, "batch mode: print each refresh to stdout (text, or JSON with -j)", 0 },
	{ "iterations", 'n', "COUNT", 0, "stop after COUNT refreshes", 0 },
	{ "delay", 'd', "SECONDS", 0, "refresh interval, 0.1 to 3600 (default 1)", 0 },
	{ "sort", OPT_SORT, "KEY", 0, "seg/s (default), dsegi/s, isegi/s, seg, dsegi, isegi, "
	  "inject, fault/s, hdsi/s, hisi/s, p50, p99, max, drop, name, pid", 0 },
	{ "source", OPT_SOURCE, "SRC", 0, "patched, stock or stats (default: the first usable)", 0 },
	{ "guest", OPT_GUEST, "NAME|PID", 0, "only this guest (its VMM pid or its name)", 0 },
	{ "log", 'L', "FILE", 0, "log mode: append a line per guest and refresh to FILE (CSV, "
	  "or JSON lines with -j), no screen; SIGHUP reopens FILE", 0 },
	{ "replay", OPT_REPLAY, "FILE", 0, "show a recording of 'kvmslb stat -j [--per-vcpu] "
	  "INTERVAL COUNT' instead of this host, one interval per refresh", 0 },
	{ 0 },
};

struct top_args {
	bool batch;
	unsigned long long count;
	double delay;
	bool delay_set;
	enum top_sort sort;
	bool sort_set;
	bool ascending;
	int source;
	const char *guest;
	uint32_t guest_pid;
	const char *log;
	const char *replay;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;

	switch (key) {
	case 'b':
		a->batch = true;
		return 0;
	case 'n':
		if (cli_parse_u64(arg, 1, 1ULL << 40, &a->count)) {
			argp_error(state, "invalid count '%s' (a positive integer)", arg);
			return EINVAL;
		}
		return 0;
	case 'd':
		if (cli_parse_seconds(arg, 0.1, 3600, &a->delay)) {
			argp_error(state, "invalid delay '%s' (seconds, 0.1 to 3600)", arg);
			return EINVAL;
		}
		a->delay_set = true;
		return 0;
	case OPT_SORT:
		if (top_sort_from_name(arg, &a->sort)) {
			argp_error(state, "unknown sort key '%s' (see --help)", arg);
			return EINVAL;
		}
		a->sort_set = true;
		a->ascending = top_sort_default_ascending(a->sort);
		return 0;
	case OPT_SOURCE:
		return cli_arg_source(state, arg, &a->source);
	case OPT_GUEST:
		return cli_arg_guest(state, arg, &a->guest, &a->guest_pid);
	case 'L':
		if (!*arg) {
			argp_error(state, "-L needs a file name");
			return EINVAL;
		}
		a->log = arg;
		return 0;
	case OPT_REPLAY:
		a->replay = arg;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (a->replay && a->source >= 0) {
			argp_error(state, "--replay shows the source recorded; --source is for a host");
			return EINVAL;
		}
		if (a->log && a->batch) {
			argp_error(state, "-L and -b are two modes; choose one");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* ---- run state --------------------------------------------------------- */
struct top_run {
	struct top_args *a;
	struct collector col;		/* a host, or */
	struct replay *rp;		/* a recording */
	bool replay_end;
	const struct agg *cur;		/* the last snapshot */
	struct agg prev;		/* the one before */
	struct agg base;		/* at the last reset */
	bool has_base;
	double reset_at;
	double dt;			/* between prev and cur */
	struct top_row *rows;
	int nrows;
	struct top_frame frame;
	struct top_trends trends;
	/* filters: a regex (f), one guest (g, --guest) */
	regex_t re;
	bool has_re;
	char re_text[256];
	char guest_name[128];
	uint32_t guest_pid;
	char filter_shown[400];
	struct top_ui ui;
	struct tui *tui;
	struct top_log *log;
	double last, next, start;
	bool paused;
	bool repaint;
	struct utsname uts;
};

static volatile sig_atomic_t got_hup;

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

static int copy_agg(struct agg *dst, const struct agg *src)
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

static top_ident_fn ident_fn(const struct top_run *r)
{
	return r->rp ? replay_ident : collector_ident;
}

static const void *ident_ctx(const struct top_run *r)
{
	return r->rp ? (const void *)r->rp : (const void *)&r->col;
}

static void update_filter_text(struct top_run *r)
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

/* Rows from the snapshots we have; any time (a key, a refresh). */
static int rebuild(struct top_run *r)
{
	struct top_filter flt = {
		.re = r->has_re ? &r->re : NULL,
		.pid = r->guest_pid,
		.name = r->guest_name[0] ? r->guest_name : NULL,
	};
	const struct agg *base = r->has_base ? &r->base : NULL;
	int n = top_rows_build(r->cur, &r->prev, base, r->dt, ident_fn(r), ident_ctx(r), &flt,
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

static void draw(struct top_run *r)
{
	struct top_detail d = { 0 };

	if (!r->tui)
		return;
	if (r->ui.view == TOP_VIEW_GUEST && r->ui.pid) {
		d.cur = agg_find(r->cur, r->ui.pid);
		d.prev = agg_find(&r->prev, r->ui.pid);
		d.base = r->has_base ? agg_find(&r->base, r->ui.pid) : NULL;
		d.id = ident_fn(r)(ident_ctx(r), r->ui.pid);
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
		err = copy_agg(&r->prev, replay_view(r->rp));
		if (!err)
			err = replay_next(r->rp, &dt);
		if (err == 1) {
			r->replay_end = true;
			return 1;
		}
		r->dt = dt;
		return err;
	}
	err = copy_agg(&r->prev, &r->col.view);
	if (!err)
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
		err = rebuild(r);
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
		draw(r);
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

/* ---- keys --------------------------------------------------------------- */
static void set_delay(struct top_run *r, double d)
{
	r->a->delay = d < 0.1 ? 0.1 : d > 3600 ? 3600 : d;
	/* a shorter delay counts from the last refresh, not from the old deadline */
	r->next = r->last + r->a->delay;
	snprintf(r->ui.message, sizeof(r->ui.message), "refresh every %.1f s", r->a->delay);
}

static void sort_step(struct top_run *r, int dir)
{
	struct top_layout l;
	int rows, cols;
	enum top_sort k = r->a->sort;

	tui_size(r->tui, &rows, &cols);
	top_frame_layout(&r->frame, r->rows, r->nrows, cols, &l);
	for (int i = 0; i < SORT_NR; i++) {
		k = (enum top_sort)((k + (dir > 0 ? 1 : SORT_NR - 1)) % SORT_NR);
		if (top_layout_sortable(&l, k))
			break;
	}
	r->a->sort = k;
	r->a->ascending = top_sort_default_ascending(k);
}

static void start_prompt(struct top_run *r, const char *label, const char *initial)
{
	r->ui.prompt = label;
	snprintf(r->ui.input, sizeof(r->ui.input), "%s", initial);
}

static void apply_filter(struct top_run *r, const char *text)
{
	regex_t re;
	int err;

	if (!*text) {
		if (r->has_re)
			regfree(&r->re);
		r->has_re = false;
		r->re_text[0] = '\0';
		return;
	}
	err = regcomp(&re, text, REG_EXTENDED | REG_NOSUB);
	if (err) {
		char why[200];

		regerror(err, &re, why, sizeof(why));
		snprintf(r->ui.message, sizeof(r->ui.message), "filter '%.100s' not applied: %s",
			 text, why);
		return;
	}
	if (r->has_re)
		regfree(&r->re);
	r->re = re;
	r->has_re = true;
	snprintf(r->re_text, sizeof(r->re_text), "%s", text);
}

static void apply_guest(struct top_run *r, const char *text)
{
	unsigned long long pid;

	r->guest_pid = 0;
	r->guest_name[0] = '\0';
	if (!*text)
		return;
	if (!cli_parse_u64(text, 1, UINT32_MAX, &pid))
		r->guest_pid = (uint32_t)pid;
	else
		snprintf(r->guest_name, sizeof(r->guest_name), "%s", text);
}

static const char prompt_filter[] = "filter names (POSIX extended regex; empty: none): ";
static const char prompt_guest[] = "show one guest (name or pid; empty: all): ";
static const char prompt_delay[] = "refresh delay in seconds (0.1 to 3600): ";

static void prompt_done(struct top_run *r)
{
	const char *p = r->ui.prompt;
	double d;

	r->ui.prompt = NULL;
	if (p == prompt_filter) {
		apply_filter(r, r->ui.input);
	} else if (p == prompt_guest) {
		apply_guest(r, r->ui.input);
	} else if (p == prompt_delay) {
		if (cli_parse_seconds(r->ui.input, 0.1, 3600, &d))
			snprintf(r->ui.message, sizeof(r->ui.message),
				 "delay '%.100s' not taken: seconds from 0.1 to 3600", r->ui.input);
		else
			set_delay(r, d);
	}
	update_filter_text(r);
}

/* A key while a prompt is open. */
static void prompt_key(struct top_run *r, int c)
{
	size_t len = strlen(r->ui.input);

	if (c == TUI_ESC) {
		r->ui.prompt = NULL;	/* cancelled: nothing changes */
	} else if (c == TUI_KEY_ENTER) {
		prompt_done(r);
	} else if (c == TUI_KEY_BACKSPACE) {
		/* one character, not one byte */
		while (len && ((unsigned char)r->ui.input[len - 1] & 0xc0) == 0x80)
			len--;
		if (len)
			len--;
		r->ui.input[len] = '\0';
	} else if (c == TUI_CTRL('u')) {
		r->ui.input[0] = '\0';
	} else if (c >= 0x20 && c < 0x110000 && c != 0x7f) {
		char u[5] = { 0 };

		if (c < 0x80) {
			u[0] = (char)c;
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | c >> 6);
			u[1] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			u[0] = (char)(0xe0 | c >> 12);
			u[1] = (char)(0x80 | (c >> 6 & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
		} else {
			u[0] = (char)(0xf0 | c >> 18);
			u[1] = (char)(0x80 | (c >> 12 & 0x3f));
			u[2] = (char)(0x80 | (c >> 6 & 0x3f));
			u[3] = (char)(0x80 | (c & 0x3f));
		}
		if (len + strlen(u) < sizeof(r->ui.input))
			strcat(r->ui.input, u);
	}
}

static void move_sel(struct top_run *r, int to)
{
	if (to >= r->nrows)
		to = r->nrows - 1;
	if (to < 0)
		to = 0;
	r->ui.sel = to;
	if (r->nrows)
		r->ui.pid = r->rows[to].pid;
}

static void reset(struct top_run *r)
{
	if (copy_agg(&r->base, r->cur)) {
		snprintf(r->ui.message, sizeof(r->ui.message), "reset failed: out of memory");
		return;
	}
	r->has_base = true;
	r->reset_at = cli_now();
	snprintf(r->ui.message, sizeof(r->ui.message), "totals reset to zero");
}

/* Keys shared by the table and the drill-down; false if c is not one of them. */
static bool common_key(struct top_run *r, int c, bool *now)
{
	switch (c) {
	case 'q':
		cli_stop = SIGTERM;
		return true;
	case 'h':
	case '?':
		r->ui.view = TOP_VIEW_HELP;
		r->ui.scroll = 0;
		return true;
	case 'p':
	case ' ':
		r->paused = !r->paused;
		if (!r->paused)
			r->next = r->last + r->a->delay;
		return true;
	case 'r':
		reset(r);
		return true;
	case 's':
		start_prompt(r, prompt_delay, "");
		return true;
	case '+':
		set_delay(r, r->a->delay * 2);
		return true;
	case '-':
		set_delay(r, r->a->delay / 2);
		return true;
	case '.':
		*now = true;
		return true;
	case TUI_CTRL('l'):
	case TUI_KEY_RESIZE:
		r->repaint = true;
		return true;
	default:
		return false;
	}
}

static void page_key(struct top_run *r, int c)
{
	int h = r->ui.page_height > 1 ? r->ui.page_height - 1 : 1;

	switch (c) {
	case 'j': case TUI_KEY_DOWN: r->ui.scroll++; break;
	case 'k': case TUI_KEY_UP: r->ui.scroll--; break;
	case TUI_KEY_PGDN: r->ui.scroll += h; break;
	case TUI_KEY_PGUP: r->ui.scroll -= h; break;
	case TUI_KEY_HOME: r->ui.scroll = 0; break;
	case TUI_KEY_END: r->ui.scroll = r->ui.page_lines; break;
	default: break;
	}
	if (r->ui.scroll < 0)
		r->ui.scroll = 0;
}

static bool is_page_key(int c)
{
	return c == 'j' || c == 'k' || c == TUI_KEY_DOWN || c == TUI_KEY_UP ||
	       c == TUI_KEY_PGDN || c == TUI_KEY_PGUP || c == TUI_KEY_HOME || c == TUI_KEY_END;
}

/* A key on the live screen; *now: refresh at once. */
static void handle_key(struct top_run *r, int c, bool *now)
{
	int page = top_screen_table_height(r->tui, &r->frame);

	/* a key has seen the message */
	r->ui.message[0] = '\0';
	r->ui.message_until = 0;

	if (r->ui.prompt) {
		prompt_key(r, c);
	} else if (r->ui.view == TOP_VIEW_HELP) {
		if (c == 'q')
			cli_stop = SIGTERM;
		else if (is_page_key(c))
			page_key(r, c);
		else if (c == TUI_CTRL('l') || c == TUI_KEY_RESIZE)
			r->repaint = true;
		else
			r->ui.view = TOP_VIEW_TABLE;
	} else if (r->ui.view == TOP_VIEW_GUEST) {
		if (c == TUI_ESC || c == TUI_KEY_LEFT || c == TUI_KEY_BACKSPACE ||
		    c == TUI_KEY_ENTER)
			r->ui.view = TOP_VIEW_TABLE;
		else if (is_page_key(c))
			page_key(r, c);
		else if (!common_key(r, c, now))
			snprintf(r->ui.message, sizeof(r->ui.message), "no such key here; h: help");
	} else if (!common_key(r, c, now)) {
		switch (c) {
		case 'o': sort_step(r, 1); break;
		case 'O': sort_step(r, -1); break;
		case 'i':
		case 'I': r->a->ascending = !r->a->ascending; break;
		case 'f': start_prompt(r, prompt_filter, r->re_text); break;
		case 'g': start_prompt(r, prompt_guest, r->guest_name); break;
		case 'c':
			apply_filter(r, "");
			apply_guest(r, "");
			update_filter_text(r);
			break;
		case 'j': case TUI_KEY_DOWN: move_sel(r, r->ui.sel + 1); break;
		case 'k': case TUI_KEY_UP: move_sel(r, r->ui.sel - 1); break;
		case TUI_KEY_PGDN: move_sel(r, r->ui.sel + page); break;
		case TUI_KEY_PGUP: move_sel(r, r->ui.sel - page); break;
		case TUI_KEY_HOME: move_sel(r, 0); break;
		case TUI_KEY_END: move_sel(r, r->nrows - 1); break;
		case TUI_KEY_ENTER:
		case TUI_KEY_RIGHT:
			if (r->nrows) {
				r->ui.view = TOP_VIEW_GUEST;
				r->ui.scroll = 0;
			}
			break;
		default:
			snprintf(r->ui.message, sizeof(r->ui.message), "no such key; h: help");
		}
	}
	/* redraw at once with the data we have; new data comes with the next refresh */
	if (rebuild(r))
		snprintf(r->ui.message, sizeof(r->ui.message), "out of memory");
	draw(r);
}

/* ---- the loop ------------------------------------------------------------- */
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

static int run(struct top_run *r)
{
	unsigned long long done = 0;
	int err = 0;

	r->start = r->last = cli_now();
	/* the first snapshot is the baseline: rates need an interval */
	if (!r->rp)
		err = collector_snapshot(&r->col);
	if (!err)
		err = copy_agg(&r->prev, r->cur);
	if (!err)
		err = rebuild(r);
	r->repaint = true;
	draw(r);
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
			handle_key(r, c, &now);
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
			draw(r);
			continue;
		}
		err = refresh_once(r);
		r->next = cli_now() + r->a->delay;
		if (err == 1) {
			err = 0;
			if (!r->tui)
				break;	/* the recording ended */
			r->repaint = true;
			draw(r);
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

/* ---- setup ------------------------------------------------------------- */
static const char no_latency_stats[] =
	"debugfs shows a KVM histogram stat as one number; kvmslb does not read KVM_GET_STATS_FD";
static const char no_vcpus_stats[] = "debugfs sums KVM stats per VM";

static void frame_live(struct top_run *r)
{
	const struct source_choice *ch = &r->col.choice;
	static char seg_why[640], cpu[96];

	r->frame.host = r->uts.nodename;
	r->frame.kernel = r->col.probe.release;
	if (r->col.probe.is_power)
		snprintf(cpu, sizeof(cpu), "%s", cpu_gen_name(r->col.probe.gen));
	else
		snprintf(cpu, sizeof(cpu), "%s (not POWER)", r->col.probe.machine);
	r->frame.cpu = cpu;
	r->frame.source = source_name(ch->chosen);
	r->frame.source_forced = ch->forced;
	r->frame.has_segments = ch->chosen != SOURCE_STOCK;
	r->frame.has_latency = ch->chosen != SOURCE_STATS;
	if (ch->chosen == SOURCE_STOCK) {
		/* on a patched kernel the patched source could run: say so, do not leave it blank */
		if (ch->why[SOURCE_PATCHED][0])
			snprintf(seg_why, sizeof(seg_why), "%s", ch->why[SOURCE_PATCHED]);
		else
			snprintf(seg_why, sizeof(seg_why), "the stock tracepoints do not see "
				 "segment interrupts synthesized in real mode; this kernel has the "
				 "kvmslb tracepoints: use --source patched");
		r->frame.no_segments_why = seg_why;
	}
	if (ch->chosen == SOURCE_STATS) {
		r->frame.no_latency_why = no_latency_stats;
		r->frame.no_vcpus_why = no_vcpus_stats;
	}
}

static void frame_replay(struct top_run *r, const char *path)
{
	enum data_source s = replay_source(r->rp);

	r->frame.replay = path;
	r->frame.source = source_name(s);
	r->frame.has_segments = s != SOURCE_STOCK;
	r->frame.has_latency = s != SOURCE_STATS;
	r->frame.has_vcpus = replay_per_vcpu(r->rp);
	r->frame.no_segments_why = replay_unavailable(r->rp, "segment_synthesis");
	r->frame.no_latency_why = replay_unavailable(r->rp, "latency_histograms");
	r->frame.no_vcpus_why = s == SOURCE_STATS ? no_vcpus_stats :
				"the recording was made without --per-vcpu";
}

static int open_live(struct top_run *r)
{
	struct collector_opts co = {
		.source = r->a->source,
		.tgid = r->a->guest_pid,
		.per_vcpu = true,	/* for the drill-down */
		.verbose = kvmslb_g.verbose,
	};
	char err[2048];
	int ret = collector_open(&r->col, &co, err, sizeof(err));

	if (ret == COLLECTOR_BAD_OPTION) {
		/* the stats source has no vcpus: without them, then */
		collector_close(&r->col);
		co.per_vcpu = false;
		ret = collector_open(&r->col, &co, err, sizeof(err));
	}
	if (ret) {
		p_err("%s", err);
		collector_close(&r->col);
		return ret == COLLECTOR_BAD_OPTION ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	r->frame.has_vcpus = co.per_vcpu;
	r->cur = &r->col.view;
	uname(&r->uts);
	frame_live(r);
	return 0;
}

static int open_replay(struct top_run *r)
{
	char err[1024] = "";
	int ret = replay_open(r->a->replay, &r->rp, err, sizeof(err));

	if (ret) {
		p_err("--replay %s", err);
		return ret == -EINVAL ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	r->cur = replay_view(r->rp);
	frame_replay(r, r->a->replay);
	return 0;
}

static void cleanup(struct top_run *r)
{
	tui_stop(r->tui);
	top_log_close(r->log);
	if (r->rp)
		replay_close(r->rp);
	else
		collector_close(&r->col);
	agg_free(&r->prev);
	agg_free(&r->base);
	top_trends_free(&r->trends);
	if (r->has_re)
		regfree(&r->re);
	free(r->rows);
}

int cmd_top(int argc, char **argv)
{
	struct top_args a = { .delay = 1.0, .source = -1 };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_hup };
	char err[1024];
	struct top_run r;
	int ret = cli_parse("top", &argp, argc, argv, &a);

	if (ret)
		return ret;
	if (kvmslb_g.json && !a.batch && !a.log) {
		p_err("-j needs batch mode (-b) or a log (-L): the live screen is not JSON");
		return KVMSLB_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.a = &a;
	agg_init(&r.prev);
	agg_init(&r.base);
	if (a.guest && !a.guest_pid)
		snprintf(r.guest_name, sizeof(r.guest_name), "%s", a.guest);
	if (a.replay)
		r.guest_pid = a.guest_pid;	/* live, the source filters by pid itself */
	ret = a.replay ? open_replay(&r) : open_live(&r);
	if (ret) {
		agg_free(&r.prev);
		agg_free(&r.base);
		return ret;
	}
	update_filter_text(&r);
	if (!a.sort_set) {
		a.sort = r.frame.has_segments ? SORT_SEG_RATE : SORT_FAULT_RATE;
		a.ascending = false;
	}
	textw_init(!a.batch && !a.log);
	if (a.log) {
		r.log = top_log_open(a.log, kvmslb_g.json, err, sizeof(err));
		if (!r.log) {
			p_err("%s", err);
			cleanup(&r);
			return KVMSLB_EXIT_RUNTIME;
		}
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
	} else if (!a.batch) {
		r.tui = tui_start(err, sizeof(err));
		if (!r.tui) {
			p_err("%s", err);
			cleanup(&r);
			return KVMSLB_EXIT_RUNTIME;
		}
	}
	cli_catch_stop();
	ret = run(&r);
	cleanup(&r);
	return ret;
}
