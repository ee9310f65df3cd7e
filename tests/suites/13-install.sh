#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install puts what runs where a distribution package would, under
# DESTDIR and PREFIX, and nothing else; make uninstall takes it away again.
# The user's CFLAGS/CPPFLAGS/LDFLAGS reach the build; -Werror only with
# WERROR (make check); the default goal is the native build.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

dest=$(mktemp -d)
trap 'rm -rf "$dest" "$dest.log"' EXIT
if make -C "$root" -s install BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$dest.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	bad "make install failed: $(tail -n 3 "$dest.log" | tr '\n' ' ')"
fi
# exactly these files: the binary, its second name, man pages, completion,
# the export units, Prometheus rules and the Grafana dashboard
want=$( { printf '%s\n' usr/sbin/kvmslb usr/sbin/kvmslbtop \
	usr/share/bash-completion/completions/kvmslb usr/share/bash-completion/completions/kvmslbtop \
	usr/share/kvmslb/prometheus/kvmslb.rules.yml usr/share/kvmslb/prometheus/kvmslb.rules.test.yml \
	usr/share/kvmslb/grafana/kvmslb.json
	for u in "$root"/contrib/systemd/*.service.in; do u=${u##*/}; echo "usr/lib/systemd/system/${u%.in}"; done
	for m in "$root"/man/*.8; do echo "usr/share/man/man8/${m##*/}"; done; } | sort)
got=$(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort)
[ "$got" = "$want" ] && ok "installed exactly $(wc -l <<<"$want") files: $(tr '\n' ' ' <<<"$want")" ||
	bad "installed files differ: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
[ ! -e "$dest/usr/lib/kvmslb" ] && ok "no BPF object installed (the programs are in kvmslb)" ||
	bad "usr/lib/kvmslb installed"
[ "$(readlink "$dest/usr/sbin/kvmslbtop")" = kvmslb ] && ok "kvmslbtop -> kvmslb" ||
	bad "kvmslbtop link"
[ "$(readlink "$dest/usr/share/bash-completion/completions/kvmslbtop")" = kvmslb ] &&
	ok "completion for kvmslbtop -> kvmslb" || bad "kvmslbtop completion link"
[ "$(cat "$dest/usr/share/man/man8/kvmslbtop.8")" = ".so man8/kvmslb-top.8" ] &&
	ok "kvmslbtop(8) is a .so page for kvmslb-top(8)" || bad "kvmslbtop.8"
# every page renders without warnings, the .so one through man's own lookup
for m in "$dest"/usr/share/man/man8/*.8 "$root"/man/*.1; do
	n=${m##*/}
	if out=$(cd "$dest/usr/share/man" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) &&
	   [ -z "$out" ]; then
		ok "$n renders without warnings"
	else
		bad "$n: $out"
	fi
done
page=$(LC_ALL=C.UTF-8 MANWIDTH=80 MANPATH=$dest/usr/share/man man kvmslbtop 2>/dev/null | head -n 1)
grep -q 'KVMSLB-TOP(8)' <<<"$page" && ok "man kvmslbtop shows kvmslb-top(8)" || bad "man kvmslbtop: '$page'"
# pages cite only pages that exist: kvmslb's own are installed, the others are Debian's
missing=''
for ref in $(cat "$dest"/usr/share/man/man8/*.8 | sed 's/\\-/-/g' |
	     grep -oE '(\\fB|^\.BR )(kvmslb[a-z-]*|slbguest)(\\fR)? ?\([18]\)' |
	     sed -E 's/^(\\fB|\.BR )//; s/(\\fR)? ?\((.)\)$/.\2/' | sort -u); do
	[ -f "$dest/usr/share/man/man${ref##*.}/$ref" ] || missing="$missing $ref"
done
[ -z "$missing" ] && ok "every kvmslb page cited is installed" || bad "cited but not installed:$missing"
"$dest/usr/sbin/kvmslb" --version >/dev/null && ok "installed kvmslb runs" || bad "installed kvmslb"
make -C "$root" -s uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 &&
	left=$(cd "$dest" && find . ! -type d) && [ -z "$left" ] &&
	ok "make uninstall removes every installed file" || bad "make uninstall left: $left"

# the user's flags reach the compiler and the linker; -Werror only with WERROR
lines=$(make -C "$root" -n -B native BUILD="$dest/b" CPPFLAGS=-DKVMSLB_FLAGS_TEST \
	CFLAGS="-O1 -fstack-protector-strong" LDFLAGS="-Wl,-z,now" 2>/dev/null)
cc=$(grep -E ' -c src/cmd_top.c ' <<<"$lines")
ld=$(grep -E -- '-o [^ ]*/native/kvmslb ' <<<"$lines")
grep -q -- '-DKVMSLB_FLAGS_TEST' <<<"$cc" && grep -q -- '-O1 -fstack-protector-strong' <<<"$cc" &&
	ok "CPPFLAGS and CFLAGS on the command line reach the compiler" || bad "compile line: $cc"
grep -q -- '-Wl,-z,now' <<<"$ld" && grep -q -- '-O1 -fstack-protector-strong' <<<"$ld" &&
	ok "LDFLAGS and CFLAGS reach the linker" || bad "link line: $ld"
cc=$(CFLAGS="-O3 -DFROM_ENV" make -C "$root" -n -B native BUILD="$dest/b" 2>/dev/null |
	grep -E ' -c src/cmd_top.c ')
grep -q -- '-O3 -DFROM_ENV' <<<"$cc" && ok "CFLAGS from the environment reach the compiler" ||
	bad "environment CFLAGS: $cc"
! grep -q -- '-Werror' <<<"$cc" && ok "no -Werror in a user's build" || bad "-Werror in: $cc"
cc=$(make -C "$root" -n -B native BUILD="$dest/b" WERROR=-Werror 2>/dev/null | grep -E ' -c src/cmd_top.c ')
grep -q -- '-Werror' <<<"$cc" && ok "WERROR=-Werror (make check) makes warnings errors" || bad "WERROR: $cc"
grep -q 'WERROR=-Werror' <(sed -n '/^check:/,/^$/p' "$root/Makefile") &&
	ok "make check builds with WERROR=-Werror" || bad "make check without WERROR"
# the default goal is the native build, which has nothing to do with the network
goal=$(make -C "$root" -n -p BUILD="$dest/b" 2>/dev/null | sed -n 's/^\.DEFAULT_GOAL := //p')
[ "$goal" = native ] && ok "plain 'make' is 'make native'" || bad "default goal '$goal'"
if make -C "$root" -n -B native BUILD="$dest/b" 2>/dev/null | grep -qE 'cross-sysroot|apt-get|powerpc64le'; then
	bad "make native would run the sysroot download or the cross compiler"
else
	ok "make native runs neither cross-sysroot.sh (apt-get download) nor the cross compiler"
fi
exit $fail
