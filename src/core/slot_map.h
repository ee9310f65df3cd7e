/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF programs' counts read in place: an array of slots (hist_vals,
 * vcpu_seg: include/kvmslb/maps.h) mapped read-only into this process, no
 * copy out of the kernel. The mapping covers the slots taken so far and
 * grows with them, so memory mapped follows the keys in use, not the
 * array's size.
 */
#ifndef KVMSLB_SLOT_MAP_H
#define KVMSLB_SLOT_MAP_H

#include <stddef.h>
#include <stdint.h>

struct slot_map {
	const void *slots;	/* NULL: nothing mapped yet */
	size_t len;		/* bytes mapped */
	size_t size;		/* bytes a slot */
	uint32_t nmapped;	/* slots the mapping covers */
	uint32_t max;		/* slots of the array (0: not known yet) */
};

void slot_map_init(struct slot_map *m);
/*
 * The first *n slots of the array fd (slots of 'size' bytes), mapped; on
 * entry *n is the allocator's count (which passes the array's size once
 * every slot is taken), on return the slots to read (at most the array's
 * size). A slot taken but not written yet reads as zeros: skip it.
 * 0 or -errno.
 */
int slot_map_get(struct slot_map *m, int fd, size_t size, uint64_t *n, const void **slots);
void slot_map_free(struct slot_map *m);

#endif
