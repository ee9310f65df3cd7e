#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a ppc64el sysroot with the static libraries kvmslb links against.
# The .debs come from Debian by package name (apt-get download) and are
# unpacked, not installed: installing :ppc64el -dev packages next to the
# amd64 ones needs byte-identical versions, which mirrors do not always
# offer (bookworm-security's ppc64el index is often out of sync).
#
#   tools/cross-sysroot.sh DESTDIR
#
# DESTDIR is shared by every checkout using the same cache (the Makefile
# names it after a hash of this script, so a changed package list gets a new
# one): one writer at a time (flock on DESTDIR.lock), each in its own
# temporary directory, renamed into place when complete. A DESTDIR with its
# .stamp is complete and is left alone.
set -euo pipefail

dest=${1:?usage: cross-sysroot.sh DESTDIR}
pkgs=(libbpf-dev libelf-dev zlib1g-dev libzstd-dev libtraceevent-dev libncurses-dev libcap-dev libjson-c-dev)

parent=$(dirname "$dest")
mkdir -p "$parent"
exec 9>"$dest.lock"
flock 9
[ -f "$dest/.stamp" ] && exit 0

debs=$parent/debs-ppc64el
mkdir -p "$debs"
work=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
for p in "${pkgs[@]}"; do
	if ! ls "$debs/${p}"_*_ppc64el.deb >/dev/null 2>&1; then
		echo "cross-sysroot: downloading $p:ppc64el"
		mkdir -p "$work/dl"
		(cd "$work/dl" && apt-get download -q "$p:ppc64el" >/dev/null 2>&1) ||
			{ echo "cross-sysroot: apt-get download $p:ppc64el failed (run 'apt-get update' and 'dpkg --add-architecture ppc64el')" >&2; exit 1; }
		mv "$work/dl/"*.deb "$debs/"
	fi
done
mkdir -p "$work/root"
for p in "${pkgs[@]}"; do
	dpkg-deb -x "$(ls "$debs/${p}"_*_ppc64el.deb | sort -V | tail -n 1)" "$work/root"
done
touch "$work/root/.stamp"
rm -rf "$dest"
mv "$work/root" "$dest"
