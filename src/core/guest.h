/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest identity: a guest is its VMM process (tgid). Its name comes from
 * QEMU's (and libvirt's) "-name guest=X,..." or "-name X", else from comm.
 * /proc/PID/stat's starttime tells a pid's processes apart.
 */
#ifndef KVMSLB_GUEST_H
#define KVMSLB_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum guest_name_from {
	NAME_UNKNOWN = 0,	/* process gone before it was seen */
	NAME_QEMU_GUEST,	/* -name guest=X */
	NAME_QEMU,		/* -name X */
	NAME_COMM,		/* /proc/PID/comm */
};

struct guest_ident {
	uint32_t tgid;
	char name[128];
	enum guest_name_from from;
	uint64_t starttime;	/* clock ticks after boot; 0 if unknown */
	bool alive;
};

const char *guest_name_from_str(enum guest_name_from f);

/*
 * Name from a NUL-separated /proc/PID/cmdline: NAME_QEMU_GUEST, NAME_QEMU,
 * or NAME_UNKNOWN when there is no -name. QEMU's ",," escapes a comma.
 */
enum guest_name_from guest_name_from_cmdline(const char *buf, size_t len, char *out,
					      size_t outlen);
/* Field 22 of /proc/PID/stat (comm may hold spaces and parentheses); 0 on error. */
uint64_t starttime_from_stat(const char *stat);

/* Read identity of tgid under root ("" for /). -errno if the process is gone. */
int guest_ident_read(const char *root, uint32_t tgid, struct guest_ident *out);
/* /proc/TGID/task/TID/comm (QEMU names vcpu threads "CPU n/KVM"); "" if gone. */
void thread_comm_read(const char *root, uint32_t tgid, uint32_t tid, char *out, size_t len);

#endif
