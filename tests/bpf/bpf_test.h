/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF test helper: run a raw_tp program through BPF_PROG_TEST_RUN with
 * given tracepoint arguments, and read maps back. raw_tp test runs take
 * no repeat count and at most 12 u64 of context (see
 * shared/notes/dev-machine-bpf.md).
 */
#ifndef KVMSLB_BPF_TEST_H
#define KVMSLB_BPF_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#define BPFT_MAX_ARGS 12

/* Run prog once with args[0..nargs). 0, or -errno. *retval if non-NULL. */
int bpft_run(const struct bpf_program *prog, const uint64_t *args, int nargs,
	     uint32_t *retval);
/* The same n times. */
int bpft_run_n(const struct bpf_program *prog, const uint64_t *args, int nargs, int n);
/* Sum of a per-CPU map's value for key, as u64 words: out[0..words). -errno. */
int bpft_percpu_sum(const struct bpf_map *map, const void *key, uint64_t *out, int words);
/* Number of keys in a map. */
int bpft_map_keys(const struct bpf_map *map);
/* Open a BPF object file (not a skeleton), for tests of built objects. */
struct bpf_object *bpft_open_file(const char *path);
/* Quiet libbpf unless KVMSLB_TEST_VERBOSE is set. */
void bpft_quiet_libbpf(void);

#endif
