// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "core/bpf_pin.h"

bool bpf_pin_supported(const char *dir)
{
	char path[256];
	struct statfs fs;

	/* the directory, or the nearest parent that exists */
	snprintf(path, sizeof(path), "%s", dir);
	while (statfs(path, &fs)) {
		char *slash = strrchr(path, '/');

		if (errno != ENOENT || !slash || slash == path)
			return false;
		*slash = '\0';
	}
	return fs.f_type == BPF_FS_MAGIC;
}

/* Maps that hold counts: not ring buffers, not the object's .rodata/.bss. */
static bool kept(const struct bpf_map *m)
{
	enum bpf_map_type t = bpf_map__type(m);

	return !bpf_map__is_internal(m) && t != BPF_MAP_TYPE_RINGBUF &&
	       t != BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

/* Does the map pinned at path have m's definition? 1 yes, 0 no (why set), -errno. */
static int matches(const struct bpf_map *m, const char *path, char *why, size_t whylen)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), ret;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (ret)
		return -errno;
	if (info.type != bpf_map__type(m) || info.key_size != bpf_map__key_size(m) ||
	    info.value_size != bpf_map__value_size(m) || info.map_flags != bpf_map__map_flags(m)) {
		snprintf(why, whylen, "map %s has another layout", bpf_map__name(m));
		return 0;
	}
	if (info.max_entries != bpf_map__max_entries(m)) {
		snprintf(why, whylen, "map %s holds %u keys, %u now", bpf_map__name(m),
			 info.max_entries, bpf_map__max_entries(m));
		return 0;
	}
	return 1;
}

/* Remove every file of one set; the number removed, or -errno. */
static int unpin_set(const char *set)
{
	DIR *d = opendir(set);
	struct dirent *e;
	int n = 0, ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char path[512];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", set, e->d_name);
		if (unlink(path))
			ret = -errno;
		else
			n++;
	}
	closedir(d);
	return ret ? ret : n;
}

int bpf_pin_prepare(struct bpf_object *obj, const char *dir, const char *name,
		    struct bpf_pin_result *r, char *err, size_t errlen)
{
	struct bpf_map *m;
	bool replace = false;
	char missing[64] = "";
	int present = 0;
	int ret;

	memset(r, 0, sizeof(r[0]));
	r->lock_fd = -1;
	if (!bpf_pin_supported(dir)) {
		snprintf(err, errlen, "pinning maps in %s: not a bpf filesystem "
			 "(mount -t bpf bpf /sys/fs/bpf, or --no-pin)", dir);
		return -EOPNOTSUPP;
	}
	if (snprintf(r->dir, sizeof(r->dir), "%s/%s", dir, name) >= (int)sizeof(r->dir)) {
		snprintf(err, errlen, "pinning maps in %s: the path is too long", dir);
		return -ENAMETOOLONG;
	}
	if ((mkdir(dir, 0700) && errno != EEXIST) || (mkdir(r->dir, 0700) && errno != EEXIST)) {
		ret = -errno;
		snprintf(err, errlen, "pinning maps in %s: %s", r->dir, strerror(-ret));
		return ret;
	}
	/* one run at a time on a set: two would count every event twice */
	r->lock_fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->lock_fd < 0 || flock(r->lock_fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		snprintf(err, errlen, "pinning maps in %s: %s", r->dir, ret == -EWOULDBLOCK ?
			 "another kvmslb counts in them now" : strerror(-ret));
		if (r->lock_fd >= 0)
			close(r->lock_fd);
		r->lock_fd = -1;
		return ret;
	}
	bpf_object__for_each_map(m, obj) {
		char path[512];

		if (!kept(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", r->dir, bpf_map__name(m));
		if (access(path, F_OK)) {
			/*
			 * Maps work in sets (histogram slots, their index and
			 * their allocator): a set missing one cannot go on.
			 */
			if (!missing[0])
				snprintf(missing, sizeof(missing), "%s", bpf_map__name(m));
			continue;
		}
		present++;
		ret = matches(m, path, r->why, sizeof(r->why));
		if (ret < 0) {
			snprintf(err, errlen, "reading the map pinned at %s: %s", path, strerror(-ret));
			goto fail;
		}
		if (!ret) {
			replace = true;
			break;
		}
	}
	if (!replace && present && missing[0]) {
		snprintf(r->why, sizeof(r->why), "map %s is missing from the set", missing);
		replace = true;
	}
	if (replace) {
		ret = unpin_set(r->dir);
		if (ret < 0) {
			snprintf(err, errlen, "unpinning the maps in %s: %s", r->dir, strerror(-ret));
			goto fail;
		}
		r->replaced = ret;
	}
	bpf_object__for_each_map(m, obj) {
		char path[512];

		if (!kept(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", r->dir, bpf_map__name(m));
		if (access(path, F_OK))
			r->created++;
		else
			r->reused++;
		ret = bpf_map__set_pin_path(m, path);
		if (ret) {
			snprintf(err, errlen, "pinning map %s: %s", bpf_map__name(m), strerror(-ret));
			goto fail;
		}
	}
	return 0;
fail:
	close(r->lock_fd);
	r->lock_fd = -1;
	return ret;
}

int bpf_pin_cleanup(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, ret = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	while ((e = readdir(d)) && !ret) {
		char set[512];
		int k;

		if (e->d_name[0] == '.')
			continue;
		snprintf(set, sizeof(set), "%s/%s", dir, e->d_name);
		k = unpin_set(set);
		if (k < 0 || rmdir(set)) {
			ret = k < 0 ? k : -errno;
			snprintf(err, errlen, "unpinning %s: %s", set, strerror(-ret));
		} else {
			n += k;
		}
	}
	closedir(d);
	if (!ret && rmdir(dir)) {
		ret = -errno;
		snprintf(err, errlen, "removing %s: %s", dir, strerror(-ret));
	}
	return ret ? ret : n;
}
