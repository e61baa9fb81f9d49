#!/usr/bin/env bash
# Detection latency and its cost to ingest.
#
# bgplensd monitors MONITORED prefixes (10,000 by default, taken from the
# table with their origins and first hops, so the table itself raises
# nothing) while a full generated table (1,000,000 IPv4 + 200,000 IPv6,
# bench/40's) arrives from `bgplens replay`.  During that ingest a probe
# speaker (60_detect_probe.py) hijacks PROBES of the monitored prefixes
# one at a time; a webhook receiver (tests/integration/detect_helper.py)
# writes down when each "opened" request arrives.  Reported:
#
#   latency  send of the hijacking UPDATE -> webhook request received,
#            p50 / p99 / max (goal: p99 <= 100 ms), and the same from
#            the alert's first_seen (the UPDATE read and applied to the
#            RIB); the difference is the time the UPDATE waited in the
#            collector's socket behind the table
#
# LAT_PEERS=N sends N tables at once during the latency run (default 1);
# PROBES, MONITORED, V4, V6, ROUNDS as named.
#   ingest   time from the session's start to the last route in the RIB,
#            with and without the monitor file, best of ROUNDS each,
#            alternated (goal: slowdown <= 5%)
set -u
: "${BIN:=bin}"
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
V4=${V4:-1000000}
V6=${V6:-200000}
MONITORED=${MONITORED:-10000}
PROBES=${PROBES:-200}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-11479}
HTTP=${HTTP:-18480}
RPORT=${RPORT:-18481}
HELPER=$REPO/tests/integration/detect_helper.py
PROBE=$REPO/bench/60_detect_probe.py

for t in python3 curl; do
	command -v "$t" >/dev/null || { echo "$t is not installed"; exit 77; }
done

. "$(dirname "$0")/lib.sh"
trap 'exit 130' INT TERM

"$BIN/bgplens" gen-table --peers 1 --v4 "$V4" --v6 "$V6" -o "$tmp/table.mrt" || exit 1
want=$((V4 + V6))

# The monitor file: every k-th IPv4 prefix with its origin and first hop.
"$BIN/bgplens" mrt -m "$tmp/table.mrt" | python3 -c '
import sys
n, probes, port, out, plist = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
import ipaddress
rows, prev = [], None
# Leaves only: a monitored prefix the table has more-specifics of would
# (rightly) see them as hijacks.  The table is in prefix order.
for ln in sys.stdin:
    f = ln.split("|")
    if ":" in f[5]:
        continue
    net = ipaddress.ip_network(f[5])
    if prev is not None and net.subnet_of(prev[2]):
        prev = None
    if prev is not None:
        rows.append(prev[:2])
    prev = (f[5], f[6].split(), net)
if prev is not None:
    rows.append(prev[:2])
step = max(1, len(rows) // n)
pick = rows[::step][:n]
with open(out, "w") as o:
    o.write("thresholds:\n  clear_after: 0\n")
    o.write("groups:\n  default:\n    webhooks: [bench]\n")
    o.write("webhooks:\n  bench:\n    url: \"http://127.0.0.1:%s/\"\n" % port)
    o.write("    secret: bench\n    retry_min: 100ms\n    retry_max: 1s\n")
    o.write("prefixes:\n")
    for p, path in pick:
        d = [a for i, a in enumerate(path) if i == 0 or path[i - 1] != a]
        o.write("  - prefix: %s\n    origins: [%s]\n" % (p, d[-1]))
        if len(d) >= 2:
            o.write("    upstreams: [%s]\n" % d[-2])
# Probes: spread over the table (its order is the order of ingest).
pstep = max(1, len(pick) // probes)
with open(plist, "w") as o:
    for p, _ in pick[::pstep][:probes]:
        o.write(p + "\n")
' "$MONITORED" "$PROBES" "$RPORT" "$tmp/monitor.yaml" "$tmp/probes.txt" || exit 1
echo "table: $want routes; monitor: $(grep -c '^  - prefix' "$tmp/monitor.yaml") prefixes; probes: $(wc -l <"$tmp/probes.txt")"

python3 "$HELPER" receiver --port "$RPORT" --out "$tmp/received.jsonl" \
	--secret bench --lifetime 3600 >/dev/null 2>&1 &
pids+=("$!")

count() {
	curl -s "http://127.0.0.1:$HTTP/api/v1/status" |
	    sed -n 's/.*"routes":{"total":\([0-9]*\).*/\1/p'
}

# daemon_start yes|no: bgplensd with or without the monitor file.
daemon_start() {
	rm -rf "$tmp/data"
	{
		cat <<EOF
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
log_level: warning
dynamic_peers:
  - prefix: 127.0.0.0/8
    remote_as: any
EOF
		[ "$1" = yes ] && echo "monitor_file: $tmp/monitor.yaml"
	} >"$tmp/bgplensd.yaml"
	"$BIN/bgplensd" -c "$tmp/bgplensd.yaml" >>"$tmp/bgplensd.log" 2>&1 &
	dpid=$!
	pids+=("$dpid")
	for ((i = 0; i < 100; i++)); do [ -n "$(count)" ] && return 0; sleep 0.1; done
	echo "bgplensd did not start"; tail "$tmp/bgplensd.log"; exit 1
}

daemon_stop() {
	# shellcheck disable=SC2086  # rpid is a list
	kill $rpid "$dpid" 2>/dev/null
	wait $rpid "$dpid" 2>/dev/null
}

# replay_start [N]: N speakers (127.0.0.2, .3, ...) send the table at once.
replay_start() {
	local i
	rpid=
	for ((i = 0; i < ${1:-1}; i++)); do
		"$BIN/bgplens" replay --connect 127.0.0.1 --port "$PORT" \
		    --local "127.0.0.$((i + 2))" --as $((64600 + i)) --linger 600 \
		    "$tmp/table.mrt" 2>>"$tmp/replay.log" &
		rpid="$rpid $!"
		pids+=("$!")
	done
}

# wait_count N: until the RIB holds N routes (bounded: 10 minutes).
wait_count() {
	local n
	for ((i = 0; i < 12000; i++)); do
		n=$(count)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "only ${n:-0} of $1 routes after 10 minutes"; exit 1
}

# ingest yes|no: "WALL CPU": seconds from the replay's start to the last
# route in the RIB, and bgplensd's CPU seconds meanwhile.
ingest() {
	local t0 t1 c0 c1
	daemon_start "$1"
	c0=$(cpu_s "$dpid")
	t0=$(now)
	replay_start
	wait_count "$want"
	t1=$(now)
	c1=$(cpu_s "$dpid")
	daemon_stop
	echo "$(sub "$t1" "$t0") $(sub "$c1" "$c0")"
}

min() { awk -v a="$1" -v b="${2:-1e9}" 'BEGIN { print (a < b) ? a : b }'; }
bw_off= bw_on= bc_off= bc_on=
for ((r = 1; r <= ROUNDS; r++)); do
	read -r w_off c_off < <(ingest no)
	read -r w_on c_on < <(ingest yes)
	echo "round $r: without detection $w_off s ($c_off CPU-s), with $w_on s ($c_on CPU-s)"
	bw_off=$(min "$w_off" "$bw_off")
	bw_on=$(min "$w_on" "$bw_on")
	bc_off=$(min "$c_off" "$bc_off")
	bc_on=$(min "$c_on" "$bc_on")
done
best_on=$bw_on
[ -s "$tmp/received.jsonl" ] && { echo "the table itself raised alerts:"; head -c 400 "$tmp/received.jsonl"; exit 1; }
awk -v a="$bw_off" -v b="$bw_on" -v c="$bc_off" -v d="$bc_on" -v m="$MONITORED" 'BEGIN {
	printf "ingest of %d routes, best of the rounds: %.2f s without detection, %.2f s with %d monitored prefixes: %+.1f%% wall (goal <= +5%%); CPU %.2f s vs %.2f s: %+.1f%%\n",
	    '"$want"', a, b, m, (b / a - 1) * 100, c, d, (d / c - 1) * 100 }'

# --- latency: hijacks while a full table arrives -----------------------------
# LAT_PEERS speakers send the table at once (1 by default; more, as after
# a collector's restart, load the session layer and the two cores harder
# and spread the probes wider).  The probe's session is up first; it
# starts when 2% of the routes are in.
LAT_PEERS=${LAT_PEERS:-1}
daemon_start yes
interval=$(awk -v t="$best_on" -v p="$LAT_PEERS" -v n="$PROBES" 'BEGIN { i = 0.5 * t * p / n; if (i < 0.001) i = 0.001; printf "%.4f", i }')
python3 "$PROBE" --port "$PORT" --local 127.0.0.99 --asn 64999 --go "$tmp/go" \
	--prefixes "$tmp/probes.txt" --interval "$interval" --out "$tmp/sent.json" &
ppid=$!
pids+=("$ppid")
for ((i = 0; i < 100; i++)); do [ -f "$tmp/sent.json.up" ] && break; sleep 0.1; done
[ -f "$tmp/sent.json.up" ] || { echo "the probe did not connect"; exit 1; }
t0=$(now)
replay_start "$LAT_PEERS"
wait_count $((want * LAT_PEERS / 50))
touch "$tmp/go"
wait_count $((want * LAT_PEERS))
t_full=$(now)
echo "latency run: $LAT_PEERS tables ($((want * LAT_PEERS)) routes) in $(sub "$t_full" "$t0") s"
wait "$ppid" || { echo "the probe failed"; exit 1; }
sleep 2
python3 - "$tmp/sent.json" "$tmp/received.jsonl" "$t_full" "$interval" <<'EOF'
import json, sys
sent = json.load(open(sys.argv[1]))
full = float(sys.argv[3])
lat, lat_rib, during = [], [], 0
seen = set()
for line in open(sys.argv[2]):
    r = json.loads(line)
    b = json.loads(r["body"])
    a = b["alert"]
    if b["event"] != "opened" or a["prefix"] not in sent or a["prefix"] in seen:
        continue
    seen.add(a["prefix"])
    lat.append((r["t"] - sent[a["prefix"]]) * 1000)
    lat_rib.append((r["t"] - a["first_seen"]) * 1000)
    during += sent[a["prefix"]] < full
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
if not lat:
    sys.exit("no alert received")
print("alerts: %d of %d hijacks detected, %d of them sent while the table was arriving"
      " (probes every %.1f ms)" % (len(lat), len(sent), during, float(sys.argv[4]) * 1000))
print("latency UPDATE sent -> webhook received: p50 %.1f ms, p99 %.1f ms, max %.1f ms (goal p99 <= 100 ms)"
      % (pct(lat, 50), pct(lat, 99), max(lat)))
print("latency route in RIB -> webhook received: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (pct(lat_rib, 50), pct(lat_rib, 99), max(lat_rib)))
EOF
daemon_stop
