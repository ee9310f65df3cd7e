// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/hist_map.h"

void hist_map_init(struct hist_map *m)
{
	memset(m, 0, sizeof(*m));
}

void hist_map_free(struct hist_map *m)
{
	if (m->slots)
		munmap((void *)m->slots, m->len);
	hist_map_init(m);
}

static int array_size(struct hist_map *m, int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	if (m->max)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct kvmslb_hist_slot) || !info.max_entries)
		return -EINVAL;
	m->max = info.max_entries;
	return 0;
}

/*
 * The kernel maps every page of the range at once (it counts in RSS): map
 * what is taken and a quarter more, so that new guests rarely remap.
 */
static int map_more(struct hist_map *m, int fd, uint32_t want)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len;
	uint64_t slots = (uint64_t)want + want / 4 + 64;
	void *p;

	if (slots > m->max)
		slots = m->max;
	len = (slots * sizeof(struct kvmslb_hist_slot) + page - 1) & ~(page - 1);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (m->slots)
		munmap((void *)m->slots, m->len);
	m->slots = p;
	m->len = len;
	m->nmapped = len / sizeof(struct kvmslb_hist_slot);
	if (m->nmapped > m->max)
		m->nmapped = m->max;
	return 0;
}

int hist_map_slots(struct hist_map *m, int fd, uint64_t *n,
		   const struct kvmslb_hist_slot **slots)
{
	int err = array_size(m, fd);

	*slots = NULL;
	if (err)
		return err;
	if (*n > m->max)
		*n = m->max;
	if (*n > m->nmapped) {
		err = map_more(m, fd, (uint32_t)*n);
		if (err)
			return err;
	}
	*slots = m->slots;
	return 0;
}
