// SPDX-License-Identifier: GPL-2.0
/* Names from outside made safe: valid UTF-8, no control characters, cut whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/guest.h"
#include "core/text.h"

#define R TEXT_REPLACEMENT

static void check(const char *in, size_t inlen, size_t dstlen, const char *want)
{
	char out[256];

	assert_true(dstlen <= sizeof(out));
	assert_int_equal(text_sanitize(out, dstlen, in, inlen), strlen(want));
	assert_string_equal(out, want);
	assert_true(text_is_clean(out, strlen(out)));
}

static void test_valid_kept(void **state)
{
	(void)state;
	check("web-1", 5, 64, "web-1");
	check("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xa7", 18, 64,
	      "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xa7");
	/* stops at a NUL before srclen */
	check("ab\0cd", 5, 64, "ab");
}

static void test_invalid_replaced(void **state)
{
	(void)state;
	/* a stray continuation byte, a lone lead byte, 0xff */
	check("a\x80z", 3, 64, "a" R "z");
	check("a\xc3z", 3, 64, "a" R "z");
	check("\xff", 1, 64, R);
	/* overlong '/', a UTF-16 surrogate, a code point over U+10FFFF */
	check("\xc0\xaf", 2, 64, R R);
	check("\xed\xa0\x80", 3, 64, R R R);
	check("\xf4\x90\x80\x80", 4, 64, R R R R);
	/* a sequence cut by the end of the input */
	check("ok\xe6\x97", 4, 64, "ok" R R);
}

static void test_controls_replaced(void **state)
{
	(void)state;
	/* newline, ESC (ANSI sequences), DEL, C1 (U+009B is the 8-bit CSI) */
	check("a\nb", 3, 64, "a" R "b");
	check("\x1b[31mred", 8, 64, R "[31mred");
	check("x\x7fy", 3, 64, "x" R "y");
	check("x\xc2\x9by", 4, 64, "x" R "y");
	/* tab is a control character too: it would shift columns */
	check("a\tb", 3, 64, "a" R "b");
}

static void test_cut_on_boundary(void **state)
{
	(void)state;
	/* "ab" + 3-byte character: 5 bytes of room holds "ab" only (NUL included) */
	check("ab\xe6\x97\xa5", 5, 5, "ab");
	check("ab\xe6\x97\xa5", 5, 6, "ab\xe6\x97\xa5");
	/* a replacement character that does not fit is left out */
	check("abc\xff", 4, 6, "abc");
	assert_int_equal(text_cut("ab\xe6\x97\xa5z", 4), 2);
	assert_int_equal(text_cut("ab\xe6\x97\xa5z", 5), 5);
	assert_int_equal(text_cut("abc", 10), 3);
}

/* A 127-byte name limit must not cut a character, whatever the input. */
static void test_guest_name_long_multibyte(void **state)
{
	char cmd[600], name[128];
	size_t n = 0;

	(void)state;
	n += sprintf(cmd, "qemu") + 1;
	n += sprintf(cmd + n, "-name") + 1;
	n += sprintf(cmd + n, "guest=");
	for (int i = 0; i < 60; i++)	/* 180 bytes of U+65E5 */
		n += sprintf(cmd + n, "\xe6\x97\xa5");
	cmd[n++] = '\0';
	assert_int_equal(guest_name_from_cmdline(cmd, n, name, sizeof(name)), NAME_QEMU_GUEST);
	assert_int_equal(strlen(name), 126);	/* 42 whole characters */
	assert_true(text_is_clean(name, strlen(name)));
}

static void test_guest_name_bad_bytes(void **state)
{
	static const char cmd[] = "qemu\0-name\0guest=vm\xff\x1b[2J,debug-threads=on\0";
	char name[128];

	(void)state;
	assert_int_equal(guest_name_from_cmdline(cmd, sizeof(cmd) - 1, name, sizeof(name)),
			 NAME_QEMU_GUEST);
	assert_string_equal(name, "vm" R R "[2J");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_kept),
		cmocka_unit_test(test_invalid_replaced),
		cmocka_unit_test(test_controls_replaced),
		cmocka_unit_test(test_cut_on_boundary),
		cmocka_unit_test(test_guest_name_long_multibyte),
		cmocka_unit_test(test_guest_name_bad_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
