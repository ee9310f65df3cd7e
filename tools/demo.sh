#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: kvmslb on an emulated POWER KVM host.
#
#   tools/demo.sh [--kernel patched|stock] [--seconds N] [--guest slbguest|linux]
#
# patched (default): emulated POWER8 (powernv8) with the kernel-patch/ kernel,
#   built the first time by tools/kernel/build-kernel.sh (progress shown).
# stock: emulated POWER9 (powernv9) with Debian's ppc64el kernel; SLB synthesis
#   is shown as unavailable there. About 30 s on a warm machine.
# `kvmslb top -b` prints the live view every second for N (10) seconds while
# three named guests (slbguest) run, on the patched kernel with SLB misses
# injected at 0, 20 and 200 per second; then `kvmslb stat` shows the per-guest
# totals and latency histograms, next to the guests' own counts.
# --guest linux: real Linux guests (Debian's kernel) under QEMU with KVM-HV
#   instead of slbguest, named web1 and db1 (tools/guest/demo-inner.sh); the
#   inner QEMU and the guest image are built once (tools/guest/build-hostpart.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KVMSLB_BUILD:-$ROOT/build}
kernel=patched secs=10 guest=slbguest
while [ $# -gt 0 ]; do
	case $1 in
	--guest) guest=${2:?}; shift ;;
	--kernel) kernel=${2:?}; shift ;;
	--seconds) secs=${2:?}; shift ;;
	-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $kernel in
patched) machine=powernv8 source=patched ;;
stock) machine=powernv9 source=stock ;;
*) echo "demo: --kernel '$kernel': expected patched or stock" >&2; exit 2 ;;
esac
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "demo: --seconds '$secs': expected a count" >&2; exit 2; }
case $guest in
slbguest) ;;
linux) exec "$ROOT/tools/guest/demo.sh" --kernel "$kernel" ;;
*) echo "demo: --guest '$guest': expected slbguest or linux" >&2; exit 2 ;;
esac

[ -x "$BUILD/ppc64le/kvmslb" ] || { echo "demo: $BUILD/ppc64le/kvmslb is not built (run: make cross)" >&2; exit 1; }
[ -x "$BUILD/ppc64le/slbguest" ] || { echo "demo: $BUILD/ppc64le/slbguest is not built (run: make slbguest)" >&2; exit 1; }

inner=$(mktemp)
trap 'rm -f "$inner"' EXIT
cat > "$inner" <<INNER
secs=$secs source=$source kernel=$kernel
INNER
cat >> "$inner" <<'INNER'
if [ $kernel = patched ] && [ ! -d /sys/kernel/tracing/events/kvm_hv/kvm_segment_synth ]; then
	echo "demo: this kernel has no kvm_hv:kvm_segment_synth: not the patched kernel"; exit 1
fi
run_for=$((secs - 1))
[ $run_for -ge 1 ] || run_for=1
# kvmslb first, so it sees the guests from their first fault.
kvmslb stat --source $source $((secs + 1)) 1 > /tmp/stat.out 2>&1 &
ps=$!
echo "== kvmslb top -b -d 1 -n $secs (source $source)"
# top's output is shown as it comes; its readiness line also marks a file
( kvmslb top -b -d 1 -n $secs --source $source; echo $? > /tmp/top.rc ) |
	while IFS= read -r l; do
		echo "$l"
		case $l in attached:*) : > /tmp/top.ready ;; esac
	done &
pt=$!
# the guests start once both have their programs attached (their readiness lines)
i=0
until grep -q '^attached: ' /tmp/stat.out 2>/dev/null && [ -f /tmp/top.ready ]; do
	i=$((i + 1))
	[ $i -le 600 ] || { echo "demo: kvmslb did not attach: $(cat /tmp/stat.out)"; exit 1; }
	sleep 0.1
done
echo "== three guests: web1, db1, batch1$([ $kernel = patched ] && echo ': SLB misses injected at 0, 20 (paced) and 200 (unpaced: drops) per second')"
g() { n=$1; shift; slbguest -name guest=$n --duration $run_for --loops 100000000 --timeout 60 "$@" > /tmp/$n.out 2>&1 & }
g web1   --vcpus 1 --data-pages 32 --code-pages 4
p1=$!
g db1    --vcpus 2 --data-pages 64 --code-pages 8 --pace
p2=$!
g batch1 --vcpus 1 --data-pages 16 --code-pages 2
p3=$!
if [ $kernel = patched ]; then
	# The rates: refill each guest's slb_miss_inject knob every second.
	sleep 0.5
	k_db1=$(sed -n 's/^slbguest: vm .* debugfs=\([^ ]*\).*/\1/p' /tmp/db1.out)
	k_batch1=$(sed -n 's/^slbguest: vm .* debugfs=\([^ ]*\).*/\1/p' /tmp/batch1.out)
	i=0
	while [ $i -lt $run_for ]; do
		[ -n "$k_db1" ] && echo 20 > $k_db1/slb_miss_inject 2>/dev/null
		[ -n "$k_batch1" ] && echo 200 > $k_batch1/slb_miss_inject 2>/dev/null
		sleep 1; i=$((i + 1))
	done
fi
wait $pt
rc=$(cat /tmp/top.rc 2>/dev/null || echo 1)
wait $ps
src=$?
wait $p1 $p2 $p3
echo "== kvmslb stat --source $source: per-guest totals and fault-latency histograms"
cat /tmp/stat.out
echo "== the guests' own counts (ground truth)"
for n in web1 db1 batch1; do grep -h '^slbguest: total' /tmp/$n.out; done
[ $rc -eq 0 ] && [ $src -eq 0 ]
INNER

echo "demo: $machine with the $kernel kernel; guests web1, db1, batch1; ${secs} s live view" >&2
adds=(--add "$BUILD/ppc64le/kvmslb:/usr/sbin/" --add "$BUILD/ppc64le/slbguest:/usr/sbin/")
for o in "$BUILD"/bpf/*.bpf.o; do [ -f "$o" ] && adds+=(--add "$o:/usr/lib/kvmslb/"); done
"$ROOT/tools/host/run-host.sh" --machine "$machine" --kernel "$kernel" --script "$inner" \
	--quiet --timeout $((secs + 240)) --log "$BUILD/host/demo-$machine.log" "${adds[@]}"
