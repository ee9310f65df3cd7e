#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every tests/bench/NN-*.sh in order (or those whose names
# contain one of the arguments). Each prints its figures as ratios against
# a peer measured in the same run, and exits non-zero when over its target.
# Not part of make check: timing depends on the machine's load.
set -u
root=${KVMSLB_ROOT:?}
fail=0
for b in "$root"/tests/bench/[0-9]*.sh; do
	name=$(basename "$b" .sh)
	if [ $# -gt 0 ]; then
		keep=0
		for want in "$@"; do [[ $name == *"$want"* ]] && keep=1; done
		[ $keep = 1 ] || continue
	fi
	echo "=== bench $name"
	bash "$b" || { echo "=== bench $name: over target or failed"; fail=1; }
done
exit $fail
