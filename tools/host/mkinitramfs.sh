#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the gzip cpio initramfs of an emulated POWER host.
#
#   tools/host/mkinitramfs.sh -o OUT.cpio.gz --script FILE
#       [--modules TREE] [--add SRC:DEST]... [--env NAME=VALUE]...
#
#   -o, --output FILE    the initramfs to write
#   --script FILE        the test script; /init runs it as /kvmslb/test.sh
#   --modules TREE       a tree holding lib/modules/<release>/ (depmod'ed), e.g.
#                        the one tools/host/fetch-stock-kernel.sh prints
#   --add SRC:DEST       copy file or directory SRC to DEST in the initramfs;
#                        a DEST ending in / is a directory (SRC keeps its name),
#                        e.g. build/ppc64le/kvmslb:/usr/sbin/
#   --env NAME=VALUE     exported to the test script (written to /kvmslb/env)
#
# Contents: busybox-static:ppc64el (apt-get download, cached in
# $KVMSLB_CACHE/debs), tools/host/init.sh as /init, and the above. /init mounts
# proc, sys, devtmpfs, debugfs, tracefs, enables the BPF JIT, loads kvm_hv when
# modules are present, runs the script, prints "KVMSLB-HOST-RESULT rc=N" and
# powers off. Same inputs give the same bytes (fixed mtimes and owners, sorted).
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
out='' script='' modules='' adds=() envs=()
die() { echo "mkinitramfs: $*" >&2; exit 1; }
usage() { echo "mkinitramfs: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-o|--output) out=${2:?}; shift ;;
	--script) script=${2:?}; shift ;;
	--modules) modules=${2:?}; shift ;;
	--add) adds+=("${2:?}"); shift ;;
	--env) envs+=("${2:?}"); shift ;;
	-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown option '$1' (see --help)" ;;
	esac
	shift
done
[ -n "$out" ] || usage "-o OUT.cpio.gz is required"
[ -n "$script" ] || usage "--script FILE is required"
[ -f "$script" ] || die "test script '$script' not found"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/lib/kvmslb,proc,sys,dev,tmp,run,root,kvmslb,lib/modules}
bb=$("$HERE/fetch-busybox.sh") || die "busybox-static:ppc64el is not available"
cp "$bb" "$stage/bin/busybox"
install -m 0755 "$HERE/init.sh" "$stage/init"
install -m 0755 "$script" "$stage/kvmslb/test.sh"

if [ -n "$modules" ]; then
	[ -d "$modules/lib/modules" ] || die "--modules $modules: no lib/modules/ in it"
	cp -a "$modules/lib/modules/." "$stage/lib/modules/"
fi

for a in "${adds[@]}"; do
	src=${a%%:*} dst=${a#*:}
	[ "$src" != "$a" ] && [ -n "$dst" ] || usage "--add '$a': expected SRC:DEST"
	[ -e "$src" ] || die "--add $a: '$src' does not exist"
	case $dst in /*) ;; *) dst=/$dst ;; esac
	case $dst in */) dst=$dst$(basename "$src") ;; esac
	mkdir -p "$stage$(dirname "$dst")"
	if [ -d "$src" ]; then
		mkdir -p "$stage$dst" && cp -a "$src/." "$stage$dst/"
	else
		cp -L "$src" "$stage$dst"
	fi
done

: > "$stage/kvmslb/env"
for e in "${envs[@]}"; do
	n=${e%%=*} v=${e#*=}
	[[ $n =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && [ "$n" != "$e" ] || usage "--env '$e': expected NAME=VALUE"
	printf 'export %s=%q\n' "$n" "$v" >> "$stage/kvmslb/env"
done

mkdir -p "$(dirname "$out")"
( cd "$stage" && find . -exec touch -h -d @0 {} + &&
	find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible ) | gzip -n -6 > "$out.tmp"
mv "$out.tmp" "$out"
