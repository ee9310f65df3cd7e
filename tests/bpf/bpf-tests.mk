# SPDX-License-Identifier: GPL-2.0
# BPF program tests (tests/suites/15-bpf.sh) and the bench (tests/bench/10-bpf-handlers.sh).
#   tests/bpf/*.bpf.c     test-only BPF objects (stand-ins on tracepoints that fire here)
#   tests/bpf/test_*.c    test binaries: bpf_test.c helper + cmocka + libkvmslb.a
#   tests/bpf/bench_*.c   benchmark binaries
#   tests/bpf/power_kvm*  a BTF file of POWER-like KVM types (CO-RE tests)
BPFT_DIR := $(BUILD)/bpf-tests
BPFT_BPF_SRCS := $(sort $(wildcard tests/bpf/*.bpf.c))
BPFT_SKELS := $(patsubst tests/bpf/%.bpf.c,$(BPFT_DIR)/%.skel.h,$(BPFT_BPF_SRCS))
BPFT_TESTS := $(patsubst tests/bpf/%.c,$(BPFT_DIR)/%,$(sort $(wildcard tests/bpf/test_*.c)))
BPFT_BENCH := $(patsubst tests/bpf/%.c,$(BPFT_DIR)/%,$(sort $(wildcard tests/bpf/bench_*.c)))

$(BPFT_DIR)/%.bpf.o: tests/bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/kvmslb/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) \
		-Iinclude -Ibpf -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(BPFT_DIR)/%.skel.h: $(BPFT_DIR)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BPFT_DIR)/%: tests/bpf/%.c tests/bpf/bpf_test.c tests/bpf/bpf_test.h $(BPFT_SKELS) \
		$(BPF_SKELS) $(BUILD)/native/libkvmslb.a $(wildcard tests/bpf/*.h)
	$(call msg,CC-BPFT,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -Itests/bpf -I$(BPFT_DIR) -DKVMSLB_BPFT_DIR='"$(abspath $(BPFT_DIR))"' \
		-o $@ $< tests/bpf/bpf_test.c \
		$(BUILD)/native/libkvmslb.a $(NATIVE_LIBS) -lcmocka -lpthread

# A BTF file of POWER-like KVM types for the CO-RE programs (tests/bpf/power_kvm.h).
$(BPFT_DIR)/power_kvm.btf.o: tests/bpf/power_kvm_btf.c tests/bpf/power_kvm.h
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -c $< -o $@

TEST_EXTRA += $(BPFT_TESTS) $(BPFT_BENCH) $(BPFT_DIR)/power_kvm.btf.o
