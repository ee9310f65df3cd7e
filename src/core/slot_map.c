// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/slot_map.h"

void slot_map_init(struct slot_map *m)
{
	memset(m, 0, sizeof(*m));
}

void slot_map_free(struct slot_map *m)
{
	if (m->slots)
		munmap((void *)m->slots, m->len);
	slot_map_init(m);
}

static int array_size(struct slot_map *m, int fd, size_t size)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	if (m->max)
		return m->size == size ? 0 : -EINVAL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	/* the kernel's stride is the value size rounded up to 8 */
	if (info.value_size != size || size % 8 || !info.max_entries)
		return -EINVAL;
	m->max = info.max_entries;
	m->size = size;
	return 0;
}

/*
 * The kernel maps every page of the range at once (it counts in RSS): map
 * what is taken and a quarter more, so that new guests rarely remap.
 */
static int map_more(struct slot_map *m, int fd, uint32_t want)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len;
	uint64_t slots = (uint64_t)want + want / 4 + 64;
	void *p;

	if (slots > m->max)
		slots = m->max;
	len = (slots * m->size + page - 1) & ~(page - 1);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (m->slots)
		munmap((void *)m->slots, m->len);
	m->slots = p;
	m->len = len;
	m->nmapped = len / m->size;
	if (m->nmapped > m->max)
		m->nmapped = m->max;
	return 0;
}

int slot_map_get(struct slot_map *m, int fd, size_t size, uint64_t *n, const void **slots)
{
	int err = array_size(m, fd, size);

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
