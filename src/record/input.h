/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording to read: a file or standard input, told apart by its first
 * bytes (perf.data in file or pipe mode, trace.dat, else perf script text)
 * and handed to its reader. Everything is read in sequence through a
 * bounded buffer (faster than a mapping here, and memory stays bounded)
 * except trace.dat, whose per-cpu pages are mapped to be merged by time.
 * Errors name the input.
 */
#ifndef KVMSLB_INPUT_H
#define KVMSLB_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "record/rd.h"
#include "record/trace_rec.h"

enum input_kind { IN_TEXT, IN_PERF_DATA, IN_TRACE_DAT };

struct record_input {
	const char *name;		/* as given ("-" for standard input) */
	int fd;
	enum input_kind kind;
	bool file;			/* a regular file (size known, pread works) */
	bool mapped;
	const uint8_t *map;
	uint64_t size;			/* bytes, when known (a file) */
	struct rd rd;			/* a stream */
};

/*
 * Open and classify. 0; -EINVAL for bad input (a directory, an empty file:
 * err says so, naming it); -ENOENT; another -errno on a runtime failure.
 */
int record_open(struct record_input *in, const char *path, char *err, size_t errlen);
/* The reader for its kind; the reader's -EINVAL messages get the input's name. */
int record_read(struct record_input *in, const struct trace_sink *s,
		struct trace_read_stats *st, char *err, size_t errlen);
void record_close(struct record_input *in);

#endif
