# SPDX-License-Identifier: GPL-2.0
# Helpers for the scripts that run INSIDE an emulated POWER host (busybox sh).
# Installed as /kvmslb/lib.sh by tests/e2e/suite.sh.
#
# Output protocol (read by tests/e2e/compare.py on the build machine):
#   ok - DESC / not ok - DESC     checks made inside the host
#   # TEXT                        diagnostics
#   #@ KIND key=value ...         facts: ground truth and observer readings
#   #@ json KIND {...}            a one-line JSON document (kvmslb -j output)
#   #@ end tests=N failed=M       last line: the script ran to completion

T=/sys/kernel/tracing
E2E_TESTS=0
E2E_FAILED=0

ok() { E2E_TESTS=$((E2E_TESTS + 1)); echo "ok - $*"; }
bad() { E2E_TESTS=$((E2E_TESTS + 1)); E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok - $*"; }
diag() { echo "# $*"; }
fact() { echo "#@ $*"; }
# check DESC CMD...: ok if CMD succeeds
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
finish() { fact "end tests=$E2E_TESTS failed=$E2E_FAILED"; [ "$E2E_FAILED" -eq 0 ]; }

# kv KEY < line: value of KEY=VALUE in a line of key=value words
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" | head -n1; }

# Facts about the host itself: what doctor must agree with.
host_facts() {
	cpu=$(sed -n 's/^cpu[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
	gen=unknown
	case $cpu in POWER8*) gen=POWER8 ;; POWER9*) gen=POWER9 ;; POWER10*) gen=POWER10 ;; esac
	btf=false; [ -e /sys/kernel/btf/vmlinux ] && btf=true
	kvmhv=false; [ -d /sys/module/kvm_hv ] && kvmhv=true
	devkvm=false; [ -c /dev/kvm ] && devkvm=true
	tps=''
	for tp in kvm_segment_synth kvm_hfault kvm_guest_exit kvm_page_fault_enter kvm_page_fault_exit; do
		if [ -d "$T/events/kvm_hv/$tp" ]; then tps="$tps $tp=true"; else tps="$tps $tp=false"; fi
	done
	fact "host gen=$gen btf=$btf kvm_hv=$kvmhv dev_kvm=$devkvm$tps"
}

# Run kvmslb doctor (text and JSON) and emit its JSON as a fact.
doctor_facts() {
	if ! command -v kvmslb >/dev/null; then
		bad "kvmslb is in the host image (build/ppc64le/kvmslb: make cross)"
		return
	fi
	out=$(kvmslb doctor 2>&1); rc=$?
	echo "$out" | sed 's/^/#   /'
	check "kvmslb doctor exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
	fact "json doctor $(kvmslb -j doctor 2>/dev/null | tr -d '\n')"
}

# ---- guests (tools/slbguest) ------------------------------------------------
# guest_start NAME ARGS...: run slbguest in the background, output in /tmp/g.NAME
# With GUEST_HOLD=1 (and slbguest --hold), each guest keeps its VM open after
# its totals until SIGUSR1, and guest_wait calls guest_held NAME PID DEBUGFS
# (defined by the caller) in between: the per-VM debugfs stats exist only
# while the VM does.
GUESTS=''
GUEST_HOLD=${GUEST_HOLD:-0}
gvar() { echo "GPID_$(echo "$1" | tr -c 'A-Za-z0-9\n' _)"; }
guest_start() {
	n=$1; shift
	h=''
	[ "$GUEST_HOLD" -eq 1 ] && h=--hold
	# slbguest's own --timeout keeps a hung guest from eating the host's time.
	slbguest -name "guest=$n" $h --timeout "${E2E_GUEST_TIMEOUT:-120}" "$@" > "/tmp/g.$n" 2>&1 &
	eval "$(gvar "$n")=$!"
	GUESTS="$GUESTS $n"
	diag "started slbguest -name guest=$n${h:+ $h} $* (pid $!)"
}
# guest_wait: wait for every guest; per guest an ok line and its facts.
# Held guests: first all reach their totals, then guest_held runs for each
# and obs_sync (if defined) lets the observer catch up, then all are released.
guest_wait() {
	if [ "$GUEST_HOLD" -eq 1 ]; then
		for n in $GUESTS; do
			eval "p=\$$(gvar "$n")"
			while kill -0 "$p" 2>/dev/null && ! grep -q '^slbguest: total ' "/tmp/g.$n"; do
				sleep 0.1
			done
		done
		for n in $GUESTS; do
			eval "p=\$$(gvar "$n")"
			if kill -0 "$p" 2>/dev/null; then
				vm=$(grep '^slbguest: vm ' "/tmp/g.$n" | head -n1)
				guest_held "$n" "$p" "$(echo " $vm" | kv debugfs)"
			else
				bad "guest $n (pid $p) stayed held until its stats were read"
			fi
		done
		command -v obs_sync >/dev/null && obs_sync
		for n in $GUESTS; do
			eval "kill -USR1 \$$(gvar "$n") 2>/dev/null"
		done
	fi
	for n in $GUESTS; do
		eval "p=\$$(gvar "$n")"
		wait "$p"; rc=$?
		sed 's/^/#   /' "/tmp/g.$n"
		vm=$(grep '^slbguest: vm ' "/tmp/g.$n" | head -n1)
		tot=$(grep '^slbguest: total ' "/tmp/g.$n" | tail -n1)
		if [ "$rc" -eq 0 ] && [ -n "$tot" ]; then
			ok "guest $n (pid $p) ran and reported its totals"
		else
			bad "guest $n (pid $p) exited $rc$([ -n "$tot" ] || echo ', no total line')"
		fi
		fact "guest name=$n pid=$p rc=$rc debugfs=$(echo " $vm" | kv debugfs)" \
			"vcpus=$(echo " $vm" | kv vcpus) inject=$(echo " $vm" | kv inject)" \
			"dsegi=$(echo " $tot" | kv dsegi) isegi=$(echo " $tot" | kv isegi)" \
			"dsi=$(echo " $tot" | kv dsi) isi=$(echo " $tot" | kv isi) other=$(echo " $tot" | kv other)" \
			"reported_pid=$(echo " $tot" | kv pid)"
	done
}

# ---- ftrace ground truth ----------------------------------------------------
# The top-level trace buffer, with the TGID column, read once after the run.
# gt_start EVENT[:FILTER]...
gt_start() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo > $T/set_event
	echo 1 > $T/options/record-tgid
	echo 16384 > $T/buffer_size_kb
	for e in "$@"; do
		ev=${e%%:*} flt=''
		[ "$ev" = "$e" ] || flt=${e#*:}
		[ -z "$flt" ] || echo "$flt" > "$T/events/$ev/filter"
		echo 1 > "$T/events/$ev/enable"
	done
	echo 1 > $T/tracing_on
}
gt_stop() {
	echo 0 > $T/tracing_on
	lost=0
	for s in $T/per_cpu/cpu*/stats; do
		for k in overrun 'dropped events'; do
			v=$(sed -n "s/^$k: //p" "$s")
			lost=$((lost + ${v:-0}))
		done
	done
	check "ftrace ground truth lost no event (overrun+dropped=$lost)" [ "$lost" -eq 0 ]
	cat $T/trace > /tmp/gt.trace
	echo > $T/set_event
	diag "ftrace ground truth: $(grep -vc '^#' /tmp/gt.trace) events"
}
# gt_tgid_awk: awk prologue that sets tgid, ev (event name) for a trace line
GT_AWK='
/^#/ { next }
{
	tgid = "?"
	if (match($0, /\( *[0-9]+\)/)) { tgid = substr($0, RSTART + 1, RLENGTH - 2); gsub(/ /, "", tgid) }
	ev = ""
	if (match($0, /: [a-z_0-9]+: /)) ev = substr($0, RSTART + 2, RLENGTH - 4)
}
'

# ---- ftrace observer (stands in for kvmslb until its engine lands) ---------
# A separate trace instance consumed live through trace_pipe; threads are
# attributed to their process by following sched_process_fork/exec, the way
# a live tool has to. Independent of the ground truth's TGID column.
OBS=$T/instances/kvmslb_e2e
obs_ftrace_start() {
	rmdir $OBS 2>/dev/null
	mkdir $OBS || { bad "ftrace observer: cannot create trace instance"; return 1; }
	echo 16384 > $OBS/buffer_size_kb
	for e in sched/sched_process_fork sched/sched_process_exec "$@"; do
		ev=${e%%:*} flt=''
		[ "$ev" = "$e" ] || flt=${e#*:}
		[ -z "$flt" ] || echo "$flt" > "$OBS/events/$ev/filter"
		echo 1 > "$OBS/events/$ev/enable"
	done
	cat $OBS/trace_pipe > /tmp/obs.raw &
	OBS_CAT=$!
	# Guest names, the way kvmslb gets them: -name from /proc/PID/cmdline.
	: > /tmp/obs.names
	( seen=' ' pass=0
	while [ ! -f /tmp/obs.stop ]; do
		# one grep per pass: cheap enough under TCG next to busy guests
		for f in $(grep -l -e '-name' /proc/[0-9]*/cmdline 2>/dev/null); do
			p=${f#/proc/}; p=${p%/cmdline}
			case $seen in *" $p "*) continue ;; esac
			c=$(tr '\0' ' ' 2>/dev/null < "$f")
			# (a guest's pid first shows the forking shell, then slbguest)
			case $c in *' -name '*) ;; *) continue ;; esac
			seen="$seen$p "
			echo "$p $(echo "$c" | sed -n 's/.* -name \(guest=\)\{0,1\}\([^ ,]*\).*/\2/p')"
		done >> /tmp/obs.names
		pass=$((pass + 1)); echo $pass > /tmp/obs.pass
		sleep 0.02
	done ) &
	OBS_NAMES=$!
}
# With held guests: wait for a complete pass of the name poller.
obs_ftrace_sync() {
	c=$(cat /tmp/obs.pass 2>/dev/null || echo 0)
	while [ "$(cat /tmp/obs.pass 2>/dev/null || echo 0)" -lt $((c + 2)) ]; do sleep 0.05; done
}
obs_ftrace_stop() {
	touch /tmp/obs.stop
	wait $OBS_NAMES
	echo 0 > $OBS/tracing_on
	# Let trace_pipe drain, then stop the reader.
	i=0
	while [ $i -lt 50 ]; do
		left=0
		for s in $OBS/per_cpu/cpu*/stats; do
			left=$((left + $(sed -n 's/^entries: //p' "$s")))
		done
		[ "$left" -eq 0 ] && break
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.2
	kill $OBS_CAT 2>/dev/null; wait $OBS_CAT 2>/dev/null
	lost=0
	for s in $OBS/per_cpu/cpu*/stats; do
		for k in overrun 'dropped events'; do
			v=$(sed -n "s/^$k: //p" "$s")
			lost=$((lost + ${v:-0}))
		done
	done
	check "ftrace observer lost no event (overrun+dropped=$lost)" [ "$lost" -eq 0 ]
	echo > $OBS/set_event
	rmdir $OBS 2>/dev/null
	sort -u /tmp/obs.names > /tmp/obs.names.u
	diag "ftrace observer: $(grep -c . /tmp/obs.raw) lines"
}

# wait_attached FILE [SECONDS]: until kvmslb's readiness line is in FILE (the
# text "attached: ..." line or the JSON {"kind":"attached",...} object that
# stat, top -b and export print once their programs are attached).
wait_attached() {
	wa_n=$((${2:-120} * 10))
	while ! grep -qE '^attached: |"kind":"attached"' "$1" 2>/dev/null; do
		wa_n=$((wa_n - 1))
		[ $wa_n -gt 0 ] || return 1
		sleep 0.1
	done
}
# obs_attached NAME FILE ERRFILE: wait for an observer's readiness line; its
# JSON object becomes the fact "json attached_NAME".
obs_attached() {
	if wait_attached "$2"; then
		ok "kvmslb $1: attached (readiness line)"
		fact "json attached_$1 $(grep -m1 '"kind":"attached"' "$2")"
	else
		bad "kvmslb $1: no readiness line: $(head -c 300 "$3")"
	fi
}

# The observer: kvmslb when it is in the host, else an ftrace instance
# (E2E_OBSERVER=ftrace forces it); always said.
obs_choose() {
	observer=ftrace
	command -v kvmslb >/dev/null && observer=kvmslb
	[ -z "$E2E_OBSERVER" ] || observer=$E2E_OBSERVER
	fact "observer source=$observer"
}

# Stop the observer: kvmslb stat (SIGINT; its last "total" JSON line is the
# one that counts) or the ftrace reader.
obs_stop() {	# SOURCE
	if [ "$observer" = kvmslb ]; then
		obs_stop_kvmslb stat "$OBS_PID" /tmp/obs "$1"
	else
		obs_ftrace_stop
	fi
}
# obs_stop_kvmslb NAME PID PREFIX SOURCE: SIGINT a kvmslb stat -j observer
# writing PREFIX.json/PREFIX.err; its total becomes the fact "json NAME".
obs_stop_kvmslb() {
	kill -INT "$2"; wait "$2"; rc=$?
	check "kvmslb $1 (--source $4) exits 0 on SIGINT (rc=$rc)" [ $rc -eq 0 ]
	sed "s/^/#   kvmslb $1: /" "$3.err"
	tot=$(grep '"kind":"total"' "$3.json" | tail -n1)
	[ -n "$tot" ] || tot=$(tail -n1 "$3.json")
	fact "json $1 $tot"
}
# awk prologue for observer lines: tid, tg[] map, ev, ts (seconds), name[]
OBS_AWK='
BEGIN { while ((getline l < "/tmp/obs.names.u") > 0) { split(l, a, " "); name[a[1]] = a[2] } }
{
	ev = ""
	if (match($0, /: [a-z_0-9]+: /)) ev = substr($0, RSTART + 2, RLENGTH - 4)
	if (ev == "") next
	# TASK-TID: the comm may hold spaces, the tid ends at the CPU column.
	tid = ""
	if (match($0, /-[0-9]+ +[[(]/)) { tid = substr($0, RSTART + 1, RLENGTH - 1); gsub(/[^0-9]/, "", tid) }
	ts = ""
	if (match($0, /[0-9]+\.[0-9]+: /)) ts = substr($0, RSTART, RLENGTH - 2)
	if (ev == "sched_process_fork") {
		p = $0; sub(/.* pid=/, "", p); sub(/ .*/, "", p)
		c = $0; sub(/.*child_pid=/, "", c); sub(/ .*/, "", c)
		tg[c] = (p in tg) ? tg[p] : p
		next
	}
	if (ev == "sched_process_exec") {
		p = $0; sub(/.* pid=/, "", p); sub(/ .*/, "", p)
		tg[p] = p
		next
	}
	pid = (tid in tg) ? tg[tid] : tid
}
'
# log2 bucket of a latency in ns, and the histogram as b:count,... text
LOG2_AWK='
function lg2(ns,   b) { b = 0; while (ns >= 2) { ns /= 2; b++ } return b }
'
