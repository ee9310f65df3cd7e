// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the replay source's reader of 'kvmslb stat -j' recordings, played to the end. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay *r = NULL;
	char err[512];
	double dt;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (!replay_read(f, "fuzz", &r, err, sizeof(err))) {
		while (!replay_next(r, &dt)) {
			const struct agg *a = replay_view(r);

			for (int i = 0; i < a->nguests; i++)
				replay_ident(r, a->guests[i].tgid);
		}
		replay_close(r);
	}
	fclose(f);
	return 0;
}
