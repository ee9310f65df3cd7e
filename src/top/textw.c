// SPDX-License-Identifier: GPL-2.0
#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "top/textw.h"

static bool utf8_out = true;	/* characters beyond ASCII written as they are */
static bool have_wcwidth;	/* a UTF-8 LC_CTYPE: wcwidth() knows the widths */

static bool codeset_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

bool textw_init(bool for_terminal)
{
	setlocale(LC_ALL, "");
	have_wcwidth = codeset_utf8();
	utf8_out = have_wcwidth || !for_terminal;
	/* for widths only: the bytes written do not depend on LC_CTYPE */
	if (!have_wcwidth && !for_terminal && setlocale(LC_CTYPE, "C.UTF-8"))
		have_wcwidth = codeset_utf8();
	return utf8_out;
}

bool textw_utf8(void)
{
	return utf8_out;
}

/* The character at s: its length in bytes (0 at the end) and columns. */
static size_t next_char(const char *s, int *cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = 1;
	uint32_t cp = u[0];
	int w;

	if (!cp)
		return 0;
	if (cp >= 0xf0)
		len = 4, cp &= 0x07;
	else if (cp >= 0xe0)
		len = 3, cp &= 0x0f;
	else if (cp >= 0xc0)
		len = 2, cp &= 0x1f;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			/* not UTF-8 after all: one byte, one column */
			*cols = 1;
			return 1;
		}
		cp = cp << 6 | (u[i] & 0x3f);
	}
	if (cp < 0x80 || !utf8_out) {
		*cols = 1;
		return len;
	}
	w = have_wcwidth ? wcwidth((wchar_t)cp) : 1;
	*cols = w < 0 ? 1 : w;
	return len;
}

int textw_width(const char *s)
{
	int total = 0, w;
	size_t len;

	while ((len = next_char(s, &w))) {
		total += w;
		s += len;
	}
	return total;
}

/* Append one character (or '?' for it), if it fits. */
static bool append(char *dst, size_t dstlen, size_t *at, const char *c, size_t len)
{
	if (!utf8_out && (unsigned char)c[0] >= 0x80) {
		c = "?";
		len = 1;
	}
	if (*at + len + 1 > dstlen)
		return false;
	memcpy(dst + *at, c, len);
	*at += len;
	dst[*at] = '\0';
	return true;
}

static void pad(char *dst, size_t dstlen, size_t *at, int n)
{
	while (n-- > 0 && append(dst, dstlen, at, " ", 1))
		;
}

int textw_put(char *dst, size_t dstlen, const char *s, int width, bool right)
{
	size_t at = strlen(dst), len;
	int used = 0, w, shown;
	const char *p = s;

	/* how much of s fits */
	while ((len = next_char(p, &w)) && used + w <= width) {
		used += w;
		p += len;
	}
	shown = used;
	if (right)
		pad(dst, dstlen, &at, width - shown);
	for (const char *q = s; q < p; q += len) {
		len = next_char(q, &w);
		if (!append(dst, dstlen, &at, q, len))
			return 0;
	}
	if (!right)
		pad(dst, dstlen, &at, width - shown);
	return width;
}

int textw_put_cut(char *dst, size_t dstlen, const char *s, int width)
{
	if (width < 2 || textw_width(s) <= width)
		return textw_put(dst, dstlen, s, width, false);
	textw_put(dst, dstlen, s, width - 1, false);
	/* a wide character that did not fit left a space: the mark goes after it */
	textw_cat(dst, dstlen, utf8_out ? "\u2026" : "~");
	return width;
}

int textw_cat(char *dst, size_t dstlen, const char *s)
{
	size_t at = strlen(dst), len;
	int used = 0, w;

	while ((len = next_char(s, &w))) {
		if (!append(dst, dstlen, &at, s, len))
			break;
		used += w;
		s += len;
	}
	return used;
}
