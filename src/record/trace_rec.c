// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/trace_rec.h"

bool trace_rec_get(const struct trace_rec *r, const char *name, uint64_t *val)
{
	for (int i = 0; i < r->nfields; i++) {
		if (!strcmp(r->fields[i].name, name)) {
			*val = r->fields[i].val;
			return true;
		}
	}
	return false;
}

int trace_read_file(const char *path, trace_mem_reader reader, trace_rec_fn fn, void *ctx,
		    struct trace_read_stats *st, char *err, size_t errlen)
{
	struct stat sb;
	void *map;
	int fd, ret;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular, non-empty file", path);
		return -EINVAL;
	}
	map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return ret;
	}
	ret = reader(map, sb.st_size, fn, ctx, st, err, errlen);
	if (ret == -EINVAL) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	munmap(map, sb.st_size);
	return ret;
}
