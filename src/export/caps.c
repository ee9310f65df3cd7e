// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "export/caps.h"

int caps_drop_all(char *err, size_t errlen)
{
	cap_flag_value_t setpcap = CAP_CLEAR;
	cap_t c = cap_get_proc();
	int ret = 0;

	if (!c) {
		ret = -errno;
		snprintf(err, errlen, "reading the process capabilities: %s", strerror(-ret));
		return ret;
	}
	cap_get_flag(c, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	/* with the bounding set empty even an exec as root gets nothing back */
	for (cap_value_t v = 0; setpcap == CAP_SET && v < cap_max_bits(); v++) {
		if (cap_drop_bound(v) && errno != EINVAL) {
			ret = -errno;
			snprintf(err, errlen, "dropping capability %d from the bounding set: %s",
				 (int)v, strerror(-ret));
			goto out;
		}
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient()) {
		ret = -errno;
		snprintf(err, errlen, "clearing the ambient capabilities: %s", strerror(-ret));
		goto out;
	}
	if (cap_clear(c) || cap_set_proc(c)) {
		ret = -errno;
		snprintf(err, errlen, "dropping the capabilities: %s", strerror(-ret));
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		ret = -errno;
		snprintf(err, errlen, "setting no_new_privs: %s", strerror(-ret));
	}
out:
	cap_free(c);
	return ret;
}

int caps_read_status(const char *field, unsigned long long *mask)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t flen = strlen(field);
	char line[256];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			ret = sscanf(line + flen + 1, "%llx", mask) == 1 ? 0 : -EINVAL;
			break;
		}
	}
	fclose(f);
	return ret;
}
