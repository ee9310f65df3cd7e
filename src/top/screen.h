/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kvmslbtop's live screen shows: the header, then the guest table,
 * the help page or the drill-down of one guest (its vcpus and its latency
 * by path), and a status line (key hints, a message or a prompt). The
 * whole screen is drawn from scratch each time; nothing scrolls.
 */
#ifndef KVMSLB_TOP_SCREEN_H
#define KVMSLB_TOP_SCREEN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/guest.h"
#include "top/batch.h"
#include "top/tui.h"

enum top_view {
	TOP_VIEW_TABLE,
	TOP_VIEW_HELP,
	TOP_VIEW_GUEST,
};

struct top_ui {
	enum top_view view;
	uint32_t pid;			/* the selected guest; 0: none yet */
	int sel;			/* its row */
	int first;			/* the first row shown */
	int scroll;			/* first line of the help or guest page */
	int page_lines;			/* lines of that page at the last draw */
	int page_height;		/* lines it had room for */
	const char *prompt;		/* a prompt being answered, or NULL */
	char input[256];		/* what was typed (UTF-8) */
	char message[256];		/* on the status line until a key or its time is up */
	double message_until;		/* cli_now() seconds */
};

/* The drill-down's guest: now, at the previous refresh, at the last reset. */
struct top_detail {
	const struct agg_guest *cur, *prev, *base;
	const struct guest_ident *id;
	double dt;
};

/*
 * Draw everything. rows: the table (sorted, filtered); ui->sel is moved to
 * the row of ui->pid first. d: the selected guest, for the drill-down.
 */
void top_screen_draw(struct tui *t, bool repaint, const struct top_frame *f,
		     const struct top_row *rows, int n, struct top_ui *ui,
		     const struct top_detail *d);

/* Rows the table has room for (for page up/down). */
int top_screen_table_height(struct tui *t, const struct top_frame *f);

#endif
