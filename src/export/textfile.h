/* SPDX-License-Identifier: GPL-2.0 */
/* node_exporter textfile collector output, replaced atomically. */
#ifndef KVMSLB_EXPORT_TEXTFILE_H
#define KVMSLB_EXPORT_TEXTFILE_H

#include "export/http.h"

/* Render to PATH.tmp.PID, fsync, rename over PATH. 0 or -errno (err set). */
int textfile_write(const char *path, metrics_render_fn render, void *ctx,
		   char *err, size_t errlen);

#endif
