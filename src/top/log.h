/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmslbtop -L FILE: for long watches, one line per guest and interval
 * appended to FILE (CSV with a header line, or JSON lines with -j).
 * SIGHUP reopens FILE, so logrotate can move it away.
 */
#ifndef KVMSLB_TOP_LOG_H
#define KVMSLB_TOP_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "top/rows.h"

struct top_log;

/* NULL with err set if FILE cannot be opened for appending. */
struct top_log *top_log_open(const char *path, bool json, char *err, size_t errlen);
/* Reopen the file (after SIGHUP); 0 or -errno with err set. */
int top_log_reopen(struct top_log *l, char *err, size_t errlen);
/*
 * The rows of one interval ending at wall time 'now' (seconds since the
 * epoch). Exited guests with nothing in the interval are left out.
 * 0, or -errno with err set (a write error is a runtime failure).
 */
int top_log_write(struct top_log *l, double now, double interval_s, const char *source,
		  const struct top_row *rows, int n, char *err, size_t errlen);
void top_log_close(struct top_log *l);

#endif
