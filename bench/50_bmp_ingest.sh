#!/usr/bin/env bash
# Full-table ingest over BMP: a router's view streamed into bgplensd's
# station over loopback, and the same stream into pmacct's pmbmpd.
#
# The stream: "bgplens gen-table" (1,000,000 IPv4 + 200,000 IPv6 routes of
# one peer by default, calibrated on a real RouteViews RIB), turned by
# "bgplens bmp --from-mrt" into what a router monitoring that peer sends:
# Initiation, Peer Up, then Route Monitoring UPDATEs packed as a router
# packs them.  "bgplens bmp --send" writes it to the station over TCP.
#
# Runs, each reported as wall time from the sender's start to the last
# route in the RIB (polled through the looking glass), routes/s,
# messages/s, the daemon's CPU seconds and RSS:
#   1. one router, pre-policy                       (V4 + V6 routes)
#   2. one router, pre- and post-policy (--post)    (2 x routes, 2 tables)
#   3. ROUTERS routers at once (default 4), each from its own address
# Then pmbmpd (pmacct 1.7.7, Debian's BMP collector) on stream 1: it has
# no route count to ask, so its end is when its socket is drained and its
# CPU time has stopped moving for half a second; CPU seconds and RSS.
# No other BMP station is packaged in Debian 12 (OpenBMP, GoBMP are not).
set -u
: "${BIN:=bin}"
V4=${V4:-1000000}
V6=${V6:-200000}
ROUTERS=${ROUTERS:-4}
PORT=${PORT:-11390}
HTTP=${HTTP:-18390}
BMPP=${BMPP:-11791}

. "$(dirname "$0")/lib.sh"

rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }

want=$((V4 + V6))
"$BIN/bgplens" gen-table --peers 1 --v4 "$V4" --v6 "$V6" -o "$tmp/table.mrt" || exit 1
"$BIN/bgplens" bmp --from-mrt "$tmp/table.mrt" -o "$tmp/pre.bmp" 2>"$tmp/gen1.log" || exit 1
"$BIN/bgplens" bmp --from-mrt "$tmp/table.mrt" --post -o "$tmp/post.bmp" 2>"$tmp/gen2.log" || exit 1
msgs1=$(sed -n 's/.* \([0-9]*\) BMP messages/\1/p' "$tmp/gen1.log")
msgs2=$(sed -n 's/.* \([0-9]*\) BMP messages/\1/p' "$tmp/gen2.log")
echo "stream: $(sed 's/^bgplens bmp: //' "$tmp/gen1.log"), $(stat -c %s "$tmp/pre.bmp") octets"
cat "$tmp"/*.bmp >/dev/null

cat >"$tmp/bgplensd.yaml" <<EOF
local_as: 65000
router_id: 192.0.2.254
bgp_listen: ["127.0.0.1"]
bgp_port: $PORT
http_listen: "127.0.0.1:$HTTP"
data_dir: "$tmp/data"
# The MRT archive off: its cost is bench 45's, and compressing a log of
# millions of UPDATEs at the stop would outlast the bench.
archive:
  enabled: false
history_max_events: ${HISTORY:-10000000}
bmp_listen: ["127.0.0.1"]
bmp_port: $BMPP
bmp_allow: ["127.0.0.0/8"]
EOF
"$BIN/bgplensd" -c "$tmp/bgplensd.yaml" >"$tmp/bgplensd.log" 2>&1 &
bpid=$!
pids+=("$bpid")
count() {
	curl -s "http://127.0.0.1:$HTTP/api/v1/status" |
	    sed -n 's/.*"routes":{"total":\([0-9]*\).*/\1/p'
}
for ((i = 0; i < 50; i++)); do [ -n "$(count)" ] && break; sleep 0.1; done
[ -n "$(count)" ] || { echo "bgplensd did not start"; tail "$tmp/bgplensd.log"; exit 1; }

# run NAME ROUTES MESSAGES FILE [LOCAL...]: one sender per LOCAL address
# (127.0.0.1 when none), all at once; then they stop and the RIB empties.
run() {
	local name=$1 n_want=$2 n_msgs=$3 file=$4 c0 t0 t1 n wall cpu rss s l
	local senders=()
	shift 4
	[ $# -gt 0 ] || set -- 127.0.0.1
	c0=$(cpu_s "$bpid")
	t0=$(now)
	for l in "$@"; do
		"$BIN/bgplens" bmp --send 127.0.0.1 --port "$BMPP" --local "$l" \
		    --linger 600 "$file" 2>>"$tmp/send.log" &
		senders+=("$!")
		pids+=("$!")
	done
	n=0
	for ((i = 0; i < 2400; i++)); do
		n=$(count)
		[ "${n:-0}" -ge "$n_want" ] && break
		sleep 0.02
	done
	t1=$(now)
	wall=$(sub "$t1" "$t0")
	cpu=$(sub "$(cpu_s "$bpid")" "$c0")
	rss=$(rss_mb "$bpid")
	echo "$name: $n of $n_want routes in $wall s: $(rate "$n_want" "$wall") routes/s, $(rate "$n_msgs" "$wall") messages/s; $cpu CPU-s ($(rate "$n_want" "$cpu") routes per CPU-s), RSS $rss MB"
	for s in "${senders[@]}"; do kill "$s" 2>/dev/null; done
	for ((i = 0; i < 600; i++)); do
		[ "$(count)" = 0 ] && break
		sleep 0.05
	done
}

run "bgplensd, 1 router, pre-policy" "$want" "$msgs1" "$tmp/pre.bmp"
run "bgplensd, 1 router, pre+post-policy" $((2 * want)) "$msgs2" "$tmp/post.bmp"
locals=()
for ((k = 0; k < ROUTERS; k++)); do locals+=("127.0.0.$((k + 2))"); done
run "bgplensd, $ROUTERS routers at once" $((ROUTERS * want)) $((ROUTERS * msgs1)) \
    "$tmp/pre.bmp" "${locals[@]}"
b_rss=$(rss_mb "$bpid")
kill "$bpid"
wait "$bpid" 2>/dev/null

# --- pmbmpd -----------------------------------------------------------------
if command -v pmbmpd >/dev/null; then
	cat >"$tmp/pmbmpd.conf" <<EOF
bmp_daemon_ip: 127.0.0.1
bmp_daemon_port: $((BMPP + 1))
bmp_daemon_max_peers: 10
EOF
	pmbmpd -f "$tmp/pmbmpd.conf" >"$tmp/pmbmpd.log" 2>&1 &
	ppid=$!
	pids+=("$ppid")
	for ((i = 0; i < 50; i++)); do
		ss -Hltn "sport = :$((BMPP + 1))" | grep -q . && break
		sleep 0.1
	done
	c0=$(cpu_s "$ppid")
	t0=$(now)
	"$BIN/bgplens" bmp --send 127.0.0.1 --port $((BMPP + 1)) --linger 600 \
	    "$tmp/pre.bmp" 2>>"$tmp/send.log" &
	spid=$!
	pids+=("$spid")
	last=; still=0; tend=$t0
	for ((i = 0; i < 6000 && still < 25; i++)); do
		c=$(cpu_s "$ppid")
		q=$(ss -Htn "sport = :$((BMPP + 1))" | awk '{ s += $2 } END { print s + 0 }')
		if [ "$c" = "$last" ] && [ "$q" = 0 ]; then
			still=$((still + 1))
		else
			still=0
			tend=$(now)
		fi
		last=$c
		sleep 0.02
	done
	p_wall=$(sub "$tend" "$t0")
	p_cpu=$(sub "$(cpu_s "$ppid")" "$c0")
	p_rss=$(rss_mb "$ppid")
	echo "pmbmpd $(pmbmpd -V 2>&1 | sed -n 's/.*pmbmpd \([0-9.]*\).*/\1/p' | head -1), 1 router, pre-policy: done in about $p_wall s ($(rate "$want" "$p_wall") routes/s), $p_cpu CPU-s ($(rate "$want" "$p_cpu") routes per CPU-s), RSS $p_rss MB"
	kill "$spid" "$ppid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do kill -0 "$ppid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$ppid" 2>/dev/null
else
	echo "pmbmpd: skipped (pmacct not installed; make deps)"
fi
echo "(bgplensd RSS after the runs: $b_rss MB, its RIB and history of all of them)"
