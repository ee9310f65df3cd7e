#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside an emulated POWER host whose serial console is an 80x24 tmux pane
# (tests/top/console_test.py drives it): kvmslbtop runs live on the console,
# as an operator runs it over IPMI SOL, and four named guests start once its
# programs are attached. After q, the guests' own totals are printed for the
# test to compare with what the screen showed.
stty rows 24 cols 80 2>/dev/null
ln -sf kvmslb /usr/sbin/kvmslbtop
export TERM=xterm-256color LANG=C.UTF-8 TERMINFO=/kvmslb/terminfo
patched=0
[ -d /sys/kernel/tracing/events/kvm_hv/kvm_segment_synth ] && patched=1
inj() { [ $patched -eq 1 ] && echo "--inject $1"; }

# the guests, off the console: nothing but kvmslbtop may write on it
(
	i=0
	while [ $i -lt 1200 ]; do
		p=$(pidof kvmslb) && ls -l /proc/$p/fd 2>/dev/null | grep -q 'bpf' && break
		sleep 0.1
		i=$((i + 1))
	done
	# the first snapshot is the baseline: a refresh after it
	sleep 2
	slbguest --quiet --timeout 120 -name guest=web-frontend-01 --vcpus 2 --data-pages 16 \
		--code-pages 2 --duration 6 --loops 1000000 --pace $(inj 40) > /tmp/g.a 2>&1 &
	slbguest --quiet --timeout 120 -name guest=db-primary --data-pages 16 --code-pages 4 \
		--duration 6 --loops 1000000 --pace $(inj 20) > /tmp/g.b 2>&1 &
	slbguest --quiet --timeout 120 -name guest=analytics-cluster-node-017 --data-pages 8 \
		--code-pages 2 --duration 6 --loops 1000000 --pace $(inj 5) > /tmp/g.c 2>&1 &
	slbguest --quiet --timeout 120 -name guest=ビルド-ci --data-pages 0 --code-pages 4 \
		--duration 3 --loops 1000000 --pace $(inj 15) > /tmp/g.d 2>&1 &
	wait
) </dev/null >/dev/null 2>&1 &
guests=$!
kvmslbtop -d 1
echo "KVMSLBTOP-EXITED rc=$?"
wait $guests
stty sane 2>/dev/null
cat /tmp/g.a /tmp/g.b /tmp/g.c /tmp/g.d | grep '^slbguest: total ' | sed 's/^/TRUTH /'
echo "KVMSLB-CONSOLE-DONE"
