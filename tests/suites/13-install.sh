#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install puts binaries, BPF objects, man pages and bash completion
# where a distribution package would, under DESTDIR and PREFIX.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
if make -C "$root" -s install BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$dest.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	bad "make install failed: $(tail -n 3 "$dest.log" | tr '\n' ' ')"
fi
rm -f "$dest.log"
for f in usr/sbin/kvmslb usr/share/bash-completion/completions/kvmslb \
	 usr/share/man/man8/kvmslb.8; do
	[ -f "$dest/$f" ] && ok "installed /$f" || bad "missing /$f"
done
[ "$(readlink "$dest/usr/sbin/kvmslbtop")" = kvmslb ] && ok "kvmslbtop -> kvmslb" ||
	bad "kvmslbtop link"
n_bpf=$(find "$build/bpf" -name '*.bpf.o' 2>/dev/null | wc -l)
n_inst=$(find "$dest/usr/lib/kvmslb/bpf" -name '*.bpf.o' 2>/dev/null | wc -l)
[ "$n_bpf" -gt 0 ] && [ "$n_inst" -eq "$n_bpf" ] && ok "all $n_bpf BPF objects installed" ||
	bad "$n_inst of $n_bpf BPF objects installed"
n_man=$(ls "$root"/man/*.8 | wc -l)
[ "$(ls "$dest"/usr/share/man/man8/*.8 | wc -l)" -eq "$n_man" ] &&
	ok "all $n_man section-8 man pages installed" || bad "man pages"
for m in "$root"/man/*.[18]; do
	if out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) && [ -z "$out" ]; then
		ok "$(basename "$m") renders without warnings"
	else
		bad "$(basename "$m"): $out"
	fi
done
"$dest/usr/sbin/kvmslb" --version >/dev/null && ok "installed kvmslb runs" || bad "installed kvmslb"
exit $fail
