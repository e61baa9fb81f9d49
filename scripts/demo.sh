#!/usr/bin/env bash
# Start bgplensd on loopback with a populated table, for a first look:
#
#   scripts/demo.sh            (after `make deps && make`)
#
# 1. bgplens gen-table writes a synthetic table (3 peers x 100,000 IPv4 +
#    20,000 IPv6 routes, shaped like a real RouteViews RIB) into
#    bgplens-data/demo-table.mrt (kept for the next run);
# 2. bgplensd starts with scripts/demo.yaml: BGP on 127.0.0.1 port 1179,
#    the looking glass on http://127.0.0.1:8080/, neighbours accepted from
#    the loopback network;
# 3. three BGP speakers (bgplens replay, from 127.0.0.2, .3 and .4) connect
#    and announce their peer's routes, then keep their sessions up.
# Nothing listens beyond loopback.  Ctrl-C stops everything.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${BIN:-bin}
DATA=bgplens-data
TABLE=$DATA/demo-table.mrt
HTTP=127.0.0.1:8080

for p in bgplens bgplensd; do
	if [ ! -x "$BIN/$p" ]; then
		echo "demo: $BIN/$p is missing; run: make deps && make" >&2
		exit 1
	fi
done
mkdir -p "$DATA"
if [ ! -s "$TABLE" ]; then
	echo "demo: generating $TABLE (3 peers, 120,000 prefixes each) ..."
	"$BIN/bgplens" gen-table --peers 3 --v4 100000 --v6 20000 -o "$TABLE" ||
	    exit 1
fi

pids=()
stop() {
	trap - INT TERM EXIT
	echo
	echo "demo: stopping"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	exit 0
}
trap stop INT TERM EXIT

"$BIN/bgplensd" -c scripts/demo.yaml &
pids+=("$!")
for ((i = 0; i < 100; i++)); do
	curl -sf "http://$HTTP/api/v1/status" >/dev/null 2>&1 && break
	sleep 0.1
done
for k in 0 1 2; do
	"$BIN/bgplens" replay --connect 127.0.0.1 --port 1179 \
	    --local "127.0.0.$((k + 2))" --as $((64600 + k)) --peer-index "$k" \
	    --linger -1 "$TABLE" &
	pids+=("$!")
done
sleep 3
echo
echo "demo: looking glass on http://$HTTP/"
echo "      try: curl -s 'http://$HTTP/api/v1/status'"
echo "           curl -s 'http://$HTTP/api/v1/peers'"
echo "           curl -s 'http://$HTTP/api/v1/routes?prefix=1.1.1.1'"
echo "      Ctrl-C stops the collector and the speakers."
wait "${pids[0]}"
