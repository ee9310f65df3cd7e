#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (cmocka), plain and under ASan+UBSan, plus the CLI contract.
set -u
build=${KVMSLB_BUILD:?}
fail=0

run_unit() {	# flavour binary
	local out rc
	out=$("$2" 2>&1)
	rc=$?
	# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)"
	while IFS= read -r line; do echo "# $line"; done <<<"$out"
	if [ $rc -eq 0 ]; then
		echo "ok - $1 $(basename "$2") ($(grep -oE 'PASSED  \] [0-9]+' <<<"$out" | grep -oE '[0-9]+$') tests)"
	else
		echo "not ok - $1 $(basename "$2") exited $rc"
		fail=1
	fi
}

shopt -s nullglob
bins=("$build"/native/tests/test_*)
[ ${#bins[@]} -gt 0 ] || { echo "not ok - no unit test binaries in $build/native/tests"; exit 1; }
for t in "$build"/native/tests/test_*; do run_unit native "$t"; done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "$build"/asan/tests/test_*; do run_unit asan+ubsan "$t"; done
exit $fail
