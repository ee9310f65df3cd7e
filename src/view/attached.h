/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The readiness line of the live front ends (stat, top -b, export): printed
 * once the source is attached and counting, so scripts wait for it instead
 * of sleeping. Documented in kvmslb(8):
 *
 *   text:  attached: source=SRC attribution=HOW btf=kernel|FILE|none
 *          programs=N guests=N vcpus=N
 *   JSON:  {"kind":"attached","source":...,"attribution":...,"btf":...,
 *           "programs":N,"maps":{...},"how":"...","warnings":[...]}
 *
 * Attribution warnings follow the text line on stderr, one per line.
 */
#ifndef KVMSLB_VIEW_ATTACHED_H
#define KVMSLB_VIEW_ATTACHED_H

#include <stdbool.h>
#include <stdio.h>

#include "core/collector.h"

void view_attached(FILE *out, const struct collector *c, bool json, bool pretty);

#endif
