# SPDX-License-Identifier: GPL-2.0
# Linux guests under QEMU with KVM-HV, INSIDE an emulated POWER host
# (busybox sh; sourced as /kvmslb/guest.sh). The host's initramfs holds the
# inner QEMU and the guest image (tools/guest/build-hostpart.sh).
#
#   lg_start NAME VCPUS hpt|radix SEED [KERNEL-ARGS...]
#       start a guest: QEMU named "-name guest=NAME,debug-threads=on" (vcpu
#       threads "CPU n/KVM"), its console in /tmp/lg.NAME.console; $LG_PID
#       is its pid (LG_WANT_PID=P: run it as pid P, which must be free).
#       A shut-down guest pauses (QEMU stays, so its VM and the VM's
#       debugfs stats stay readable) until lg_quit.
#   lg_wait NAME PATTERN [SECONDS]   wait for a console line (grep -E)
#   lg_wait_paused NAME [SECONDS]    wait until the guest has shut down (or
#                                    panicked): QEMU keeps it paused
#   lg_vmdir NAME                    the VM's debugfs directory
#   lg_threads NAME                  "tid=comm" of its vcpu threads
#   lg_inject NAME TOTAL [BATCH]     SLB misses through slb_miss_inject,
#                                    BATCH at a time (default 2), each batch
#                                    used up before the next (fails when
#                                    one is not within 300 polls, about a
#                                    minute under TCG, or the guest
#                                    oopsed); $LG_INJECTED: how many were
#                                    written
#   lg_release NAME                  end a workload started with LG_ROUNDS=0
#   lg_quit NAME                     end QEMU; its exit status
# The workload's size: LG_SEGMENTS (32), LG_PAGES (4), LG_CODE (2),
# LG_ROUNDS (1; 0: rounds until lg_release); guest memory LG_MEM (256M).
# LG_QEMU_CMD holds the last command line started.

LG_MEM=${LG_MEM:-256M}
lg_var() { echo "LG_$2_$(echo "$1" | tr -c 'A-Za-z0-9\n' _)"; }
lg_get() { eval "echo \${$(lg_var "$1" "$2"):-}"; }
lg_set() { eval "$(lg_var "$1" "$2")=\$3"; }

lg_start() {
	local n=$1 smp=$2 mmu=$3 seed=$4 args
	shift 4
	args="console=hvc0 loglevel=5 panic=-1 oops=panic"
	# Boot work the workload does not need (a fifth of the boot under
	# TCG): crypto self-tests, IPv6, kprobe events, the X.509 keyring,
	# tracefs files, zswap, LPAR migration sysfs.
	args="$args cryptomgr.notests ipv6.disable=1 initcall_blacklist=init_kprobe_trace,load_system_certificate_list,tracer_init_tracefs,init_zswap,pseries_mobility_sysfs_init"
	args="$args wl_segments=${LG_SEGMENTS:-32} wl_pages=${LG_PAGES:-4} wl_code=${LG_CODE:-2}"
	args="$args wl_seed=$seed wl_rounds=${LG_ROUNDS:-1}"
	# Linux picks radix when the host offers it (POWER9); disable_radix
	# keeps it on the hash MMU. POWER8 offers hash only.
	[ "$mmu" = hpt ] && args="$args disable_radix"
	[ $# -eq 0 ] || args="$args $*"
	rm -f /tmp/lg.$n.*
	mkfifo /tmp/lg.$n.mon.in /tmp/lg.$n.mon.out /tmp/lg.$n.con.in /tmp/lg.$n.con.out
	# The console and the monitor's replies, read for as long as QEMU runs.
	cat /tmp/lg.$n.con.out > /tmp/lg.$n.console &
	lg_set "$n" CCAT $!
	cat /tmp/lg.$n.mon.out > /tmp/lg.$n.mon.log &
	lg_set "$n" CAT $!
	set -- qemu-system-ppc64 -name "guest=$n,debug-threads=on" \
		-machine pseries,accel=kvm,x-vof=on,cap-ccf-assist=off,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken \
		-m "$LG_MEM" -smp "$smp" -nodefaults -display none \
		-action reboot=shutdown,shutdown=pause,panic=pause \
		-chardev pipe,id=con,path=/tmp/lg.$n.con -serial chardev:con \
		-chardev pipe,id=mon,path=/tmp/lg.$n.mon -mon chardev=mon,mode=readline \
		-kernel /guest/vmlinux -initrd /guest/initrd.gz -append "$args"
	LG_QEMU_CMD="$*"
	if [ -n "${LG_WANT_PID:-}" ]; then
		# pid reuse on demand: QEMU runs as LG_WANT_PID under with-pid
		with-pid "$LG_WANT_PID" "$@" > /tmp/lg.$n.qemu 2>&1 &
		lg_set "$n" WAIT $!
		LG_PID=$LG_WANT_PID
	else
		"$@" > /tmp/lg.$n.qemu 2>&1 &
		LG_PID=$!
		lg_set "$n" WAIT $!
	fi
	lg_set "$n" PID "$LG_PID"
}

lg_wait() {
	local n=$1 pat=$2 t=$(( ${3:-300} * 10 ))
	while [ $t -gt 0 ]; do
		grep -qaE "$pat" /tmp/lg.$n.console 2>/dev/null && return 0
		kill -0 "$(lg_get "$n" PID)" 2>/dev/null || break
		sleep 0.1
		t=$((t - 1))
	done
	grep -qaE "$pat" /tmp/lg.$n.console 2>/dev/null
}

# A monitor command. The fifo is opened read-write, which never blocks,
# even when QEMU is gone.
lg_mon() {
	echo "$2" 1<>/tmp/lg.$1.mon.in
}

lg_wait_paused() {
	local n=$1 t=$(( ${2:-300} * 2 ))
	while [ $t -gt 0 ]; do
		kill -0 "$(lg_get "$n" PID)" 2>/dev/null || return 1
		: > /tmp/lg.$n.mon.log
		lg_mon "$n" "info status"
		sleep 0.5
		# (shutdown), or (guest-panicked) after a guest kernel's panic
		grep -q 'VM status: paused' /tmp/lg.$n.mon.log && return 0
		t=$((t - 1))
	done
	return 1
}

lg_vmdir() {
	local d
	for d in /sys/kernel/debug/kvm/"$(lg_get "$1" PID)"-*; do
		[ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

lg_threads() {
	local p=$(lg_get "$1" PID) out='' t c
	for t in /proc/$p/task/*; do
		c=$(cat "$t/comm" 2>/dev/null)
		case $c in "CPU "*"/KVM") out="$out ${t##*/}=$(echo "$c" | tr ' /' '__')" ;; esac
	done
	echo "${out# }"
}

lg_inject() {
	local n=$1 total=$2 batch=${3:-2} d k left b t
	LG_INJECTED=0
	d=$(lg_vmdir "$n") || return 1
	k=$d/slb_miss_inject
	[ -w "$k" ] || return 1
	left=$total
	while [ $left -gt 0 ]; do
		b=$batch
		[ $b -gt $left ] && b=$left
		echo $b > "$k" || return 1
		LG_INJECTED=$((LG_INJECTED + b))
		# A loaded machine can take seconds to the next fault; a guest
		# that died takes none.
		t=300
		while [ "$(cat "$k")" != 0 ] && [ $t -gt 0 ]; do
			grep -qaE 'Kernel panic|Oops' /tmp/lg.$n.console && return 1
			sleep 0.02
			t=$((t - 1))
		done
		[ $t -gt 0 ] || return 1
		left=$((left - b))
	done
}

# A line on the guest's console: a workload started with LG_ROUNDS=0
# finishes its current round and reports.
lg_release() {
	echo stop 1<>/tmp/lg.$1.con.in
}

lg_quit() {
	local n=$1 p=$(lg_get "$1" WAIT) rc c
	kill -0 "$(lg_get "$n" PID)" 2>/dev/null && lg_mon "$n" quit
	wait "$p"
	rc=$?
	for c in CAT CCAT; do
		kill "$(lg_get "$n" $c)" 2>/dev/null
		wait "$(lg_get "$n" $c)" 2>/dev/null
	done
	return $rc
}
