// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/input.h"
#include "record/tracing_data.h"

/* perf.data starts with "PERFILE2" in either byte order (old perf: "PERFFILE"). */
static enum input_kind kind_of(const uint8_t *p, size_t n)
{
	if (n >= 7 && !memcmp(p, "PERFILE", 7))
		return IN_PERF_DATA;
	if (n >= 8 && !memcmp(p, "2ELIFREP", 8))
		return IN_PERF_DATA;
	if (n >= 8 && !memcmp(p, "PERFFILE", 8))
		return IN_PERF_DATA;
	if (n >= TRACING_MAGIC_LEN && !memcmp(p, TRACING_MAGIC, TRACING_MAGIC_LEN))
		return IN_TRACE_DAT;
	return IN_TEXT;
}

int record_open(struct record_input *in, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	const uint8_t *p;
	int e;

	memset(in, 0, sizeof(*in));
	in->name = path;
	in->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (in->fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(in->fd, &sb)) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a recording", path);
		return -EINVAL;
	}
	if (S_ISREG(sb.st_mode)) {
		uint8_t head[16];
		ssize_t n;

		if (!sb.st_size) {
			snprintf(err, errlen, "%s: empty file", path);
			return -EINVAL;
		}
		in->size = sb.st_size;
		in->file = true;
		n = pread(in->fd, head, sizeof(head), 0);
		if (n < 0) {
			e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			return -e;
		}
		in->kind = kind_of(head, n);
		if (in->kind != IN_TRACE_DAT)
			return 0;	/* read in sequence: faster than a mapping, memory bounded */
		/* trace.dat's per-cpu pages are merged by time: random access */
		in->map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, in->fd, 0);
		if (in->map == MAP_FAILED) {
			e = errno;
			in->map = NULL;
			snprintf(err, errlen, "%s: mmap: %s", path, strerror(e));
			return -e;
		}
		in->mapped = true;
		return 0;
	}
	/*
	 * A pipe or a device: bounded reads, the first bytes tell the kind. A
	 * pipe of 1 MiB rather than 64 KiB lets the writer (perf script) run
	 * on while we parse instead of waiting for us every 64 KiB.
	 */
	if (S_ISFIFO(sb.st_mode))
		fcntl(in->fd, F_SETPIPE_SZ, 1 << 20);
	if ((e = rd_stream(&in->rd, in->fd))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return e;
	}
	if (S_ISFIFO(sb.st_mode)) {
		int size = fcntl(in->fd, F_GETPIPE_SZ);

		in->rd.batch = true;
		in->rd.pipe_size = size > 0 ? (uint32_t)size : 64U << 10;
	}
	p = rd_peek(&in->rd, 16);
	if (!p && in->rd.err) {
		e = in->rd.err;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (!rd_avail(&in->rd)) {
		snprintf(err, errlen, "%s: empty input", path);
		return -EINVAL;
	}
	in->kind = kind_of(in->rd.p, rd_avail(&in->rd));
	return 0;
}

int record_read(struct record_input *in, const struct trace_sink *s,
		struct trace_read_stats *st, char *err, size_t errlen)
{
	char msg[512];
	int ret;

	msg[0] = '\0';
	memset(st, 0, sizeof(*st));
	switch (in->kind) {
	case IN_PERF_DATA:
		ret = in->file ? perf_data_read_fd(in->fd, in->size, s, st, msg, sizeof(msg)) :
			perf_data_read_stream(&in->rd, s, st, msg, sizeof(msg));
		break;
	case IN_TRACE_DAT:
		if (!in->mapped) {
			snprintf(msg, sizeof(msg), "trace.dat cannot be read from a pipe: give the "
				 "file (-i FILE)");
			ret = -EINVAL;
			break;
		}
		ret = trace_dat_read_mem(in->map, in->size, s, st, msg, sizeof(msg));
		break;
	default:
		if (in->file && (ret = rd_stream(&in->rd, in->fd))) {
			snprintf(msg, sizeof(msg), "out of memory");
			break;
		}
		ret = perf_script_read(&in->rd, s, st, msg, sizeof(msg));
		break;
	}
	if (ret == -EINVAL || (ret && msg[0]))
		snprintf(err, errlen, "%s: %s", in->name, msg);
	else if (ret)
		snprintf(err, errlen, "%s: %s", in->name, strerror(-ret));
	return ret;
}

void record_close(struct record_input *in)
{
	if (in->mapped)
		munmap((void *)in->map, in->size);
	else
		rd_free(&in->rd);
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
}
