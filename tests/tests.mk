# SPDX-License-Identifier: GPL-2.0
# Unit tests (cmocka), built twice: plain and under ASan+UBSan.
# tests/unit/test_<name>.c links against libkvmslb.a of its flavour.
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_NATIVE := $(patsubst tests/unit/%.c,$(BUILD)/native/tests/%,$(UNIT_SRCS))
UNIT_ASAN := $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(UNIT_SRCS))

$(BUILD)/native/tests/%: tests/unit/%.c $(BUILD)/native/libkvmslb.a $(wildcard tests/unit/*.h)
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/native/libkvmslb.a \
		$(NATIVE_LIBS) -lcmocka

$(BUILD)/asan/tests/%: tests/unit/%.c $(BUILD)/asan/libkvmslb.a $(wildcard tests/unit/*.h)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $< \
		$(BUILD)/asan/libkvmslb.a $(NATIVE_LIBS) -lcmocka

.PHONY: test-build
test-build: $(UNIT_NATIVE) $(UNIT_ASAN) $(BUILD)/asan/kvmslb $(TEST_EXTRA)

