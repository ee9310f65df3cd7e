// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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

/*
 * Read-ahead (rd_file): a thread preads the next chunk into a spare buffer,
 * at RD_AHEAD_HEAD, while the caller parses the current one; taking it,
 * the caller copies what it has not consumed in front of it and swaps the
 * buffers. One chunk at most is asked for or waiting at any time.
 */
#define RD_AHEAD_HEAD	(64U << 10)	/* room for the end of the last chunk */
#define RD_AHEAD_CHUNK	(1U << 20)

struct rd_ahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;
	uint64_t foff, left;	/* the next offset to read, bytes left */
	uint8_t *spare;		/* filled at RD_AHEAD_HEAD while asked for */
	size_t spare_cap;
	size_t got;		/* the chunk: 0 at the end of the part */
	int err;		/* errno of a failed read */
	bool want, ready, quit;
};

/* One chunk from the file: its length, 0 at the end; *err on failure. */
static size_t ahead_read(struct rd_ahead *a, uint8_t *dst, uint64_t *foff, uint64_t *left,
			 int *err)
{
	size_t got = 0;

	while (got < RD_AHEAD_CHUNK && *left) {
		size_t room = RD_AHEAD_CHUNK - got;
		ssize_t n;

		if (room > *left)
			room = *left;
		n = pread(a->fd, dst + got, room, *foff);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			break;
		}
		if (!n) {
			*left = 0;	/* shorter than said: the end, as in rd_fill */
			break;
		}
		got += n;
		*foff += n;
		*left -= n;
	}
	return got;
}

static void *ahead_main(void *arg)
{
	struct rd_ahead *a = arg;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		uint64_t foff, left;
		uint8_t *dst;
		size_t got;
		int err = 0;

		while (!a->want && !a->quit)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->quit)
			break;
		a->want = false;
		dst = a->spare + RD_AHEAD_HEAD;
		foff = a->foff;
		left = a->left;
		pthread_mutex_unlock(&a->lock);
		got = ahead_read(a, dst, &foff, &left, &err);
		pthread_mutex_lock(&a->lock);
		a->foff = foff;
		a->left = left;
		a->got = got;
		a->err = err;
		a->ready = true;
		pthread_cond_broadcast(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void ahead_ask(struct rd_ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->want = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

/* Wait for the chunk asked for: its length (0: the end); *err on failure. */
static size_t ahead_take(struct rd_ahead *a, int *err)
{
	size_t got;

	pthread_mutex_lock(&a->lock);
	while (!a->ready)
		pthread_cond_wait(&a->cond, &a->lock);
	a->ready = false;
	got = a->got;
	*err = a->err;
	pthread_mutex_unlock(&a->lock);
	return got;
}

static void ahead_stop(struct rd *r)
{
	struct rd_ahead *a = r->ahead;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->quit = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	free(a->spare);
	free(a);
	r->ahead = NULL;
}

/* Start reading ahead; without memory or a thread, rd_fill reads in line. */
static void ahead_start(struct rd *r)
{
	size_t cap = RD_AHEAD_HEAD + RD_AHEAD_CHUNK;
	struct rd_ahead *a = calloc(1, sizeof(*a));
	sigset_t all, old;
	uint8_t *b;
	int err;

	if (!a)
		return;
	a->spare = malloc(cap);
	if (!a->spare)
		goto fail;
	if (r->cap < cap) {
		b = realloc(r->buf, cap);
		if (!b)
			goto fail;
		r->buf = b;
		r->p = r->end = b;
		r->cap = cap;
	}
	a->spare_cap = cap;
	a->fd = r->fd;
	a->foff = r->foff;
	a->left = r->left;
	a->want = true;		/* the first chunk now */
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	/* signals are for the caller's thread (SIGINT, SIGPIPE) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&a->thread, NULL, ahead_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->cond);
		goto fail;
	}
	r->ahead = a;
	return;
fail:
	free(a->spare);
	free(a);
}

static const uint8_t *fill_ahead(struct rd *r, size_t n)
{
	struct rd_ahead *a = r->ahead;
	size_t have = r->end - r->p;

	while (have < n && !r->eof) {
		int err = 0;
		size_t got = ahead_take(a, &err);

		if (err) {
			r->err = err;
			r->eof = true;
			return NULL;
		}
		if (!got) {
			r->eof = true;
			break;
		}
		if (have <= RD_AHEAD_HEAD) {
			uint8_t *b = r->buf;
			size_t cap = r->cap;

			memcpy(a->spare + RD_AHEAD_HEAD - have, r->p, have);
			r->buf = a->spare;
			r->cap = a->spare_cap;
			a->spare = b;
			a->spare_cap = cap;
			r->p = r->buf + RD_AHEAD_HEAD - have;
		} else {
			/* a request longer than the head room: gather in one buffer */
			if (r->p != r->buf)
				memmove(r->buf, r->p, have);
			r->p = r->buf;
			if (have + got > r->cap) {
				size_t cap = r->cap;
				uint8_t *b;

				while (cap < have + got)
					cap *= 2;
				b = realloc(r->buf, cap);
				if (!b) {
					r->err = ENOMEM;
					r->end = r->buf + have;
					return NULL;
				}
				r->buf = b;
				r->p = b;
				r->cap = cap;
			}
			memcpy(r->buf + have, a->spare + RD_AHEAD_HEAD, got);
		}
		have += got;
		r->end = r->p + have;
		ahead_ask(a);
	}
	return have >= n ? r->p : NULL;
}

int rd_file(struct rd *r, int fd, uint64_t off, uint64_t len)
{
	bool swap = r->swap;
	int err;

	ahead_stop(r);
	err = r->buf && r->fd == fd ? 0 : (rd_free(r), rd_stream(r, fd));
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
	if (len >= RD_AHEAD_MIN)
		ahead_start(r);
	return 0;
}

void rd_free(struct rd *r)
{
	ahead_stop(r);
	free(r->buf);
	r->buf = NULL;
	r->p = r->end = NULL;
}

const uint8_t *rd_fill(struct rd *r, size_t n)
{
	size_t have = r->end - r->p;

	if (r->fd < 0 || n > RD_MAX_NEED)
		return NULL;
	if (r->ahead)
		return fill_ahead(r, n);
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
