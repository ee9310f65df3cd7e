/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BTF for a kernel that has none (Debian's ppc64el kernels): encoded with
 * pahole from the distribution's debug vmlinux (and kvm-hv.ko, where the
 * KVM types are only in the module), merged into one self-contained BTF,
 * and minimized with 'bpftool gen min_core_btf' to what kvmslb's CO-RE
 * object (bpf/kvmslb_btf.bpf.c) reads. The result is what libbpf's
 * btf_custom_path (kvmslb --btf FILE) takes: a few hundred bytes instead
 * of megabytes.
 */
#ifndef KVMSLB_BTF_MAKE_H
#define KVMSLB_BTF_MAKE_H

#include <stdbool.h>
#include <stddef.h>

#define BTF_MAKE_MAX_MODULES 4

struct btf_make_opts {
	const char *vmlinux;		/* ELF with DWARF (the -dbg package's vmlinux) */
	const char *modules[BTF_MAKE_MAX_MODULES];	/* kvm-hv.ko, kvm.ko (with DWARF) */
	int nmodules;
	const char *out;		/* the BTF file to write */
	bool full;			/* keep every type (no min_core_btf) */
	bool verbose;			/* pahole's and bpftool's output on stderr */
};

enum btf_make_err {
	BTF_MAKE_OK = 0,
	BTF_MAKE_BAD_INPUT,		/* an input file is missing or unusable */
	BTF_MAKE_FAILED,		/* a tool is missing or failed, or I/O failed */
};

/* enum btf_make_err; a one-line reason in err. *bytes: the size written. */
int btf_make(const struct btf_make_opts *o, char *err, size_t errlen, size_t *bytes);

#endif
