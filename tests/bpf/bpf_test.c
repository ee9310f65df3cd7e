// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpf_test.h"

int bpft_run(const struct bpf_program *prog, const uint64_t *args, int nargs,
	     uint32_t *retval)
{
	uint64_t ctx[BPFT_MAX_ARGS] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	if (nargs < 0 || nargs > BPFT_MAX_ARGS)
		return -EINVAL;
	if (nargs)
		memcpy(ctx, args, nargs * sizeof(*args));
	opts.ctx_in = ctx;
	/* a zero-size context is refused; the programs read what they declare */
	opts.ctx_size_in = (nargs ? nargs : 1) * sizeof(uint64_t);
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err)
		return -errno;
	if (retval)
		*retval = opts.retval;
	return 0;
}

int bpft_run_n(const struct bpf_program *prog, const uint64_t *args, int nargs, int n)
{
	for (int i = 0; i < n; i++) {
		int err = bpft_run(prog, args, nargs, NULL);

		if (err)
			return err;
	}
	return 0;
}

int bpft_percpu_sum(const struct bpf_map *map, const void *key, uint64_t *out, int words)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t vsz = bpf_map__value_size(map), stride = (vsz + 7) & ~7UL;
	uint64_t *buf;
	int err = 0;

	if (ncpus <= 0 || (size_t)words * 8 > vsz)
		return -EINVAL;
	buf = calloc(ncpus, stride);
	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(map), key, buf)) {
		err = -errno;
		goto out;
	}
	memset(out, 0, words * sizeof(*out));
	for (int c = 0; c < ncpus; c++)
		for (int w = 0; w < words; w++)
			out[w] += buf[c * stride / 8 + w];
out:
	free(buf);
	return err;
}

int bpft_map_keys(const struct bpf_map *map)
{
	char key[64], next[64];
	void *prev = NULL;
	int n = 0, fd = bpf_map__fd(map);

	if (bpf_map__key_size(map) > sizeof(key))
		return -EINVAL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

struct bpf_object *bpft_open_file(const char *path)
{
	return bpf_object__open_file(path, NULL);
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

void bpft_quiet_libbpf(void)
{
	if (!getenv("KVMSLB_TEST_VERBOSE"))
		libbpf_set_print(quiet);
}
