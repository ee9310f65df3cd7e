/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The terminal under kvmslbtop's live screen (ncurses): whole lines of
 * UTF-8 text with an attribute, keys, nothing else. What goes on which
 * line is top/screen.c's.
 */
#ifndef KVMSLB_TOP_TUI_H
#define KVMSLB_TOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

struct tui;

enum tui_attr {
	TUI_NORMAL,
	TUI_TITLE,	/* column titles */
	TUI_SELECTED,	/* the selected row */
	TUI_DIM,	/* an exited guest */
	TUI_NOTE,	/* what the source cannot show */
	TUI_STATUS,	/* the bottom line */
	TUI_BOLD,
};

/* Keys beyond characters, as tui_key() returns them (above any code point). */
enum {
	TUI_KEY_UP = 0x110000,
	TUI_KEY_DOWN,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_ENTER,
	TUI_KEY_BACKSPACE,
	TUI_KEY_RESIZE,
};

#define TUI_CTRL(c) ((c) & 0x1f)
#define TUI_ESC 27

/* NULL with err set when there is no usable terminal. */
struct tui *tui_start(char *err, size_t errlen);
void tui_stop(struct tui *t);
void tui_size(const struct tui *t, int *rows, int *cols);

/*
 * A frame: tui_begin() clears; repaint: the whole screen is sent again,
 * whatever the terminal shows now (a stray console message, a `wall`).
 */
void tui_begin(struct tui *t, bool repaint);
/* Line y: text cut to the width, the rest of the line cleared. */
void tui_line(struct tui *t, int y, const char *text, enum tui_attr attr);
/* The cursor at (y, x) and shown, or hidden (y < 0); then the frame goes out. */
void tui_end(struct tui *t, int y, int x);

/* A key: a character (code point), TUI_KEY_*, or -1 after timeout_ms (0: do not wait). */
int tui_key(struct tui *t, int timeout_ms);

#endif
