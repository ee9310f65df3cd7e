// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "core/msg.h"
#include "core/out.h"

int out_flush(FILE *f, const char *what)
{
	static int reported;
	int err = 0;

	errno = 0;
	if (fflush(f) == EOF)
		err = errno ? errno : EIO;
	else if (ferror(f))
		err = EIO;	/* an earlier write failed; retrying succeeded or lost errno */
	if (!err)
		return 0;
	if (!reported++) {
		/* to stderr even with -j: stdout is the stream that broke */
		fprintf(stderr, "%s: error: writing %s: %s\n", msg_prog_name(), what,
			strerror(err));
	}
	return -err;
}
