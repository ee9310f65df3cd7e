#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package, as a buildd and a user meet it: dpkg-buildpackage -us
# -uc -b in a copy of the tree with no network and no HOME (make native must
# need neither), lintian with no error or warning, the hardening flags in
# the binary, then the .deb installed for real: kvmslb doctor and kvmslb
# report on recordings with known totals, man kvmslbtop; then purged.
set -u
root=${KVMSLB_ROOT:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
skip() { echo "ok - $* # SKIP"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ver=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
src=$work/kvmslb-$ver
mkdir -p "$src"
# the tree as a release tarball has it: tracked and new files, no build output
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
	(cd "$root" && xargs -0 cp --parents -t "$src" 2>/dev/null)
[ -f "$src/debian/rules" ] && [ ! -e "$src/build" ] && ok "a clean copy of the tree ($(cd "$src" && find . -type f | wc -l) files)" ||
	bad "copying the tree"

# no network (an empty network namespace) and no HOME, like a buildd
start=$(date +%s)
if (cd "$src" && HOME=/nonexistent KVMSLB_CACHE=$work/cache nice unshare -n \
	dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b without network or HOME ($(( $(date +%s) - start )) s)"
else
	bad "dpkg-buildpackage failed: $(tail -n 8 "$work/build.log" | tr '\n' ' ')"
	exit 1
fi
[ ! -e "$work/cache" ] && ok "the package build did not touch the download cache" ||
	bad "the package build wrote $work/cache"
deb=$work/kvmslb_${ver}_$arch.deb
[ -f "$deb" ] && ok "built $(basename "$deb")" || { bad "no $(basename "$deb")"; exit 1; }
grep -q -- '-Werror' <(grep -E ' -c src/' "$work/build.log") && bad "-Werror in the package build" ||
	ok "no -Werror in the package build"

lintian --fail-on error,warning "$work/kvmslb_${ver}_$arch.changes" >"$work/lintian" 2>&1
rc=$?
out=$(grep -v 'running with root privileges' "$work/lintian")
if [ "$rc" -eq 0 ] && ! grep -qE '^[EW]: ' <<<"$out"; then
	ok "lintian: no error, no warning${out:+ ($(tr '\n' ' ' <<<"$out"))}"
else
	bad "lintian (exit $rc): $(tr '\n' ' ' <<<"$out")"
fi

mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x"
got=$(cd "$work/x" && find . ! -type d | sed 's|^\./||' | grep -v '^usr/share/doc/' | sort | tr '\n' ' ')
want="$( { printf '%s\n' usr/sbin/kvmslb usr/sbin/kvmslbtop \
	usr/share/bash-completion/completions/kvmslb usr/share/bash-completion/completions/kvmslbtop \
	usr/share/kvmslb/prometheus/kvmslb.rules.yml usr/share/kvmslb/prometheus/kvmslb.rules.test.yml \
	usr/share/kvmslb/grafana/kvmslb.json
	for u in "$root"/contrib/systemd/*.service.in; do u=${u##*/}; echo "lib/systemd/system/${u%.in}"; done
	(cd "$root/man" && ls *.8 | sed 's|^|usr/share/man/man8/|; s|$|.gz|'); } | sort | tr '\n' ' ')"
[ "$got" = "$want" ] && ok "the package holds what runs: $got" || bad "package contents: '$got', want '$want'"
dyn=$(readelf -d "$work/x/usr/sbin/kvmslb")
grep -q 'BIND_NOW\|FLAGS_1.*NOW' <<<"$dyn" && ok "dpkg-buildflags reached the link: BIND_NOW" || bad "no BIND_NOW"
grep -q 'PIE' <<<"$dyn" && ok "position independent (PIE)" || bad "not PIE"
nm -D "$work/x/usr/sbin/kvmslb" | grep -q '__[a-z]*_chk' && ok "fortified functions (_FORTIFY_SOURCE)" ||
	bad "no fortified functions"

# installed for real (root only), then purged
if [ "$(id -u)" -ne 0 ]; then
	skip "installing the .deb needs root"
	exit $fail
fi
if dpkg-query -W -f='${Status}' kvmslb 2>/dev/null | grep -q 'ok installed'; then
	skip "a kvmslb package is installed on this machine already: not replaced by a test"
	exit $fail
fi
exec 8>/run/lock/kvmslb-deb-test.lock
flock 8
purge() { dpkg --purge kvmslb >/dev/null 2>&1; }
trap 'purge; rm -rf "$work"' EXIT
if apt-get install -y -q -o DPkg::Lock::Timeout=120 --no-install-recommends "$deb" >"$work/inst.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb")"
else
	bad "apt-get install: $(tail -n 5 "$work/inst.log" | tr '\n' ' ')"
	exit 1
fi
# the exporter is for hosts that choose it: installed, neither enabled nor started
wants=$(ls /etc/systemd/system/*.wants/kvmslb* 2>/dev/null)
[ -f /lib/systemd/system/kvmslb-export.service ] && [ -z "$wants" ] &&
	ok "kvmslb-export.service installed, not enabled" ||
	bad "kvmslb-export.service: $(ls /lib/systemd/system/kvmslb* 2>&1) enabled: ${wants:-no}"
[ "$(command -v kvmslb)" = /usr/sbin/kvmslb ] && ok "kvmslb on PATH at /usr/sbin/kvmslb" ||
	bad "kvmslb on PATH: $(command -v kvmslb)"
out=$(kvmslb doctor --no-mount 2>&1)
rc=$?
grep -q '^selected source: ' <<<"$out" && [ $rc -eq 0 ] && ok "kvmslb doctor runs: $(grep '^selected source' <<<"$out")" ||
	bad "kvmslb doctor: exit $rc: $(head -c 300 <<<"$out")"
kvmslb -j doctor --no-mount | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["host"]["architecture"]' &&
	ok "kvmslb -j doctor is JSON" || bad "kvmslb -j doctor"
# recordings whose contents are known: the fuzz corpus's seeds
for f in perf_data/kvm_hv-le.data perf_data/kvm_hv-be.data trace_dat/kvm_hv-stock-le.dat \
	 trace_dat/kvm_hv-patched-be.dat; do
	out=$(kvmslb -j report -i "$root/tests/fuzz/corpus/$f" 2>/dev/null)
	rc=$?
	sum=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
c = [g["counters"] for g in d["guests"]]
print(len(c), sum(x["hdsi"] + x["hisi"] for x in c), sum(x["dsegi"] + x["isegi"] for x in c))' "$out" 2>/dev/null)
	# the same file through the build tree's kvmslb, which 16-report checks exactly
	ref=$("${KVMSLB_BUILD:-$root/build}/kvmslb" -j report -i "$root/tests/fuzz/corpus/$f" 2>/dev/null |
		python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [g["counters"] for g in d["guests"]]
print(len(c), sum(x["hdsi"] + x["hisi"] for x in c), sum(x["dsegi"] + x["isegi"] for x in c))' 2>/dev/null)
	[ $rc -eq 0 ] && [ -n "$sum" ] && [ "$sum" = "$ref" ] &&
		ok "installed kvmslb report -i $f: guests, faults, segments = $sum" ||
		bad "installed kvmslb report -i $f: exit $rc, '$sum' vs '$ref': $(head -c 200 <<<"$out")"
done
man -w kvmslbtop >/dev/null 2>&1 && LC_ALL=C.UTF-8 man kvmslbtop 2>/dev/null | grep -q 'KVMSLB-TOP(8)' &&
	ok "man kvmslbtop" || bad "man kvmslbtop"
kvmslbtop -h | grep -q '^Usage: kvmslbtop' && ok "kvmslbtop -h" || bad "kvmslbtop -h"
purge
[ ! -e /usr/sbin/kvmslb ] && ! dpkg-query -W kvmslb >/dev/null 2>&1 && ok "dpkg --purge kvmslb leaves nothing" ||
	bad "after purge: $(ls /usr/sbin/kvmslb* 2>&1)"
exit $fail
