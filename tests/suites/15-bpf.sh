#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BPF program tests: bpf/kvmslb.bpf.c through BPF_PROG_TEST_RUN with crafted
# tracepoint arguments (exact map contents), and its tp/ and ring-buffer
# paths attached to stand-in tracepoints that fire on this machine
# (tests/bpf/). Needs root and bpf(); says so instead of passing.
set -u
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

shopt -s nullglob
bins=("$build"/bpf-tests/test_*)
[ ${#bins[@]} -gt 0 ] || { bad "no BPF test binaries in $build/bpf-tests (make test-build)"; exit 1; }
for o in "$build"/bpf/*.bpf.o; do
	if llvm-objdump -h "$o" 2>/dev/null | grep -q '\.debug_info'; then
		bad "$(basename "$o") still carries DWARF (llvm-strip -g)"
	else
		ok "$(basename "$o") is stripped of DWARF"
	fi
done
# kvmslb stat's contract where no source can run (this x86 machine): exit 1,
# one line naming each source's reason, the same reasons as doctor.
k=$build/native/kvmslb
if [ -x "$k" ] && ! "$k" -j doctor | grep -q '"selected":"'; then
	err=$("$k" stat 2>&1 >/dev/null); rc=$?
	why=$("$k" -j doctor | sed -n 's/.*"name":"stock","usable":false,"reason":"\([^"]*\)".*/\1/p')
	[ $rc -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -qF "stock: $why" <<<"$err" &&
		ok "stat with no usable source: exit 1, one line, doctor's reasons" ||
		bad "stat with no usable source: rc=$rc '$err' (doctor: '$why')"
	out=$("$k" -j stat --source stock 2>/dev/null); rc=$?
	[ $rc -eq 1 ] && python3 -c 'import json,sys; assert "error" in json.loads(sys.argv[1])' "$out" &&
		ok "stat -j --source stock: exit 1 and a JSON error" || bad "stat -j --source stock: rc=$rc '$out'"
fi
for args in "--source nope" "0" "1 0" "1 2 3" "--guest=" "-- -1"; do
	# shellcheck disable=SC2086
	"$k" stat $args >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] && ok "stat $args: bad usage (exit 2)" || bad "stat $args: exit $rc, want 2"
done
if [ "$(id -u)" -ne 0 ]; then
	echo "ok - BPF program tests # SKIP not root: bpf() needs CAP_BPF/CAP_PERFMON"
	exit 0
fi
for t in "${bins[@]}"; do
	out=$("$t" 2>&1)
	rc=$?
	while IFS= read -r line; do echo "# $line"; done <<<"$out"
	# one TAP line per cmocka test
	while IFS= read -r name; do ok "$(basename "$t"): $name"; done < <(sed -n 's/^\[       OK \] //p' <<<"$out")
	while IFS= read -r name; do bad "$(basename "$t"): $name"; done < <(sed -n 's/^\[  FAILED  \] \(test_[a-z0-9_]*\)$/\1/p' <<<"$out" | sort -u)
	while IFS= read -r name; do echo "ok - $(basename "$t"): $name # SKIP see diagnostics"; done < <(sed -n 's/^\[  SKIPPED \] \(test_[a-z0-9_]*\)$/\1/p' <<<"$out" | sort -u)
	[ $rc -eq 0 ] || bad "$(basename "$t") exited $rc"
done
exit $fail
