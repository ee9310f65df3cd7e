/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bytes of an untrusted input, in the recording host's byte order: a file
 * in memory or a stream (a pipe) read through a bounded buffer. Readers ask
 * for n contiguous bytes (rd_peek) and consume them (rd_eat); a stream
 * refills, memory simply ends. Memory stays bounded whatever the input.
 */
#ifndef KVMSLB_RD_H
#define KVMSLB_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The most a stream may be asked for at once (the buffer's ceiling). */
#define RD_MAX_NEED	(4U << 20)
/* rd_file: parts at least this long are read ahead by a second thread. */
#define RD_AHEAD_MIN	(4U << 20)

struct rd_ahead;

struct rd {
	const uint8_t *p, *end;		/* bytes available */
	uint64_t pos;			/* input offset of p */
	bool swap;			/* the input's byte order differs from ours */
	/* streams only */
	int fd;				/* -1 for memory */
	uint8_t *buf;
	size_t cap;
	bool eof;
	int err;			/* errno of a failed read */
	uint64_t foff, left;		/* rd_file: next offset to read, bytes left */
	bool file;
	bool batch;			/* a pipe: read in large batches (see rd_fill) */
	uint32_t pipe_size;		/* its capacity */
	struct rd_ahead *ahead;		/* rd_file: the read-ahead thread, or NULL */
};

/* Memory: buf[0..len), its first byte at input offset pos. */
void rd_mem(struct rd *r, const void *buf, size_t len, uint64_t pos);
/* A stream from fd; 0 or -ENOMEM. rd_free() releases it. */
int rd_stream(struct rd *r, int fd);
/*
 * len bytes of file fd from offset off, read sequentially (pread); 0 or
 * -errno. From RD_AHEAD_MIN bytes on, a second thread reads the next
 * chunk while the caller parses this one (the copy out of the page cache
 * was a fifth of report's time); memory stays two chunks.
 */
int rd_file(struct rd *r, int fd, uint64_t off, uint64_t len);
void rd_free(struct rd *r);

/* Refill for rd_peek: NULL at the end of input or on a read error (r->err). */
const uint8_t *rd_fill(struct rd *r, size_t n);

/* n contiguous bytes at the current position, or NULL if the input ends first. */
static inline const uint8_t *rd_peek(struct rd *r, size_t n)
{
	if ((size_t)(r->end - r->p) >= n)
		return r->p;
	return rd_fill(r, n);
}

static inline size_t rd_avail(const struct rd *r)
{
	return r->end - r->p;
}

/* Consume n bytes that rd_peek returned. */
static inline void rd_eat(struct rd *r, size_t n)
{
	r->p += n;
	r->pos += n;
}

/* Consume n bytes, reading through a stream; false if the input ends first. */
bool rd_skip(struct rd *r, uint64_t n);

static inline uint16_t rd_16(const struct rd *r, const void *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

static inline uint32_t rd_32(const struct rd *r, const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static inline uint64_t rd_64(const struct rd *r, const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return r->swap ? __builtin_bswap64(v) : v;
}

/* A field of 1, 2, 4 or 8 bytes, sign-extended if asked. */
static inline uint64_t rd_field(bool swap, const uint8_t *p, unsigned int size, bool is_signed)
{
	uint64_t v;

	switch (size) {
	case 1:
		return is_signed ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		x = swap ? __builtin_bswap16(x) : x;
		return is_signed ? (uint64_t)(int64_t)(int16_t)x : x;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		x = swap ? __builtin_bswap32(x) : x;
		return is_signed ? (uint64_t)(int64_t)(int32_t)x : x;
	}
	default:
		memcpy(&v, p, 8);
		return swap ? __builtin_bswap64(v) : v;
	}
}

#endif
