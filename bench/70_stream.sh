#!/usr/bin/env bash
# Live streams under ingest: a generated table (300,000 IPv4 routes by
# default) sent by `bgplens replay` into a fresh bgplensd, with
#   none     no stream client (the reference),
#   one      one unfiltered client on /api/v1/stream (every change),
#   one-big  the same with a queue big enough for the whole table
#            (stream_queue_kib 262144): what one client can take,
#   filtered N clients (8 by default), each on its own /8 with
#            moreSpecific=true, so each takes a share of the changes.
# Clients are curl -N writing to a file, counted afterwards.
#
# Reported per case (median of RUNS runs, 3 by default): ingest wall time
# from the session's start to the last route in the RIB, events delivered
# per second to the clients (all told, and per client), clients dropped
# (a queue overflow: a client slower than the ingest), and the ingest
# slowdown against no client.  Figures only: nothing here passes or fails.
set -u
: "${BIN:=bin}"
V4=${V4:-300000}
N=${N:-8}
RUNS=${RUNS:-3}
PORT=${PORT:-11479}
HTTP=${HTTP:-18480}

. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "curl is not installed"; exit 77; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

"$BIN/bgplens" gen-table --peers 1 --v4 "$V4" --v6 0 -o "$tmp/table.mrt" >/dev/null || exit 1
cat "$tmp/table.mrt" >/dev/null

status() { curl -s --max-time 5 "http://127.0.0.1:$HTTP/api/v1/status"; }
routes() { status | sed -n 's/.*"routes":{"total":\([0-9]*\).*/\1/p'; }
field() { status | python3 -c 'import json,sys; print(json.load(sys.stdin)["streams"][sys.argv[1]])' "$1"; }

# run CASE: one ingest; prints "wall events clients dropped".
run() {
	local mode=$1 bpid rpid cpids=() i n t0 t1 ev=0 k q=1024
	rm -rf "$tmp/data" "$tmp"/c*.sse
	[ "$mode" = one-big ] && q=262144
	cat >"$tmp/bgplensd.yaml" <<EOF
local_as: 65000
router_id: 192.0.2.254
bgp_listen: ["127.0.0.1"]
bgp_port: $PORT
http_listen: "127.0.0.1:$HTTP"
bmp_port: $((HTTP + 1))
data_dir: "$tmp/data"
stream_queue_kib: $q
peers:
  - address: 127.0.0.2
    remote_as: 64600
EOF
	"$BIN/bgplensd" -c "$tmp/bgplensd.yaml" >"$tmp/bgplensd.log" 2>&1 &
	bpid=$!
	pids+=("$bpid")
	for ((i = 0; i < 100; i++)); do [ -n "$(routes)" ] && break; sleep 0.1; done
	case $mode in
	one | one-big)
		curl -sN "http://127.0.0.1:$HTTP/api/v1/stream?type=UPDATE" >"$tmp/c0.sse" &
		cpids+=($!) ;;
	filtered)
		# gen-table's prefixes spread over the whole space: /8s 1 to N.
		for ((k = 0; k < N; k++)); do
			curl -sN "http://127.0.0.1:$HTTP/api/v1/stream?type=UPDATE&prefix=$((k * 8 + 1)).0.0.0/8&moreSpecific=true" \
			    >"$tmp/c$k.sse" &
			cpids+=($!)
		done ;;
	esac
	pids+=("${cpids[@]}")
	for ((i = 0; i < 100; i++)); do [ "$(field clients)" = "${#cpids[@]}" ] && break; sleep 0.1; done
	t0=$(now)
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" --local 127.0.0.2 \
	    --as 64600 --linger 600 "$tmp/table.mrt" 2>"$tmp/replay.log" &
	rpid=$!
	pids+=("$rpid")
	for ((i = 0; i < 2400; i++)); do
		n=$(routes)
		[ "${n:-0}" -ge "$V4" ] && break
		sleep 0.05
	done
	t1=$(now)
	sleep 1		# what is queued reaches the clients
	dropped=$(field dropped)
	for p in "${cpids[@]}"; do kill "$p" 2>/dev/null; done
	kill "$rpid" "$bpid" 2>/dev/null
	wait "${cpids[@]}" "$rpid" "$bpid" 2>/dev/null
	for f in "$tmp"/c*.sse; do
		[ -f "$f" ] && ev=$((ev + $(grep -c '^data:' "$f")))
	done
	echo "$(sub "$t1" "$t0") $ev ${#cpids[@]} $dropped"
}

echo "table: $V4 IPv4 routes, one sender; $RUNS runs per case, medians"
declare -A wall
for mode in none one one-big filtered; do
	: >"$tmp/runs"
	for ((r = 0; r < RUNS; r++)); do run "$mode" >>"$tmp/runs"; done
	w=$(awk '{ print $1 }' "$tmp/runs" | median)
	e=$(awk '{ print $2 }' "$tmp/runs" | median)
	c=$(awk 'NR == 1 { print $3 }' "$tmp/runs")
	d=$(awk '{ s += $4 } END { print s }' "$tmp/runs")
	wall[$mode]=$w
	case $mode in
	none) echo "no client:        ingest $w s ($(div "$V4" "$w") routes/s)" ;;
	*) echo "$(printf '%-17s' "$mode ($c client$([ "$c" = 1 ] || echo s)):") ingest $w s," \
	    "$e events delivered ($(div "$e" "$w") events/s all told, $(div "$(div "$e" "$c")" "$w") per client)," \
	    "$d clients dropped over $RUNS runs; ingest slowdown x$(div "$w" "${wall[none]}")" ;;
	esac
done
