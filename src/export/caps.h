/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop every capability once the BPF objects are loaded and attached and
 * the listening socket is bound (ebpf_exporter's --capabilities.keep=none):
 * what is left to do, reading map fds already open, /proc, serving and
 * writing the textfile, needs none, so a bug in the exporter cannot load
 * programs or read kernel memory.
 */
#ifndef KVMSLB_EXPORT_CAPS_H
#define KVMSLB_EXPORT_CAPS_H

#include <stddef.h>

/*
 * Clear the effective, permitted, inheritable and ambient sets, the
 * bounding set too when CAP_SETPCAP allows, and set no_new_privs. 0, or
 * -errno with the reason in err.
 */
int caps_drop_all(char *err, size_t errlen);

/* Hex masks "CapEff" etc. of /proc/self/status; 0 or -errno. For tests and -v. */
int caps_read_status(const char *field, unsigned long long *mask);

#endif
