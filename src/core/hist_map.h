/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF programs' histograms read in place: hist_vals (include/kvmslb/
 * maps.h) mapped read-only into this process, no copy out of the kernel.
 * The mapping covers the slots taken so far and grows with them, so memory
 * mapped follows the keys in use, not the array's size.
 */
#ifndef KVMSLB_HIST_MAP_H
#define KVMSLB_HIST_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "kvmslb/maps.h"

struct hist_map {
	const struct kvmslb_hist_slot *slots;	/* NULL: nothing mapped yet */
	size_t len;				/* bytes mapped */
	uint32_t nmapped;			/* slots the mapping covers */
	uint32_t max;				/* slots of the array (0: not known yet) */
};

void hist_map_init(struct hist_map *m);
/*
 * The first *n slots of the array fd, mapped; on entry *n is the
 * allocator's count (hist_alloc[0], which passes the array's size when
 * every slot is taken), on return the slots to read (at most the array's
 * size). A slot whose key is still 0 is being taken: skip it. 0 or -errno.
 */
int hist_map_slots(struct hist_map *m, int fd, uint64_t *n,
		   const struct kvmslb_hist_slot **slots);
void hist_map_free(struct hist_map *m);

#endif
