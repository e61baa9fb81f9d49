#!/usr/bin/env bash
# web_ui.sh -- the web UI end to end, in headless Chromium.
#
# Starts bgplensd on free high ports with the UI of web/, feeds it two
# synthetic peers with `bgplens replay` (and a third replaying a real 2014 RIB
# when ../shared/data has it), restarts one peer so that every prefix of it
# has history, then runs tests/web/unit.test.mjs and tests/web/e2e.mjs
# (node's test runner, playwright-core driving /usr/bin/chromium).  A GoBGP
# speaker is a peer too: the end-to-end test has it announce a hijack of
# a prefix of the daemon's monitor file (gobgp global rib add) and watches
# the alert appear live in the alerts view, then resolve.
#
# Screenshots go to build/web-artifacts/ (WEB_ARTIFACTS to change it).
# Exit 77 (skip) when node or chromium is missing, or when playwright-core
# is not installed and `npm ci` cannot install it.
#
# Environment (tests/run.sh sets the first four):
#   BIN REPO SHARED BUILD   as for every integration test
#   CHROMIUM                the browser (default /usr/bin/chromium)
#   WEB_ARTIFACTS           where screenshots and logs go
set -u

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${BIN:-$REPO/bin}
SHARED=${SHARED:-$(cd "$REPO/.." && pwd)/shared/data}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
ART=${WEB_ARTIFACTS:-$REPO/build/web-artifacts}
WEBTESTS=$REPO/tests/web
REAL_RIB=$SHARED/mrt/pyasn/rib.20140523.0600_firstMB.bz2

say() { printf "web_ui: [%ss] %s\n" "$SECONDS" "$*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; exit 1; }

# ---- what the test needs -----------------------------------------------------
command -v node >/dev/null 2>&1 || skip "node is not installed (make deps installs nodejs)"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] 2>/dev/null || skip "node $(node --version 2>/dev/null) is too old: playwright-core needs 20 or later"
[ -x "$CHROMIUM" ] || skip "chromium is not installed at $CHROMIUM (make deps, or apt-get install chromium)"
[ -x "$BIN/bgplensd" ] && [ -x "$BIN/bgplens" ] || fail "$BIN/bgplensd or $BIN/bgplens is missing: run make"
[ -f "$REPO/web/index.html" ] || fail "no web/index.html"
command -v gobgpd >/dev/null 2>&1 && command -v gobgp >/dev/null 2>&1 ||
	skip "gobgpd and gobgp are not installed (make deps installs gobgpd): the live alert needs a real speaker"

if [ ! -f "$WEBTESTS/node_modules/playwright-core/package.json" ]; then
	command -v npm >/dev/null 2>&1 || skip "playwright-core is not installed and npm is missing (make deps installs npm)"
	say "installing playwright-core (npm ci in tests/web)"
	if ! (cd "$WEBTESTS" && timeout 300 npm ci --no-audit --no-fund --loglevel=error </dev/null); then
		skip "npm ci in tests/web failed: playwright-core could not be installed (is the npm registry reachable?)"
	fi
fi

# ---- a daemon and its peers ----------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgplens-webui.XXXXXX") || exit 2
pids=()
dpid=

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	if [ -n "$dpid" ]; then
		kill -TERM "$dpid" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$dpid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$dpid" 2>/dev/null
	fi
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ -d "$ART" ] && [ -f "$tmp/bgplensd.log" ]; then
		cp "$tmp/bgplensd.log" "$ART/bgplensd.log" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# A TCP port nobody listens on, from a random start, below the
# ephemeral range (32768 up) so no outgoing connection takes it meanwhile.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
pick_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + (RANDOM * 7 + $$ + i * 131) % 12000))
		if port_free "$p" && [ "$p" != "${1:-0}" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
BGP_PORT=$(pick_port) || fail "no free port"
HTTP_PORT=$(pick_port "$BGP_PORT") || fail "no free port"
GOBGP_API=$(pick_port "$HTTP_PORT") || fail "no free port"
[ "$GOBGP_API" != "$BGP_PORT" ] || fail "no free port"
BMP_PORT=$(pick_port "$GOBGP_API") || fail "no free port"
URL="http://127.0.0.1:$HTTP_PORT/"

real=0
[ -r "$REAL_RIB" ] && real=1
expect=$((3 + real))

# The monitor file: 203.0.113.0/24 belongs to AS64500; GoBGP (AS65010)
# announcing 203.0.113.128/25 from AS64666 is a sub-prefix hijack.
cat >"$tmp/monitor.yaml" <<EOF
thresholds:
  clear_after: 0
  update_interval: 1s
prefixes:
  - prefix: 203.0.113.0/24
    origins: [64500]
    description: "web UI live alert"
EOF
cat >"$tmp/gobgpd.toml" <<EOF
[global.config]
  as = 65010
  router-id = "127.0.0.10"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "127.0.0.10"
    remote-port = $BGP_PORT
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
# GoBGP is a BMP router too, for the overview's BMP section: pre-policy
# only, the routes it hears from bgplensd (none), so that its own
# announcements reach the RIB once, over BGP.
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = $BMP_PORT
    route-monitoring-policy = "pre-policy"
EOF

{
	echo "local_as: 65000"
	echo "router_id: 192.0.2.254"
	echo "bgp_listen: [\"127.0.0.1\"]"
	echo "bgp_port: $BGP_PORT"
	echo "http_listen: \"127.0.0.1:$HTTP_PORT\""
	echo "data_dir: $tmp/data"
	echo "monitor_file: $tmp/monitor.yaml"
	echo "bmp_port: $BMP_PORT"
	echo "peers:"
	echo "  - { address: 127.0.0.10, remote_as: 65010, description: \"gobgp\" }"
	echo "  - { address: 127.0.0.2, remote_as: 64600, description: \"transit-a\" }"
	echo "  - { address: 127.0.0.3, remote_as: 64601, description: \"transit-b\" }"
	if [ "$real" = 1 ]; then
		echo "  - { address: 127.0.0.4, remote_as: 3257, description: \"real RIB, 2014\" }"
	fi
} >"$tmp/bgplensd.yaml"

# AS names and countries from MaxMind's test databases, when they are here
# and this bgplensd knows the keys.
geo=0
MMDB=$SHARED/mmdb/test-data
if [ -r "$MMDB/GeoLite2-ASN-Test.mmdb" ] && [ -r "$MMDB/GeoLite2-Country-Test.mmdb" ]; then
	cp "$tmp/bgplensd.yaml" "$tmp/geo.yaml"
	{
		echo "geoip_asn: \"$MMDB/GeoLite2-ASN-Test.mmdb\""
		echo "geoip_country: \"$MMDB/GeoLite2-Country-Test.mmdb\""
	} >>"$tmp/geo.yaml"
	if "$BIN/bgplensd" -c "$tmp/geo.yaml" --check >"$tmp/check.log" 2>&1; then
		mv "$tmp/geo.yaml" "$tmp/bgplensd.yaml"
		geo=1
	fi
fi

# GET a URL; the body on stdout; fails on errors.  Bounded to 5 s.
http_get() {
	timeout 10 node -e '
		fetch(process.argv[1], { signal: AbortSignal.timeout(5000) })
		  .then(async (r) => { if (!r.ok) process.exit(1); process.stdout.write(await r.text()); })
		  .catch(() => process.exit(1));' "$1"
}
# A number out of /api/v1/status, e.g. status_num peers.established
status_num() {
	http_get "${URL}api/v1/status" | node -e '
		let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
		  try { let v = JSON.parse(s); for (const k of process.argv[1].split(".")) v = v[k];
		        console.log(typeof v === "number" ? v : -1); } catch { console.log(-1); } });' "$1"
}
# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds.
wait_for() {
	local limit=$1 what=$2 t0=$SECONDS
	shift 2
	while ! "$@"; do
		if [ $((SECONDS - t0)) -ge "$limit" ]; then
			say "timed out after ${limit}s waiting for $what"
			tail -n 30 "$tmp/bgplensd.log" | sed 's/^/    | /'
			return 1
		fi
		kill -0 "$dpid" 2>/dev/null || { say "bgplensd exited"; tail -n 30 "$tmp/bgplensd.log" | sed 's/^/    | /'; return 1; }
		sleep 0.5
	done
}
established_is() { [ "$(status_num peers.established)" = "$1" ]; }
routes_at_least() { [ "$(status_num routes.total)" -ge "$1" ] 2>/dev/null; }
http_up() { http_get "${URL}api/v1/status" >/dev/null 2>&1; }

say "bgplensd: BGP on 127.0.0.1:$BGP_PORT, HTTP on $URL, $expect peers"
"$BIN/bgplens" gen-table --peers 2 --v4 50000 --v6 10000 -o "$tmp/table.mrt" >"$tmp/gen.log" 2>&1 ||
	fail "gen-table: $(cat "$tmp/gen.log")"
"$BIN/bgplensd" -c "$tmp/bgplensd.yaml" --web "$REPO/web" >"$tmp/bgplensd.log" 2>&1 &
dpid=$!
wait_for 20 "the HTTP API" http_up || fail "bgplensd did not come up"
# AS names only if this daemon reports its ASN database in use.
if [ "$geo" = 1 ]; then
	geo=$(http_get "${URL}api/v1/status" | node -e '
		let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
		  try { console.log(JSON.parse(s).enrichment?.asn_database ? 1 : 0); } catch { console.log(0); } });')
fi

# feed ADDRESS AS PEER-INDEX FILE: one replayed peer, in the background.
feed() {
	"$BIN/bgplens" replay --connect 127.0.0.1 --port "$BGP_PORT" --local "$1" --as "$2" \
		--peer-index "$3" --linger 900 "$4" >"$tmp/replay-$1.log" 2>&1 &
	pids+=($!)
	eval "feeder_${1//./_}=$!"
}
gobgpd -f "$tmp/gobgpd.toml" --api-hosts "127.0.0.1:$GOBGP_API" --pprof-disable \
	>"$tmp/gobgpd.log" 2>&1 &
pids+=($!)
feed 127.0.0.2 64600 0 "$tmp/table.mrt"
feed 127.0.0.3 64601 1 "$tmp/table.mrt"
# Index 9 of that RIB is 89.149.178.10, AS3257, whose routes carry NOPEER.
[ "$real" = 1 ] && feed 127.0.0.4 3257 9 "$REAL_RIB"
wait_for 60 "$expect peers Established" established_is "$expect" || exit 1
say "$expect peers Established; AS names from the test ASN database: $([ "$geo" = 1 ] && echo yes || echo no)"
wait_for 60 "120000 routes" routes_at_least 120000 || exit 1
# Until the count stops moving: every replay has sent all it has.
last=-1
routes_settled() {
	local n
	n=$(status_num routes.total)
	[ "$n" = "$last" ] && return 0
	last=$n
	sleep 1
	return 1
}
wait_for 60 "the route count to settle" routes_settled || exit 1
before=$last
say "$before routes"

# Restart one peer: every prefix of it gets a source-down and a new announce.
say "restarting peer 127.0.0.3 for history"
kill "$feeder_127_0_0_3" 2>/dev/null
wait "$feeder_127_0_0_3" 2>/dev/null
wait_for 30 "peer 127.0.0.3 down" established_is $((expect - 1)) || exit 1
sleep 1
feed 127.0.0.3 64601 1 "$tmp/table.mrt"
wait_for 60 "$expect peers Established again" established_is "$expect" || exit 1
wait_for 60 "the routes of 127.0.0.3 again ($before)" routes_at_least "$before" || exit 1
sleep 1

# ---- the tests -------------------------------------------------------------------
mkdir -p "$ART" || fail "cannot make $ART"
rm -f "$ART"/*.png "$ART"/screenshots.txt
cd "$REPO" || exit 2
say "unit tests of the UI's modules"
timeout 120 node --test --test-reporter=spec tests/web/unit.test.mjs </dev/null
unit_rc=$?
say "end-to-end tests in $CHROMIUM"
HIJACK_PREFIX=203.0.113.128/25 \
HIJACK_ANNOUNCE="gobgp -p $GOBGP_API global rib add -a ipv4 203.0.113.128/25 nexthop 192.0.2.10 aspath 64666" \
HIJACK_WITHDRAW="gobgp -p $GOBGP_API global rib del -a ipv4 203.0.113.128/25" \
BGPLENS_URL=$URL EXPECT_PEERS=$expect REAL_DATA=$real GEO_ASN=$geo FLAPPED_PEER=127.0.0.3 \
	ARTIFACTS=$ART CHROMIUM=$CHROMIUM \
	timeout 420 node --test --test-reporter=spec tests/web/e2e.mjs </dev/null
e2e_rc=$?
say "screenshots: $ART"
if [ "$unit_rc" != 0 ] || [ "$e2e_rc" != 0 ]; then
	fail "unit tests exit $unit_rc, end-to-end tests exit $e2e_rc"
fi
say "ok"
