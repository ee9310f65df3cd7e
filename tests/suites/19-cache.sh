#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two checkouts building at once must not corrupt the shared cache: ten pairs
# of tools/cross-sysroot.sh run together into one temporary cache (the first
# pair from an empty cache, downloading; the sysroot removed before each
# next pair, so every pair races to unpack it), and every run must succeed
# with a complete sysroot and no leftovers. The Makefile names the sysroot
# after the script's content, so a fresh clone reuses it.
set -u
root=${KVMSLB_ROOT:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
key=$(sha256sum "$root/tools/cross-sysroot.sh" | cut -c1-12)
dest=$cache/sysroot-ppc64el-$key
# what the static build links, and a header of each package
files="usr/lib/powerpc64le-linux-gnu/libbpf.a usr/lib/powerpc64le-linux-gnu/libelf.a
usr/lib/powerpc64le-linux-gnu/libz.a usr/lib/powerpc64le-linux-gnu/libzstd.a
usr/lib/powerpc64le-linux-gnu/libtraceevent.a usr/lib/powerpc64le-linux-gnu/libncursesw.a
usr/lib/powerpc64le-linux-gnu/libtinfo.a usr/lib/powerpc64le-linux-gnu/libjson-c.a
usr/include/bpf/libbpf.h usr/include/libelf.h usr/include/zlib.h usr/include/zstd.h
usr/include/traceevent/event-parse.h usr/include/ncurses.h usr/include/json-c/json.h .stamp"

pairs=${CACHE_TEST_PAIRS:-10}
good=0
for i in $(seq 1 "$pairs"); do
	rm -rf "$dest"
	"$root/tools/cross-sysroot.sh" "$dest" >"$cache/a.log" 2>&1 &
	a=$!
	"$root/tools/cross-sysroot.sh" "$dest" >"$cache/b.log" 2>&1 &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	missing=''
	for f in $files; do
		[ -e "$dest/$f" ] || missing="$missing $f"
	done
	left=$(cd "$cache" && ls -d sysroot-ppc64el-*.tmp.* 2>/dev/null)
	if [ $ra -eq 0 ] && [ $rb -eq 0 ] && [ -z "$missing" ] && [ -z "$left" ]; then
		good=$((good + 1))
	else
		bad "pair $i: exit $ra and $rb, missing:${missing:- none}, leftovers: ${left:-none}: $(tail -n 2 "$cache/a.log" "$cache/b.log" | tr '\n' ' ')"
	fi
done
[ $good -eq "$pairs" ] && ok "$pairs pairs of concurrent cross-sysroot.sh into one cache: all $((2 * pairs)) runs succeeded with a complete sysroot" ||
	bad "$good of $pairs pairs complete"
n=$(ls "$cache"/debs-ppc64el/*.deb | wc -l)
[ "$n" -eq "$(grep -c . <<<"$(sed -n 's/^pkgs=(\(.*\))/\1/p' "$root/tools/cross-sysroot.sh" | tr ' ' '\n')")" ] &&
	ok "each package downloaded once ($n .debs)" || bad "$n .debs in the cache"

# the sysroot's name depends on the script's content, not on its mtime
clone=$cache/clone
mkdir -p "$clone"
cp -r "$root/Makefile" "$root/tools" "$root/tests" "$clone/"
touch -d '2001-01-01' "$clone/tools/cross-sysroot.sh"
eval1=$(make -C "$root" -s --eval 'show: ; @echo $(SYSROOT_PPC)' show KVMSLB_CACHE=/c BUILD=$cache/b 2>/dev/null)
eval2=$(make -C "$clone" -s --eval 'show: ; @echo $(SYSROOT_PPC)' show KVMSLB_CACHE=/c BUILD=$cache/b 2>/dev/null)
[ -n "$eval1" ] && [ "$eval1" = "$eval2" ] && [ "$eval1" = "/c/sysroot-ppc64el-$key" ] &&
	ok "a copy with other mtimes names the same sysroot ($eval1)" || bad "sysroot names '$eval1' vs '$eval2'"
echo '# a changed package list' >>"$clone/tools/cross-sysroot.sh"
eval3=$(make -C "$clone" -s --eval 'show: ; @echo $(SYSROOT_PPC)' show KVMSLB_CACHE=/c BUILD=$cache/b 2>/dev/null)
[ -n "$eval3" ] && [ "$eval3" != "$eval1" ] && ok "a changed script names a new sysroot ($eval3)" ||
	bad "changed script: '$eval3'"
exit $fail
