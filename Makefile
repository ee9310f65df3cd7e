# SPDX-License-Identifier: GPL-2.0
# kvmslb: SLB-miss segment-fault diagnostics for KVM on IBM POWER.
#
#   make              native kvmslb + BPF objects, and the static ppc64le build
#   make check        every test suite (installs missing packages first)
#   make demo         the main job on an emulated POWER8 host (GUEST=linux: Linux guests)
#   make bench        benchmarks, as ratios against a peer measured in the same run
#   make install      DESTDIR/PREFIX honoured
#   make deps         install the Debian packages the build and tests need
#   make V=1 ...      show the commands

VERSION := 0.1.0
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
KVMSLB_CACHE ?= $(HOME)/.cache/kvmslb
export KVMSLB_CACHE

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all native cross check demo bench install clean deps help

CC ?= cc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
CROSS_CC ?= powerpc64le-linux-gnu-gcc

# Truncating a long path in a one-line message is intended.
WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-Wno-format-truncation
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O2 $(WARN) -Iinclude -Isrc \
	-I$(BUILD)/bpf -DKVMSLB_VERSION='"$(VERSION)"'
NATIVE_LIBS := -lbpf -lelf -lz -ltraceevent -lncursesw -lmicrohttpd -lcap

SRC_CORE := $(sort $(wildcard src/core/*.c))
SRC_CMD := $(sort $(wildcard src/cmd_*.c))
# Front ends keep their helpers in src/<front end>/.
SRC_FRONT := $(sort $(wildcard src/export/*.c src/top/*.c src/report/*.c src/view/*.c))
SRC_LIB := $(SRC_CORE) $(SRC_CMD) $(SRC_FRONT)
BPF_SRCS := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))
HDRS := $(wildcard include/kvmslb/*.h src/*.h src/*/*.h)

CROSS_TARGETS :=

all: native cross

help:
	@sed -n '3,11p' Makefile | sed 's/^# \{0,1\}//'

# ---- BPF objects and skeletons -------------------------------------------
BPF_ARCH ?= x86
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/kvmslb/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-Iinclude -Ibpf -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# ---- native userspace ------------------------------------------------------
# One recipe set per flavour: native (the product), asan (tests under ASan+UBSan).
define userspace_flavour
$(1)_OBJDIR := $(BUILD)/$(1)/obj
$(1)_LIB_OBJS := $$(patsubst src/%.c,$$($(1)_OBJDIR)/%.o,$(SRC_LIB))

$$($(1)_OBJDIR)/%.o: src/%.c $(HDRS) $(BPF_SKELS)
	$$(call msg,CC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$(CC) $(BASE_CFLAGS) $(2) -c $$< -o $$@

$(BUILD)/$(1)/libkvmslb.a: $$($(1)_LIB_OBJS)
	$$(call msg,AR,$$@)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^

$(BUILD)/$(1)/kvmslb: $$($(1)_OBJDIR)/main.o $(BUILD)/$(1)/libkvmslb.a
	$$(call msg,LD,$$@)
	$$(Q)$(CC) $(2) -o $$@ $$^ $(NATIVE_LIBS)
endef

ASAN_FLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
$(eval $(call userspace_flavour,native,))
$(eval $(call userspace_flavour,asan,$(ASAN_FLAGS)))

native: $(BUILD)/kvmslb $(BUILD)/kvmslbtop $(BPF_OBJS)

$(BUILD)/kvmslb: $(BUILD)/native/kvmslb
	$(Q)cp $< $@

$(BUILD)/kvmslbtop: $(BUILD)/kvmslb
	$(Q)ln -sf kvmslb $@

# ---- static ppc64le build --------------------------------------------------
# Named after the script's content: a fresh clone reuses it, a changed
# package list gets its own (tools/cross-sysroot.sh locks the writer).
SYSROOT_KEY := $(shell sha256sum tools/cross-sysroot.sh | cut -c1-12)
SYSROOT_PPC ?= $(KVMSLB_CACHE)/sysroot-ppc64el-$(SYSROOT_KEY)
PPC_LIBDIR := $(SYSROOT_PPC)/usr/lib/powerpc64le-linux-gnu
CROSS_CFLAGS := $(BASE_CFLAGS) -I$(SYSROOT_PPC)/usr/include \
	-I$(SYSROOT_PPC)/usr/include/powerpc64le-linux-gnu -DKVMSLB_STATIC_CROSS
# libmicrohttpd's static archive needs GnuTLS's; the ppc64le build serves
# HTTP without it (see src/ for the fallback) and otherwise is the same code.
CROSS_LIBS := -L$(PPC_LIBDIR) -lbpf -lelf -lz -lzstd -ltraceevent -lncursesw -ltinfo -lcap
PPC_OBJDIR := $(BUILD)/ppc64le/obj
PPC_OBJS := $(patsubst src/%.c,$(PPC_OBJDIR)/%.o,src/main.c $(SRC_LIB))

$(SYSROOT_PPC)/.stamp:
	$(call msg,SYSROOT,$(SYSROOT_PPC))
	$(Q)tools/cross-sysroot.sh $(SYSROOT_PPC)

$(PPC_OBJDIR)/%.o: src/%.c $(HDRS) $(BPF_SKELS) $(SYSROOT_PPC)/.stamp
	$(call msg,CC-PPC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CROSS_CC) $(CROSS_CFLAGS) -c $< -o $@

$(BUILD)/ppc64le/kvmslb: $(PPC_OBJS)
	$(call msg,LD-PPC,$@)
	$(Q)$(CROSS_CC) -static -o $@ $^ $(CROSS_LIBS)

CROSS_TARGETS += $(BUILD)/ppc64le/kvmslb

-include tools/slbguest/slbguest.mk
-include tools/kernel.mk
-include tools/host.mk
# bpf-tests.mk first: it adds to TEST_EXTRA, which tests.mk's test-build uses.
-include tests/bpf/bpf-tests.mk
-include tests/fuzz/fuzz.mk
-include tests/tests.mk
-include tests/export/export.mk

cross: $(CROSS_TARGETS)

# ---- checks, demo, bench ---------------------------------------------------
deps:
	$(Q)tools/install-deps.sh

check:
	$(Q)tools/install-deps.sh --quiet
	$(Q)$(MAKE) all test-build
	$(Q)KVMSLB_ROOT=$(CURDIR) KVMSLB_BUILD=$(CURDIR)/$(BUILD) tests/run-suites.sh $(SUITES)

demo:
	$(Q)tools/install-deps.sh --quiet
	$(Q)$(MAKE) all
	$(Q)KVMSLB_BUILD=$(CURDIR)/$(BUILD) tools/demo.sh $(if $(KERNEL),--kernel $(KERNEL)) \
		$(if $(GUEST),--guest $(GUEST))

bench:
	$(Q)tools/install-deps.sh --quiet
	$(Q)$(MAKE) all test-build
	$(Q)KVMSLB_ROOT=$(CURDIR) KVMSLB_BUILD=$(CURDIR)/$(BUILD) tests/run-bench.sh $(BENCH)

# ---- install ---------------------------------------------------------------
install: native
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/kvmslb/bpf \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BUILD)/kvmslb $(DESTDIR)$(PREFIX)/sbin/kvmslb
	ln -sf kvmslb $(DESTDIR)$(PREFIX)/sbin/kvmslbtop
	$(if $(BPF_OBJS),install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/kvmslb/bpf/)
	install -m 0644 $(wildcard man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 tools/bash-completion/kvmslb \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/kvmslb
	ln -sf kvmslb $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kvmslbtop
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(PREFIX)/share/kvmslb/prometheus \
		$(DESTDIR)$(PREFIX)/share/kvmslb/grafana
	for u in $(wildcard contrib/systemd/*.service.in); do \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u .in) && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u .in) || exit 1; \
	done
	install -m 0644 contrib/prometheus/kvmslb.rules.yml contrib/prometheus/kvmslb.rules.test.yml \
		$(DESTDIR)$(PREFIX)/share/kvmslb/prometheus/
	install -m 0644 contrib/grafana/kvmslb.json $(DESTDIR)$(PREFIX)/share/kvmslb/grafana/

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
