/* SPDX-License-Identifier: GPL-2.0 */
/* Error and warning messages: one line naming what failed and what to do. */
#ifndef KVMSLB_MSG_H
#define KVMSLB_MSG_H

/* "kvmslb: error: ..." on stderr, or {"error": "..."} on stdout with -j. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "kvmslb: warning: ..." on stderr (never on stdout: it may hold JSON). */
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Errors and warnings use this name ("kvmslb", "kvmslb stat", ...). */
void msg_set_prog(const char *name);
const char *msg_prog_name(void);

#endif
