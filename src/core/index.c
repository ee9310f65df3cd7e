// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/index.h"

void key_index_init(struct key_index *x)
{
	memset(x, 0, sizeof(*x));
}

void key_index_free(struct key_index *x)
{
	free(x->keys);
	free(x->vals);
	key_index_init(x);
}

void key_index_clear(struct key_index *x)
{
	if (x->cap)
		memset(x->vals, 0xff, x->cap * sizeof(*x->vals));
	x->n = 0;
}

static void put_new(struct key_index *x, uint64_t key, uint32_t val)
{
	uint32_t i = key_index_slot(x, key);

	while (x->vals[i] != KEY_INDEX_EMPTY && x->keys[i] != key)
		i = (i + 1) & (x->cap - 1);
	if (x->vals[i] == KEY_INDEX_EMPTY)
		x->n++;
	x->keys[i] = key;
	x->vals[i] = val;
}

static int grow(struct key_index *x)
{
	struct key_index old = *x;
	uint32_t cap = x->cap ? x->cap * 2 : 16;

	if (cap < x->cap)
		return -ENOMEM;
	x->keys = malloc((size_t)cap * sizeof(*x->keys));
	x->vals = malloc((size_t)cap * sizeof(*x->vals));
	if (!x->keys || !x->vals) {
		free(x->keys);
		free(x->vals);
		*x = old;
		return -ENOMEM;
	}
	memset(x->vals, 0xff, (size_t)cap * sizeof(*x->vals));
	x->cap = cap;
	x->n = 0;
	for (uint32_t i = 0; i < old.cap; i++)
		if (old.vals[i] != KEY_INDEX_EMPTY)
			put_new(x, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
	return 0;
}

int key_index_put(struct key_index *x, uint64_t key, uint32_t val)
{
	/* at most 3/4 full */
	if ((x->n + 1) * 4 > x->cap * 3) {
		int err = grow(x);

		if (err)
			return err;
	}
	put_new(x, key, val);
	return 0;
}

void key_index_del(struct key_index *x, uint64_t key)
{
	uint32_t i, j, mask = x->cap - 1;

	if (!x->cap)
		return;
	for (i = key_index_slot(x, key); x->keys[i] != key; i = (i + 1) & mask)
		if (x->vals[i] == KEY_INDEX_EMPTY)
			return;
	if (x->vals[i] == KEY_INDEX_EMPTY)
		return;
	/* shift back the entries of the run that follows */
	for (j = (i + 1) & mask; x->vals[j] != KEY_INDEX_EMPTY; j = (j + 1) & mask) {
		uint32_t home = key_index_slot(x, x->keys[j]);

		/* j's entry may move to i if its home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			x->keys[i] = x->keys[j];
			x->vals[i] = x->vals[j];
			i = j;
		}
	}
	x->vals[i] = KEY_INDEX_EMPTY;
	x->n--;
}
