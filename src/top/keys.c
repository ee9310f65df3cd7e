// SPDX-License-Identifier: GPL-2.0
/*
 * The keys of kvmslbtop's live screen: kvm_stat's where they do not
 * collide (r reset, f regex filter, g guest, s delay, h help, o sort, c
 * clear), bpftop's Enter for the drill-down, p/space pause, and the prompts
 * that read a filter, a guest or a delay while the screen keeps refreshing.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/cli.h"
#include "top/cols.h"
#include "top/run.h"

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
	top_filter_text(r);
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
	if (top_copy_agg(&r->base, r->cur)) {
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

void top_key(struct top_run *r, int c, bool *now)
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
			top_filter_text(r);
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
	if (top_rebuild(r))
		snprintf(r->ui.message, sizeof(r->ui.message), "out of memory");
	top_draw(r);
}
