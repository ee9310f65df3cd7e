// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvmslb.h"
#include "core/json.h"
#include "core/msg.h"

static const char *msg_prog = "kvmslb";

void msg_set_prog(const char *name)
{
	msg_prog = name;
}

const char *msg_prog_name(void)
{
	return msg_prog;
}

void p_err(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (kvmslb_g.json) {
		struct json_writer *w = json_new(stdout, kvmslb_g.pretty);

		json_obj_begin(w);
		json_key_str(w, "error", buf);
		json_obj_end(w);
		json_free(w);
		fflush(stdout);
	}
	fprintf(stderr, "%s: error: %s\n", msg_prog, buf);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", msg_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (!kvmslb_g.verbose)
		return;
	fprintf(stderr, "%s: ", msg_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
