// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "export/textfile.h"

int textfile_write(const char *path, metrics_render_fn render, void *ctx,
		   char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int ret;

	/* node_exporter reads *.prom only: the temporary name must not end so */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return ret;
	}
	ret = render(f, PROM_TEXT, ctx);
	if (!ret && (fflush(f) || fsync(fileno(f))))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(-ret));
		unlink(tmp);
	}
	return ret;
}
