#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Check slbguest on an emulated POWER host against the host's own counts
# (tools/slbguest/check-inner.sh). Needs build/ppc64le/slbguest (make slbguest)
# and tools/host/run-host.sh.
#
#   tools/slbguest/selftest.sh [--machine powernv8|powernv9] [--kernel stock|patched|VMLINUX]
#
# Default: powernv8 with the patched kernel (built on first use), where the
# injection checks run; with Debian's stock kernel the guest must see no
# segment interrupts. Exit status: that of the checks inside (0 all passed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${KVMSLB_BUILD:-$ROOT/build}
machine=powernv8 kernel=patched
while [ $# -gt 0 ]; do
	case $1 in
	--machine) machine=${2:?}; shift ;;
	--kernel) kernel=${2:?}; shift ;;
	-h|--help) sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "selftest: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
bin=$BUILD/ppc64le/slbguest
[ -x "$bin" ] || { echo "selftest: $bin missing: run 'make slbguest'" >&2; exit 1; }
exec "$ROOT/tools/host/run-host.sh" --machine "$machine" --kernel "$kernel" \
	--script "$ROOT/tools/slbguest/check-inner.sh" --add "$bin:/usr/sbin/" --quiet --timeout 600
