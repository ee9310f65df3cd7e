#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kvmslb command line: dispatch, prefixes, exit statuses, --help, and a
# doctor that tells the truth about this machine. Runs the plain build and
# the ASan+UBSan build.
set -u
build=${KVMSLB_BUILD:?}
fail=0
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

# expect_rc DESC RC CMD...: exit status and no sanitizer report
expect_rc() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && ! grep -qE 'ERROR: AddressSanitizer|runtime error:' <<<"$out"; then
		ok "$desc (exit $rc)"
	else
		bad "$desc: exit $rc, want $want"
		sed 's/^/#   /' <<<"$out" | head -n 5
	fi
}

for flavour in native asan; do
	k=$build/$flavour/kvmslb
	[ -x "$k" ] || { bad "$flavour: $k missing"; continue; }
	tag="[$flavour]"
	expect_rc "$tag version" 0 "$k" version
	[ "$("$k" --version)" = "kvmslb $(sed -n 's/^VERSION := //p' "$KVMSLB_ROOT/Makefile")" ] &&
		ok "$tag --version prints the Makefile's version" || bad "$tag --version text"
	expect_rc "$tag no command is bad usage" 2 "$k"
	expect_rc "$tag unknown command" 2 "$k" frobnicate
	expect_rc "$tag unknown global option" 2 "$k" --frob doctor
	expect_rc "$tag unknown doctor option" 2 "$k" doctor --frob
	expect_rc "$tag doctor takes no arguments" 2 "$k" doctor extra
	expect_rc "$tag prefix 'doc' runs doctor" 0 "$k" doc
	expect_rc "$tag prefix 'ver' runs version" 0 "$k" ver
	for c in top stat report export doctor; do
		h=$("$k" "$c" --help 2>&1)
		if grep -q 'USAGE:' <<<"$h" && grep -q 'EXAMPLES:' <<<"$h" && grep -q -- '--json' <<<"$h"; then
			ok "$tag $c --help has USAGE, EXAMPLES and the global options"
		else
			bad "$tag $c --help lacks USAGE/EXAMPLES/--json"
		fi
	done
done

k=$build/kvmslb
# kvmslbtop runs top
t=$(mktemp -d)
ln -s "$k" "$t/kvmslbtop"
a=$("$t/kvmslbtop" --help 2>&1 | head -n 1)
grep -q '^Usage: kvmslbtop' <<<"$a" && ok "kvmslbtop is top ($a)" || bad "kvmslbtop: '$a'"
rm -rf "$t"

# doctor -j is JSON and tells the truth about this machine
j=$("$k" doctor -j --no-mount)
if python3 -c 'import json,sys; json.loads(sys.argv[1])' "$j" 2>/dev/null; then
	ok "doctor -j is valid JSON"
else
	bad "doctor -j is not JSON"
fi
q() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$j" "$1"; }
[ "$(q 'd["host"]["architecture"]')" = "$(uname -m)" ] && ok "doctor: architecture = uname -m" ||
	bad "doctor: architecture"
[ "$(q 'd["host"]["kernel"]')" = "$(uname -r)" ] && ok "doctor: kernel = uname -r" || bad "doctor: kernel"
want_btf=False; [ -e /sys/kernel/btf/vmlinux ] && want_btf=True
[ "$(q 'd["tracing"]["btf"]')" = "$want_btf" ] && ok "doctor: BTF = $want_btf" || bad "doctor: BTF"
want_hv=False; [ -e /sys/module/kvm_hv ] && want_hv=True
[ "$(q 'd["host"]["kvm_hv_loaded"]')" = "$want_hv" ] && ok "doctor: kvm_hv loaded = $want_hv" ||
	bad "doctor: kvm_hv"
for tp in kvm_guest_exit kvm_segment_synth; do
	want=False
	[ -e /sys/kernel/tracing/events/kvm_hv/$tp/format ] && want=True
	[ "$(q "d['tracing']['tracepoints']['kvm_hv:$tp']")" = "$want" ] &&
		ok "doctor: kvm_hv:$tp = $want" || bad "doctor: kvm_hv:$tp"
done
# bpf(): cross-check with bpftool, which loads programs the same way
want_bpf=False
bpftool prog load /dev/null /sys/fs/bpf/x 2>&1 | grep -q 'Operation not permitted' || want_bpf=True
[ "$(id -u)" -ne 0 ] && want_bpf=False
[ "$(q 'd["tracing"]["bpf"]')" = "$want_bpf" ] && ok "doctor: bpf() works = $want_bpf" ||
	bad "doctor: bpf()"
if [ "$want_hv" = False ]; then
	[ "$(q 'd["selected"]')" = None ] && ok "doctor: no source selected without kvm_hv" ||
		bad "doctor: selected a source without kvm_hv"
	grep -q 'modprobe kvm_hv' <<<"$(q 'd["sources"][1]["reason"]')" &&
		ok "doctor: stock source says kvm_hv is not loaded" || bad "doctor: stock reason"
fi
if [ "$(q 'd["host"]["cpu_generation"]')" = other ] && [ "$(uname -m)" = x86_64 ]; then
	ok "doctor: x86_64 is not taken for POWER"
else
	[ "$(uname -m)" = x86_64 ] && bad "doctor: cpu generation on x86_64"
fi
# text and JSON agree on the selected source
sel_text=$("$k" doctor --no-mount | sed -n 's/^selected source: //p' | cut -d: -f1)
sel_json=$(q 'd["selected"] or "none"')
[ "$sel_text" = "$sel_json" ] && ok "doctor: text and JSON select the same source ($sel_json)" ||
	bad "doctor: text '$sel_text' vs JSON '$sel_json'"

exit $fail
