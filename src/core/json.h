/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer (in the spirit of bpftool's json_writer). */
#ifndef KVMSLB_JSON_H
#define KVMSLB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

/*
 * f is locked (flockfile) until json_free: another thread's writes to it
 * wait for the value to end.
 */
struct json_writer *json_new(FILE *f, bool pretty);
/* Ends the line after the top-level value, unlocks f and frees the writer. */
void json_free(struct json_writer *w);

void json_obj_begin(struct json_writer *w);
void json_obj_end(struct json_writer *w);
void json_arr_begin(struct json_writer *w);
void json_arr_end(struct json_writer *w);
/* Key of the next value inside an object. */
void json_key(struct json_writer *w, const char *key);

void json_str(struct json_writer *w, const char *s);
void json_u64(struct json_writer *w, uint64_t v);
void json_i64(struct json_writer *w, int64_t v);
void json_double(struct json_writer *w, double v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

void json_key_str(struct json_writer *w, const char *key, const char *s);
void json_key_u64(struct json_writer *w, const char *key, uint64_t v);
void json_key_i64(struct json_writer *w, const char *key, int64_t v);
void json_key_bool(struct json_writer *w, const char *key, bool v);

#endif
