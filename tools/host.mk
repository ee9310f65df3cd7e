# SPDX-License-Identifier: GPL-2.0
# Emulated POWER hosts (QEMU powernv8/powernv9, TCG): included by the Makefile.
#
#   make stock-kernel      fetch Debian's ppc64el kernel + kvm modules into the cache
#   make host-smoke        boot powernv9 with it and run tools/host/smoke.sh
#   make e2e-power8        tests/suites/40-e2e-power8.sh (patched kernel)
#   make e2e-power9        tests/suites/41-e2e-power9.sh (stock kernel)
#   make host-shell SCRIPT=FILE [MACHINE=powernv8] [KERNEL=patched]
#                          boot a host and run any script in it
# Variables: BUILD (build), KVMSLB_CACHE (~/.cache/kvmslb), V=1 (show commands),
# MACHINE, KERNEL, HOST_TIMEOUT.

BUILD ?= build
KVMSLB_CACHE ?= $(HOME)/.cache/kvmslb
export KVMSLB_CACHE
ifeq ($(V),1)
Q ?=
else
Q ?= @
endif
MACHINE ?= powernv9
HOST_KERNEL ?= $(or $(KERNEL),stock)
HOST_TIMEOUT ?= 300
HOST_ENV = KVMSLB_ROOT=$(CURDIR) KVMSLB_BUILD=$(abspath $(BUILD))

.PHONY: stock-kernel host-smoke host-shell e2e-power8 e2e-power9

stock-kernel:
	$(Q)tools/host/fetch-stock-kernel.sh

host-smoke:
	$(Q)$(HOST_ENV) tools/host/run-host.sh --machine powernv9 --kernel stock \
		--script tools/host/smoke.sh --timeout 120

host-shell:
	$(Q)test -n "$(SCRIPT)" || { echo "host-shell: SCRIPT=FILE is required" >&2; exit 2; }
	$(Q)$(HOST_ENV) tools/host/run-host.sh --machine $(MACHINE) --kernel $(HOST_KERNEL) \
		--script $(SCRIPT) --timeout $(HOST_TIMEOUT) \
		$(foreach f,$(wildcard $(BUILD)/ppc64le/kvmslb $(BUILD)/ppc64le/slbguest),--add $(f):/usr/sbin/) \
		$(foreach f,$(wildcard $(BUILD)/bpf/*.bpf.o),--add $(f):/usr/lib/kvmslb/)

e2e-power8:
	$(Q)$(HOST_ENV) tests/suites/40-e2e-power8.sh

e2e-power9:
	$(Q)$(HOST_ENV) tests/suites/41-e2e-power9.sh
