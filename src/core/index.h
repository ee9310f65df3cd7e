/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hash index from 64-bit keys to 32-bit values (positions in an array
 * the caller owns): open addressing, linear probing, deletion by backward
 * shift. Lookups and inserts are O(1) on average whatever the number of
 * guests, threads or comms a recording holds.
 */
#ifndef KVMSLB_INDEX_H
#define KVMSLB_INDEX_H

#include <stdbool.h>
#include <stdint.h>

struct key_index {
	uint64_t *keys;
	uint32_t *vals;			/* KEY_INDEX_EMPTY: a free slot */
	uint32_t cap, n;		/* cap: a power of two, or 0 */
};

#define KEY_INDEX_EMPTY UINT32_MAX

void key_index_init(struct key_index *x);
void key_index_free(struct key_index *x);
void key_index_clear(struct key_index *x);
/* Insert or replace; val must not be KEY_INDEX_EMPTY. 0 or -ENOMEM. */
int key_index_put(struct key_index *x, uint64_t key, uint32_t val);
void key_index_del(struct key_index *x, uint64_t key);

static inline uint32_t key_index_slot(const struct key_index *x, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (x->cap - 1);
}

/* The value of key, to read or replace (not with KEY_INDEX_EMPTY), or NULL. */
static inline uint32_t *key_index_ref(const struct key_index *x, uint64_t key)
{
	if (!x->cap)
		return NULL;
	for (uint32_t i = key_index_slot(x, key);; i = (i + 1) & (x->cap - 1)) {
		if (x->vals[i] == KEY_INDEX_EMPTY)
			return NULL;
		if (x->keys[i] == key)
			return &x->vals[i];
	}
}

static inline bool key_index_get(const struct key_index *x, uint64_t key, uint32_t *val)
{
	uint32_t *v = key_index_ref(x, key);

	if (v)
		*val = *v;
	return v != NULL;
}

#endif
