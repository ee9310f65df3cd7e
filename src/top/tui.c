// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ncurses.h>

#include "top/tui.h"

struct tui {
	SCREEN *scr;
};

struct tui *tui_start(char *err, size_t errlen)
{
	struct tui *t = calloc(1, sizeof(*t));
	const char *term = getenv("TERM");

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!term || !*term || !isatty(1) || !isatty(0)) {
		snprintf(err, errlen, "no terminal for the live screen (TERM unset or not a tty); "
			 "use batch mode: -b");
		free(t);
		return NULL;
	}
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		snprintf(err, errlen, "cannot drive terminal '%s' (no terminfo entry?); "
			 "use batch mode: -b", term);
		free(t);
		return NULL;
	}
	set_term(t->scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_BLACK, COLOR_CYAN);	/* title row */
		init_pair(2, COLOR_YELLOW, -1);		/* notes */
	}
	return t;
}

void tui_stop(struct tui *t)
{
	if (!t)
		return;
	endwin();
	delscreen(t->scr);
	free(t);
}

static void draw_hist(const struct top_row *r, int top, int rows, int cols)
{
	const struct log2_hist *h = &r->lat_total;
	int first = 0, last = hist_top(h), line = top;
	uint64_t vmax = 0;

	mvprintw(line++, 0, "latency of %s (pid %" PRIu32 "), since start: %" PRIu64 " samples",
		 r->name, r->pid, h->count);
	if (last < 0) {
		mvprintw(line, 2, "no samples");
		return;
	}
	while (!h->slots[first])
		first++;
	/* the buckets that fit, the highest ones if not all do */
	if (last - first + 1 > rows - 1)
		first = last - (rows - 2);
	for (int k = first; k <= last; k++)
		if (h->slots[k] > vmax)
			vmax = h->slots[k];
	for (int k = first; k <= last && line < top + rows; k++, line++) {
		char lo[16], hi[16];
		int width = cols - 40 > 10 ? cols - 40 : 10;
		int bar = vmax ? (int)((double)h->slots[k] * width / (double)vmax) : 0;

		top_fmt_ns(lo, sizeof(lo), hist_bucket_lo(k));
		top_fmt_ns(hi, sizeof(hi), hist_bucket_hi(k));
		mvprintw(line, 2, "%8s -> %-8s %10" PRIu64 " |", lo, hi, h->slots[k]);
		for (int i = 0; i < bar; i++)
			addch('*');
	}
}

void tui_draw(struct tui *t, const struct top_frame *f, const struct top_row *rows, int n,
	      int selected, bool hist, const char *status)
{
	char line[512];
	int maxy, maxx, y = 0, table_rows, first = 0;

	(void)t;
	getmaxyx(stdscr, maxy, maxx);
	erase();
	top_header(line, sizeof(line), f, n);
	mvprintw(y++, 0, "%.*s", maxx, line);
	if (!f->has_segments && f->unavailable) {
		attron(COLOR_PAIR(2));
		mvprintw(y++, 0, "SLB synthesis n/a: %.*s", maxx > 20 ? maxx - 19 : 1, f->unavailable);
		attroff(COLOR_PAIR(2));
	}
	top_titles(line, sizeof(line), f);
	attron(COLOR_PAIR(1) | A_BOLD);
	mvprintw(y++, 0, "%-*.*s", maxx, maxx, line);
	attroff(COLOR_PAIR(1) | A_BOLD);
	table_rows = maxy - y - 1 - (hist ? maxy / 2 : 0);
	if (table_rows < 1)
		table_rows = 1;
	if (selected >= table_rows)
		first = selected - table_rows + 1;
	for (int i = first; i < n && i < first + table_rows; i++) {
		top_row_text(line, sizeof(line), f, &rows[i]);
		if (i == selected)
			attron(A_REVERSE);
		mvprintw(y++, 0, "%-*.*s", maxx, maxx, line);
		if (i == selected)
			attroff(A_REVERSE);
	}
	if (!n)
		mvprintw(y++, 0, "(no guest activity yet)");
	if (hist && n && selected >= 0 && selected < n)
		draw_hist(&rows[selected], maxy - maxy / 2 - 1, maxy / 2, maxx);
	attron(A_REVERSE);
	mvprintw(maxy - 1, 0, "%-*.*s", maxx, maxx, status);
	attroff(A_REVERSE);
	refresh();
}

int tui_key(struct tui *t, int timeout_ms)
{
	int c;

	(void)t;
	timeout(timeout_ms);
	c = getch();
	switch (c) {
	case ERR: return -1;
	case KEY_UP: return TUI_KEY_UP;
	case KEY_DOWN: return TUI_KEY_DOWN;
	case KEY_ENTER: return TUI_KEY_ENTER;
	default: return c;
	}
}

bool tui_prompt(struct tui *t, const char *prompt, char *buf, size_t len)
{
	int maxy, maxx, c;
	size_t n = 0;

	(void)t;
	getmaxyx(stdscr, maxy, maxx);
	(void)maxx;
	buf[0] = '\0';
	curs_set(1);
	timeout(-1);
	for (;;) {
		move(maxy - 1, 0);
		clrtoeol();
		printw("%s%s", prompt, buf);
		refresh();
		c = getch();
		if (c == '\n' || c == KEY_ENTER)
			break;
		if (c == 27) {
			curs_set(0);
			return false;
		}
		if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n > 0)
			buf[--n] = '\0';
		else if (c >= 32 && c < 127 && n + 1 < len) {
			buf[n++] = (char)c;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	return true;
}
