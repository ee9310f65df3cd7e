/* SPDX-License-Identifier: GPL-2.0 */
/* kvmslbtop's live screen (ncurses): the table, a selection, a histogram pane. */
#ifndef KVMSLB_TOP_TUI_H
#define KVMSLB_TOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "top/batch.h"

struct tui;

/* NULL with err set when there is no usable terminal. */
struct tui *tui_start(char *err, size_t errlen);
void tui_stop(struct tui *t);
/*
 * Draw a frame. selected: index into rows; hist: show the selected guest's
 * histogram pane; status: bottom line (keys, or a message).
 */
void tui_draw(struct tui *t, const struct top_frame *f, const struct top_row *rows, int n,
	      int selected, bool hist, const char *status);
/* Keys beyond ASCII, as tui_key() returns them. */
enum {
	TUI_KEY_UP = 0x1000,
	TUI_KEY_DOWN,
	TUI_KEY_ENTER,
};

/* A key (ASCII or TUI_KEY_*), or -1 after timeout_ms (0: do not wait). */
int tui_key(struct tui *t, int timeout_ms);
/* Read a line at the bottom (Enter ends, Esc cancels: returns false). */
bool tui_prompt(struct tui *t, const char *prompt, char *buf, size_t len);

#endif
