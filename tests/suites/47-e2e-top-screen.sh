#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end on the emulated hosts. On POWER8 with the patched kernel, four
# named guests run with SLB-miss injections while `kvmslb stat -j --per-vcpu`
# records each interval (tests/top/record-inner.sh); that fresh recording is
# replayed on kvmslbtop's screen in tmux (tests/top/screen_test.py). Then
# kvmslbtop runs live on the serial console of POWER8 (patched) and POWER9
# (stock), an 80x24 tmux pane (tests/top/console_test.py). The totals on
# the screens must be the guests' own counts.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/tools/host/run-host.sh" --machine powernv8 --kernel patched --timeout 300 --quiet \
	--script "$root/tests/top/record-inner.sh" \
	--add "$build/ppc64le/kvmslb:/usr/sbin/" --add "$build/ppc64le/slbguest:/usr/sbin/" \
	>"$work/log" 2>&1
rc=$?
grep -aE '^(ok|not ok|#) ' "$work/log"
if [ $rc -ne 0 ]; then
	echo "not ok - emulated powernv8 run failed (exit $rc); log tail:"
	tail -n 15 "$work/log" | sed 's/^/#   /'
	exit 1
fi
sed -n '/^==RECORDING/,/^==TRUTH/p' "$work/log" | sed '1d;$d' | tr -d '\r' >"$work/rec.jsonl"
sed -n '/^==TRUTH/,/^==END/p' "$work/log" | grep 'slbguest: total ' >"$work/truth"
if [ "$(wc -l <"$work/truth")" -ne 4 ]; then
	echo "not ok - four guests reported their totals: $(cat "$work/truth")"
	exit 1
fi
echo "ok - the emulated POWER8 recorded $(grep -c '"kind":"interval"' "$work/rec.jsonl") intervals of four guests"
python3 "$root/tests/top/screen_test.py" "$build/native/kvmslb" "$work/rec.jsonl" "$work/truth" |
	sed "s/^\(not \)\{0,1\}ok - /&[powernv8 replay] /"
fail=${PIPESTATUS[0]}

# live on the serial console of each emulated host, as over IPMI SOL
for host in "powernv8 patched" "powernv9 stock"; do
	set -- $host
	mkdir -p "$work/$1"
	python3 "$root/tests/top/console_test.py" "$build/ppc64le/kvmslb" "$build/ppc64le/slbguest" \
		"$1" "$2" "$work/$1" | sed "s/^\(not \)\{0,1\}ok - /&[$1 console] /"
	[ "${PIPESTATUS[0]}" -eq 0 ] || fail=1
done
exit $fail
