// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <string.h>

#include "core/text.h"

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0 if
 * it is ill-formed (Unicode 15, table 3-7). *cp gets the code point.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

size_t text_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, out = 0;

	srclen = strnlen(src, srclen);
	while (i < srclen) {
		uint32_t cp;
		size_t len = utf8_seq(s + i, srclen - i, &cp);
		const char *piece = (const char *)s + i;
		size_t plen = len;

		if (!len || is_control(cp)) {
			piece = TEXT_REPLACEMENT;
			plen = sizeof(TEXT_REPLACEMENT) - 1;
			len = len ? len : 1;
		}
		if (out + plen + 1 > dstlen)
			break;
		memcpy(dst + out, piece, plen);
		out += plen;
		i += len;
	}
	dst[out] = '\0';
	return out;
}

bool text_is_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_seq(u + i, len - i, &cp);

		if (!n || is_control(cp))
			return false;
		i += n;
	}
	return true;
}

size_t text_cut(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n <= max)
		return n;
	n = max;
	/* back off continuation bytes to the start of the cut character */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}
