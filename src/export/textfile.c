// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "export/textfile.h"

/* The first failure's errno, or EIO when the stream lost it. */
static int first_error(int ret)
{
	return ret ? ret : (errno ? -errno : -EIO);
}

int textfile_write(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	f = fopen(tmp, "we");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(-ret));
		return ret;
	}
	errno = 0;
	if (len && fwrite(data, 1, len, f) != len)
		ret = first_error(ret);
	errno = 0;
	if (fflush(f) == EOF || ferror(f))
		ret = first_error(ret);
	if (!ret && fsync(fileno(f)))
		ret = -errno;
	errno = 0;
	if (fclose(f) == EOF && !ret)
		ret = first_error(ret);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(-ret));
		unlink(tmp);
	}
	return ret;
}
