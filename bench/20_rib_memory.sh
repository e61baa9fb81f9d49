#!/usr/bin/env bash
# RIB memory and load speed, side by side with BIRD 2 in the same run.
#
# 1. The largest real RIB in shared data: load time and bytes per route.
# 2. A generated table, PEERS peers x (V4 IPv4 + V6 IPv6) routes
#    (bgplens gen-table, calibrated on a real RouteViews RIB), written
#    uncompressed: bgplens rib-load's load rate and bytes per route (RIB
#    bytes from the RIB's own accounting, and process RSS).
# 3. The same routes sent to BIRD 2 as a passive collector, one BGP session
#    per peer (bgplens replay from 127.0.0.2...), then `birdc show memory`
#    and BIRD's RSS.  The ratio is what the RIB saves.
# Defaults: 10 peers x (1,000,000 + 200,000).  Smaller: PEERS=2 V4=100000.
set -u
: "${BIN:=bin}" "${SHARED:=../shared/data}"
PEERS=${PEERS:-10}
V4=${V4:-1000000}
V6=${V6:-200000}
PORT=${PORT:-11179}

tmp=$(mktemp -d)
birdpid=
cleanup() {
	[ -n "$birdpid" ] && kill "$birdpid" 2>/dev/null
	pkill -f "bgplens replay --connect 127.0.0.1 --port $PORT" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$2"; }

real=$SHARED/mrt/pyasn/rib.20140523.0600_firstMB.bz2
if [ -f "$real" ]; then
	bzip2 -dc "$real" >"$tmp/real.mrt" 2>/dev/null
	"$BIN/bgplens" rib-load "$tmp/real.mrt" >"$tmp/real.json" 2>/dev/null
	echo "real RIB (RouteViews 2014, first MiB, uncompressed):"
	echo "  routes $(field routes "$tmp/real.json"), $(field seconds "$tmp/real.json") s," \
	    "$(field routes_per_second "$tmp/real.json") routes/s," \
	    "$(field bytes_per_route "$tmp/real.json") RIB bytes/route"
else
	echo "real RIB: skipped ($SHARED not found)"
fi

echo "generating $PEERS peers x ($V4 + $V6) routes ..."
"$BIN/bgplens" gen-table --peers "$PEERS" --v4 "$V4" --v6 "$V6" \
    -o "$tmp/table.mrt" || exit 1
ls -l "$tmp/table.mrt" | awk '{ printf "  %.0f MB uncompressed\n", $5 / 1e6 }'
cat "$tmp/table.mrt" >/dev/null		# same page-cache state for every run
best=
for i in 1 2 3; do
	"$BIN/bgplens" rib-load "$tmp/table.mrt" >"$tmp/gen.$i.json" 2>/dev/null
	s=$(field seconds "$tmp/gen.$i.json")
	if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$s; cp "$tmp/gen.$i.json" "$tmp/gen.json"
	fi
done
routes=$(field routes "$tmp/gen.json")
ribbytes=$(field rib_bytes "$tmp/gen.json")
rss=$(field peak_rss_bytes "$tmp/gen.json")
echo "bgplens RIB:"
echo "  routes $routes, load $(field seconds "$tmp/gen.json") s (best of 3)," \
    "$(field routes_per_second "$tmp/gen.json") routes/s (goal >= 2,000,000)"
echo "  RIB $(awk -v b="$ribbytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB," \
    "$(field bytes_per_route "$tmp/gen.json") bytes/route (goal <= 40);" \
    "process peak RSS $(awk -v b="$rss" 'BEGIN { printf "%.1f", b / 1e6 }') MB," \
    "$(awk -v b="$rss" -v r="$routes" 'BEGIN { printf "%.1f", b / r }') bytes/route"
echo "  attribute sets $(field attr_sets "$tmp/gen.json"), AS paths $(field as_paths "$tmp/gen.json")"

if ! command -v bird >/dev/null; then
	echo "BIRD: skipped (bird2 not installed; make deps)"
	exit 0
fi
{
	echo "router id 127.0.0.1;"
	echo "protocol device {}"
	echo "template bgp coll {"
	echo "  local 127.0.0.1 port $PORT as 65000; passive on; multihop;"
	echo "  ipv4 { import all; export none; igp table master4; };"
	echo "  ipv6 { import all; export none; igp table master6; };"
	echo "}"
	for ((k = 0; k < PEERS; k++)); do
		echo "protocol bgp p$k from coll { neighbor 127.0.0.$((k + 2)) as $((64600 + k)); }"
	done
} >"$tmp/bird.conf"
bird -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" -P "$tmp/bird.pid" \
    >"$tmp/bird.log" 2>&1 &
birdpid=$!
for ((i = 0; i < 50; i++)); do
	[ -S "$tmp/bird.ctl" ] && break
	sleep 0.1
done
t0=$(date +%s.%N)
for ((k = 0; k < PEERS; k++)); do
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" \
	    --local "127.0.0.$((k + 2))" --as $((64600 + k)) --peer-index "$k" \
	    --linger 600 "$tmp/table.mrt" 2>>"$tmp/replay.log" &
done
want=$((PEERS * (V4 + V6)))
got=0
for ((i = 0; i < 600; i++)); do
	got=$(birdc -s "$tmp/bird.ctl" show route count 2>/dev/null |
	    sed -n 's/^Total: \([0-9]*\) of.*/\1/p')
	[ "${got:-0}" -ge "$want" ] && break
	sleep 1
done
t1=$(date +%s.%N)
birdc -s "$tmp/bird.ctl" show memory >"$tmp/mem" 2>/dev/null
bird_total=$(awk '/^Total:/ { v = $2; u = $3 } END {
	m = (u == "GB") ? 1e9 : (u == "MB") ? 1e6 : (u == "kB") ? 1e3 : 1
	printf "%.0f", v * m }' "$tmp/mem")
bird_rss=$(($(ps -o rss= -p "$birdpid") * 1024))
echo "BIRD 2 ($(bird --version 2>&1 | awk '{ print $3 }')), $PEERS sessions:"
echo "  routes $got of $want, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s to receive"
sed 's/^/  /' "$tmp/mem"
echo "  RSS $(awk -v b="$bird_rss" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
echo "ratios (BIRD / bgplens):"
echo "  memory, BIRD 'show memory' total / bgplens RIB bytes: $(awk -v a="$bird_total" -v b="$ribbytes" 'BEGIN { printf "%.2f", a / b }') (goal >= 3)"
echo "  memory, RSS / RSS: $(awk -v a="$bird_rss" -v b="$rss" 'BEGIN { printf "%.2f", a / b }')"
