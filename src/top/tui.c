// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <ncurses.h>

#include "top/textw.h"
#include "top/tui.h"

struct tui {
	SCREEN *scr;
	bool colors;
};

enum { PAIR_TITLE = 1, PAIR_NOTE, PAIR_STATUS };

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
	nonl();
	keypad(stdscr, TRUE);
	/* a line written to the last row must never scroll the screen */
	scrollok(stdscr, FALSE);
	idlok(stdscr, FALSE);
	set_escdelay(25);
	/* Home and End as the terminals in front of a console send them, not
	 * only as terminfo says (tmux, PuTTY and SOL clients differ) */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[7~", KEY_HOME);
	define_key("\033[H", KEY_HOME);
	define_key("\033OH", KEY_HOME);
	define_key("\033[4~", KEY_END);
	define_key("\033[8~", KEY_END);
	define_key("\033[F", KEY_END);
	define_key("\033OF", KEY_END);
	curs_set(0);
	if (has_colors()) {
		t->colors = true;
		start_color();
		use_default_colors();
		init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_NOTE, COLOR_YELLOW, -1);
		init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_WHITE);
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

void tui_size(const struct tui *t, int *rows, int *cols)
{
	(void)t;
	getmaxyx(stdscr, *rows, *cols);
}

void tui_begin(struct tui *t, bool repaint)
{
	(void)t;
	erase();
	if (repaint)
		clearok(curscr, TRUE);
}

static attr_t attr_of(const struct tui *t, enum tui_attr a)
{
	switch (a) {
	case TUI_TITLE: return t->colors ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_REVERSE | A_BOLD;
	case TUI_SELECTED: return A_REVERSE;
	case TUI_DIM: return A_DIM;
	case TUI_NOTE: return t->colors ? COLOR_PAIR(PAIR_NOTE) : A_NORMAL;
	case TUI_STATUS: return t->colors ? COLOR_PAIR(PAIR_STATUS) : A_REVERSE;
	case TUI_BOLD: return A_BOLD;
	default: return A_NORMAL;
	}
}

void tui_line(struct tui *t, int y, const char *text, enum tui_attr attr)
{
	int rows, cols;
	size_t len;
	char *buf;

	getmaxyx(stdscr, rows, cols);
	/* the last column of the last line is left alone: writing it may scroll */
	if (y == rows - 1)
		cols--;
	if (y < 0 || y >= rows || cols <= 0)
		return;
	/* cut or padded to the width in display columns: highlights span the line */
	len = strlen(text) + (size_t)cols + 1;
	buf = malloc(len);
	if (!buf)
		return;
	buf[0] = '\0';
	textw_put(buf, len, text, cols, false);
	attrset(attr_of(t, attr));
	mvaddstr(y, 0, buf);
	attrset(A_NORMAL);
	free(buf);
}

void tui_end(struct tui *t, int y, int x)
{
	(void)t;
	if (y >= 0) {
		move(y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

int tui_key(struct tui *t, int timeout_ms)
{
	wint_t c;
	int r;

	(void)t;
	timeout(timeout_ms);
	r = get_wch(&c);
	if (r == ERR)
		return -1;
	if (r == OK) {
		if (c == '\r' || c == '\n')
			return TUI_KEY_ENTER;
		if (c == 127 || c == 8)
			return TUI_KEY_BACKSPACE;
		return (int)c;
	}
	switch (c) {
	case KEY_UP: return TUI_KEY_UP;
	case KEY_DOWN: return TUI_KEY_DOWN;
	case KEY_PPAGE: return TUI_KEY_PGUP;
	case KEY_NPAGE: return TUI_KEY_PGDN;
	case KEY_HOME: return TUI_KEY_HOME;
	case KEY_END: return TUI_KEY_END;
	case KEY_LEFT: return TUI_KEY_LEFT;
	case KEY_RIGHT: return TUI_KEY_RIGHT;
	case KEY_ENTER: return TUI_KEY_ENTER;
	case KEY_BACKSPACE: return TUI_KEY_BACKSPACE;
	case KEY_RESIZE: return TUI_KEY_RESIZE;
	default: return -1;
	}
}
