/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's names for the compiler attributes the hot paths use (GCC, clang). */
#ifndef KVMSLB_COMPILER_H
#define KVMSLB_COMPILER_H

/* kept out of line: a rare path, so that its caller inlines well */
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
/* glibc's <sys/cdefs.h> defines it too */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#endif
