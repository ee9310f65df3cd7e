/* SPDX-License-Identifier: GPL-2.0 */
/* Book3S interrupt vectors as the kvm_hv tracepoints name them. */
#ifndef KVMSLB_TRAPS_H
#define KVMSLB_TRAPS_H

#include <stdbool.h>

/* "H_DATA_STORAGE" for 0xe00; NULL if unknown. */
const char *trap_name(unsigned int trap);
/* The reverse; false if unknown. */
bool trap_from_name(const char *name, unsigned int *trap);

#endif
