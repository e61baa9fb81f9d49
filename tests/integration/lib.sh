# shellcheck shell=bash
# tests/integration/lib.sh -- helpers for the bgplensd integration tests.
#
# Sourced by the bgpd_*.sh scripts (bash).  It gives each script:
#   - a scratch directory $T (mktemp -d) and a cleanup on EXIT that stops,
#     by PID, every process the script started, then removes $T;
#   - bgplensd_start / bgplensd_stop: the daemon on a random high port with
#     a generated configuration, its looking glass on another;
#   - api, peer_get, wait_until, route_*: questions to the looking glass
#     (GET /api/v1/...), answered through python3's json module;
#   - frr_start, bird_start, gobgp_start, exa_start (and their *_cmd):
#     real BGP speakers, each with its own config and state under $T,
#     each on its own loopback source address (127.0.0.2, .3, ...), never
#     their system services.  See ../shared/PEERS.md for the quirks.
#
# Every wait is bounded; nothing here loops forever.  A script fails with
# fail "why" (exit 1, the tail of the daemon's log shown) and skips with
# skip "why" (exit 77, the reason as the last line).  KEEP=1 keeps $T.

# tests/run.sh runs every *.sh here: run by itself, this file is no test.
if [ -z "${BASH_VERSION:-}" ] || [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "skip: lib.sh is the helper library of the bgpd_*.sh tests, not a test"
	exit 77
fi

set -u

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${BIN:-$REPO/bin}
case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
BGPLENSD=$BIN/bgplensd
# The shared test data beside the repository (tests/run.sh sets it too).
SHARED=${SHARED:-$(cd "$REPO/.." && pwd)/shared/data}
FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}

T=$(mktemp -d "${TMPDIR:-/tmp}/bgplens-it.XXXXXX") || exit 2
_PIDS=()		# every process started, in order
DPID=			# bgplensd
BGP_PORT=
HTTP_PORT=
T0=$(date +%s%3N)

_lib_cleanup() {
	local i pid n
	# Newest first: speakers before the daemon they talk to.
	for ((i = ${#_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${_PIDS[i]}
		kill -0 "$pid" 2>/dev/null || continue
		kill -TERM "$pid" 2>/dev/null
	done
	for ((i = ${#_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${_PIDS[i]}
		for ((n = 0; n < 50; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Remember a PID for the cleanup.
track() { _PIDS+=("$1"); }

elapsed() { echo $((($(date +%s%3N) - T0) / 1000)); }
say() { printf '[%3ss] %s\n' "$(elapsed)" "$*"; }
ok() { say "ok: $*"; }

skip() {
	echo "skip: $*"
	exit 77
}

fail() {
	say "FAIL: $*"
	if [ -f "$T/bgplensd.log" ]; then
		echo "--- bgplensd log (tail) ---"
		tail -n 30 "$T/bgplensd.log"
	fi
	exit 1
}

# need PROGRAM...: skip unless each is installed (a name on PATH or a path).
need() {
	local b
	for b in "$@"; do
		if [ "${b#/}" != "$b" ]; then
			[ -x "$b" ] || skip "$b is not installed (make deps)"
		else
			command -v "$b" >/dev/null 2>&1 ||
				skip "$b is not installed (make deps)"
		fi
	done
}

need_base() {
	need python3 curl ss
	[ -x "$BGPLENSD" ] || skip "$BGPLENSD is not built (make)"
}

# A TCP port that nothing uses, below the kernel's ephemeral range (from
# /proc/sys/net/ipv4/ip_local_port_range) so that no outgoing connection
# can take it between this pick and the bind; never one this script has
# already handed out (kept in $T/.ports: each call runs in a subshell).
free_port() {
	local p n lo=32768
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 21024 ] 2>/dev/null || lo=32768
	for ((n = 0; n < 200; n++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % (lo - 20000)))
		grep -qx "$p" "$T/.ports" 2>/dev/null && continue
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
			echo "$p" >>"$T/.ports"
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_until SECONDS CMD...: run CMD every 0.2 s until it succeeds; 1 if
# it never did.
wait_until() {
	local limit=$1 end
	shift
	end=$(($(date +%s%3N) + limit * 1000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%3N)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# ---------------------------------------------------------------------------
# The looking glass.

# api PATH: the body of GET PATH (fails on HTTP errors).
api() {
	curl -sf --max-time 5 "http://127.0.0.1:$HTTP_PORT$1"
}

# jpy EXPR: evaluate a Python expression over the JSON on stdin (as d);
# strings print bare, the rest as JSON.
jpy() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# peer_get ADDR EXPR: EXPR over the peer (as p) from /api/v1/peers;
# "none" if the peer is not listed.
peer_get() {
	api /api/v1/peers | python3 -c '
import json, sys
d = json.load(sys.stdin)
ps = [p for p in d["peers"] if p["address"] == sys.argv[1]]
if not ps:
    print("none")
else:
    p = ps[0]
    r = eval(sys.argv[2])
    print(r if isinstance(r, str) else json.dumps(r))' "$1" "$2"
}

peer_state() { peer_get "$1" 'p["state"]'; }
peer_is() { [ "$(peer_state "$1")" = "$2" ]; }
peer_is_not() { local s; s=$(peer_state "$1") && [ "$s" != "$2" ]; }

# wait_peer ADDR STATE SECONDS: wait for a peer state; fail if never.
wait_peer() {
	wait_until "$3" peer_is "$1" "$2" ||
		fail "peer $1 not $2 after $3 s (state $(peer_state "$1"), last error: $(peer_get "$1" 'p["last_error"]'))"
}

# routes_json PREFIX: the /api/v1/routes answer for an exact prefix.
routes_json() {
	api "/api/v1/routes?prefix=$1&match=exact&limit=1000"
}

# route_expr PREFIX PEER EXPR: EXPR over the list rs of PEER's routes for
# PREFIX (PEER "" = every peer).
route_expr() {
	routes_json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
rs = [r for r in d["routes"] if sys.argv[1] == "" or r["source"]["peer"] == sys.argv[1]]
r = eval(sys.argv[2])
print(r if isinstance(r, str) else json.dumps(r))' "$2" "$3"
}

# route_count PREFIX PEER: how many routes (paths) PEER has for PREFIX.
route_count() { route_expr "$1" "$2" 'len(rs)'; }
route_has() { [ "$(route_count "$1" "$2")" -ge "${3:-1}" ]; }
route_gone() { [ "$(route_count "$1" "$2")" = 0 ]; }
route_count_is() { [ "$(route_count "$1" "$2")" = "$3" ]; }

# route_check PREFIX PEER EXPR DESC: fail unless EXPR is true (EXPR sees
# rs, the peer's routes, and r = rs[0]).
route_check() {
	local v
	v=$(route_expr "$1" "$2" "bool(rs) and bool((lambda r: $3)(rs[0]))")
	[ "$v" = true ] || fail "$4: $1 from $2 is $(route_expr "$1" "$2" 'rs')"
}

# ---------------------------------------------------------------------------
# bgplensd.

# bgplensd_conf [PEERS_YAML]: write $T/bgplensd.yaml; PEERS_YAML is the
# text after "peers:" (a YAML list), "" for none.
bgplensd_conf() {
	{
		cat <<EOF
local_as: 65000
router_id: 127.0.0.1
data_dir: $T/data
bgp_listen: ["127.0.0.1", "::1"]
bgp_port: $BGP_PORT
http_listen: "127.0.0.1:$HTTP_PORT"
log_level: ${LOG_LEVEL:-info}
EOF
		if [ -n "${1:-}" ]; then
			echo "peers:"
			printf '%s\n' "$1"
		fi
	} >"$T/bgplensd.yaml"
}

_bgplensd_launch() {
	"$BGPLENSD" -c "$T/bgplensd.yaml" >>"$T/bgplensd.log" 2>&1 &
	DPID=$!
	track "$DPID"
}

# bgplensd_start [PEERS_YAML]: start the daemon, wait for its API.
bgplensd_start() {
	[ -n "$BGP_PORT" ] || BGP_PORT=$(free_port) || fail "no free port"
	[ -n "$HTTP_PORT" ] || HTTP_PORT=$(free_port) || fail "no free port"
	bgplensd_conf "${1:-}"
	_bgplensd_launch
	# A port taken by someone else after the pick (another program on
	# the machine): the looking glass says so; try once more elsewhere.
	if ! wait_until 10 api /api/v1/status &&
		grep -q "looking glass on .*:$HTTP_PORT: Address already in use" "$T/bgplensd.log"; then
		say "http port $HTTP_PORT was taken; restarting on another"
		kill -TERM "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		HTTP_PORT=$(free_port) || fail "no free port"
		bgplensd_conf "${1:-}"
		_bgplensd_launch
	fi
	wait_until 10 api /api/v1/status ||
		fail "bgplensd did not answer on http port $HTTP_PORT"
	say "bgplensd pid $DPID, BGP port $BGP_PORT, HTTP port $HTTP_PORT"
}

# bgplensd_reload [PEERS_YAML]: rewrite the config and send SIGHUP; waits
# for the log line that says it was applied.
bgplensd_reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$T/bgplensd.log")
	bgplensd_conf "${1:-}"
	kill -HUP "$DPID"
	wait_until 10 _log_count_above 'configuration reloaded' "$n" ||
		fail "SIGHUP not applied"
}
_log_count_above() { [ "$(grep -c "$1" "$T/bgplensd.log")" -gt "$2" ]; }

# log_has REGEX: the daemon's log has a matching line.
log_has() { grep -Eq "$1" "$T/bgplensd.log"; }

# bgplensd_stop: SIGTERM, wait, and require a clean exit (status 0, no
# sanitizer report): the shutdown path is tested too.
bgplensd_stop() {
	local rc n
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for ((n = 0; n < 300; n++)); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$DPID" 2>/dev/null && fail "bgplensd did not stop within 30 s of SIGTERM"
	wait "$DPID"
	rc=$?
	DPID=
	if grep -q 'Sanitizer' "$T/bgplensd.log"; then
		grep -A30 'Sanitizer' "$T/bgplensd.log" | head -60
		fail "sanitizer report from bgplensd"
	fi
	[ "$rc" = 0 ] || fail "bgplensd exited with status $rc"
	ok "bgplensd stopped cleanly"
}

# ---------------------------------------------------------------------------
# Speakers.  Each NAME gets $T/NAME/ for its config, sockets and log.

# frr_start NAME CONF: FRR bgpd without zebra, not listening.
frr_start() {
	local d=$T/$1
	mkdir -p "$d"
	printf '%s\n' "$2" >"$d/bgpd.conf"
	"$FRR_BGPD" -f "$d/bgpd.conf" -i "$d/bgpd.pid" -z "$d/zserv.api" \
		--vty_socket "$d" -Z -n -S -p 0 -P 0 --log "file:$d/bgpd.log" \
		>"$d/stdout.log" 2>&1 &
	eval "PID_$1=$!"
	track $!
}
# frr_cmd NAME CMD...: vtysh, one -c per CMD.
frr_cmd() {
	local d=$T/$1 a=()
	shift
	for c in "$@"; do a+=(-c "$c"); done
	vtysh --vty_socket "$d" -d bgpd "${a[@]}" 2>&1
}

# bird_start NAME CONF.  BIRD listens too: give each "local ADDR port
# $(free_port)" and "strict bind", so that no two BIRDs (nor a BIRD of
# someone else's) fight over port 179.
bird_start() {
	local d=$T/$1
	mkdir -p "$d"
	printf '%s\n' "$2" >"$d/bird.conf"
	bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" \
		>"$d/bird.log" 2>&1 &
	eval "PID_$1=$!"
	track $!
}
bird_cmd() { birdc -s "$T/$1/bird.ctl" "$2" 2>&1; }

# gobgp_peer_toml AS ADDR RETRY: the start of a GoBGP configuration that
# peers from ADDR (router id and source address) in AS with bgplensd on
# 127.0.0.1 port $BGP_PORT, retrying every RETRY seconds; the caller adds
# the session's further tables (timers, afi-safis ...).
gobgp_peer_toml() {
	cat <<EOF
[global.config]
  as = $1
  router-id = "$2"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "$2"
    remote-port = $BGP_PORT
  [neighbors.timers.config]
    connect-retry = $3
EOF
}

# gobgp_start NAME TOML [gobgpd options]: its gRPC API on a free port,
# remembered in $T/NAME/api.
gobgp_start() {
	local d=$T/$1 gp
	mkdir -p "$d"
	printf '%s\n' "$2" >"$d/gobgpd.toml"
	if [ -f "$d/api" ]; then gp=$(cat "$d/api"); else gp=$(free_port) || fail "no free port"; fi
	echo "$gp" >"$d/api"
	gobgpd -f "$d/gobgpd.toml" --api-hosts "127.0.0.1:$gp" --pprof-disable \
		-p "${@:3}" >>"$d/gobgpd.log" 2>&1 &
	eval "PID_$1=$!"
	track $!
	wait_until 30 gobgp -p "$gp" global ||
		fail "gobgpd $1 did not start: $(tail -n 5 "$d/gobgpd.log")"
}
gobgp_cmd() {
	local n=$1
	shift
	gobgp -p "$(cat "$T/$n/api")" "$@"
}

# exa_start NAME CONF: ExaBGP; CONF may use the process "cmds", which
# feeds it every line appended to $T/NAME/cmds (see exa_cmd).
exa_start() {
	local d=$T/$1
	mkdir -p "$d"
	: >>"$d/cmds"
	# The feeder ends with its ExaBGP (tail --pid), even after a SIGKILL.
	printf '#!/bin/sh\nexec tail -n +1 -F --pid=$PPID "%s"\n' "$d/cmds" >"$d/feed.sh"
	chmod +x "$d/feed.sh"
	printf '%s\n' "process cmds { run $d/feed.sh; encoder text; }" \
		"$2" >"$d/exabgp.conf"
	env exabgp_daemon_user=root exabgp_daemon_drop=false \
		exabgp_daemon_daemonize=false exabgp_api_cli=false \
		exabgp_api_ack=false exabgp_log_destination=stdout \
		exabgp_tcp_bind= exabgp_log_level=INFO \
		exabgp "$d/exabgp.conf" >"$d/exabgp.log" 2>&1 &
	eval "PID_$1=$!"
	track $!
}
exa_cmd() {
	mkdir -p "$T/$1"
	printf '%s\n' "$2" >>"$T/$1/cmds"
}

# est_ms ADDR: the wall-clock millisecond of the daemon's last
# "ADDR ...: established" log line (empty if none).
est_ms() {
	local line
	line=$(grep -F "neighbor $1 AS" "$T/bgplensd.log" | grep ': established (' | tail -n 1)
	[ -n "$line" ] || return 1
	date -d "${line%% *}" +%s%3N
}

# kill_hard PID: SIGKILL and reap.
kill_hard() {
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# stop_proc PID: SIGTERM, wait up to 10 s, then SIGKILL.
stop_proc() {
	local n
	kill -TERM "$1" 2>/dev/null
	for ((n = 0; n < 100; n++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill_hard "$1"
}
