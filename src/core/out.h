/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output that reaches its destination or says why not: a full disk or
 * /dev/full is a runtime failure (exit 1) with the system's message, never
 * a silently truncated file with exit status 0.
 */
#ifndef KVMSLB_OUT_H
#define KVMSLB_OUT_H

#include <stdio.h>

/*
 * Flush f and check its error flag. On failure print one line,
 * "error: writing WHAT: <strerror>", the first time only, and return
 * -errno (-EIO when the stream lost the error's cause); else 0.
 */
int out_flush(FILE *f, const char *what);

#endif
