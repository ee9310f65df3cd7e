// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/traps.h"

/* arch/powerpc/kvm/trace_book3s.h: kvm_trace_symbol_exit (7.2 adds H_VIRT) */
static const struct {
	unsigned int trap;
	const char *name;
} traps[] = {
	{ 0x100, "SYSTEM_RESET" }, { 0x200, "MACHINE_CHECK" },
	{ 0x300, "DATA_STORAGE" }, { 0x380, "DATA_SEGMENT" },
	{ 0x400, "INST_STORAGE" }, { 0x480, "INST_SEGMENT" },
	{ 0x500, "EXTERNAL" }, { 0x502, "EXTERNAL_HV" },
	{ 0x600, "ALIGNMENT" }, { 0x700, "PROGRAM" }, { 0x800, "FP_UNAVAIL" },
	{ 0x900, "DECREMENTER" }, { 0x980, "HV_DECREMENTER" },
	{ 0xc00, "SYSCALL" }, { 0xd00, "TRACE" },
	{ 0xe00, "H_DATA_STORAGE" }, { 0xe20, "H_INST_STORAGE" },
	{ 0xe40, "H_EMUL_ASSIST" }, { 0xea0, "H_VIRT" },
	{ 0xf00, "PERFMON" }, { 0xf20, "ALTIVEC" }, { 0xf40, "VSX" },
};

const char *trap_name(unsigned int trap)
{
	for (size_t i = 0; i < sizeof(traps) / sizeof(traps[0]); i++)
		if (traps[i].trap == trap)
			return traps[i].name;
	return NULL;
}

bool trap_from_name(const char *name, unsigned int *trap)
{
	for (size_t i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
		if (!strcmp(traps[i].name, name)) {
			*trap = traps[i].trap;
			return true;
		}
	}
	return false;
}
