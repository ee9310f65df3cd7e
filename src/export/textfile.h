/* SPDX-License-Identifier: GPL-2.0 */
/* node_exporter textfile collector output, replaced atomically. */
#ifndef KVMSLB_EXPORT_TEXTFILE_H
#define KVMSLB_EXPORT_TEXTFILE_H

#include <stddef.h>

/*
 * Write data to PATH.tmp.PID (node_exporter reads only *.prom), fsync,
 * rename over PATH. 0, or -errno with "writing PATH: <reason>" in err: a
 * full disk is reported as such, and the temporary file is removed.
 */
int textfile_write(const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif
