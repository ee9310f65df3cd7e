# SPDX-License-Identifier: GPL-2.0
# Test programs of the exporter, linked against the product's library:
# serve_metrics (the exporter over known counts, for Prometheus and
# promtool), bench_export (make bench; also built against the exporter
# before issue 12 by tests/bench/40-export.sh), bench_maps (make bench).
$(BUILD)/native/tests/serve_metrics: tests/export/serve_metrics.c $(BUILD)/native/libkvmslb.a
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -o $@ $< $(BUILD)/native/libkvmslb.a $(NATIVE_LIBS) -lm

$(BUILD)/native/tests/bench_export: tests/export/bench_export.c tests/export/bench_data.h tests/export/bench_bpf.h \
		$(BUILD)/native/libkvmslb.a
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -o $@ $< $(BUILD)/native/libkvmslb.a $(NATIVE_LIBS)

# the map-reading part of a refresh: knows the BPF maps' keys
$(BUILD)/native/tests/bench_maps: tests/export/bench_maps.c tests/export/bench_data.h tests/export/bench_bpf.h \
		$(BUILD)/native/libkvmslb.a
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -o $@ $< $(BUILD)/native/libkvmslb.a $(NATIVE_LIBS)

test-build: $(BUILD)/native/tests/serve_metrics $(BUILD)/native/tests/bench_export \
	$(BUILD)/native/tests/bench_maps
