#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb export's HTTP side on 127.0.0.1: the exporter (export/http.c over
# known counts, tests/export/serve_metrics.c) against the HTTP details of
# issue 12 and hostile clients (500 idle sockets, 20 slowloris clients,
# garbage, a per-address limit, the idle timeout), bounded in count and
# time; then 'kvmslb export' itself on bad or unusable --listen addresses.
# How fast a scrape is answered under abuse is printed by make bench.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
serve=$build/native/tests/serve_metrics
abuse=$root/tests/export/abuse.py

# start_server NAME [options]: sets $addr
start_server() {
	local name=$1
	shift
	"$serve" "$@" 127.0.0.1:0 >"$work/$name.out" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do grep -q '^serving ' "$work/$name.out" && break; sleep 0.1; done
	addr=$(awk '/^serving /{print $2}' "$work/$name.out")
	[ -n "$addr" ] || { bad "$name: the test server did not start: $(cat "$work/$name.out")"; exit 1; }
}

# ---- HTTP details -----------------------------------------------------------
start_server details
url=http://$addr/metrics
ct() { curl -s -o /dev/null -w '%{content_type}' "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
text='text/plain; version=0.0.4; charset=utf-8'
om='application/openmetrics-text; version=1.0.0; charset=utf-8'

[ "$(ct "$url")" = "$text" ] && ok "no Accept: the text format" || bad "no Accept: '$(ct "$url")'"
prom_accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
[ "$(ct -H "Accept: $prom_accept" "$url")" = "$om" ] &&
	ok "Prometheus's Accept: OpenMetrics" || bad "Prometheus's Accept: '$(ct -H "Accept: $prom_accept" "$url")'"
[ "$(ct -H 'Accept: application/openmetrics-text;version=1.0.0;q=0, text/plain' "$url")" = "$text" ] &&
	ok "OpenMetrics with q=0: the text format" || bad "q=0 still gets OpenMetrics"
[ "$(ct -H 'Accept: text/plain;q=0.3, application/openmetrics-text;q=0.7' "$url")" = "$om" ] &&
	ok "the higher q wins (OpenMetrics 0.7 over text 0.3)" || bad "q ordering"
hdr=$(curl -s -D - -o /dev/null -X POST "$url" | tr -d '\r')
grep -q '^HTTP/1.1 405' <<<"$hdr" && grep -qi '^Allow: GET, HEAD$' <<<"$hdr" &&
	ok "POST: 405 with Allow: GET, HEAD" || bad "POST: $(head -c 300 <<<"$hdr")"
[ "$(code -X DELETE "$url")" = 405 ] && ok "DELETE: 405" || bad "DELETE: $(code -X DELETE "$url")"
[ "$(code -H 'Host:' "$url")" = 400 ] && ok "HTTP/1.1 without Host: 400" || bad "HTTP/1.1 without Host: $(code -H 'Host:' "$url")"
[ "$(code --http1.0 -H 'Host:' "$url")" = 200 ] && ok "HTTP/1.0 without Host: 200" || bad "HTTP/1.0 without Host: $(code --http1.0 -H 'Host:' "$url")"
hdr=$(curl -s -I "$url" | tr -d '\r')
grep -q '^HTTP/1.1 200' <<<"$hdr" && grep -qi "^Content-Type: $text" <<<"$hdr" && grep -qi '^Vary: Accept' <<<"$hdr" &&
	ok "HEAD: 200, the content type, Vary: Accept" || bad "HEAD: $hdr"
[ "$(code "http://$addr/nothing")" = 404 ] && ok "unknown path: 404" || bad "unknown path: $(code "http://$addr/nothing")"
[ "$(code "http://$addr/")" = 200 ] && ok "/: 200" || bad "/: $(code "http://$addr/")"
big=$(head -c 40000 /dev/zero | tr '\0' a)
[ "$(code -H "X-Big: $big" "$url")" = 431 ] && ok "a 40 kB header: 431" || bad "a 40 kB header: $(code -H "X-Big: $big" "$url")"

# ---- hostile clients ---------------------------------------------------------
out=$(timeout 60 python3 "$abuse" "$addr" --idle 500 --slowloris 20 --garbage 5 --scrapes 5 \
	--accept 'application/openmetrics-text;version=1.0.0' --timeout 5 2>&1)
sed 's/^/# /' <<<"$out"
grep -q '^connected_idle=500 connected_slowloris=20 connected_garbage=5$' <<<"$out" &&
	ok "500 idle, 20 slowloris and 5 garbage clients connected at once" || bad "abusers did not all connect"
n=$(grep -c '^scrape=.* status=200 .* complete=1$' <<<"$out")
[ "$n" = 5 ] && ok "with them connected, 5 of 5 fresh scrapes answered in full (OpenMetrics, # EOF)" ||
	bad "fresh scrapes under abuse: $n of 5 complete"
grep -q '^garbage_answer=HTTP/1.1 400' <<<"$out" && ok "a garbage request line gets 400 at once" ||
	bad "garbage: $(grep garbage_answer <<<"$out")"
[ "$(code "$url")" = 200 ] && ok "served after the abusers left" || bad "not served after the abusers left"

# per client address: the 5th connection from 127.0.0.1 is refused while 4 are open
start_server perip --max-per-ip 4
out=$(timeout 30 python3 "$abuse" "$addr" --idle 4 --scrapes 1 --timeout 3 2>&1)
sed 's/^/# /' <<<"$out"
# refused: closed without an answer (or reset)
grep -qE '^scrape=1 (status=0 bytes=0 |error=)' <<<"$out" &&
	ok "--max-per-ip 4: a 5th connection from the same address is closed unanswered" ||
	bad "--max-per-ip 4: $(grep '^scrape=' <<<"$out")"
out=$(timeout 30 python3 "$abuse" "$addr" --idle 3 --scrapes 1 --timeout 3 2>&1)
grep -q '^scrape=1 status=200 .*complete=1$' <<<"$out" &&
	ok "--max-per-ip 4: with 3 open, a scrape is answered" || bad "--max-per-ip 4 with 3 open: $out"

# idle connections are closed after --idle-timeout
start_server idle --idle-timeout 2
out=$(timeout 30 python3 "$abuse" "$addr" --idle 20 --slowloris 2 --scrapes 1 --hold 4 2>&1)
sed 's/^/# /' <<<"$out"
grep -q '^idle_closed_by_server=20$' <<<"$out" &&
	ok "--idle-timeout 2: 20 of 20 silent connections closed after 4 s" ||
	bad "--idle-timeout 2: $(grep idle_closed <<<"$out")"

# ---- kvmslb export: --listen checked before anything is loaded ---------------------
kvmslb=$build/native/kvmslb
run() { "$kvmslb" export "$@" --once --interval 0.1 >"$work/run.out" 2>"$work/run.err"; echo $?; }
rc=$(run --listen 'bad!host:9466')
[ "$rc" = 2 ] && grep -q "cannot resolve 'bad!host'" "$work/run.err" &&
	ok "--listen with a bad host: exit 2, $(head -n 1 "$work/run.err")" || bad "bad host: rc $rc, $(cat "$work/run.err")"
rc=$(run --listen 9466)
[ "$rc" = 2 ] && grep -q 'want HOST:PORT' "$work/run.err" && ok "--listen 9466: exit 2 (HOST:PORT)" ||
	bad "--listen 9466: rc $rc, $(cat "$work/run.err")"
rc=$(run --listen 127.0.0.1:9466 --max-per-ip lots)
[ "$rc" = 2 ] && ok "--max-per-ip lots: exit 2" || bad "--max-per-ip lots: rc $rc"
rc=$(run --listen "$addr")
[ "$rc" = 1 ] && grep -q "cannot listen on $addr: the port is in use" "$work/run.err" &&
	! grep -q 'source' "$work/run.err" &&
	ok "a port in use: exit 1, said before any source is opened" || bad "port in use: rc $rc, $(cat "$work/run.err")"
rc=$(run --listen 192.0.2.1:9466)
[ "$rc" = 1 ] && grep -q 'no interface of this host has that address' "$work/run.err" &&
	ok "an address of no interface (EADDRNOTAVAIL): exit 1, $(head -n 1 "$work/run.err")" ||
	bad "EADDRNOTAVAIL: rc $rc, $(cat "$work/run.err")"
# localhost is accepted; on this machine the next step, the source, fails
rc=$(run --listen localhost:0)
! grep -qE 'listen|resolve' "$work/run.err" &&
	ok "--listen localhost:0 accepted (then: $(head -n 1 "$work/run.err"))" || bad "localhost: rc $rc, $(cat "$work/run.err")"
ppc=$build/ppc64le/kvmslb
if [ -x "$ppc" ] && command -v qemu-ppc64le-static >/dev/null; then
	qemu-ppc64le-static "$ppc" export --listen :9466 >/dev/null 2>"$work/ppc.err"
	rc=$?
	[ "$rc" = 2 ] && grep -q 'not in the static ppc64le build' "$work/ppc.err" &&
		ok "static ppc64le build: --listen is bad usage (exit 2), said at once" ||
		bad "static ppc64le --listen: rc $rc, $(cat "$work/ppc.err")"
fi
exit $fail
