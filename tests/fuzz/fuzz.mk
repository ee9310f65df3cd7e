# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets, one per input parser, built with clang + ASan + UBSan.
# tests/fuzz/fuzz_<name>.c links the sources listed in FUZZ_SRCS_<name>;
# its seeds are tests/fuzz/corpus/<name>/.
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_RECORD := src/record/rd.c src/record/tracing_data.c src/record/tp_decode.c src/core/index.c
FUZZ_SRCS_perf_data := src/record/perf_data.c $(FUZZ_RECORD)
FUZZ_LIBS_perf_data := -ltraceevent -lzstd
FUZZ_SRCS_perf_pipe := src/record/perf_data.c $(FUZZ_RECORD)
FUZZ_LIBS_perf_pipe := -ltraceevent -lzstd
FUZZ_SRCS_trace_dat := src/record/trace_dat.c $(FUZZ_RECORD)
FUZZ_LIBS_trace_dat := -ltraceevent -lzstd -lz
FUZZ_SRCS_trace_dat7 := src/record/trace_dat.c $(FUZZ_RECORD)
FUZZ_LIBS_trace_dat7 := -ltraceevent -lzstd -lz
FUZZ_SRCS_perf_script := src/record/perf_script.c src/record/rd.c src/core/traps.c
FUZZ_SRCS_replay := src/core/replay.c src/core/agg.c src/core/index.c src/core/hist.c \
	src/core/text.c src/core/host_probe.c src/core/tp_format.c
FUZZ_LIBS_replay := -ljson-c -lbpf -ltraceevent
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))

.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_sink.h $$(FUZZ_SRCS_$$*) $(HDRS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

TEST_EXTRA += $(FUZZ_BINS)
