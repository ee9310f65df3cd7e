/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text that came from outside (guest names from -name or comm, comms from
 * recordings) made safe for every output: valid UTF-8, no control
 * characters, cut at a character boundary. Every front end prints names
 * that went through here, so none of them needs its own filter.
 */
#ifndef KVMSLB_TEXT_H
#define KVMSLB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* U+FFFD, what an invalid byte or a control character becomes. */
#define TEXT_REPLACEMENT "\xef\xbf\xbd"

/*
 * Copy src[0..srclen) (stops at a NUL) into dst[dstlen], NUL-terminated:
 * ill-formed UTF-8 (stray continuation bytes, overlong forms, surrogates,
 * code points over U+10FFFF, truncated sequences) and control characters
 * (C0, DEL, C1) each become U+FFFD; a character that does not fit whole is
 * left out. Returns the length written. dstlen must be at least 1.
 */
size_t text_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

/* True if s[0..len) is well-formed UTF-8 without control characters. */
bool text_is_clean(const char *s, size_t len);

/* Length of the longest prefix of s (well-formed UTF-8) of at most max bytes
 * that ends on a character boundary. */
size_t text_cut(const char *s, size_t max);

#endif
