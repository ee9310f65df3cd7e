# SPDX-License-Identifier: GPL-2.0
# `make demo GUEST=linux`, INSIDE the emulated host (tools/demo.sh --guest
# linux): two Linux guests under QEMU, web1 (1 vcpu) and db1 (2 vcpus),
# run tools/guest/workload.c while kvmslb top -b shows them under their
# QEMU -name guest= names; on the patched kernel SLB misses are injected
# into db1 (DEMO_INJECT, paced). Then kvmslb stat's totals per guest and
# per vcpu, and each guest's own result line. DEMO_SOURCE: patched|stock;
# DEMO_DELAY: top's refresh interval (s).
. /kvmslb/guest.sh
source=${DEMO_SOURCE:-patched}
mmu=hpt
[ "$source" = stock ] && mmu=radix
kvmslb stat --source "$source" --per-vcpu > /tmp/stat.out 2>&1 &
ps=$!
kvmslb top -b -d "${DEMO_DELAY:-5}" --sort name --source "$source" > /tmp/top.out 2>&1 &
pt=$!
# Show top's refreshes as they come.
tail -f /tmp/top.out &
ptail=$!
# Guests start once both have their programs attached (readiness lines).
i=0
until grep -q '^attached: ' /tmp/top.out && grep -q '^attached: ' /tmp/stat.out; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "demo: kvmslb did not attach: $(head -c 300 /tmp/stat.out)"; exit 1; }
	sleep 0.2
done
echo "== guests web1 (1 vcpu) and db1 (2 vcpus): Debian's kernel, $mmu MMU, under QEMU -accel kvm"
lg_start web1 1 $mmu 1
# db1's workload runs until the injections are done (patched), else once.
[ "$source" = patched ] && r=0 || r=1
LG_ROUNDS=$r lg_start db1 2 $mmu 2
echo "== $LG_QEMU_CMD"
if [ "$source" = patched ] && lg_wait db1 'KVMSLB-WORKLOAD start' 900; then
	echo "== db1's workload runs: injecting ${DEMO_INJECT:-40} SLB misses into db1 (slb_miss_inject, 2 at a time)"
	lg_inject db1 "${DEMO_INJECT:-40}" 2 || echo "demo: injection into db1 incomplete"
	lg_release db1
fi
rc=0
for n in web1 db1; do
	lg_wait_paused $n 900 || { echo "demo: $n did not shut down"; rc=1; }
	lg_quit $n
done
sleep 2
kill -INT $pt $ps
wait $pt $ps
kill $ptail 2>/dev/null
echo "== kvmslb stat --source $source --per-vcpu: per-guest totals and fault-latency histograms"
cat /tmp/stat.out
echo "== the guests' own result lines"
for n in web1 db1; do
	echo "$n: $(grep -a 'KVMSLB-WORKLOAD result' /tmp/lg.$n.console)"
	grep -aE 'Oops|BUG:|Kernel panic|segfault' /tmp/lg.$n.console && rc=1
done
exit $rc
