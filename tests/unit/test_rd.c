// SPDX-License-Identifier: GPL-2.0
/*
 * record/rd.c on files: the bytes a reader gets through rd_peek/rd_eat are
 * the file's, at the offsets it says, whether the part is read in line or
 * ahead by the second thread (parts of RD_AHEAD_MIN bytes and more), for
 * record-sized and very long requests, a file shorter than said, a second
 * part on the same rd and a reader that stops half-way.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "record/rd.h"

#define FILE_LEN	(9U << 20)

/* The byte at offset i: not periodic at any power of two. */
static uint8_t byte_at(uint64_t i)
{
	uint64_t x = i * 0x9E3779B97F4A7C15ull;

	return (uint8_t)(x >> 56 ^ x >> 23);
}

static int make_file(void)
{
	char path[] = "/tmp/kvmslb-test-rd.XXXXXX";
	int fd = mkstemp(path);
	uint8_t *b = malloc(FILE_LEN);

	assert_true(fd >= 0);
	assert_non_null(b);
	unlink(path);
	for (uint64_t i = 0; i < FILE_LEN; i++)
		b[i] = byte_at(i);
	assert_int_equal(write(fd, b, FILE_LEN), FILE_LEN);
	free(b);
	return fd;
}

static void check_bytes(const uint8_t *p, uint64_t pos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != byte_at(pos + i))
			fail_msg("byte at offset %llu: %u, want %u", (unsigned long long)(pos + i),
				 p[i], byte_at(pos + i));
}

/*
 * Read [off, off + len) through rd with requests of the sizes a perf.data
 * reader makes (8 bytes to 64 KiB) and, every so often, long ones; return
 * the bytes consumed. stop_at: give up after that many bytes.
 */
static uint64_t read_through(struct rd *r, uint64_t off, uint64_t stop_at)
{
	static const size_t longs[] = { 70000, 1U << 20, 3U << 20, RD_MAX_NEED };
	uint64_t seed = 1, done = 0;
	int k = 0;

	for (;;) {
		size_t want, eat;
		const uint8_t *p;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		want = 8 + (seed >> 33) % 65528;
		if ((seed >> 20) % 97 == 0)
			want = longs[k++ % 4];
		p = rd_peek(r, want);
		if (!p) {
			/* the end: what is left is shorter than asked */
			assert_int_equal(r->err, 0);
			assert_true(rd_avail(r) < want);
			p = rd_avail(r) ? rd_peek(r, rd_avail(r)) : NULL;
			if (p)
				check_bytes(p, r->pos, rd_avail(r));
			done += rd_avail(r);
			rd_eat(r, rd_avail(r));
			return done;
		}
		assert_int_equal(r->pos, off + done);
		check_bytes(p, r->pos, want);
		eat = want - (seed >> 40) % (want / 2 + 1);
		rd_eat(r, eat);
		done += eat;
		if (done >= stop_at)
			return done;
	}
}

static void test_in_line(void **state)
{
	struct rd r = { .fd = -1 };
	int fd = make_file();

	(void)state;
	assert_int_equal(rd_file(&r, fd, 4321, RD_AHEAD_MIN - 1), 0);
	assert_null(r.ahead);
	assert_int_equal(read_through(&r, 4321, UINT64_MAX), RD_AHEAD_MIN - 1);
	rd_free(&r);
	close(fd);
}

static void test_ahead(void **state)
{
	struct rd r = { .fd = -1 };
	int fd = make_file();
	uint64_t len = FILE_LEN - 4321 - 77;

	(void)state;
	assert_int_equal(rd_file(&r, fd, 4321, len), 0);
	assert_non_null(r.ahead);
	assert_int_equal(read_through(&r, 4321, UINT64_MAX), len);
	assert_null(rd_peek(&r, 1));
	/* a second part on the same rd, read ahead again */
	assert_int_equal(rd_file(&r, fd, 1, FILE_LEN - 1), 0);
	assert_non_null(r.ahead);
	assert_int_equal(read_through(&r, 1, UINT64_MAX), FILE_LEN - 1);
	rd_free(&r);
	close(fd);
}

static void test_ahead_short_file(void **state)
{
	struct rd r = { .fd = -1 };
	int fd = make_file();

	(void)state;
	/* the header says more than the file holds: the bytes there are, then the end */
	assert_int_equal(rd_file(&r, fd, 100, FILE_LEN), 0);
	assert_non_null(r.ahead);
	assert_int_equal(read_through(&r, 100, UINT64_MAX), FILE_LEN - 100);
	rd_free(&r);
	close(fd);
}

static void test_ahead_stop_early(void **state)
{
	struct rd r = { .fd = -1 };
	int fd = make_file();
	uint64_t done;

	(void)state;
	assert_int_equal(rd_file(&r, fd, 0, FILE_LEN), 0);
	done = read_through(&r, 0, 2U << 20);
	assert_true(done >= 2U << 20 && done < FILE_LEN);
	rd_free(&r);	/* joins the thread, maybe in the middle of a chunk */
	assert_null(r.ahead);
	close(fd);
}

static void test_ahead_read_error(void **state)
{
	struct rd r = { .fd = -1 };
	int fd = make_file();

	(void)state;
	assert_int_equal(rd_file(&r, fd, 0, FILE_LEN), 0);
	/* reads fail from the next chunk on: the caller sees the errno */
	close(fd);
	while (rd_peek(&r, 4096))
		rd_eat(&r, 4096);
	assert_int_equal(r.err, EBADF);
	rd_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_line),
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_ahead_short_file),
		cmocka_unit_test(test_ahead_stop_early),
		cmocka_unit_test(test_ahead_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
