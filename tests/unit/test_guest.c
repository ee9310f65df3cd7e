// SPDX-License-Identifier: GPL-2.0
/* Guest identity: QEMU/libvirt -name forms, /proc/PID/stat starttime, a live process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/guest.h"

#define CMDLINE(s) s, sizeof(s) - 1

static void test_cmdline_names(void **state)
{
	char name[64];

	(void)state;
	/* libvirt */
	assert_int_equal(guest_name_from_cmdline(CMDLINE(
		"/usr/bin/qemu-system-ppc64\0-name\0guest=web1,debug-threads=on\0-S\0"),
		name, sizeof(name)), NAME_QEMU_GUEST);
	assert_string_equal(name, "web1");
	/* plain QEMU */
	assert_int_equal(guest_name_from_cmdline(CMDLINE(
		"qemu-system-ppc64\0-m\0" "2G\0-name\0web2\0"), name, sizeof(name)), NAME_QEMU);
	assert_string_equal(name, "web2");
	/* none */
	strcpy(name, "untouched");
	assert_int_equal(guest_name_from_cmdline(CMDLINE(
		"qemu-system-ppc64\0-m\0" "2G\0-nographic\0"), name, sizeof(name)), NAME_UNKNOWN);
	assert_string_equal(name, "untouched");
	/* -name as the last word, no value */
	assert_int_equal(guest_name_from_cmdline(CMDLINE("qemu\0-name\0"), name, sizeof(name)),
			 NAME_UNKNOWN);
	/* QEMU escapes a comma as ",," */
	assert_int_equal(guest_name_from_cmdline(CMDLINE("qemu\0-name\0a,,b,process=x\0"),
						 name, sizeof(name)), NAME_QEMU);
	assert_string_equal(name, "a,b");
	/* guest= after another option; and tools/slbguest's form */
	assert_int_equal(guest_name_from_cmdline(CMDLINE("qemu\0-name\0process=p,guest=db\0"),
						 name, sizeof(name)), NAME_QEMU_GUEST);
	assert_string_equal(name, "db");
	assert_int_equal(guest_name_from_cmdline(CMDLINE("slbguest\0-name\0guest=p8-few\0--vcpus\0" "1\0"),
						 name, sizeof(name)), NAME_QEMU_GUEST);
	assert_string_equal(name, "p8-few");
	/* no terminating NUL on the last word */
	assert_int_equal(guest_name_from_cmdline("q\0-name\0last", 13, name, sizeof(name)),
			 NAME_QEMU);
	assert_string_equal(name, "last");
	/* truncated to the buffer */
	assert_int_equal(guest_name_from_cmdline(CMDLINE("q\0-name\0guest=abcdefgh\0"), name, 4),
			 NAME_QEMU_GUEST);
	assert_string_equal(name, "abc");
}

static void test_starttime(void **state)
{
	(void)state;
	assert_int_equal(starttime_from_stat(
		"1234 (qemu-system-ppc) S 1 1234 1234 0 -1 4194560 1000 0 0 0 10 20 0 0 20 0 "
		"5 0 987654 123456789 500 18446744073709551615\n"), 987654);
	/* comm with spaces and parentheses */
	assert_int_equal(starttime_from_stat(
		"77 (CPU 0/KVM) (x) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0\n"), 42);
	assert_int_equal(starttime_from_stat("garbage"), 0);
	assert_int_equal(starttime_from_stat("1 (x) S 1 2 3\n"), 0);
}

static void test_live_process(void **state)
{
	struct guest_ident id;
	char comm[64];

	(void)state;
	assert_int_equal(guest_ident_read("", (uint32_t)getpid(), &id), 0);
	assert_true(id.alive);
	assert_true(id.starttime > 0);
	assert_int_equal(id.from, NAME_COMM);
	assert_string_equal(id.name, "test_guest");
	thread_comm_read("", (uint32_t)getpid(), (uint32_t)getpid(), comm, sizeof(comm));
	assert_string_equal(comm, "test_guest");
	/* a pid that does not exist */
	assert_true(guest_ident_read("", 0x7ffffff0, &id) < 0);
	assert_false(id.alive);
	assert_string_equal(id.name, "pid 2147483632");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_names),
		cmocka_unit_test(test_starttime),
		cmocka_unit_test(test_live_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
