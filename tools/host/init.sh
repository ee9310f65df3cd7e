#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the kvmslb emulated-host initramfs (installed by tools/host/mkinitramfs.sh).
# Mounts the pseudo filesystems, loads kvm_hv if modules are present, runs
# /kvmslb/test.sh, prints "KVMSLB-HOST-RESULT rc=N" and powers off.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /run
/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mkdir -p /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /dev/pts /dev/shm
# Kernel messages below "critical" would interleave with test output on the
# console: collect them and print them after the script instead.
dmesg -n 3
[ -w /proc/sys/net/core/bpf_jit_enable ] && echo 1 > /proc/sys/net/core/bpf_jit_enable
ulimit -l unlimited 2>/dev/null

[ -f /kvmslb/env ] && . /kvmslb/env
KVMSLB_KVM_HV=absent
if [ -d /sys/module/kvm_hv ]; then
	KVMSLB_KVM_HV=builtin
elif [ -d "/lib/modules/$(uname -r)" ]; then
	if modprobe kvm_hv; then KVMSLB_KVM_HV=loaded; else KVMSLB_KVM_HV=failed; fi
fi
export KVMSLB_KVM_HV
cpu=$(sed -n 's/^cpu[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
echo "KVMSLB-HOST-INFO kernel=$(uname -r) cpu=\"$cpu\" kvm_hv=$KVMSLB_KVM_HV" \
	"dev_kvm=$([ -c /dev/kvm ] && echo yes || echo no) uptime=$(cut -d' ' -f1 /proc/uptime)s"
kmsg0=$(dmesg | wc -l)

echo "===== KVMSLB-HOST-SCRIPT-BEGIN ====="
cd /
if [ -f /kvmslb/test.sh ]; then
	sh /kvmslb/test.sh
	rc=$?
else
	echo "init: no /kvmslb/test.sh in the initramfs"
	rc=1
fi
echo "===== KVMSLB-HOST-SCRIPT-END rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)s ====="
# Kernel errors and warnings printed while the script ran.
dmesg -r | tail -n +$((kmsg0 + 1)) | grep '^<[0-4]>' | sed 's/^/# kmsg: /'
echo "KVMSLB-HOST-RESULT rc=$rc"
sync
poweroff -f
# Not reached; if poweroff failed the kernel panics on init's exit and QEMU
# (-no-reboot) stops.
exit "$rc"
