#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kvmslb command line: dispatch, prefixes, exit statuses, --help, and a
# doctor that tells the truth about this machine. Runs the plain build and
# the ASan+UBSan build.
set -u
build=${KVMSLB_BUILD:?}
fail=0
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

# expect_rc DESC RC CMD...: exit status and no sanitizer report
expect_rc() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && ! grep -qE 'ERROR: AddressSanitizer|runtime error:' <<<"$out"; then
		ok "$desc (exit $rc)"
	else
		bad "$desc: exit $rc, want $want"
		sed 's/^/#   /' <<<"$out" | head -n 5
	fi
}

for flavour in native asan; do
	k=$build/$flavour/kvmslb
	[ -x "$k" ] || { bad "$flavour: $k missing"; continue; }
	tag="[$flavour]"
	expect_rc "$tag version" 0 "$k" version
	[ "$("$k" --version)" = "kvmslb $(sed -n 's/^VERSION := //p' "$KVMSLB_ROOT/Makefile")" ] &&
		ok "$tag --version prints the Makefile's version" || bad "$tag --version text"
	expect_rc "$tag no command is bad usage" 2 "$k"
	expect_rc "$tag unknown command" 2 "$k" frobnicate
	expect_rc "$tag unknown global option" 2 "$k" --frob doctor
	expect_rc "$tag unknown doctor option" 2 "$k" doctor --frob
	expect_rc "$tag doctor takes no arguments" 2 "$k" doctor extra
	expect_rc "$tag prefix 'doc' runs doctor" 0 "$k" doc
	expect_rc "$tag prefix 'ver' runs version" 0 "$k" ver
	for c in top stat report export doctor; do
		h=$("$k" "$c" --help 2>&1)
		if grep -q 'USAGE:' <<<"$h" && grep -q 'EXAMPLES:' <<<"$h" && grep -q -- '--json' <<<"$h"; then
			ok "$tag $c --help has USAGE, EXAMPLES and the global options"
		else
			bad "$tag $c --help lacks USAGE/EXAMPLES/--json"
		fi
		# kvmslb(8): -h works after a command, as --help does; 'help CMD' is the same
		[ "$("$k" "$c" -h 2>&1)" = "$h" ] && ok "$tag $c -h is $c --help" || bad "$tag $c -h"
		[ "$("$k" help "$c" 2>&1)" = "$h" ] && ok "$tag help $c is $c --help" ||
			bad "$tag help $c: $("$k" help "$c" 2>&1 | head -n 1)"
		"$k" "$c" --usage | grep -q "^Usage: kvmslb $c " && ok "$tag $c --usage" ||
			bad "$tag $c --usage"
		[ "$("$k" "$c" -V)" = "$("$k" --version)" ] && ok "$tag $c -V" || bad "$tag $c -V"
	done
	expect_rc "$tag help of an unknown command" 2 "$k" help frobnicate
	# with -j, usage errors are one JSON object on stdout (and a line on stderr)
	for args in "-j frobnicate" "-j" "-j --frob doctor" "-j stat --frob" "stat --frob -j" \
		    "-j stat 0" "top -b --sort fast -j" "-j export" "-j help nope"; do
		out=$("$k" $args 2>/dev/null)
		rc=$?
		if [ $rc -eq 2 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["error"]' "$out" 2>/dev/null &&
		   [ "$(wc -l <<<"$out")" -eq 1 ]; then
			ok "$tag kvmslb $args: exit 2, $out"
		else
			bad "$tag kvmslb $args: exit $rc, stdout '$out'"
		fi
	done
done

k=$build/kvmslb
# kvmslbtop runs top
t=$(mktemp -d)
ln -s "$k" "$t/kvmslbtop"
a=$("$t/kvmslbtop" --help 2>&1 | head -n 1)
grep -q '^Usage: kvmslbtop' <<<"$a" && ok "kvmslbtop is top ($a)" || bad "kvmslbtop: '$a'"
[ "$("$t/kvmslbtop" -h 2>&1)" = "$("$t/kvmslbtop" --help 2>&1)" ] && ok "kvmslbtop -h" ||
	bad "kvmslbtop -h: $("$t/kvmslbtop" -h 2>&1 | head -n 2)"

# bash completion: offered options are each command's real ones (from its
# option table), sort keys and sources are accepted, and Tab works without
# the bash-completion package too
comp=$KVMSLB_ROOT/tools/bash-completion/kvmslb
cat >"$t/comp.sh" <<'SH'
[ "$3" = with ] && . /usr/share/bash-completion/bash_completion
. "$1"
PATH=$2:$PATH
comp() {
	read -ra COMP_WORDS <<<"$1"
	[[ $1 == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$1 COMP_POINT=${#1}
	COMPREPLY=()
	_kvmslb "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
shift 3
comp "$*"
SH
ln -s "$k" "$t/kvmslb"
for pkg in without with; do
	[ $pkg = with ] && [ ! -f /usr/share/bash-completion/bash_completion ] &&
		{ bad "bash-completion is installed (tools/install-deps.sh)"; continue; }
	c() { bash --norc "$t/comp.sh" "$comp" "$t" $pkg "$@" 2>"$t/comp.err"; }
	cmds=$("$k" help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | sort | tr '\n' ' ')
	[ "$(c kvmslb '')" = "$cmds" ] && [ -n "$cmds" ] &&
		ok "completion ($pkg bash-completion): the commands of 'kvmslb help': $cmds" ||
		bad "completion ($pkg): commands: '$(c kvmslb '')', want '$cmds'"
	[ ! -s "$t/comp.err" ] && ok "completion ($pkg bash-completion): no error on stderr" ||
		bad "completion ($pkg): stderr: $(head -c 200 "$t/comp.err")"
	for cmd in top stat report export doctor; do
		got=$(c kvmslb $cmd --)
		want=$("$k" $cmd --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' |
			grep -oE -- '--[a-z-]+' | sort | tr '\n' ' ')
		[ "$got" = "$want" ] && ok "completion ($pkg): $cmd -- offers its real options" ||
			bad "completion ($pkg): $cmd --: '$got', want '$want'"
	done
	got=$(c kvmslb report --)
	grep -q -- '--ns\|--file-version' <<<"$got" && bad "completion ($pkg): report offers options of perf/trace-cmd: $got" ||
		ok "completion ($pkg): report offers no option quoted in its help text"
	[ "$(c kvmslbtop --so)" = "--sort --source " ] && ok "completion ($pkg): kvmslbtop --so" ||
		bad "completion ($pkg): kvmslbtop --so: '$(c kvmslbtop --so)'"
	[ "$(c kvmslb stat --source '')" = "patched stats stock " ] && ok "completion ($pkg): --source" ||
		bad "completion ($pkg): --source: '$(c kvmslb stat --source '')'"
done
c() { bash --norc "$t/comp.sh" "$comp" "$t" without "$@" 2>/dev/null; }
keys=$(c kvmslb top --sort '')
nkeys=0
for key in $keys; do
	# parsed in order: a bad key fails before --usage would exit 0
	"$k" top --sort "$key" --usage >/dev/null 2>&1 &&
		nkeys=$((nkeys + 1)) || bad "completion: --sort $key is refused by top"
done
want=$("$k" top --help | tr -s ' \n' ' ' | sed -n 's/.*--sort=KEY \(.*\) --source=SRC.*/\1/p' |
	tr -d ',' | sed 's/ (default)//' | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
[ "$keys" = "$want" ] && ok "completion: the $nkeys sort keys are those of top --help, each accepted" ||
	bad "completion: sort keys '$keys', top --help has '$want'"
rm -rf "$t"

# doctor -j is JSON and tells the truth about this machine
j=$("$k" doctor -j --no-mount)
if python3 -c 'import json,sys; json.loads(sys.argv[1])' "$j" 2>/dev/null; then
	ok "doctor -j is valid JSON"
else
	bad "doctor -j is not JSON"
fi
q() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$j" "$1"; }
[ "$(q 'd["host"]["architecture"]')" = "$(uname -m)" ] && ok "doctor: architecture = uname -m" ||
	bad "doctor: architecture"
[ "$(q 'd["host"]["kernel"]')" = "$(uname -r)" ] && ok "doctor: kernel = uname -r" || bad "doctor: kernel"
want_btf=False; [ -e /sys/kernel/btf/vmlinux ] && want_btf=True
[ "$(q 'd["tracing"]["btf"]')" = "$want_btf" ] && ok "doctor: BTF = $want_btf" || bad "doctor: BTF"
want_hv=False; [ -e /sys/module/kvm_hv ] && want_hv=True
[ "$(q 'd["host"]["kvm_hv_loaded"]')" = "$want_hv" ] && ok "doctor: kvm_hv loaded = $want_hv" ||
	bad "doctor: kvm_hv"
for tp in kvm_guest_exit kvm_segment_synth; do
	want=False
	[ -e /sys/kernel/tracing/events/kvm_hv/$tp/format ] && want=True
	[ "$(q "d['tracing']['tracepoints']['kvm_hv:$tp']")" = "$want" ] &&
		ok "doctor: kvm_hv:$tp = $want" || bad "doctor: kvm_hv:$tp"
done
# bpf(): cross-check with bpftool, which loads programs the same way
want_bpf=False
bpftool prog load /dev/null /sys/fs/bpf/x 2>&1 | grep -q 'Operation not permitted' || want_bpf=True
[ "$(id -u)" -ne 0 ] && want_bpf=False
[ "$(q 'd["tracing"]["bpf"]')" = "$want_bpf" ] && ok "doctor: bpf() works = $want_bpf" ||
	bad "doctor: bpf()"
if [ "$want_hv" = False ]; then
	[ "$(q 'd["selected"]')" = None ] && ok "doctor: no source selected without kvm_hv" ||
		bad "doctor: selected a source without kvm_hv"
	grep -q 'modprobe kvm_hv' <<<"$(q 'd["sources"][1]["reason"]')" &&
		ok "doctor: stock source says kvm_hv is not loaded" || bad "doctor: stock reason"
fi
if [ "$(q 'd["host"]["cpu_generation"]')" = other ] && [ "$(uname -m)" = x86_64 ]; then
	ok "doctor: x86_64 is not taken for POWER"
else
	[ "$(uname -m)" = x86_64 ] && bad "doctor: cpu generation on x86_64"
fi
# text and JSON agree on the selected source
sel_text=$("$k" doctor --no-mount | sed -n 's/^selected source: //p' | cut -d: -f1)
sel_json=$(q 'd["selected"] or "none"')
[ "$sel_text" = "$sel_json" ] && ok "doctor: text and JSON select the same source ($sel_json)" ||
	bad "doctor: text '$sel_text' vs JSON '$sel_json'"

exit $fail
