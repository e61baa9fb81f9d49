#!/usr/bin/env bash
# The looking-glass API against bgpdump, on a real RIB.
#
# bgplensd runs on high ports with a configuration of its own; two
# `bgplens replay` sessions feed it two peers of a real RouteViews RIB
# (pyasn rib.20140523, peer 35 AS1221 and peer 2 AS7018, 17,343 routes).
# tests/integration/lg/check_api.py then holds every answer to bgpdump's
# view of the same peers: exact routes attribute by attribute, longest
# match, more- and less-specifics, origin, community and AS-path filters,
# pagination (pages concatenated = the whole table), /asn (prefixes and
# neighbours), history, and every malformed request (400 naming the
# parameter), 404 and 405.  check_openapi.py holds openapi.json to the
# endpoint table and to the answers, and docs/api.md to both.
#
# Then: enrichment with the MaxMind test databases (a third replayed peer
# carries prefixes they know); every corrupt database of mmdb/bad-data
# (the daemon starts and answers, the bad database is dropped with a
# warning); rate limiting (429 and Retry-After after a burst), the bearer
# token and CORS.
set -u
: "${BIN:=bin}" "${SHARED:=../shared/data}" "${REPO:=$(pwd)}"
MRT=$SHARED/mrt/pyasn/rib.20140523.0600_firstMB.bz2
MMDB=$SHARED/mmdb
HERE=$REPO/tests/integration/lg
for f in "$MRT" "$MMDB/test-data/GeoLite2-ASN-Test.mmdb" "$MMDB/bad-data"; do
	if [ ! -e "$f" ]; then
		echo "SKIP: $f not found (test data in $SHARED)"
		exit 77
	fi
done
for c in bgpdump curl python3; do
	if ! command -v $c >/dev/null; then
		echo "SKIP: $c not installed (make deps)"
		exit 77
	fi
done

tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# A free TCP port below the ephemeral range (where no client's own end
# of a connection can be), in no socket at all.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		if ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return
		fi
	done
}

# start_daemon NAME CONFIG-EXTRA [ENV...]: bgplensd on fresh ports.
# Sets HTTP (base URL), BGP_PORT, DLOG; the daemon's pid joins $pids.
start_daemon() {
	local name=$1 extra=$2
	shift 2
	BGP_PORT=$(free_port)
	HTTP_PORT=$(free_port)
	HTTP=http://127.0.0.1:$HTTP_PORT
	DLOG=$tmp/$name.log
	cat >"$tmp/$name.yaml" <<EOF
local_as: 65000
router_id: 127.0.0.1
data_dir: $tmp/data-$name
bgp_listen: 127.0.0.1
bgp_port: $BGP_PORT
http_listen: 127.0.0.1:$HTTP_PORT
history_max_events: 1000000
$extra
EOF
	env "$@" "$BIN/bgplensd" -c "$tmp/$name.yaml" >"$DLOG" 2>&1 &
	DPID=$!
	pids="$pids $DPID"
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$HTTP/api/v1/openapi.json")" = 200 ] &&
		    return 0
		kill -0 $DPID 2>/dev/null || break
		sleep 0.1
	done
	bad "$name: bgplensd did not answer on $HTTP"
	cat "$DLOG"
	return 1
}

# Stop it; a sanitizer report in its log (ASan build) is a failure.
stop_daemon() {
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|WARNING: ThreadSanitizer\|runtime error:' \
	    "$DLOG"; then
		bad "sanitizer report in $(basename "$DLOG"):"
		grep -A20 'Sanitizer\|runtime error:' "$DLOG" | head -60
	fi
}

# replay LOCAL-ADDR AS PEER-INDEX FILE: a peer session in the background.
replay() {
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$BGP_PORT" \
	    --local "$1" --as "$2" --peer-index "$3" --linger 3600 "$4" \
	    2>"$tmp/replay-$1.log" &
	pids="$pids $!"
}

# wait_routes N: until the RIB holds N routes (60 s at most).
wait_routes() {
	local n
	for _ in $(seq 600); do
		n=$(curl -s "$HTTP/api/v1/status" |
		    python3 -c 'import json,sys; print(json.load(sys.stdin)["routes"]["total"])')
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	bad "the RIB holds $n routes, want $1"
	return 1
}

# ---- bgpdump's view of the two peers ---------------------------------------
bgpdump -m "$MRT" 2>/dev/null >"$tmp/all.txt"
grep '^[^|]*|[^|]*|B|203\.62\.252\.186|' "$tmp/all.txt" >"$tmp/p35.txt"
grep '^[^|]*|[^|]*|B|12\.0\.1\.63|' "$tmp/all.txt" >"$tmp/p2.txt"
want=$(cat "$tmp/p35.txt" "$tmp/p2.txt" | wc -l)
echo "bgpdump: peer 35 $(wc -l <"$tmp/p35.txt") routes, peer 2 $(wc -l <"$tmp/p2.txt")"

# ---- the API against bgpdump, with enrichment ------------------------------
start_daemon main "geoip_asn: $MMDB/test-data/GeoLite2-ASN-Test.mmdb
geoip_country: $MMDB/test-data/GeoIP2-Country-Test.mmdb
peers:
  - address: 127.0.0.2
    remote_as: 64600
  - address: 127.0.0.3
    remote_as: 64601
  - address: 127.0.0.4
    remote_as: 64602" || exit 1
replay 127.0.0.2 64600 35 "$MRT"
replay 127.0.0.3 64601 2 "$MRT"
wait_routes "$want" || exit 1
ok "replayed $want routes into bgplensd"
python3 "$HERE/check_api.py" "$HTTP" 127.0.0.2="$tmp/p35.txt" \
    127.0.0.3="$tmp/p2.txt" || fail=1

# Prefixes the MaxMind test databases know (the RIB above has none).
python3 "$HERE/mkmrt.py" "$tmp/geo.mrt" 192.0.2.9 64602 \
    '81.2.69.160/27=64602 15169;64602:1' '89.160.20.128/25=64602 7018 3' \
    '2001:218::/32=64602 2914' || exit 1
replay 127.0.0.4 64602 0 "$tmp/geo.mrt"
wait_routes $((want + 3)) || exit 1
python3 "$HERE/check_api.py" "$HTTP" --enrichment || fail=1
python3 "$HERE/check_openapi.py" "$HTTP" "$REPO" || fail=1
stop_daemon

# ---- corrupt databases ------------------------------------------------------
# Each bad file as both databases: the daemon must start and answer, and a
# database it drops must be named in a warning.
nbad=0 ndropped=0
for db in "$MMDB"/bad-data/*/*.mmdb "$MMDB/test-data/MaxMind-DB-test-broken-pointers-24.mmdb" \
    "$MMDB/test-data/MaxMind-DB-test-broken-search-tree-24.mmdb" \
    "$MMDB/test-data/GeoIP2-City-Test-Invalid-Node-Count.mmdb" "$tmp/missing.mmdb"; do
	nbad=$((nbad + 1))
	start_daemon bad "geoip_asn: $db
geoip_country: $db" || continue
	st=$(curl -s "$HTTP/api/v1/status")
	r=$(curl -s -o /dev/null -w '%{http_code}' "$HTTP/api/v1/routes?prefix=1.2.3.4")
	a=$(curl -s -o /dev/null -w '%{http_code}' "$HTTP/api/v1/asn/15169")
	asn_db=$(echo "$st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["enrichment"]["asn_database"])')
	if [ "$r" != 200 ] || [ "$a" != 200 ]; then
		bad "$(basename "$db"): routes $r, asn $a"
	elif [ "$asn_db" = None ] && ! grep -q "warning: geoip_asn $db" "$DLOG"; then
		bad "$(basename "$db"): dropped without a warning"
	fi
	[ "$asn_db" = None ] && ndropped=$((ndropped + 1))
	kill -0 "$DPID" 2>/dev/null || bad "$(basename "$db"): bgplensd died"
	stop_daemon
done
if [ "$ndropped" = "$nbad" ]; then
	ok "$nbad corrupt or missing databases: bgplensd started and answered with each, dropped it with a warning"
else
	bad "only $ndropped of $nbad bad databases were dropped"
fi

# ---- rate limit ---------------------------------------------------------------
start_daemon rate "" BGPLENS_LG_RATE=2 BGPLENS_LG_BURST=20 || exit 1
codes=$(for _ in $(seq 40); do
	curl -s -o /dev/null -w '%{http_code}\n' "$HTTP/api/v1/status"
done | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
n200=$(echo "$codes" | grep -o '[0-9]* 200' | cut -d' ' -f1)
n429=$(echo "$codes" | grep -o '[0-9]* 429' | cut -d' ' -f1)
# The burst, less the request that found the daemon ready, plus what
# refills (2/s) while the 40 go out.
if [ "${n200:-0}" -ge 19 ] && [ "${n200:-0}" -le 26 ] &&
    [ $((${n200:-0} + ${n429:-0})) = 40 ]; then
	ok "rate 2/s burst 20: 40 requests at once, $n200 answered, $n429 refused"
else
	bad "rate 2/s burst 20: $codes"
fi
# A slow build (ASan) may let a token refill after the burst: the limiter
# must still refuse one of a few immediate requests.
for _ in 1 2 3 4 5; do
	h=$(curl -s -D - -o "$tmp/429.json" "$HTTP/api/v1/routes")
	echo "$h" | grep -q '^HTTP/1.1 429' && break
done
if echo "$h" | grep -q '^HTTP/1.1 429' && echo "$h" | grep -qi '^Retry-After: [1-9]' &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error"] and d["retry_after"] >= 1' "$tmp/429.json"; then
	ok "429 with Retry-After and a JSON error"
else
	bad "429 answer: $h $(cat "$tmp/429.json")"
fi
sleep 1.2
c=$(curl -s -o /dev/null -w '%{http_code}' "$HTTP/api/v1/status")
[ "$c" = 200 ] && ok "after a second: answered again" || bad "after a second: $c"
m=$(curl -s "$HTTP/metrics" ; sleep 1; curl -s "$HTTP/metrics")
echo "$m" | grep -q '^bgplens_http_rate_limited_total [1-9]' &&
    ok "metrics count the 429s" || bad "no bgplens_http_rate_limited_total"
stop_daemon

# ---- bearer token and CORS ----------------------------------------------------
start_daemon auth "" BGPLENS_LG_TOKEN=s3cret BGPLENS_LG_CORS="https://a.example, https://lg.example" || exit 1
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$HTTP/api/v1/status")" = 401 ] && ok "no token: 401" || bad "no token: not 401"
[ "$(code -H 'Authorization: Bearer wrong' "$HTTP/api/v1/status")" = 401 ] &&
    ok "wrong token: 401" || bad "wrong token: not 401"
[ "$(code -H 'Authorization: Bearer s3cret' "$HTTP/api/v1/status")" = 200 ] &&
    ok "token: 200" || bad "token: not 200"
[ "$(code -H 'Authorization: Bearer s3cret' "$HTTP/metrics")" = 200 ] &&
    [ "$(code "$HTTP/metrics")" = 401 ] && ok "metrics need the token too" ||
    bad "metrics and the token"
[ "$(code "$HTTP/api/v1/openapi.json")" = 200 ] && ok "openapi.json needs no token" ||
    bad "openapi.json: not 200 without a token"
curl -s -D - -o /dev/null "$HTTP/api/v1/status" | grep -qi '^WWW-Authenticate: Bearer' &&
    ok "401 says WWW-Authenticate: Bearer" || bad "401 without WWW-Authenticate"
h=$(curl -s -D - -o /dev/null -H 'Origin: https://lg.example' -H 'Authorization: Bearer s3cret' "$HTTP/api/v1/status")
echo "$h" | grep -qi '^Access-Control-Allow-Origin: https://lg.example' &&
    echo "$h" | grep -qi '^Vary: Origin' && ok "CORS: a listed origin is allowed" ||
    bad "CORS listed origin: $h"
h=$(curl -s -D - -o /dev/null -H 'Origin: https://evil.example' -H 'Authorization: Bearer s3cret' "$HTTP/api/v1/status")
echo "$h" | grep -qi '^Access-Control-Allow-Origin' && bad "CORS: other origin allowed" ||
    ok "CORS: another origin is not"
h=$(curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: https://a.example' \
    -H 'Access-Control-Request-Headers: authorization' "$HTTP/api/v1/routes")
echo "$h" | grep -q '^HTTP/1.1 204' && echo "$h" | grep -qi '^Access-Control-Allow-Headers: Authorization' &&
    ok "CORS preflight: 204" || bad "CORS preflight: $h"
stop_daemon

# ---- the same policy from config keys; the environment only fills gaps -----
start_daemon keys "http_token: k3y
http_cors_origin: https://c.example
http_rate_limit: 2
http_rate_burst: 20" BGPLENS_LG_TOKEN=ignored || exit 1
[ "$(code -H 'Authorization: Bearer ignored' "$HTTP/api/v1/status")" = 401 ] &&
    [ "$(code -H 'Authorization: Bearer k3y' "$HTTP/api/v1/status")" = 200 ] &&
    ok "http_token: the config key wins over BGPLENS_LG_TOKEN" || bad "http_token from the config"
curl -s -D - -o /dev/null -H 'Origin: https://c.example' -H 'Authorization: Bearer k3y' "$HTTP/api/v1/status" |
    grep -qi '^Access-Control-Allow-Origin: https://c.example' &&
    ok "http_cors_origin from the config" || bad "http_cors_origin from the config"
n429=0
for _ in $(seq 40); do
	[ "$(code -H 'Authorization: Bearer k3y' "$HTTP/api/v1/status")" = 429 ] && n429=$((n429 + 1))
done
[ "$n429" -ge 10 ] && ok "http_rate_limit 2/s, burst 20 from the config: $n429 of 40 refused" ||
    bad "http_rate_limit from the config: $n429 of 40 refused"
stop_daemon

exit $fail
