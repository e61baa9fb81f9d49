#!/usr/bin/env bash
# Full-table ingest over BGP: bgplensd against BIRD 2 as a passive
# collector, the same generated table (1,000,000 IPv4 + 200,000 IPv6 by
# default, calibrated on a real RouteViews RIB) sent by the same sender
# (bgplens replay) over loopback, in the same run.
#
# Reported for each collector: wall time from the session coming up to
# the last route being in its RIB (polled through its own API: the
# looking glass for bgplensd, birdc for BIRD), collector CPU seconds
# (utime + stime from /proc), and RSS; then the ratios.  Then 20 peers
# sending the table at once into bgplensd: aggregate routes/s and RSS.
set -u
: "${BIN:=bin}"
V4=${V4:-1000000}
V6=${V6:-200000}
MANY=${MANY:-20}
PORT=${PORT:-11379}
HTTP=${HTTP:-18380}

. "$(dirname "$0")/lib.sh"

"$BIN/bgplens" gen-table --peers 1 --v4 "$V4" --v6 "$V6" -o "$tmp/table.mrt" || exit 1
want=$((V4 + V6))
cat "$tmp/table.mrt" >/dev/null

# --- bgplensd -------------------------------------------------------------
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
dynamic_peers:
  - prefix: 127.0.0.0/8
    remote_as: any
EOF
"$BIN/bgplensd" -c "$tmp/bgplensd.yaml" >"$tmp/bgplensd.log" 2>&1 &
bpid=$!
pids+=("$bpid")
count_bgplens() {
	curl -s "http://127.0.0.1:$HTTP/api/v1/status" |
	    sed -n 's/.*"routes":{"total":\([0-9]*\).*/\1/p'
}
for ((i = 0; i < 50; i++)); do count_bgplens >/dev/null && [ -n "$(count_bgplens)" ] && break; sleep 0.1; done
c0=$(cpu_s "$bpid")
t0=$(now)
"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" --local 127.0.0.2 \
    --as 64600 --linger 600 "$tmp/table.mrt" 2>"$tmp/replay1.log" &
pids+=("$!")
n=0
for ((i = 0; i < 1200; i++)); do
	n=$(count_bgplens)
	[ "${n:-0}" -ge "$want" ] && break
	sleep 0.05
done
t1=$(now)
b_wall=$(sub "$t1" "$t0")
b_cpu=$(sub "$(cpu_s "$bpid")" "$c0")
b_rss=$(rss_mb "$bpid")
echo "bgplensd: $n of $want routes in $b_wall s, $b_cpu CPU-s, RSS $b_rss MB"
curl -s "http://127.0.0.1:$HTTP/api/v1/status" | sed 's/^/  status: /'
echo
grep 'sent' "$tmp/replay1.log" | sed 's/^/  sender: /'

# --- BIRD -----------------------------------------------------------------
if command -v bird >/dev/null; then
	cat >"$tmp/bird.conf" <<EOF
router id 127.0.0.1;
protocol device {}
protocol bgp p0 {
  local 127.0.0.1 port $((PORT + 1)) as 65000; passive on; multihop;
  neighbor 127.0.0.2 as 64600;
  ipv4 { import all; export none; igp table master4; };
  ipv6 { import all; export none; igp table master6; };
}
EOF
	bird -f -c "$tmp/bird.conf" -s "$tmp/bird.ctl" -P "$tmp/bird.pid" \
	    >"$tmp/bird.log" 2>&1 &
	rpid=$!
	pids+=("$rpid")
	for ((i = 0; i < 50; i++)); do [ -S "$tmp/bird.ctl" ] && break; sleep 0.1; done
	count_bird() {
		birdc -s "$tmp/bird.ctl" show route count 2>/dev/null |
		    sed -n 's/^Total: \([0-9]*\) of.*/\1/p'
	}
	c0=$(cpu_s "$rpid")
	t0=$(now)
	"$BIN/bgplens" replay --connect 127.0.0.1 --port $((PORT + 1)) \
	    --local 127.0.0.2 --as 64600 --linger 600 "$tmp/table.mrt" \
	    2>"$tmp/replay2.log" &
	pids+=("$!")
	for ((i = 0; i < 1200; i++)); do
		n=$(count_bird)
		[ "${n:-0}" -ge "$want" ] && break
		sleep 0.05
	done
	t1=$(now)
	r_wall=$(sub "$t1" "$t0")
	r_cpu=$(sub "$(cpu_s "$rpid")" "$c0")
	r_rss=$(rss_mb "$rpid")
	echo "BIRD $(bird --version 2>&1 | awk '{ print $3 }'): $n of $want routes in $r_wall s, $r_cpu CPU-s, RSS $r_rss MB"
	echo "ratios BIRD/bgplensd: wall $(div "$r_wall" "$b_wall"), CPU $(div "$r_cpu" "$b_cpu") (goal >= 2), RSS $(div "$r_rss" "$b_rss") (goal >= 2)"
else
	echo "BIRD: skipped (bird2 not installed; make deps)"
fi

# --- many peers at once ---------------------------------------------------
c0=$(cpu_s "$bpid")
base=$(count_bgplens)
t0=$(now)
for ((k = 0; k < MANY; k++)); do
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" \
	    --local "127.0.1.$((k + 2))" --as $((64700 + k)) --linger 600 \
	    "$tmp/table.mrt" 2>>"$tmp/replay_many.log" &
	pids+=("$!")
done
total=$((base + MANY * want))
for ((i = 0; i < 3600; i++)); do
	n=$(count_bgplens)
	[ "${n:-0}" -ge "$total" ] && break
	sleep 0.1
done
t1=$(now)
m_wall=$(sub "$t1" "$t0")
echo "bgplensd, $MANY peers at once: $((n - base)) routes in $m_wall s" \
    "($(div $((n - base)) "$m_wall") routes/s aggregate; senders share the 2 cores)," \
    "$(sub "$(cpu_s "$bpid")" "$c0") CPU-s, RSS $(rss_mb "$bpid") MB for $n routes"
