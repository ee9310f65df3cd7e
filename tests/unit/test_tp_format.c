// SPDX-License-Identifier: GPL-2.0
/* Tracepoint field offsets from tracefs format files (libtraceevent). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/tp_format.h"

/* As captured on Debian 12 x86_64, kernel 6.18 (this project's dev machine). */
static const char sys_enter_fmt[] =
	"name: sys_enter\n"
	"ID: 443\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n"
	"\n"
	"print fmt: \"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)\", REC->id, REC->args[0], "
	"REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]\n";

static char *fixture(const char *name, size_t *len)
{
	const char *root = getenv("KVMSLB_ROOT");
	char path[1024];
	FILE *f;
	char *buf = calloc(1, 65536);

	snprintf(path, sizeof(path), "%s/tests/fixtures/tracefs-6.1.0-50-powerpc64le/%s",
		 root ? root : ".", name);
	f = fopen(path, "r");
	assert_non_null(f);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void test_debian_ppc64el_formats(void **state)
{
	struct tp_field f;
	char err[256];
	size_t len;
	char *text;

	(void)state;
	/* kvm_guest_exit on Debian's 6.1 ppc64el kernel: int trap @12 */
	text = fixture("kvm_guest_exit.format", &len);
	assert_int_equal(tp_format_field(text, len, "kvm_hv", "trap", &f, err, sizeof(err)), 0);
	assert_int_equal(f.offset, 12);
	assert_int_equal(f.size, 4);
	assert_true(f.is_signed);
	assert_int_equal(tp_format_field(text, len, "kvm_hv", "ceded", &f, err, sizeof(err)), 0);
	assert_int_equal(f.offset, 32);
	assert_int_equal(f.size, 1);
	assert_int_equal(tp_format_field(text, len, "kvm_hv", "nope", &f, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no field 'nope'"));
	free(text);

	text = fixture("kvm_page_fault_exit.format", &len);
	assert_int_equal(tp_format_field(text, len, "kvm_hv", "ret", &f, err, sizeof(err)), 0);
	assert_int_equal(f.offset, 32);
	assert_int_equal(f.size, 8);
	assert_true(f.is_signed);
	free(text);

	text = fixture("kvm_page_fault_enter.format", &len);
	assert_int_equal(tp_format_field(text, len, "kvm_hv", "dsisr", &f, err, sizeof(err)), 0);
	assert_int_equal(f.offset, 60);
	assert_int_equal(f.size, 4);
	assert_false(f.is_signed);
	free(text);
}

static void test_x86_sys_enter(void **state)
{
	struct tp_field f;
	char err[256];

	(void)state;
	assert_int_equal(tp_format_field(sys_enter_fmt, sizeof(sys_enter_fmt) - 1, "raw_syscalls",
					 "id", &f, err, sizeof(err)), 0);
	assert_int_equal(f.offset, 8);
	assert_int_equal(f.size, 8);
	/* an array is not a scalar field */
	assert_int_equal(tp_format_field(sys_enter_fmt, sizeof(sys_enter_fmt) - 1, "raw_syscalls",
					 "args", &f, err, sizeof(err)), -EINVAL);
	/* without the print fmt line too */
	assert_int_equal(tp_format_field(sys_enter_fmt, 430, "raw_syscalls", "id", &f, err,
					 sizeof(err)), 0);
}

static void test_garbage(void **state)
{
	static const char junk[] = "this is not a format file\n";
	struct tp_field f;
	char err[256];

	(void)state;
	assert_int_equal(tp_format_field(junk, sizeof(junk) - 1, "x", "id", &f, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(tp_format_field("", 0, "x", "id", &f, err, sizeof(err)), -EINVAL);
	assert_true(tp_field_from_tracefs("/nonexistent", "kvm_hv", "kvm_guest_exit", "trap", &f,
					  err, sizeof(err)) == -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/events/kvm_hv/kvm_guest_exit/format"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_ppc64el_formats),
		cmocka_unit_test(test_x86_sys_enter),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
