// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "record/rd.h"

/* Small enough that what a read copies in is still in cache when it is parsed. */
#define RD_START_CAP	(128U << 10)
/* A pipe: room for all a 1 MiB pipe holds. */
#define RD_PIPE_CAP	(1U << 20)

void rd_mem(struct rd *r, const void *buf, size_t len, uint64_t pos)
{
	bool swap = r->swap;

	memset(r, 0, sizeof(*r));
	r->p = buf;
	r->end = r->p + len;
	r->pos = pos;
	r->swap = swap;
	r->fd = -1;
	r->eof = true;
}

int rd_stream(struct rd *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->buf = malloc(RD_START_CAP);
	if (!r->buf)
		return -ENOMEM;
	r->cap = RD_START_CAP;
	r->p = r->end = r->buf;
	r->fd = fd;
	return 0;
}

int rd_file(struct rd *r, int fd, uint64_t off, uint64_t len)
{
	bool swap = r->swap;
	int err = r->buf && r->fd == fd ? 0 : (rd_free(r), rd_stream(r, fd));

	if (err)
		return err;
	r->p = r->end = r->buf;
	r->swap = swap;
	r->eof = false;
	r->err = 0;
	r->file = true;
	r->foff = off;
	r->left = len;
	r->pos = off;
	return 0;
}

void rd_free(struct rd *r)
{
	free(r->buf);
	r->buf = NULL;
	r->p = r->end = NULL;
}

const uint8_t *rd_fill(struct rd *r, size_t n)
{
	size_t have = r->end - r->p;

	if (r->fd < 0 || n > RD_MAX_NEED)
		return NULL;
	if (r->p != r->buf) {
		memmove(r->buf, r->p, have);
		r->p = r->buf;
		r->end = r->buf + have;
	}
	if (n > r->cap || (r->batch && r->cap < RD_PIPE_CAP)) {
		size_t cap = r->cap;
		uint8_t *b;

		while (cap < n || (r->batch && cap < RD_PIPE_CAP))
			cap *= 2;
		b = realloc(r->buf, cap);
		if (!b) {
			r->err = ENOMEM;
			return NULL;
		}
		r->buf = b;
		r->p = b;
		r->end = b + have;
		r->cap = cap;
	}
	while (have < n && !r->eof) {
		size_t room = r->cap - have;
		ssize_t got;

		if (r->file && room > r->left)
			room = r->left;
		got = !room ? 0 : r->file ? pread(r->fd, r->buf + have, room, r->foff) :
			read(r->fd, r->buf + have, room);
		/*
		 * A pipe that gave less than a quarter of what it holds: let
		 * the writer fill it for a moment rather than wake us for each
		 * of its writes (perf script writes 4 KiB at a time; every
		 * wakeup costs it more than the write). 1 ms: a 1 MiB pipe
		 * takes 10 ms to fill at 100 MB/s, which leaves room for our
		 * own wait for a CPU on a busy machine; longer naps, adapted
		 * to the writer's rate, made perf script block on a full pipe
		 * ten times as often (measured).
		 */
		if (r->batch && got > 0 && (size_t)got < r->pipe_size / 4)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r->err = errno;
			return NULL;
		}
		if (!got)
			r->eof = true;
		if (r->file) {
			r->foff += got;
			r->left -= got;
		}
		have += got;
		r->end = r->buf + have;
	}
	return have >= n ? r->p : NULL;
}

bool rd_skip(struct rd *r, uint64_t n)
{
	while (n) {
		size_t have = rd_avail(r), take;

		if (!have && !rd_peek(r, 1))
			return false;
		have = rd_avail(r);
		take = n < have ? n : have;
		rd_eat(r, take);
		n -= take;
	}
	return true;
}
