# SPDX-License-Identifier: GPL-2.0
# Sourced by tools/guest/build-*.sh: the one way their cache entries are
# claimed. cache_enter DEST prints DEST and exits 0 when DEST is complete;
# otherwise it takes DEST's lock (fd 9, held until the script exits) and
# looks again, since another build may have completed it meanwhile.
# Needs the caller's say().
cache_enter() {
	local dest=$1 pass

	for pass in unlocked locked; do
		if [ -f "$dest/.complete" ]; then
			say "cached: $dest"
			echo "$dest"
			exit 0
		fi
		[ $pass = locked ] && return 0
		mkdir -p "$(dirname "$dest")"
		exec 9>"$dest.lock"
		flock 9
	done
}
