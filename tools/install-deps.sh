#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages kvmslb needs to build, test and demo.
# Idempotent: installs only what is missing and says what it installs.
#   tools/install-deps.sh [--quiet] [--check]
#     --check   list what is missing and exit 1 if anything is, install nothing
set -euo pipefail

quiet=0 check=0
for a in "$@"; do
	case $a in
	--quiet) quiet=1 ;;
	--check) check=1 ;;
	-h|--help) sed -n '3,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install-deps: unknown option '$a'" >&2; exit 2 ;;
	esac
done

# Native build, BPF, unit tests.
pkgs=(make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev
      libtraceevent-dev libncurses-dev libmicrohttpd-dev libcmocka-dev
      linux-perf trace-cmd libclang-rt-14-dev file python3 man-db groff-base)
# Static ppc64le build (the libraries themselves are unpacked by cross-sysroot.sh).
pkgs+=(gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross qemu-user-static)
# Emulated POWER hosts and their initramfs.
pkgs+=(qemu-system-ppc qemu-system-data cpio kmod gzip xz-utils)
# Patched-kernel cross build.
pkgs+=(bc bison flex libssl-dev dwarves ccache zstd rsync perl python3 patch binutils)
# Fleet telemetry tests.
pkgs+=(prometheus curl)
# export: capabilities dropped after attaching (libcap); its systemd units verified.
pkgs+=(libcap-dev systemd)
# report: zstd-compressed perf.data and trace.dat.
pkgs+=(libzstd-dev)
# kvmslbtop's replay source; its screen tests; the Debian package and its checks.
pkgs+=(libjson-c-dev tmux bash-completion dpkg-dev debhelper fakeroot lintian)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
need_arch=0
dpkg --print-foreign-architectures 2>/dev/null | grep -qx ppc64el || need_arch=1

if [ ${#missing[@]} -eq 0 ] && [ $need_arch -eq 0 ]; then
	[ $quiet -eq 1 ] || echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi
if [ $check -eq 1 ]; then
	[ $need_arch -eq 1 ] && echo "install-deps: dpkg architecture ppc64el not added"
	[ ${#missing[@]} -gt 0 ] && echo "install-deps: missing: ${missing[*]}"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]:-none}); run as root: sudo tools/install-deps.sh" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_arch -eq 1 ]; then
	echo "install-deps: adding dpkg architecture ppc64el (for ppc64el .debs)"
	dpkg --add-architecture ppc64el
fi
echo "install-deps: installing ${missing[*]:-nothing}"
# A partial index failure (a mirror in sync) must not stop us: what we need
# is in bookworm main.
apt-get update -q >/dev/null 2>&1 || echo "install-deps: apt-get update reported errors; continuing with the indexes it got"
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/kvmslb-install-deps.log 2>&1 || {
		tail -n 20 /tmp/kvmslb-install-deps.log >&2
		echo "install-deps: apt-get install failed (log: /tmp/kvmslb-install-deps.log)" >&2
		exit 1
	}
fi
echo "install-deps: done"
