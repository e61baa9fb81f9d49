#!/usr/bin/env bash
# MRT archive: RIB snapshot cost, bzip2 against gzip, and what a snapshot
# running in its fork()ed child costs ingest.
#
# 1. A generated table, PEERS peers x (V4 + V6) routes (bgplens gen-table),
#    loaded by bgplens rib-load and written back as a TABLE_DUMP_V2 snapshot
#    (rib_write_mrt(), the code the snapshot child runs) three ways: bzip2,
#    gzip, uncompressed.  Wall time, uncompressed MB/s, file size; bzip2
#    against gzip.  (bgpdump itself has no writer: the reference is the
#    uncompressed write, i.e. what compression costs.)
# 2. bgplensd with the archive on, BASE peers of one table each loaded;
#    then one more peer's table ingested over BGP (bgplens replay) without
#    a snapshot, with one (SIGUSR1 at the start of the ingest), and without
#    again.  Ingest routes/s with against without (goal: under 10% slower),
#    and the snapshot's own wall time and size from the daemon's log.
# Defaults: 10 x (150,000 + 30,000) for 1; 2 x (800,000 + 160,000) for 2.
# A full 10-peer table: PEERS=10 V4=1000000 V6=200000 (minutes).
set -u
: "${BIN:=bin}"
PEERS=${PEERS:-10}
V4=${V4:-150000}
V6=${V6:-30000}
BASE=${BASE:-2}
DV4=${DV4:-800000}
DV6=${DV6:-160000}
PORT=${PORT:-11479}
HTTP=${HTTP:-18480}

. "$(dirname "$0")/lib.sh"

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

# --- 1. snapshot writes ---------------------------------------------------
echo "generating $PEERS peers x ($V4 + $V6) routes ..."
"$BIN/bgplens" gen-table --peers "$PEERS" --v4 "$V4" --v6 "$V6" \
    -o "$tmp/table.mrt" || exit 1
cat "$tmp/table.mrt" >/dev/null
declare -A T S
for c in none gz bz2; do
	ext=.$c
	[ "$c" = none ] && ext=
	"$BIN/bgplens" rib-load --write-rib "$tmp/rib$ext" --compress "$c" \
	    "$tmp/table.mrt" >"$tmp/load.$c.json" 2>"$tmp/write.$c.log" || {
		echo "rib-load --write-rib failed: $(cat "$tmp/write.$c.log")"; exit 1; }
	T[$c]=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$tmp/write.$c.log")
	S[$c]=$(stat -c %s "$tmp/rib$ext")
	rm -f "$tmp/rib$ext"
done
routes=$(sed -n 's/.*"routes":\([0-9]*\).*/\1/p' "$tmp/load.none.json")
raw=${S[none]}
echo "snapshot of $routes routes ($(mb "$raw") MB as TABLE_DUMP_V2):"
for c in none gz bz2; do
	echo "  $c: ${T[$c]} s, $(div "$(mb "$raw")" "${T[$c]}") MB/s of MRT," \
	    "$(mb "${S[$c]}") MB (ratio $(div "$raw" "${S[$c]}"))"
done
echo "  bz2/gz: time $(div "${T[bz2]}" "${T[gz]}"), size $(div "${S[bz2]}" "${S[gz]}")"
rm -f "$tmp/table.mrt"

# --- 2. ingest with and without a snapshot running ------------------------
"$BIN/bgplens" gen-table --peers 1 --v4 "$DV4" --v6 "$DV6" -o "$tmp/one.mrt" || exit 1
want=$((DV4 + DV6))
cat >"$tmp/bgplensd.yaml" <<EOF
local_as: 65000
router_id: 192.0.2.254
bgp_listen: ["127.0.0.1"]
bgp_port: $PORT
http_listen: "127.0.0.1:$HTTP"
data_dir: "$tmp/data"
bmp_listen: []
history_max_events: 1000000
archive:
  rib_interval: 0
  compression: bz2
dynamic_peers:
  - prefix: 127.0.0.0/8
    remote_as: any
EOF
"$BIN/bgplensd" -c "$tmp/bgplensd.yaml" >"$tmp/bgplensd.log" 2>&1 &
bpid=$!
pids+=("$bpid")
count() {
	curl -s "http://127.0.0.1:$HTTP/api/v1/status" |
	    sed -n 's/.*"routes":{"total":\([0-9]*\).*/\1/p'
}
wait_count() {	# wait_count N: until the RIB holds N routes (10 min at most)
	local i n
	for ((i = 0; i < 6000; i++)); do
		n=$(count)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out at ${n:-0} of $1 routes"
	return 1
}
for ((i = 0; i < 50; i++)); do [ -n "$(count)" ] && break; sleep 0.1; done
for ((k = 0; k < BASE; k++)); do
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" \
	    --local "127.0.2.$((k + 2))" --as $((64800 + k)) --linger 900 \
	    "$tmp/one.mrt" 2>>"$tmp/replay.log" &
	pids+=("$!")
done
have=$((BASE * want))
wait_count "$have" || exit 1
echo "bgplensd: $BASE peers x $want routes loaded ($have routes)"
run=0
RATE=
ingest() {	# ingest LABEL [snap]: one more peer's table; RATE = routes/s
	local t0 t1 w
	run=$((run + 1))
	[ "${2:-}" = snap ] && kill -USR1 "$bpid"
	t0=$(now)
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" \
	    --local "127.0.3.$((run + 1))" --as $((64900 + run)) --linger 900 \
	    "$tmp/one.mrt" 2>>"$tmp/replay.log" &
	pids+=("$!")
	have=$((have + want))
	wait_count "$have" || exit 1
	t1=$(now)
	w=$(sub "$t1" "$t0")
	RATE=$(div "$want" "$w")
	echo "  $1: $want routes in $w s, ${RATE%.*} routes/s"
}
ingest "ingest, no snapshot"
r1=$RATE
snap_routes=$have
ingest "ingest, snapshot running" snap
r2=$RATE
running=$(curl -s "http://127.0.0.1:$HTTP/api/v1/status" | sed -n 's/.*"snapshot_running":\([a-z]*\).*/\1/p')
# The third run only once the child is gone: it is the "without" again.
for ((i = 0; i < 6000; i++)); do
	grep -q 'RIB snapshot: .* in [0-9.]* s' "$tmp/bgplensd.log" && break
	grep -q 'RIB snapshot: .* failed' "$tmp/bgplensd.log" && break
	sleep 0.1
done
ingest "ingest, no snapshot"
r3=$RATE
snap=$(grep 'RIB snapshot: ' "$tmp/bgplensd.log" | tail -n 1 | sed 's/.*RIB snapshot: //')
echo "  snapshot of $snap_routes routes (child, niced): $snap"
[ "$running" = true ] && echo "  (the snapshot was still running when the ingest ended)" ||
	echo "  (the snapshot ended before the ingest did)"
base_rate=$(awk -v a="$r1" -v b="$r3" 'BEGIN { printf "%.0f", (a + b) / 2 }')
echo "ingest with a snapshot against without: $(div "$r2" "$base_rate")" \
    "(1.00 = no slowdown; goal >= 0.90)"
