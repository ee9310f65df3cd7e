// SPDX-License-Identifier: GPL-2.0
/* export: the Accept header's choice of format, and --listen addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "export/http.h"
#include "export/listen.h"

#define OM PROM_OPENMETRICS
#define TEXT PROM_TEXT

static void test_negotiate(void **state)
{
	(void)state;
	assert_int_equal(http_negotiate(NULL), TEXT);
	assert_int_equal(http_negotiate(""), TEXT);
	assert_int_equal(http_negotiate("*/*"), TEXT);
	/* what Prometheus 2.42 sends */
	assert_int_equal(http_negotiate("application/openmetrics-text;version=1.0.0,"
					"application/openmetrics-text;version=0.0.1;q=0.75,"
					"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"), OM);
	assert_int_equal(http_negotiate("application/openmetrics-text"), OM);
	assert_int_equal(http_negotiate("Application/OpenMetrics-Text; Version=\"1.0.0\""), OM);
	/* q=0 means not acceptable */
	assert_int_equal(http_negotiate("application/openmetrics-text;q=0"), TEXT);
	assert_int_equal(http_negotiate("application/openmetrics-text; q=0.0, text/plain"), TEXT);
	/* the higher q wins; on a tie, the first listed */
	assert_int_equal(http_negotiate("text/plain;q=0.4, application/openmetrics-text;q=0.5"), OM);
	assert_int_equal(http_negotiate("application/openmetrics-text;q=0.5, text/plain;q=0.9"), TEXT);
	assert_int_equal(http_negotiate("text/plain, application/openmetrics-text"), TEXT);
	assert_int_equal(http_negotiate("application/openmetrics-text, text/plain"), OM);
	/* versions kvmslb does not write */
	assert_int_equal(http_negotiate("application/openmetrics-text;version=2.0.0"), TEXT);
	assert_int_equal(http_negotiate("text/plain;version=1.0.0, application/openmetrics-text;q=0.1"), OM);
	/* garbage is not OpenMetrics */
	assert_int_equal(http_negotiate(";;;,,q=1,application/json"), TEXT);
	assert_int_equal(http_negotiate("application/openmetrics-text;q=abc"), TEXT);
}

static const char *addr(const char *arg)
{
	static struct listen_addr a;
	static char err[256];

	if (listen_addr_parse(arg, &a, err, sizeof(err)))
		return err;
	return a.text;
}

static void test_listen_addr(void **state)
{
	(void)state;
	/* the default is loopback; every interface must be asked for */
	assert_string_equal(addr(":9466"), "127.0.0.1:9466");
	assert_string_equal(addr("0.0.0.0:9466"), "0.0.0.0:9466");
	assert_string_equal(addr("[::]:9466"), "[::]:9466");
	assert_string_equal(addr("[::1]:9466"), "[::1]:9466");
	assert_string_equal(addr("localhost:9466"), "127.0.0.1:9466");
	assert_string_equal(addr("127.0.0.1:0"), "127.0.0.1:0");
	assert_non_null(strstr(addr("9466"), "want HOST:PORT"));
	assert_non_null(strstr(addr("127.0.0.1:"), "want HOST:PORT"));
	assert_non_null(strstr(addr("127.0.0.1:65536"), "want HOST:PORT"));
	assert_non_null(strstr(addr("127.0.0.1:-1"), "want HOST:PORT"));
	assert_non_null(strstr(addr("::1:9466"), "in brackets"));
	assert_non_null(strstr(addr("[localhost]:9466"), "not an IPv6 address"));
	/* not a host name at all: refused without asking DNS */
	assert_non_null(strstr(addr("bad!host:9466"), "cannot resolve 'bad!host'"));
}

static void test_listen_errors(void **state)
{
	struct listen_addr a, b;
	char err[256];
	int fd, fd2;

	(void)state;
	assert_int_equal(listen_addr_parse("127.0.0.1:0", &a, err, sizeof(err)), 0);
	fd = listen_open(&a, err, sizeof(err));
	assert_true(fd >= 0);
	/* the port the kernel chose is in the text */
	assert_string_not_equal(a.text, "127.0.0.1:0");
	assert_int_equal(listen_addr_parse(a.text, &b, err, sizeof(err)), 0);
	fd2 = listen_open(&b, err, sizeof(err));
	assert_true(fd2 < 0);
	assert_non_null(strstr(err, "the port is in use"));
	close(fd);
	/* an address of no interface here (TEST-NET-1) */
	assert_int_equal(listen_addr_parse("192.0.2.1:9466", &b, err, sizeof(err)), 0);
	assert_true(listen_open(&b, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "no interface of this host has that address"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_listen_addr),
		cmocka_unit_test(test_listen_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
