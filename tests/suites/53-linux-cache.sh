#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/guest's cache writers (build-qemu.sh, build-image.sh,
# build-hostpart.sh) against a fresh cache: two builds at once both succeed
# with the same complete result and leave no temporary directory; the
# result is byte-identical to the shared cache's entry of the same key
# (content-keyed, reproducible); a second build is a cache hit; the inner
# QEMU runs from its closure (qemu-user), so no library is missing. The
# fresh cache gets hard links to the .debs and the kernel tree already
# fetched, so nothing is downloaded when the shared cache has them.
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
c=$(mktemp -d)
trap 'rm -rf "$c"' EXIT
mkdir -p "$c/stock" "$c/debs"
[ -d "$shared/debs-qemu-ppc64el" ] && cp -al "$shared/debs-qemu-ppc64el" "$c/"
cp -al "$shared"/debs/busybox-static_*_ppc64el.deb "$c/debs/" 2>/dev/null
for t in "$shared"/stock/*/.complete; do
	[ -f "$t" ] && cp -al "$(dirname "$t")" "$c/stock/"
done

start=$SECONDS
for i in 1 2; do
	KVMSLB_CACHE=$c "$root/tools/guest/build-hostpart.sh" > "$c/out.$i" 2> "$c/err.$i" &
	eval "p$i=$!"
done
wait "$p1"; r1=$?
wait "$p2"; r2=$?
a=$(tail -n1 "$c/out.1") b=$(tail -n1 "$c/out.2")
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$a" = "$b" ] && [ -f "$a" ]; then
	ok "two concurrent builds into an empty cache both succeed with one result ($((SECONDS - start)) s)"
else
	bad "two concurrent builds: exit $r1/$r2, '$a' / '$b'"
	sed 's/^/# /' "$c/err.1" "$c/err.2"
fi
left=$(find "$c/guest" -maxdepth 1 -name '*.tmp.*' | wc -l)
[ "$left" -eq 0 ] && ok "no temporary directory left in the cache" || bad "$left temporary directories left in the cache"
n=$(ls -d "$c"/guest/qemu-*/.complete "$c"/guest/linux-*/.complete 2>/dev/null | wc -l)
[ "$n" -eq 2 ] && ok "one complete QEMU tree and one guest image" || bad "$n complete entries (expected 2): $(ls "$c/guest")"
ref=$shared/guest/$(basename "$a")
if [ -f "$ref" ]; then
	cmp -s "$a" "$ref" && ok "byte-identical to the shared cache's $(basename "$a")" ||
		bad "$(basename "$a") differs from the shared cache's"
else
	echo "# the shared cache has no $(basename "$a") to compare with"
fi
t=$SECONDS
again=$(KVMSLB_CACHE=$c "$root/tools/guest/build-hostpart.sh" 2>&1 | tail -n1)
[ "$again" = "$a" ] && [ $((SECONDS - t)) -lt 20 ] && ok "a second build is a cache hit ($((SECONDS - t)) s)" ||
	bad "a second build: '$again' after $((SECONDS - t)) s"

list=$(cpio -it --quiet < "$a")
for f in usr/bin/qemu-system-ppc64 usr/bin/with-pid guest/vmlinux guest/initrd.gz \
	usr/share/qemu/vof.bin lib64/ld64.so.2; do
	echo "$list" | grep -qx "$f" && ok "the host part holds /$f" || bad "the host part holds /$f"
done
q=$(ls -d "$c"/guest/qemu-*/root)
[ "$(readlink "$q/lib64/ld64.so.2")" = ../lib/powerpc64le-linux-gnu/ld64.so.2 ] &&
	ok "ld64.so.2 is a relative link" || bad "ld64.so.2 -> $(readlink "$q/lib64/ld64.so.2")"
v=$(qemu-ppc64le-static -L "$q" "$q/usr/bin/qemu-system-ppc64" --version 2>&1 | head -n1)
case $v in
"QEMU emulator version"*) ok "the inner QEMU runs from its closure: $v" ;;
*) bad "the inner QEMU runs from its closure: $v" ;;
esac
exit $fail
