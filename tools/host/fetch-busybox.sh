#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# busybox-static:ppc64el, downloaded once (apt-get download, .deb kept in
# $KVMSLB_CACHE/debs) and unpacked to $KVMSLB_CACHE/busybox/busybox, whose
# path is printed. Used by the host initramfs and the Linux guest image.
# One writer at a time (flock); the binary is renamed into place complete.
set -euo pipefail

CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
die() { echo "fetch-busybox: $*" >&2; exit 1; }
bb=$CACHE/busybox/busybox
if [ ! -x "$bb" ]; then
	debs=$CACHE/debs
	mkdir -p "$debs" "$CACHE/busybox"
	exec 9> "$CACHE/busybox/.lock"
	flock 9
fi
if [ ! -x "$bb" ]; then
	deb=$(ls "$debs"/busybox-static_*_ppc64el.deb 2>/dev/null | sort -V | tail -n1 || true)
	tmp=$(mktemp -d "$CACHE/busybox/tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if [ -z "$deb" ]; then
		echo "fetch-busybox: downloading busybox-static:ppc64el" >&2
		mkdir -m 777 "$tmp/dl"
		( cd "$tmp/dl" && apt-get download -qq busybox-static:ppc64el >/dev/null 2>&1 ) ||
			die "apt-get download busybox-static:ppc64el failed (is the ppc64el architecture added? run tools/install-deps.sh)"
		mv "$tmp/dl"/*.deb "$debs/"
		deb=$(ls "$debs"/busybox-static_*_ppc64el.deb | sort -V | tail -n1)
	fi
	dpkg-deb -x "$deb" "$tmp/x"
	install -m 0755 "$tmp/x/bin/busybox" "$tmp/busybox" && mv "$tmp/busybox" "$bb"
fi
echo "$bb"
