#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a ppc64el sysroot with the static libraries kvmslb links against.
# The .debs come from Debian by package name (apt-get download) and are
# unpacked, not installed: installing :ppc64el -dev packages next to the
# amd64 ones needs byte-identical versions, which mirrors do not always
# offer (bookworm-security's ppc64el index is often out of sync).
set -euo pipefail

dest=${1:?usage: cross-sysroot.sh DESTDIR}
pkgs=(libbpf-dev libelf-dev zlib1g-dev libzstd-dev libtraceevent-dev libncurses-dev)

debs=$(dirname "$dest")/debs-ppc64el
mkdir -p "$debs"
cd "$debs"
for p in "${pkgs[@]}"; do
	if ! ls "${p}"_*_ppc64el.deb >/dev/null 2>&1; then
		echo "cross-sysroot: downloading $p:ppc64el"
		apt-get download -q "$p:ppc64el" >/dev/null 2>&1 ||
			{ echo "cross-sysroot: apt-get download $p:ppc64el failed (run 'apt-get update' and 'dpkg --add-architecture ppc64el')" >&2; exit 1; }
	fi
done
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
for p in "${pkgs[@]}"; do
	dpkg-deb -x "$(ls "${p}"_*_ppc64el.deb | tail -n 1)" "$dest.tmp"
done
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.stamp"
