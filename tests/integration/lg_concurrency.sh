#!/usr/bin/env bash
# The looking glass under load while the RIB is being written.
#
# bgplensd runs on high ports; clients (tests/integration/lg/hammer.py, 4
# processes with keep-alive connections) hammer /api/v1/routes, /status,
# /peers and /metrics while `bgplens replay` sends it a whole generated
# table (bgplens gen-table --peers 1: 1,000,000 IPv4 + 200,000 IPv6
# routes).  Pass: every answer is a 200 that parses (no torn JSON) and
# agrees with itself, /status's route count never goes down during the
# ingest, the RIB ends with every route, the daemon is alive and exits
# cleanly on SIGTERM, and its log holds no sanitizer report.
#
# Sanitizers: with BIN=build-asan/bin (make asan) or a ThreadSanitizer
# build (see docs/api.md, "Testing"), the same run checks for memory
# errors and data races.  LG_CONC_V4 and LG_CONC_V6 set the table's size
# (default 1000000 and 200000; under ThreadSanitizer, whose binaries are
# several times slower, 200000 and 40000).
set -u
: "${BIN:=bin}" "${REPO:=$(pwd)}"
HERE=$REPO/tests/integration/lg
for c in curl python3; do
	if ! command -v $c >/dev/null; then
		echo "SKIP: $c not installed (make deps)"
		exit 77
	fi
done
# Which sanitizer the daemon carries, if any.
san=$(nm "$BIN/bgplensd" 2>/dev/null | grep -o '__[at]san_init' | head -n 1)
v4=${LG_CONC_V4:-$([ "$san" = __tsan_init ] && echo 200000 || echo 1000000)}
v6=${LG_CONC_V6:-$([ "$san" = __tsan_init ] && echo 40000 || echo 200000)}
want=$((v4 + v6))

tmp=$(mktemp -d)
pids=
cleanup() {
	touch "$tmp/stop"
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

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

"$BIN/bgplens" gen-table --peers 1 --v4 "$v4" --v6 "$v6" -o "$tmp/table.mrt" ||
    { echo "FAIL gen-table"; exit 1; }
BGP_PORT=$(free_port)
HTTP_PORT=$(free_port)
HTTP=http://127.0.0.1:$HTTP_PORT
cat >"$tmp/bgplensd.yaml" <<EOF
local_as: 65000
router_id: 127.0.0.1
data_dir: $tmp/data
bgp_listen: 127.0.0.1
bgp_port: $BGP_PORT
http_listen: 127.0.0.1:$HTTP_PORT
peers:
  - address: 127.0.0.2
    remote_as: 64600
EOF
# Sanitizer reports go to the daemon's log, and do not stop it: count them.
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1 \
TSAN_OPTIONS=${TSAN_OPTIONS:-}${TSAN_OPTIONS:+:}halt_on_error=0:second_deadlock_stack=1 \
    "$BIN/bgplensd" -c "$tmp/bgplensd.yaml" >"$tmp/bgplensd.log" 2>&1 &
dpid=$!
pids="$pids $dpid"
for _ in $(seq 300); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$HTTP/api/v1/status")" = 200 ] && break
	sleep 0.1
done

# Clients first, then the ingest under them.
python3 "$HERE/hammer.py" "$HTTP" 4 400 "$tmp/stop" "$tmp/hammer.json" &
hpid=$!
pids="$pids $hpid"
sleep 1
t0=$(date +%s.%N)
"$BIN/bgplens" replay --connect 127.0.0.1 --port "$BGP_PORT" --local 127.0.0.2 \
    --as 64600 --linger 3600 "$tmp/table.mrt" 2>"$tmp/replay.log" &
pids="$pids $!"
n=0
for _ in $(seq 3000); do
	n=$(curl -s "$HTTP/api/v1/status" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["routes"]["total"])' 2>/dev/null)
	[ "$n" = "$want" ] && break
	kill -0 $dpid 2>/dev/null || break
	sleep 0.1
done
t1=$(date +%s.%N)
sleep 2		# a little more load on the full table
touch "$tmp/stop"
wait $hpid
hrc=$?
if [ "$n" = "$want" ]; then
	ok "ingest of $want routes under load: $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"
else
	bad "the RIB holds $n routes, want $want"
fi
python3 - "$tmp/hammer.json" <<'EOF' || fail=1
import json, sys
h = json.load(open(sys.argv[1]))
print("ok   %d requests from %d clients: %s" % (h["requests"], h["clients"],
      ", ".join("%s %d" % kv for kv in sorted(h["by_path"].items()))))
print("ok   route counts seen by /status during the ingest: %d distinct, "
      "never decreasing" % h["distinct_totals_seen"]
      if not h["problems"] else "FAIL problems: %s" % h["problems"])
sys.exit(1 if h["problems"] or h["requests"] == 0 else 0)
EOF
[ "$hrc" = 0 ] || bad "clients found problems"
if kill -0 $dpid 2>/dev/null; then
	ok "bgplensd alive"
	kill $dpid
	wait $dpid
	rc=$?
	[ "$rc" = 0 ] && ok "bgplensd exited cleanly" || bad "bgplensd exit status $rc"
else
	wait $dpid
	bad "bgplensd died (status $?)"
fi
if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|WARNING: ThreadSanitizer\|runtime error:' \
    "$tmp/bgplensd.log"; then
	bad "sanitizer reports:"
	grep -A12 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|WARNING: ThreadSanitizer\|runtime error:' \
	    "$tmp/bgplensd.log" | head -150
elif [ -n "$san" ]; then
	ok "no sanitizer report (${san#__})"
fi
exit $fail
