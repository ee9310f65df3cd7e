#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot an emulated POWER KVM host (QEMU TCG, powernv8/powernv9) that runs one
# test script and powers off; exit with the script's status.
#
#   tools/host/run-host.sh --machine powernv8|powernv9 --kernel stock|patched|VMLINUX
#       --script FILE [--add SRC:DEST]... [--env NAME=VALUE]... [--modules TREE]
#       [--timeout SEC] [--smp N] [--mem SIZE] [--append ARGS] [--log FILE] [--quiet]
#       [--cpio FILE]
#
#   --kernel stock     Debian's ppc64el kernel (tools/host/fetch-stock-kernel.sh
#                      --cached: the newest one in the cache, fetched if none;
#                      `make stock-kernel` refreshes), kvm.ko/kvm-hv.ko loaded by /init
#            patched   the kernel-patch/ kernel (tools/kernel/build-kernel.sh, built
#                      the first time; its progress is shown on stderr)
#            VMLINUX   any ppc64le vmlinux (modules: --modules, or a lib/modules/
#                      next to it)
#   --script FILE      run inside the host as /kvmslb/test.sh (busybox sh)
#   --add SRC:DEST     copy into the initramfs (see tools/host/mkinitramfs.sh)
#   --env NAME=VALUE   exported to the script
#   --timeout SEC      kill QEMU after SEC seconds and exit 124 (default 300)
#   --smp N            vCPUs of the host (default 1; N>1 uses multi-threaded TCG)
#   --mem SIZE         host memory (default 2G)
#   --append ARGS      extra kernel command line
#   --log FILE         console log (default $KVMSLB_BUILD/host/last-MACHINE.log)
#   --quiet            stdout gets only the script's output and the result line
#                      (boot noise goes to the log only)
#   --cpio FILE        a prebuilt uncompressed newc cpio put in front of the
#                      initramfs (e.g. tools/guest/build-hostpart.sh: the inner
#                      QEMU and the Linux guest image); the per-run files win
#
# The console (CR stripped) streams to stdout and the log. The script's output
# sits between "===== KVMSLB-HOST-SCRIPT-BEGIN =====" and "...-END rc=N =====";
# kernel errors/warnings raised meanwhile follow as "# kmsg: " lines. The exit
# status is N from the last "KVMSLB-HOST-RESULT rc=N" line; 124 on timeout;
# 1 if the line never appeared (boot failure, panic, hang) or on setup errors;
# 2 on bad usage.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${KVMSLB_BUILD:-$ROOT/build}
export KVMSLB_CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
QEMU=${QEMU:-qemu-system-ppc64}

machine='' kernel='' script='' modules='' timeout=300 smp=1 mem=2G append='' log='' quiet=0 cpio=''
mk_args=()
die() { echo "run-host: $*" >&2; exit 1; }
usage() { echo "run-host: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--machine) machine=${2:?}; shift ;;
	--kernel) kernel=${2:?}; shift ;;
	--script) script=${2:?}; shift ;;
	--add) mk_args+=(--add "${2:?}"); shift ;;
	--env) mk_args+=(--env "${2:?}"); shift ;;
	--modules) modules=${2:?}; shift ;;
	--timeout) timeout=${2:?}; shift ;;
	--smp) smp=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--append) append=${2?}; shift ;;
	--log) log=${2:?}; shift ;;
	-q|--quiet) quiet=1 ;;
	--cpio) cpio=${2:?}; shift ;;
	-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown option '$1' (see --help)" ;;
	esac
	shift
done
case $machine in
powernv8|powernv9|powernv10) ;;
'') usage "--machine powernv8|powernv9 is required" ;;
*) usage "--machine '$machine': expected powernv8 or powernv9" ;;
esac
[ -n "$kernel" ] || usage "--kernel stock|patched|VMLINUX is required"
[ -n "$script" ] || usage "--script FILE is required"
[ -f "$script" ] || die "test script '$script' not found"
[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || usage "--timeout '$timeout': expected seconds"
[[ $smp =~ ^[1-9][0-9]*$ ]] || usage "--smp '$smp': expected a count"
[ -z "$cpio" ] || [ -f "$cpio" ] || die "--cpio '$cpio': no such file"
command -v "$QEMU" >/dev/null || die "$QEMU not found: install qemu-system-ppc and qemu-system-data (tools/install-deps.sh)"

case $kernel in
stock)
	tree=$("$HERE/fetch-stock-kernel.sh" --cached --quiet | tail -n1) ||
		die "could not fetch Debian's stock kernel (tools/host/fetch-stock-kernel.sh)"
	vmlinux=$tree/vmlinux
	[ -n "$modules" ] || modules=$tree
	;;
patched)
	bk=$ROOT/tools/kernel/build-kernel.sh
	[ -x "$bk" ] || die "--kernel patched: $bk does not exist yet (the patched kernel is not buildable in this checkout); use --kernel stock"
	echo "run-host: building/locating the patched kernel with tools/kernel/build-kernel.sh" >&2
	# Its progress goes straight to our stderr; only its stdout is captured.
	# (Never `tee /dev/stderr`: that reopens a log file with O_TRUNC and
	# leaves a hole of NULs where the lines before it were.)
	out=$("$bk") || die "tools/kernel/build-kernel.sh failed"
	vmlinux=$(printf '%s\n' "$out" | tail -n1)
	[ -f "$vmlinux" ] || die "tools/kernel/build-kernel.sh printed '$vmlinux', which is not a file"
	;;
*)
	vmlinux=$kernel
	[ -f "$vmlinux" ] || die "--kernel '$kernel': not stock, patched or an existing vmlinux"
	;;
esac
if [ -z "$modules" ] && [ -d "$(dirname "$vmlinux")/lib/modules" ]; then
	modules=$(dirname "$vmlinux")
fi
[ -z "$modules" ] || mk_args+=(--modules "$modules")

mkdir -p "$BUILD/host"
[ -n "$log" ] || log=$BUILD/host/last-$machine.log
mkdir -p "$(dirname "$log")"
work=$(mktemp -d "$BUILD/host/run.XXXXXX")
qpid='' fpid=''
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "run-host: interrupted" >&2; exit 130' INT TERM

"$HERE/mkinitramfs.sh" -o "$work/initrd.gz" --script "$script" "${mk_args[@]}" ||
	die "building the initramfs failed"
initrd=$work/initrd.gz
if [ -n "$cpio" ]; then
	# The kernel unpacks concatenated archives in order, later files win.
	cat "$cpio" "$work/initrd.gz" > "$work/initrd"
	initrd=$work/initrd
fi

accel=()
[ "$smp" -eq 1 ] || accel=(-accel tcg,thread=multi)
cmd=("$QEMU" -M "$machine" -m "$mem" -smp "$smp" "${accel[@]}"
	-nodefaults -display none -no-reboot -serial stdio
	-device ipmi-bmc-sim,id=bmc0 -device isa-ipmi-bt,bmc=bmc0,irq=10
	-kernel "$vmlinux" -initrd "$initrd"
	-append "console=hvc0 loglevel=4 panic=1 $append")

# Console -> CR stripped -> log (all) and stdout (all, or the script part only).
# mawk (Debian's awk) reads a pipe in 4 KB blocks unless told it is
# interactive: the console would come out in lumps, minutes late.
live=()
awk -W version 2>/dev/null | grep -q mawk && live=(-W interactive)
mkfifo "$work/console"
awk "${live[@]}" -v quiet=$quiet -v logf="$log" '
	{ sub(/\r+$/, ""); print > logf; fflush(logf) }
	/^===== KVMSLB-HOST-SCRIPT-BEGIN/ { inside = 1; if (quiet) next }
	/^===== KVMSLB-HOST-SCRIPT-END/ { inside = 0; if (quiet) next }
	!quiet || inside || /^# kmsg: / || /^KVMSLB-HOST-RESULT / { print; fflush() }
' < "$work/console" &
fpid=$!

echo "run-host: $machine, kernel $vmlinux, timeout ${timeout}s, log $log" >&2
start=$(date +%s.%N)
timeout -k 5 "$timeout" "${cmd[@]}" < /dev/null > "$work/console" 2>&1 &
qpid=$!
set +e
wait "$qpid"
qrc=$?
set -e
qpid=''
wait "$fpid" || true
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

tail_log() { [ $quiet -eq 0 ] || { echo "run-host: last console lines:" >&2; tail -n 25 "$log" | sed 's/^/  | /' >&2; }; }
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	tail_log
	echo "run-host: TIMEOUT: $machine did not power off within ${timeout}s; QEMU killed (log $log)" >&2
	exit 124
fi
res=$(sed -n 's/^KVMSLB-HOST-RESULT rc=\([0-9]*\).*/\1/p' "$log" | tail -n1)
if [ -z "$res" ]; then
	tail_log
	echo "run-host: FAILED: $machine never printed KVMSLB-HOST-RESULT (QEMU exit $qrc after ${secs}s: boot failure or panic?); log $log" >&2
	exit 1
fi
echo "run-host: $machine finished in ${secs}s, script rc=$res" >&2
exit "$res"
