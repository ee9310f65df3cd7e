#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the Linux guest (tools/guest/build-image.sh): run the workload with
# the parameters from the kernel command line (wl_segments= wl_pages=
# wl_code= wl_seed= wl_rounds=, which the kernel hands to init as
# environment variables), print its result line, power off.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "KVMSLB-GUEST up cpus=$(grep -c '^processor' /proc/cpuinfo) mmu=$(sed -n 's/^MMU[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo) kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)s"
/workload "${wl_segments:-32}" "${wl_pages:-4}" "${wl_code:-2}" "${wl_seed:-1}" "${wl_rounds:-1}"
echo "KVMSLB-GUEST done rc=$? uptime=$(cut -d' ' -f1 /proc/uptime)s"
poweroff -f
