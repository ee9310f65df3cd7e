// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/stats_source.h"

int stats_vm_dir_pid(const char *name, uint32_t *pid)
{
	unsigned long long v = 0;
	const char *p = name;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > UINT32_MAX)
			return -1;
		p++;
	}
	if (*p != '-' || !p[1])
		return -1;
	for (p++; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	*pid = (uint32_t)v;
	return 0;
}

int stats_parse_value(const char *text, uint64_t *val)
{
	unsigned long long v;
	char *end;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end && *end != '\n') || (*end == '\n' && end[1]))
		return -1;
	*val = v;
	return 0;
}

static int read_stat(const char *dir, const char *name, uint64_t *val)
{
	char path[768], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	return stats_parse_value(buf, val) ? -EINVAL : 0;
}

int stats_read_vm(const char *dir, struct agg_counters *c)
{
	static const struct { const char *name; size_t off; } map[] = {
#define F(n, f) { n, offsetof(struct agg_counters, f) }
		F("hfault_hdsi", hdsi),
		F("hfault_hisi", hisi),
		F("dsegi_synth", dsegi),
		F("isegi_synth", isegi),
		F("seg_synth_injected", seg_injected),
		F("hfault_log_drops", dropped),
		F("hfault_retry", outcome[KVMSLB_OUTCOME_RETRY]),
		F("hfault_reflect", outcome[KVMSLB_OUTCOME_REFLECT]),
		F("hfault_host", outcome[KVMSLB_OUTCOME_HOST]),
		F("hfault_mmio", outcome[KVMSLB_OUTCOME_MMIO]),
#undef F
	};
	int found = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint64_t v;

		if (read_stat(dir, map[i].name, &v))
			continue;
		*(uint64_t *)((char *)c + map[i].off) += v;
		found++;
	}
	/* every synthesized segment interrupt ends a fault path */
	if (found)
		c->outcome[KVMSLB_OUTCOME_SEGMENT] = c->dsegi + c->isegi;
	return found;
}

int stats_read_all(const char *debugfs_kvm, uint32_t tgid, struct agg *a)
{
	struct dirent *de;
	DIR *d = opendir(debugfs_kvm);
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		char dir[512];
		struct agg_counters c;
		uint32_t pid;

		if (stats_vm_dir_pid(de->d_name, &pid) || (tgid && pid != tgid))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", debugfs_kvm, de->d_name);
		memset(&c, 0, sizeof(c));
		if (stats_read_vm(dir, &c) > 0)
			err = agg_counters_add(a, pid, 0, &c);
	}
	closedir(d);
	return err;
}
