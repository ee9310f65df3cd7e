/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmslbtop's run: its options, its state, the refresh loop (top/loop.c)
 * and the keys of the live screen (top/keys.c). cmd_top.c parses the
 * command line and opens the source, a host or a recording.
 */
#ifndef KVMSLB_TOP_RUN_H
#define KVMSLB_TOP_RUN_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/utsname.h>

#include "core/agg.h"
#include "core/collector.h"
#include "core/replay.h"
#include "top/batch.h"
#include "top/log.h"
#include "top/rows.h"
#include "top/screen.h"
#include "top/trend.h"
#include "top/tui.h"

/* The command line. */
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

/* One run of kvmslbtop: the source, the snapshots, what is shown. */
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


/* Set by SIGHUP (log mode): the loop reopens the log file. */
void top_catch_hup(void);

/* dst = a deep copy of src; 0 or -ENOMEM. */
int top_copy_agg(struct agg *dst, const struct agg *src);
top_ident_fn top_ident(const struct top_run *r);
const void *top_ident_ctx(const struct top_run *r);
/* The filter as the header shows it, from the regex and the guest. */
void top_filter_text(struct top_run *r);
/* Rows from the snapshots held (after a key or a refresh); 0 or -ENOMEM. */
int top_rebuild(struct top_run *r);
/* The live screen, if there is one. */
void top_draw(struct top_run *r);
/* Refreshes until q, a signal, -n or the end of a recording; an exit status. */
int top_loop(struct top_run *r);
/* A key on the live screen; *now: refresh at once. */
void top_key(struct top_run *r, int c, bool *now);

#endif
