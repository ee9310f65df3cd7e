#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The static ppc64le build runs under qemu-user, as it will inside the
# emulated POWER hosts.
set -u
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

for b in "$build"/ppc64le/kvmslb "$build"/ppc64le/slbguest; do
	name=$(basename "$b")
	if [ ! -x "$b" ]; then
		bad "$name: $b was not built (make cross)"
		continue
	fi
	desc=$(file -b "$b")
	if grep -q '64-bit LSB' <<<"$desc" && grep -q 'PowerPC' <<<"$desc" &&
	   grep -q 'statically linked' <<<"$desc"; then
		ok "$name is a static ppc64le ELF"
	else
		bad "$name: $desc"
	fi
done

k=$build/ppc64le/kvmslb
want="kvmslb $(sed -n 's/^VERSION := //p' "$KVMSLB_ROOT/Makefile")"
got=$(qemu-ppc64le-static "$k" --version 2>&1)
[ "$got" = "$want" ] && ok "qemu-ppc64le-static kvmslb --version: $got" ||
	bad "kvmslb --version under qemu-user: '$got', want '$want'"
j=$(qemu-ppc64le-static "$k" doctor -j --no-mount 2>/dev/null)
arch=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["host"]["architecture"])' "$j" 2>&1)
[ "$arch" = ppc64le ] && ok "kvmslb doctor -j under qemu-user reports ppc64le" ||
	bad "doctor under qemu-user: '$arch'"
qemu-ppc64le-static "$k" frobnicate >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok "bad usage exits 2 on ppc64le too" || bad "bad usage exits $rc on ppc64le"
exit $fail
