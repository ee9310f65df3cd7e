#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every input parser under libFuzzer (ASan+UBSan) from its seed corpus (perf.data
# file and pipe mode, trace.dat 6 and 7, perf script text), with a
# fixed seed and run count so the run is the same each time.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
runs=${KVMSLB_FUZZ_RUNS:-100000}
fail=0
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp
shopt -s nullglob
bins=("$build"/fuzz/fuzz_*)
[ ${#bins[@]} -gt 0 ] || { echo "not ok - no fuzz targets built in $build/fuzz"; exit 1; }
for f in "${bins[@]}"; do
	name=${f##*/fuzz_}
	corpus=$(mktemp -d)
	cp "$root/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
	log=$(mktemp)
	if (cd "$corpus" && "$f" -runs="$runs" -seed=1 -max_len=32768 -artifact_prefix="$corpus/" \
		"$corpus" >"$log" 2>&1); then
		echo "ok - fuzz_$name: $runs runs from $(ls "$root/tests/fuzz/corpus/$name" | wc -l) seeds, no crash, leak or UB"
	else
		echo "not ok - fuzz_$name failed; reproducer kept in $build/fuzz/"
		grep -E 'ERROR|SUMMARY|#[0-9]+ ' "$log" | head -n 12 | sed 's/^/#   /'
		cp "$corpus"/crash-* "$corpus"/leak-* "$corpus"/timeout-* "$build/fuzz/" 2>/dev/null
		fail=1
	fi
	rm -rf "$corpus" "$log"
done
exit $fail
