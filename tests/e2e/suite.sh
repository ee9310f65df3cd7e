# SPDX-License-Identifier: GPL-2.0
# Shared body of the end-to-end suites (tests/suites/4x-e2e-*.sh), sourced.
#   e2e_run MACHINE KERNEL INNER-SCRIPT [TIMEOUT]
# Boots the emulated host with tools/host/run-host.sh, relays the inner
# script's TAP lines as they come (everything else becomes "# " diagnostics),
# then cross-checks its facts with tests/e2e/compare.py. A host that does not
# boot, hangs or dies is a "not ok", never a silent pass.

e2e_run() {
	local machine=$1 kernel=$2 inner=$3 tmo=${4:-${KVMSLB_E2E_TIMEOUT:-600}}
	# KVMSLB_E2E_PATCHED=VMLINUX: another patched kernel (e.g. the 6.12 series)
	[ "$kernel" != patched ] || kernel=${KVMSLB_E2E_PATCHED:-patched}
	local root=${KVMSLB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
	local build=${KVMSLB_BUILD:-$root/build}
	export KVMSLB_CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
	local logs=$build/test-logs
	mkdir -p "$logs"
	# Unique files while running (make check may run elsewhere at the same
	# time), renamed to e2e-MACHINE.{inner,console}.log at the end.
	local tag out console
	tag=$(mktemp -u XXXXXX)
	out=$logs/e2e-$machine.$tag.inner.log console=$logs/e2e-$machine.$tag.console.log
	local adds=(--add "$root/tests/e2e/lib.sh:/kvmslb/lib.sh")
	local b f
	for b in kvmslb slbguest; do
		# KVMSLB_E2E_KVMSLB / KVMSLB_E2E_SLBGUEST: test another binary
		f=KVMSLB_E2E_${b^^}
		f=${!f:-$build/ppc64le/$b}
		if [ -x "$f" ]; then
			adds+=(--add "$f:/usr/sbin/$b")
		else
			echo "# $f is not built: the host runs without it"
		fi
	done
	for b in "$build"/bpf/*.bpf.o; do
		[ -f "$b" ] && adds+=(--add "$b:/usr/lib/kvmslb/")
	done
	# E2E_ADDS: more SRC:DST files for the host image (set by the suite)
	for b in ${E2E_ADDS:-}; do
		adds+=(--add "$b")
	done
	local envs=()
	for b in E2E_DURATION E2E_LOOPS E2E_FLOOD E2E_FLOOD2 E2E_OBSERVER E2E_GUEST_TIMEOUT; do
		[ -z "${!b:-}" ] || envs+=(--env "$b=${!b}")
	done

	echo "# $machine, kernel $kernel: booting (console log $console)"
	local start=$SECONDS rc fail=0
	"$root/tools/host/run-host.sh" --machine "$machine" --kernel "$kernel" \
		--script "$root/tests/e2e/$inner" --timeout "$tmo" --smp "${KVMSLB_E2E_SMP:-1}" \
		--log "$console" --quiet "${adds[@]}" "${envs[@]}" 2>&1 |
		tee "$out" |
		awk '/^(not )?ok( |$)/ { print; fflush(); next } { print "# " $0; fflush() }'
	rc=${PIPESTATUS[0]}
	grep -q '^not ok' "$out" && fail=1
	python3 "$root/tests/e2e/compare.py" --machine "$machine" --host-rc "$rc" "$out" || fail=1
	mv -f "$out" "$logs/e2e-$machine.inner.log"
	mv -f "$console" "$logs/e2e-$machine.console.log" 2>/dev/null
	echo "# $machine e2e: $((SECONDS - start)) s wall, run-host exit $rc (logs $logs/e2e-$machine.*.log)"
	return $fail
}
