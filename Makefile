# SPDX-License-Identifier: GPL-2.0
# kvmslb: SLB-miss segment-fault diagnostics for KVM on IBM POWER.
#
#   make              native kvmslb (the BPF programs embedded); never uses the network
#   make all          also the static ppc64le build (downloads ppc64el .debs once)
#   make check        every test suite (installs missing packages first)
#   make demo         the main job on an emulated POWER8 host (GUEST=linux: Linux guests)
#   make bench        benchmarks, as ratios against a peer measured in the same run
#   make install      DESTDIR/PREFIX honoured; make uninstall removes it again
#   make deps         install the Debian packages the build and tests need
#   make V=1 ...      show the commands
#   CFLAGS, CPPFLAGS, LDFLAGS (environment or command line) reach the native
#   build, as dpkg-buildflags sets them; WERROR=-Werror (make check, CI) makes
#   warnings errors.

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

# The default builds what a distribution ships, from local files only: the
# static ppc64le build (which fetches .debs) is 'make all' or 'make cross'.
.DEFAULT_GOAL := native
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all native cross check demo bench install uninstall clean deps help

CC ?= cc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
CROSS_CC ?= powerpc64le-linux-gnu-gcc

# The user's flags come last, so they win; ours are what the code needs.
CFLAGS ?= -g -O2
CPPFLAGS ?=
LDFLAGS ?=
# A newer compiler's new warning must not break a user's build: -Werror is
# for make check and CI (WERROR=-Werror), which build with the compiler we test.
WERROR ?=
# Truncating a long path in a one-line message is intended.
WARN := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-Wno-format-truncation
KVMSLB_CPPFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD)/bpf \
	-DKVMSLB_VERSION='"$(VERSION)"'
BASE_CFLAGS = $(KVMSLB_CPPFLAGS) $(CPPFLAGS) $(WARN) $(WERROR) $(CFLAGS)
NATIVE_LIBS := -lbpf -lelf -lz -lzstd -ltraceevent -lncursesw -lmicrohttpd -lcap -ljson-c

SRC_CORE := $(sort $(wildcard src/core/*.c))
SRC_CMD := $(sort $(wildcard src/cmd_*.c))
# Front ends keep their helpers in src/<front end>/.
SRC_FRONT := $(sort $(wildcard src/export/*.c src/top/*.c src/report/*.c src/view/*.c))
# Readers of recorded data (perf.data, perf script, trace.dat): used by report only.
SRC_RECORD := $(sort $(wildcard src/record/*.c))
SRC_LIB := $(SRC_CORE) $(SRC_CMD) $(SRC_FRONT) $(SRC_RECORD)
BPF_SRCS := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))
HDRS := $(wildcard include/kvmslb/*.h src/*.h src/*/*.h)

CROSS_TARGETS :=

all: native cross

help:
	@sed -n '3,15p' Makefile | sed 's/^# \{0,1\}//'

# Objects are rebuilt when the user's flags change. WERROR is left out: it
# turns warnings into errors, it does not change what is built.
FLAGS_LINE := $(CC) $(KVMSLB_CPPFLAGS) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) | $(CLANG)
FLAGS_STAMP := $(BUILD)/.flags
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
ifneq ($(FLAGS_LINE),$(shell cat $(FLAGS_STAMP) 2>/dev/null))
$(shell mkdir -p $(BUILD) && printf '%s\n' '$(subst ','\'',$(FLAGS_LINE))' > $(FLAGS_STAMP))
endif
endif

# ---- BPF objects and skeletons -------------------------------------------
# The object is embedded into kvmslb by its skeleton and not installed. The
# programs use no pt_regs, so the target arch only names the build machine.
# -mcpu=v3: a new histogram takes its slot with an atomic fetch-and-add
# (Linux 5.12+, JITed on ppc64 and x86 alike).
BPF_ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/ppc64le/powerpc/' \
	-e 's/aarch64/arm64/' -e 's/s390x/s390/')
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/kvmslb/*.h) \
		$(FLAGS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -Wall $(WERROR) -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) \
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

$$($(1)_OBJDIR)/%.o: src/%.c $(HDRS) $(BPF_SKELS) $(FLAGS_STAMP)
	$$(call msg,CC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$(CC) $(BASE_CFLAGS) $(2) -c $$< -o $$@

$(BUILD)/$(1)/libkvmslb.a: $$($(1)_LIB_OBJS)
	$$(call msg,AR,$$@)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^

$(BUILD)/$(1)/kvmslb: $$($(1)_OBJDIR)/main.o $(BUILD)/$(1)/libkvmslb.a
	$$(call msg,LD,$$@)
	$$(Q)$(CC) $(CFLAGS) $(2) $(LDFLAGS) -o $$@ $$^ $(NATIVE_LIBS)
endef

ASAN_FLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
$(eval $(call userspace_flavour,native,))
$(eval $(call userspace_flavour,asan,$(ASAN_FLAGS)))

native: $(BUILD)/kvmslb $(BUILD)/kvmslbtop

# a new file, not an overwrite: a running kvmslb keeps its inode
$(BUILD)/kvmslb: $(BUILD)/native/kvmslb
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/kvmslbtop: $(BUILD)/kvmslb
	$(Q)ln -sf kvmslb $@

# ---- static ppc64le build --------------------------------------------------
# Named after the script's content: a fresh clone reuses it, a changed
# package list gets its own (tools/cross-sysroot.sh locks the writer).
SYSROOT_KEY := $(shell sha256sum tools/cross-sysroot.sh | cut -c1-12)
SYSROOT_PPC ?= $(KVMSLB_CACHE)/sysroot-ppc64el-$(SYSROOT_KEY)
PPC_LIBDIR := $(SYSROOT_PPC)/usr/lib/powerpc64le-linux-gnu
# Not the user's CFLAGS: those are for the native compiler (-fcf-protection
# and the like do not exist for ppc64le).
CROSS_CFLAGS := $(KVMSLB_CPPFLAGS) $(WARN) $(WERROR) -g -O2 -I$(SYSROOT_PPC)/usr/include \
	-I$(SYSROOT_PPC)/usr/include/powerpc64le-linux-gnu -DKVMSLB_STATIC_CROSS
# libmicrohttpd's static archive needs GnuTLS's; the ppc64le build serves
# HTTP without it (see src/ for the fallback) and otherwise is the same code.
CROSS_LIBS := -L$(PPC_LIBDIR) -lbpf -lelf -lz -lzstd -ltraceevent -lncursesw -ltinfo -lcap -ljson-c
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
	$(Q)$(MAKE) all test-build WERROR=-Werror
	$(Q)KVMSLB_ROOT=$(CURDIR) KVMSLB_BUILD=$(CURDIR)/$(BUILD) tests/run-suites.sh $(SUITES)

demo:
	$(Q)tools/install-deps.sh --quiet
	$(Q)$(MAKE) all
	$(Q)KVMSLB_BUILD=$(CURDIR)/$(BUILD) tools/demo.sh $(if $(KERNEL),--kernel $(KERNEL)) \
		$(if $(GUEST),--guest $(GUEST))

bench:
	$(Q)tools/install-deps.sh --quiet
	$(Q)$(MAKE) all test-build WERROR=-Werror
	$(Q)KVMSLB_ROOT=$(CURDIR) KVMSLB_BUILD=$(CURDIR)/$(BUILD) tests/run-bench.sh $(BENCH)

# ---- install ---------------------------------------------------------------
# What runs, nothing else: the BPF programs are inside kvmslb (skeleton);
# the export units, Prometheus rules and Grafana dashboard are for a fleet.
MAN8 := $(wildcard man/*.8)
INSTALLED := $(PREFIX)/sbin/kvmslb $(PREFIX)/sbin/kvmslbtop \
	$(patsubst man/%,$(PREFIX)/share/man/man8/%,$(MAN8)) \
	$(PREFIX)/share/bash-completion/completions/kvmslb \
	$(PREFIX)/share/bash-completion/completions/kvmslbtop \
	$(patsubst contrib/systemd/%.in,$(SYSTEMDUNITDIR)/%,$(wildcard contrib/systemd/*.service.in)) \
	$(PREFIX)/share/kvmslb/prometheus/kvmslb.rules.yml \
	$(PREFIX)/share/kvmslb/prometheus/kvmslb.rules.test.yml \
	$(PREFIX)/share/kvmslb/grafana/kvmslb.json

install: native
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BUILD)/kvmslb $(DESTDIR)$(PREFIX)/sbin/kvmslb
	ln -sf kvmslb $(DESTDIR)$(PREFIX)/sbin/kvmslbtop
	install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/
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

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
