#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BPF program tests: bpf/kvmslb.bpf.c and bpf/kvmslb_btf.bpf.c through
# BPF_PROG_TEST_RUN with crafted tracepoint arguments (exact map contents),
# their tp/ and ring-buffer paths attached to stand-in tracepoints that fire
# on this machine (tests/bpf/), once more where the kernel has no BTF (a
# mount namespace hides /sys/kernel/btf); `kvmslb btf` on DWARF inputs and
# what doctor makes of its output. Needs root and bpf(); says so instead of
# passing.
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
"$k" stat --btf /nonexistent.btf >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "stat --btf with a missing file: bad input (exit 2)" || bad "stat --btf /nonexistent.btf: exit $rc, want 2"

# ---- doctor --root: a tree that is not there is bad usage, not blank fields --
err=$("$k" doctor --root /nonexistent 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q 'No such file' <<<"$err" &&
	ok "doctor --root /nonexistent: exit 2, one line ($err)" || bad "doctor --root /nonexistent: rc=$rc '$err'"
out=$("$k" doctor --root /etc/hostname 2>&1); rc=$?
[ $rc -eq 2 ] && ok "doctor --root FILE: exit 2" || bad "doctor --root /etc/hostname: rc=$rc"

# ---- kvmslb btf: DWARF in, the minimized BTF out; doctor reads it back -------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=${KVMSLB_ROOT:?}
if ! command -v pahole >/dev/null || ! command -v gcc >/dev/null; then
	bad "kvmslb btf tests need pahole (dwarves) and gcc"
else
	# a "vmlinux": the POWER-like KVM types of tests/bpf/power_kvm.h, with DWARF
	gcc -g -c "$root/tests/bpf/power_kvm_btf.c" -o "$work/vmlinux.o"
	out=$("$k" btf --vmlinux "$work/vmlinux.o" -o "$work/k.btf" 2>&1); rc=$?
	[ $rc -eq 0 ] && grep -q "describing struct kvm_vcpu" <<<"$out" &&
		ok "kvmslb btf: $out" || bad "kvmslb btf on a DWARF vmlinux: rc=$rc '$out'"
	# exactly what kvmslb_btf.bpf.c reads, at the offsets of power_kvm.h
	dump=$(bpftool btf dump file "$work/k.btf" 2>&1)
	want="STRUCT 'kvm_vcpu' size=472 vlen=2|'vcpu_id' type_id=[0-9]+ bits_offset=416|'arch' type_id=[0-9]+ bits_offset=960|STRUCT 'kvm_vcpu_arch' size=352 vlen=2|'trap' type_id=[0-9]+ bits_offset=2400|'run_task' type_id=[0-9]+ bits_offset=2688|STRUCT 'task_struct' size=128 vlen=1|'tgid' type_id=[0-9]+ bits_offset=832"
	n=$(grep -cE "$want" <<<"$dump")
	[ "$n" -eq 8 ] && [ "$(grep -c "^\[" <<<"$dump")" -eq 5 ] &&
		ok "kvmslb btf: 5 types, the 3 structs with only the 5 fields read, at their offsets" ||
		{ bad "kvmslb btf: unexpected types"; sed 's/^/#   /' <<<"$dump"; }
	"$k" btf --full --vmlinux "$work/vmlinux.o" -o "$work/full.btf" >/dev/null 2>&1 &&
		"$k" btf --vmlinux "$work/full.btf" -o "$work/k2.btf" >/dev/null 2>&1 &&
		cmp -s "$work/k.btf" "$work/k2.btf" && [ "$(stat -c %s "$work/full.btf")" -gt "$(stat -c %s "$work/k.btf")" ] &&
		ok "kvmslb btf --full, then minimized from that BTF: the same file" ||
		bad "kvmslb btf --full / BTF input"
	# KVM types only in a module: split BTF against the vmlinux's, merged
	printf 'struct foo { int a; long b; };\nstruct foo f;\n' > "$work/base.c"
	printf '#include "%s"\nstruct foo { int a; long b; };\nstruct foo g;\nstruct kvm_vcpu v;\nstruct task_struct t;\n' \
		"$root/tests/bpf/power_kvm.h" > "$work/mod.c"
	gcc -g -c "$work/base.c" -o "$work/base.o" && gcc -g -c "$work/mod.c" -o "$work/kvm-hv.ko"
	"$k" btf --vmlinux "$work/base.o" --module "$work/kvm-hv.ko" -o "$work/m.btf" >/dev/null 2>&1 &&
		[ "$(bpftool btf dump file "$work/m.btf" | grep -cE "$want")" -eq 8 ] &&
		ok "kvmslb btf --module: the KVM types from the module, merged into one BTF" ||
		bad "kvmslb btf --module"
	"$k" btf --vmlinux "$work/base.o" -o "$work/x.btf" >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] && ok "kvmslb btf: a vmlinux without KVM types is bad input (exit 2)" || bad "no KVM types: exit $rc"
	printf 'int y;\n' > "$work/nodwarf.c" && gcc -c "$work/nodwarf.c" -o "$work/nodwarf.o"
	"$k" btf --vmlinux "$work/nodwarf.o" -o "$work/x.btf" >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] && ok "kvmslb btf: no DWARF is bad input (exit 2)" || bad "no DWARF: exit $rc"
	for args in "" "--vmlinux $work/vmlinux.o" "-o $work/x.btf" "--vmlinux /nonexistent -o $work/x.btf"; do
		# shellcheck disable=SC2086
		"$k" btf $args >/dev/null 2>&1; rc=$?
		[ $rc -eq 2 ] && ok "kvmslb btf $args: bad usage (exit 2)" || bad "kvmslb btf $args: exit $rc, want 2"
	done
	# doctor: the --btf file, and a kernel whose BTF describes KVM (--root)
	j=$("$k" -j doctor --btf "$work/k.btf")
	python3 -c 'import json,sys; d=json.loads(sys.argv[1])["tracing"]["btf_file"]; assert d["usable"] is True, d' "$j" &&
		ok "doctor --btf: the file describes struct kvm_vcpu" || bad "doctor --btf: $j"
	mkdir -p "$work/root/sys/kernel/btf" "$work/root/proc/sys/kernel" "$work/root2/sys/kernel/btf"
	cp "$work/full.btf" "$work/root/sys/kernel/btf/vmlinux"
	pahole --btf_encode_detached="$work/root2/sys/kernel/btf/vmlinux" "$work/base.o" &&
		pahole --btf_base="$work/root2/sys/kernel/btf/vmlinux" \
			--btf_encode_detached="$work/root2/sys/kernel/btf/kvm_hv" "$work/kvm-hv.ko"
	for r in root:vmlinux root2:"module kvm_hv"; do
		j=$("$k" -j doctor --root "$work/${r%%:*}")
		python3 -c 'import json,sys; t=json.loads(sys.argv[1])["tracing"]; assert t["btf"] and t["btf_kvm"] and sys.argv[2] in t["btf_kvm_reason"], t' "$j" "${r#*:}" &&
			ok "doctor --root: kernel BTF ($(sed 's/.*(\(.*\)).*/\1/' <<<"${r#*:}")) describes struct kvm_vcpu" ||
			bad "doctor --root ${r%%:*}: $j"
	done
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "ok - BPF program tests # SKIP not root: bpf() needs CAP_BPF/CAP_PERFMON"
	exit $fail
fi
# run_bin BIN LABEL [WRAPPER...]: one TAP line per cmocka test
run_bin() {
	local t=$1 label=$2 out rc
	shift 2
	out=$("$@" "$t" 2>&1)
	rc=$?
	while IFS= read -r line; do echo "# $line"; done <<<"$out"
	while IFS= read -r name; do ok "$label: $name"; done < <(sed -n 's/^\[       OK \] //p' <<<"$out")
	while IFS= read -r name; do bad "$label: $name"; done < <(sed -n 's/^\[  FAILED  \] \(test_[a-z0-9_]*\)$/\1/p' <<<"$out" | sort -u)
	while IFS= read -r name; do echo "ok - $label: $name # SKIP see diagnostics"; done < <(sed -n 's/^\[  SKIPPED \] \(test_[a-z0-9_]*\)$/\1/p' <<<"$out" | sort -u)
	[ $rc -eq 0 ] || bad "$label exited $rc"
}
for t in "${bins[@]}"; do
	run_bin "$t" "$(basename "$t")"
done
# Once more where the kernel has no BTF (Debian's ppc64el kernels): the
# no-CO-RE object must load and count, the CO-RE one only with --btf.
if [ -e /sys/kernel/btf/vmlinux ] && command -v unshare >/dev/null; then
	run_bin "$build/bpf-tests/test_bpf_kvmslb" "test_bpf_kvmslb (no kernel BTF)" \
		unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0"'
fi
exit $fail
