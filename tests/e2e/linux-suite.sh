# SPDX-License-Identifier: GPL-2.0
# Shared body of the Linux-guest suites (tests/suites/4x-linux-*.sh), sourced.
#
#   linux_run TAG MACHINE KERNEL PLAN SOURCE [HOST-KERNEL-ARGS]
#
# Boots the emulated host (tools/host/run-host.sh) with the inner QEMU and
# the guest image in front of its initramfs (tools/guest/build-hostpart.sh),
# runs tests/e2e/linux-inner.sh with LINUX_PLAN=PLAN LINUX_SOURCE=SOURCE,
# relays its TAP lines, then checks its facts with tests/e2e/linux_checks.py.
# HOST-KERNEL-ARGS go to the host's kernel command line.
# Logs: $KVMSLB_BUILD/test-logs/linux-TAG.{inner,console}.log. Returns 1 if
# anything failed. Knobs passed on when set: LINUX_NOTRACE, LINUX_INJECT,
# LINUX_INJECT2, LINUX_INJECT_BATCH, LG_SEGMENTS, LG_PAGES, LG_CODE,
# LG_ROUNDS, LG_MEM; KVMSLB_LINUX_TIMEOUT
# (host timeout, default 900 s).

linux_root=${KVMSLB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
linux_build=${KVMSLB_BUILD:-$linux_root/build}
export KVMSLB_CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}

# The host part (inner QEMU + guest image): built or found in the cache.
linux_hostpart() {
	[ -z "${LINUX_PART:-}" ] || return 0
	local log=$linux_build/test-logs/linux-hostpart.log
	mkdir -p "$linux_build/test-logs"
	LINUX_PART=$("$linux_root/tools/guest/build-hostpart.sh" 2>"$log" | tail -n1)
	sed 's/^/# /' "$log"
	[ -f "$LINUX_PART" ] || { echo "not ok - the inner QEMU and the guest image are built (tools/guest/build-hostpart.sh)"; return 1; }
	echo "# host part: $LINUX_PART ($(du -h "$LINUX_PART" | cut -f1))"
}

linux_run() {
	local tag=$1 machine=$2 kernel=$3 plan=$4 source=$5 append=${6:-}
	local logs=$linux_build/test-logs
	mkdir -p "$logs"
	local u out console
	u=$(mktemp -u XXXXXX)
	out=$logs/linux-$tag.$u.inner.log console=$logs/linux-$tag.$u.console.log
	local adds=(--add "$linux_root/tests/e2e/lib.sh:/kvmslb/lib.sh"
		--add "$linux_root/tools/guest/guest.sh:/kvmslb/guest.sh")
	if [ -x "${KVMSLB_E2E_KVMSLB:-$linux_build/ppc64le/kvmslb}" ]; then
		adds+=(--add "${KVMSLB_E2E_KVMSLB:-$linux_build/ppc64le/kvmslb}:/usr/sbin/kvmslb")
	else
		echo "# $linux_build/ppc64le/kvmslb is not built: the host runs without it"
	fi
	local b
	for b in "$linux_build"/bpf/*.bpf.o; do
		[ -f "$b" ] && adds+=(--add "$b:/usr/lib/kvmslb/")
	done
	local envs=(--env "LINUX_PLAN=$plan" --env "LINUX_SOURCE=$source")
	for b in LINUX_MMU LINUX_NOTRACE LINUX_INJECT LINUX_INJECT2 LINUX_INJECT_BATCH LG_SEGMENTS LG_PAGES LG_CODE LG_ROUNDS LG_MEM; do
		[ -z "${!b:-}" ] || envs+=(--env "$b=${!b}")
	done
	echo "# $tag: $machine, kernel $kernel, source $source, plan $plan (console log $console)"
	local start=$SECONDS rc fail=0
	"$linux_root/tools/host/run-host.sh" --machine "$machine" --kernel "$kernel" \
		--script "$linux_root/tests/e2e/linux-inner.sh" --cpio "$LINUX_PART" \
		--timeout "${KVMSLB_LINUX_TIMEOUT:-900}" --mem 2G --log "$console" --quiet \
		${append:+--append "$append"} \
		"${adds[@]}" "${envs[@]}" > "$out" 2>&1
	rc=$?
	awk -v t="$tag" '/^(not )?ok( |$)/ { sub(/^(not )?ok - /, "&" t ": "); print; next }
		/^#@ / { next } { print "# " $0 }' "$out"
	grep -q '^not ok' "$out" && fail=1
	grep -q '^#@ end tests=' "$out" || { echo "not ok - $tag: the host script did not run to its end (run-host exit $rc)"; fail=1; }
	python3 "$linux_root/tests/e2e/linux_checks.py" --plan "$plan" --source "$source" "$out" |
		sed -E "s/^(not )?ok - /&$tag: /"
	[ "${PIPESTATUS[0]}" -eq 0 ] || fail=1
	mv -f "$out" "$logs/linux-$tag.inner.log"
	mv -f "$console" "$logs/linux-$tag.console.log" 2>/dev/null
	echo "# $tag: $((SECONDS - start)) s wall, run-host exit $rc (logs $logs/linux-$tag.*.log)"
	return $fail
}
