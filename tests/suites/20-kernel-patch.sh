#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check suite for kernel-patch/: the series applies to Debian's 6.1 and
# 6.12 sources, checkpatch --strict is clean, arch/powerpc/kvm/ of both patched
# trees adds no W=1 warning, and the built 6.1 kernel carries the tracepoints,
# stats and injection knob.  TAP-style output; exit 1 if any test failed.
#
# Env: KVMSLB_ROOT (repo), KVMSLB_BUILD (build dir), KVMSLB_CACHE (cache dir).
# From an empty cache this downloads the sources and builds the kernel
# (minutes); afterwards everything comes from the cache.
set -uo pipefail

ROOT=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export KVMSLB_CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
BUILD=${KVMSLB_BUILD:-$ROOT/build}
BK="$ROOT/tools/kernel/build-kernel.sh"
CROSS=powerpc64le-linux-gnu-
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

failed=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
diag()   { sed 's/^/# /'; }
check()  { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

series_dir() { # $1 = version
	if [ -d "$ROOT/kernel-patch/$1" ]; then echo "$ROOT/kernel-patch/$1"; else echo "$ROOT/kernel-patch"; fi
}

for v in 6.1 6.12; do
	dir=$(series_dir "$v")
	mapfile -t patches < <(find "$dir" -maxdepth 1 -name '*.patch' | sort)
	if [ ${#patches[@]} -eq 0 ]; then
		not_ok "$v: series present in ${dir#$ROOT/}"
		continue
	fi

	if ! src=$("$BK" --version "$v" --source-only 2>"$TMP/src.err" | tail -1) || [ ! -d "$src" ]; then
		diag < "$TMP/src.err"
		not_ok "$v: Debian linux-source-$v fetched, unpacked and verified"
		continue
	fi
	ok "$v: Debian linux-source-$v fetched, unpacked and verified (${src##*/})"

	# Apply the series, in order, to a copy of the files it touches.
	w="$TMP/apply-$v"
	mkdir -p "$w"
	grep -h '^diff --git a/' "${patches[@]}" | awk '{print substr($3, 3)}' | sort -u |
	while read -r f; do
		[ -f "$src/$f" ] && { mkdir -p "$w/$(dirname "$f")"; cp "$src/$f" "$w/$f"; }
	done
	applied=1
	for p in "${patches[@]}"; do
		if ! patch -d "$w" -p1 -F0 --forward --no-backup-if-mismatch < "$p" > "$TMP/patch.out" 2>&1; then
			diag < "$TMP/patch.out"
			applied=0
			not_ok "$v: ${p##*/} applies without fuzz"
			break
		fi
	done
	[ $applied = 1 ] && ok "$v: all ${#patches[@]} patches of ${dir#$ROOT/} apply without fuzz"

	# checkpatch from the pristine tree.  Debian's source has no git
	# history, so checkpatch cannot look up the upstream commit the series
	# cites (cf29b21595b9) and would warn UNKNOWN_COMMIT_ID for any id;
	# that one check is skipped, the GIT_COMMIT_ID format check is not.
	for p in "${patches[@]}"; do
		out=$(cd "$src" && perl scripts/checkpatch.pl --strict --show-types \
			--ignore UNKNOWN_COMMIT_ID "$p" 2>&1)
		total=$(echo "$out" | grep '^total:' | tail -1)
		if echo "$total" | grep -q '^total: 0 errors, 0 warnings'; then
			ok "$v: checkpatch --strict: ${p##*/}: ${total#total: }"
		else
			echo "$out" | grep -E '^(ERROR|WARNING)' -A4 | diag
			not_ok "$v: checkpatch --strict: ${p##*/}: ${total:-no result}"
		fi
	done
done

# ---- build-kernel.sh refuses unexpected trees (fake, already "unpacked") ----
fake="$TMP/fake/src/linux-source-6.1-6.1.176-1"
mkdir -p "$fake/arch/powerpc/kvm"
touch "$fake/.kvmslb-unpacked"
printf 'VERSION = 5\nPATCHLEVEL = 10\n' > "$fake/Makefile"
out=$(KVMSLB_CACHE="$TMP/fake" KVMSLB_SRC_61=6.1.176-1 "$BK" --source-only 2>&1)
check "build-kernel.sh refuses a tree of another version" \
	bash -c 'grep -q "refusing an unexpected tree" <<< "$1"' _ "$out"
printf 'VERSION = 6\nPATCHLEVEL = 1\n' > "$fake/Makefile"
printf 'PPC_SLBFEE_DOT(R5, R0)\n\tbne\t1f\n' > "$fake/arch/powerpc/kvm/book3s_hv_rmhandlers.S"
out=$(KVMSLB_CACHE="$TMP/fake" KVMSLB_SRC_61=6.1.176-1 "$BK" --source-only 2>&1)
check "build-kernel.sh refuses a tree without the 2015 fix" \
	bash -c 'grep -q "lacks the 2015 fix" <<< "$1"' _ "$out"

# ---- W=1: the patched arch/powerpc/kvm/ adds no warning ----
w1_warnings() { # $1 = tree, $2 = build dir; prints normalised warnings
	local tree=$1 out=$2
	# drop the objects so that make recompiles and ccache replays warnings
	find "$out/arch/powerpc/kvm" "$out/virt/kvm" -name '*.o' -delete 2>/dev/null
	CCACHE_DIR="$KVMSLB_CACHE/ccache" make -C "$tree" O="$out" ARCH=powerpc \
		CROSS_COMPILE=$CROSS CC="ccache ${CROSS}gcc" W=1 -j"$(nproc)" \
		arch/powerpc/kvm/ > "$out.w1.log" 2>&1 || return 1
	# file:line:col: warning: text [-Wflag] -> file: text [-Wflag]
	{ grep -E ': warning: ' "$out.w1.log" || true; } |
		sed -E 's#^.*/(arch|virt|include)/#\1/#; s/:[0-9]+:[0-9]+: warning: /: /' | sort -u
}

for v in 6.1 6.12; do
	unp="$KVMSLB_CACHE/build/w1-$v-unpatched"
	pat="$KVMSLB_CACHE/build/w1-$v-patched"
	if ! src=$("$BK" --version "$v" --source-only 2>"$TMP/e" | tail -1) ||
	   ! tree=$("$BK" --version "$v" --tree-only 2>"$TMP/e" | tail -1) ||
	   ! "$BK" --version "$v" --unpatched --config-only "$unp" >/dev/null 2>"$TMP/e" ||
	   ! "$BK" --version "$v" --config-only "$pat" >/dev/null 2>"$TMP/e"; then
		diag < "$TMP/e"
		not_ok "$v: W=1 build of arch/powerpc/kvm/ configured"
		continue
	fi
	if w1_warnings "$src" "$unp" > "$TMP/w1.unpatched" &&
	   w1_warnings "$tree" "$pat" > "$TMP/w1.patched"; then
		new=$(comm -13 "$TMP/w1.unpatched" "$TMP/w1.patched")
		echo "$v: unpatched: $(wc -l < "$TMP/w1.unpatched") distinct W=1 warnings, patched: $(wc -l < "$TMP/w1.patched")" | diag
		if [ -z "$new" ]; then
			ok "$v: W=1 build of arch/powerpc/kvm/ adds no warning"
		else
			echo "$new" | diag
			not_ok "$v: W=1 build of arch/powerpc/kvm/ adds no warning"
		fi
	else
		tail -20 "$unp.w1.log" "$pat.w1.log" 2>/dev/null | diag
		not_ok "$v: W=1 build of arch/powerpc/kvm/ (patched and unpatched) succeeds"
	fi
done

# ---- the built kernel carries the new tracepoints, stats and knob ----
if vmlinux=$("$BK" 2>"$TMP/build.err" | tail -1) && [ -f "$vmlinux" ]; then
	ok "6.1: patched kernel builds (${vmlinux#$KVMSLB_CACHE/})"
	"${CROSS}nm" "$vmlinux" > "$TMP/nm" 2>/dev/null
	for s in __tracepoint_kvm_segment_synth __tracepoint_kvm_hfault \
		 kvmppc_rm_hfault_done kvmhv_hfault_account kvmhv_hfault_trace_reg; do
		check "6.1: vmlinux has symbol $s" grep -qw "$s" "$TMP/nm"
	done
	strings -a "$vmlinux" > "$TMP/strings"
	for s in hfault_hdsi hfault_hisi dsegi_synth isegi_synth seg_synth_injected \
		 hfault_retry hfault_reflect hfault_host hfault_mmio hfault_log_drops \
		 hdsi_latency_hist hisi_latency_hist slb_miss_inject; do
		check "6.1: vmlinux has stat/debugfs name $s" grep -qx "$s" "$TMP/strings"
	done
	check "6.1: vmlinux keeps .BTF" bash -c "'${CROSS}readelf' -S '$vmlinux' | grep -q '\.BTF '"
	# the 2015 fix is still there: slbfee. ; li r0,0x380 ; bne in kvmppc_hdsi
	start=$(awk '$3 == "kvmppc_hdsi" {print $1}' "$TMP/nm")
	if [ -n "$start" ]; then
		"${CROSS}objdump" -d --start-address=0x$start \
			--stop-address=$(printf '0x%x' $((0x$start + 200))) "$vmlinux" > "$TMP/hdsi"
		check "6.1: kvmppc_hdsi still synthesizes DSegI (slbfee. ; li r0,896 ; bne)" \
			bash -c "grep -A2 'slbfee\.' '$TMP/hdsi' | grep -A1 'li *r0,896' | grep -q 'bne'"
	else
		not_ok "6.1: kvmppc_hdsi found in vmlinux"
	fi
else
	tail -30 "$TMP/build.err" | diag
	not_ok "6.1: patched kernel builds"
fi

exit $failed
