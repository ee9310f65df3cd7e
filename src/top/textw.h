/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text laid out by display width, not bytes: a CJK character takes two
 * columns, a combining accent none. Strings are UTF-8 (guest names were
 * made valid at identity read). A terminal whose locale is not UTF-8 (a
 * serial console with LANG=C) gets '?' for every character beyond ASCII,
 * so the columns still line up there.
 */
#ifndef KVMSLB_TOP_TEXTW_H
#define KVMSLB_TOP_TEXTW_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Take the locale from the environment. for_terminal: the text goes to a
 * terminal, which shows UTF-8 only if its locale says so; otherwise (a pipe,
 * a file) it is written as UTF-8 whatever the locale. Returns whether
 * characters beyond ASCII are written as they are.
 */
bool textw_init(bool for_terminal);
bool textw_utf8(void);

/* Display columns of s. */
int textw_width(const char *s);

/*
 * Append s to dst (NUL-terminated, dstlen bytes in all) in exactly width
 * columns: cut on a character boundary if wider, padded with spaces on the
 * right (left-aligned) or left (right-aligned). Returns the columns taken.
 */
int textw_put(char *dst, size_t dstlen, const char *s, int width, bool right);

/* The same, left-aligned, and a cut shown by an ellipsis ('~' without UTF-8). */
int textw_put_cut(char *dst, size_t dstlen, const char *s, int width);

/* Append s as it is, replacing what the terminal cannot show; its width is returned. */
int textw_cat(char *dst, size_t dstlen, const char *s);

#endif
