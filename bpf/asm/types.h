/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* <linux/types.h> for -target bpf without an arch include dir: 64-bit generic. */
#include <asm-generic/int-ll64.h>
