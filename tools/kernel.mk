# SPDX-License-Identifier: GPL-2.0
# Included by the top-level Makefile.  KVMSLB_CACHE and V come from there.
#
#   make kernel   build (or reuse from the cache) the patched ppc64le test
#                 kernel; its vmlinux path is the last line printed

KERNEL_BUILD_SH := tools/kernel/build-kernel.sh

.PHONY: kernel
kernel:
	@KVMSLB_CACHE="$(KVMSLB_CACHE)" V="$(V)" $(KERNEL_BUILD_SH)
