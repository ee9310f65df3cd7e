# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# slbguest: static ppc64le mini VMM + HPT guest payload (tools/slbguest/).
# Included by the top-level Makefile; also usable on its own:
#   make -f tools/slbguest/slbguest.mk slbguest [BUILD=dir] [CROSS_CC=...] [V=1]

BUILD    ?= build
CROSS_CC ?= powerpc64le-linux-gnu-gcc

ifndef Q
  ifeq ($(V),1)
    Q :=
  else
    Q := @
  endif
endif

SLBGUEST_DIR    := tools/slbguest
SLBGUEST_BIN    := $(BUILD)/ppc64le/slbguest
SLBGUEST_OBJDIR := $(BUILD)/ppc64le/obj/slbguest
SLBGUEST_HDRS   := $(SLBGUEST_DIR)/guest.h $(SLBGUEST_DIR)/vmm.h
SLBGUEST_OBJS   := $(SLBGUEST_OBJDIR)/slbguest.o $(SLBGUEST_OBJDIR)/vmm.o \
                   $(SLBGUEST_OBJDIR)/guest.o
# No FP/VMX/VSX in the VMM: the host thread's FP registers may come back
# clobbered from KVM_RUN (shared/notes/emulated-power-host.md).
SLBGUEST_CFLAGS := -static -O2 -Wall -Wextra -Werror -std=gnu11 \
                   -mno-altivec -mno-vsx -pthread -I$(SLBGUEST_DIR)
SLBGUEST_ASFLAGS := -Wa,-mregnames -I$(SLBGUEST_DIR)

# print "  CC      file" unless V=1 (then make echoes the command itself)
slbguest_quiet = $(if $(Q),@printf '  %-7s %s\n' '$(1)' '$(2)')

.PHONY: slbguest
slbguest: $(SLBGUEST_BIN)

$(SLBGUEST_OBJDIR)/%.o: $(SLBGUEST_DIR)/%.c $(SLBGUEST_HDRS)
	@mkdir -p $(dir $@)
	$(call slbguest_quiet,CC,$<)
	$(Q)$(CROSS_CC) $(SLBGUEST_CFLAGS) -c -o $@ $<

$(SLBGUEST_OBJDIR)/%.o: $(SLBGUEST_DIR)/%.S $(SLBGUEST_DIR)/guest.h
	@mkdir -p $(dir $@)
	$(call slbguest_quiet,AS,$<)
	$(Q)$(CROSS_CC) $(SLBGUEST_ASFLAGS) -c -o $@ $<

$(SLBGUEST_BIN): $(SLBGUEST_OBJS)
	@mkdir -p $(dir $@)
	$(call slbguest_quiet,LD,$@)
	$(Q)$(CROSS_CC) $(SLBGUEST_CFLAGS) -o $@ $(SLBGUEST_OBJS)

CROSS_TARGETS += slbguest
