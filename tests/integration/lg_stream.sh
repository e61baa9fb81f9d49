#!/usr/bin/env bash
# Live streams end to end: an ExaBGP speaker announces and withdraws, and
# curl -N on /api/v1/stream (with and without filters) receives exactly
# the messages expected, in RIS Live's shape; a client that never reads is
# dropped while another goes on receiving and ingest goes on; malformed
# filters give 400 naming the parameter; /api/v1/alerts/stream reports a
# hijack of a monitored prefix opened, then resolved.
. "$(dirname "$0")/lib.sh"

need_base
need exabgp
BGP_PORT=$(free_port) || fail "no free port"
HTTP_PORT=$(free_port) || fail "no free port"
cat >"$T/monitor.yaml" <<EOF
thresholds:
  clear_after: 0
  update_interval: 1s
prefixes:
  - prefix: 203.0.113.0/24
    origins: [64500]
    description: "stream test"
EOF
bgplensd_conf "  - address: 127.0.0.5
    remote_as: 65005"
cat >>"$T/bgplensd.yaml" <<EOF
monitor_file: monitor.yaml
stream_queue_kib: 128
stream_max_clients: 5
stream_keepalive: 1
bmp_port: $(free_port)
EOF
_bgplensd_launch
wait_until 10 api /api/v1/status || fail "bgplensd did not start"

URL=http://127.0.0.1:$HTTP_PORT
N=0
# stream NAME QUERY: curl -N in the background into $T/NAME.sse.
stream() {
	curl -sN --max-time 55 "$URL$2" >"$T/$1.sse" 2>/dev/null &
	track $!
	eval "CURL_$1=$!"
	N=$((N + 1))
}
clients() { api /api/v1/status | jpy 'd["streams"]["clients"]'; }
clients_are() { [ "$(clients)" = "$1" ]; }

# messages NAME: the JSON messages of a stream, one a line, keep-alives
# and ids left out.
messages() { sed -n 's/^data: //p' "$T/$1.sse"; }
# summary NAME: "type prefix origin" per message, for exact comparisons.
summary() {
	messages "$1" | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        break       # the last line, still being written
    d = m["data"]
    if d["type"] == "RIS_PEER_STATE":
        print("STATE", d["peer"], d["state"])
        continue
    for a in d.get("announcements", []):
        for p in a["prefixes"]:
            print("A", p, d["path"][-1], a["next_hop"])
    for p in d.get("withdrawals", []):
        print("W", p)'
}

# Malformed filters: 400 naming the parameter.
bad() {
	local body code
	code=$(curl -s -o "$T/bad.json" -w '%{http_code}' --max-time 5 "$URL$1")
	[ "$code" = 400 ] || fail "$1: HTTP $code, want 400"
	[ "$(jpy 'd.get("parameter")' <"$T/bad.json")" = "$2" ] ||
		fail "$1: $(cat "$T/bad.json")"
}
bad "/api/v1/stream?prefix=10.0.0.0/33" prefix
bad "/api/v1/stream?origin=x1" origin
bad "/api/v1/stream?path=%28" path
bad "/api/v1/stream?path=$(printf '1%.0s' $(seq 300))" path
bad "/api/v1/stream?type=KEEPALIVE" type
bad "/api/v1/stream?source=70000" source
bad "/api/v1/stream?moreSpecific=true" moreSpecific
bad "/api/v1/stream?bogus=1" bogus
bad "/api/v1/alerts/stream?type=nothing" type
ok "malformed filters refused with 400 naming the parameter"

stream all "/api/v1/stream"
stream more "/api/v1/stream?prefix=10.1.0.0/16&moreSpecific=true&type=UPDATE"
stream origin "/api/v1/stream?origin=64601&type=UPDATE"
stream path "/api/v1/stream?path=%2064602%24"
stream alerts "/api/v1/alerts/stream?prefix=203.0.113.0/24"
wait_until 10 clients_are 5 || fail "5 stream clients expected, $(clients)"
code=$(curl -s -o "$T/busy.json" -w '%{http_code}' --max-time 5 "$URL/api/v1/stream")
[ "$code" = 503 ] || fail "a sixth stream got HTTP $code, want 503 (stream_max_clients 5)"
ok "stream_max_clients: the sixth client gets 503"

exa_start spk "neighbor 127.0.0.1 {
  router-id 127.0.0.5;
  local-address 127.0.0.5;
  local-as 65005;
  peer-as 65000;
  connect $BGP_PORT;
  family { ipv4 unicast; }
  api { processes [ cmds ]; }
}"
wait_peer 127.0.0.5 Established 30
exa_cmd spk "announce route 10.1.1.0/24 next-hop 192.0.2.5 as-path [65005 64601]"
exa_cmd spk "announce route 10.2.0.0/16 next-hop 192.0.2.5 as-path [65005 64602]"
exa_cmd spk "announce route 10.1.0.0/16 next-hop 192.0.2.5 as-path [65005 64602]"
wait_until 10 route_has 10.1.0.0/16 127.0.0.5 || fail "routes not in the RIB"
exa_cmd spk "withdraw route 10.1.1.0/24 next-hop 192.0.2.5"
wait_until 10 route_gone 10.1.1.0/24 127.0.0.5 || fail "withdrawal not applied"
exa_cmd spk "announce route 203.0.113.128/25 next-hop 192.0.2.5 as-path [65005 64666]"
wait_until 10 grep -q '"opened"' "$T/alerts.sse" || fail "alert stream: no opened event: $(cat "$T/alerts.sse")"
exa_cmd spk "withdraw route 203.0.113.128/25 next-hop 192.0.2.5"
wait_until 10 grep -q '"resolved"' "$T/alerts.sse" || fail "alert stream: no resolved event: $(cat "$T/alerts.sse")"
ok "alert stream: the hijack opened, then resolved"

# Every stream has had its messages by the time the last one arrived.
last_withdrawal_in() { summary "$1" | grep -q '^W 203.0.113.128/25'; }
wait_until 10 last_withdrawal_in all || fail "unfiltered stream lacks the last withdrawal"
want_all="STATE 127.0.0.5 connected
A 10.1.1.0/24 64601 192.0.2.5
A 10.2.0.0/16 64602 192.0.2.5
A 10.1.0.0/16 64602 192.0.2.5
W 10.1.1.0/24
A 203.0.113.128/25 64666 192.0.2.5
W 203.0.113.128/25"
# stream_is NAME WANT: what the stream has is exactly WANT (it may still
# be arriving: the caller waits).
stream_is() { [ "$(summary "$1")" = "$2" ]; }
wait_until 5 stream_is all "$want_all" || fail "unfiltered stream: $(summary all)"
want="A 10.1.1.0/24 64601 192.0.2.5
A 10.1.0.0/16 64602 192.0.2.5
W 10.1.1.0/24"
wait_until 5 stream_is more "$want" || fail "prefix+moreSpecific stream: $(summary more)"
want="A 10.1.1.0/24 64601 192.0.2.5
W 10.1.1.0/24"
wait_until 5 stream_is origin "$want" || fail "origin stream: $(summary origin)"
want="STATE 127.0.0.5 connected
A 10.2.0.0/16 64602 192.0.2.5
A 10.1.0.0/16 64602 192.0.2.5"
wait_until 5 stream_is path "$want" || fail "path stream: $(summary path)"
ok "streams with and without filters got exactly the expected messages"

# The RIS Live shape of one announcement.
messages all | sed -n 2p | python3 -c '
import json, sys
m = json.loads(sys.stdin.read())
assert m["type"] == "ris_message", m
d = m["data"]
for k in ("timestamp", "peer", "peer_asn", "host", "type", "path",
          "community", "origin", "announcements", "source"):
    assert k in d, k
assert d["peer"] == "127.0.0.5" and d["peer_asn"] == "65005", d
assert d["path"] == [65005, 64601] and d["origin"] == "IGP", d
assert d["announcements"] == [{"next_hop": "192.0.2.5", "prefixes": ["10.1.1.0/24"]}], d
' || fail "announcement not in the documented shape: $(messages all | sed -n 2p)"
# Idle now: a keep-alive comes within stream_keepalive (1 s) and a tick.
wait_until 5 grep -q '^: keepalive' "$T/all.sse" || fail "no keep-alive comment in $T/all.sse"
ok "messages in RIS Live's shape, keep-alives sent"

# Clients that go away are cleaned up: the filtered ones leave.
for c in more origin path alerts; do
	eval "kill \$CURL_$c"
done
wait_until 10 clients_are 1 || fail "closed streams not cleaned up: $(clients) clients"
ok "closed streams leave the hub"

# A client that never reads (a receive buffer of 4 KiB, never drained) is
# dropped once the kernel's buffers and its 128 KiB queue are full (about
# 400 KiB in all; 4000 routes make 1.3 MB of messages), while the
# unfiltered curl keeps receiving and ingest goes on.
python3 - "$HTTP_PORT" "$T/slow.ready" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n")
open(sys.argv[2], "w").close()
time.sleep(50)
EOF
track $!
wait_until 10 test -f "$T/slow.ready" || fail "slow client did not connect"
wait_until 10 clients_are 2 || fail "slow client not counted: $(clients)"
dropped0=$(api /api/v1/status | jpy 'd["streams"]["dropped"]')
for i in $(seq 0 3999); do
	echo "announce route 10.50.$((i / 250)).$((i % 250))/32 next-hop 192.0.2.5 as-path [65005 64700]"
done >>"$T/spk/cmds"
wait_until 40 route_has 10.50.15.249/32 127.0.0.5 || fail "ingest stalled: the 4000th route never arrived"
wait_until 10 clients_are 1 || fail "the slow client was not dropped: $(clients) clients"
[ "$(api /api/v1/status | jpy 'd["streams"]["dropped"]')" -gt "$dropped0" ] ||
	fail "dropped counter did not move"
wait_until 10 grep -q '10.50.15.249/32' "$T/all.sse" || fail "the reading client stopped receiving"
ok "a client that never reads is dropped; the other goes on, so does ingest"
curl -sf --max-time 5 "$URL/metrics" | grep -Eq '^bgplens_stream_dropped_total [1-9]' ||
	fail "/metrics: bgplens_stream_dropped_total does not count the drop"
ok "/metrics counts the dropped stream"

# Stopping the daemon with a stream open: it ends cleanly, and the stream
# is told why.
bgplensd_stop
wait_until 5 grep -q 'shutting down' "$T/all.sse" ||
	fail "the open stream was not told of the shutdown: $(tail -c 300 "$T/all.sse")"
ok "an open stream gets a last ris_error when the daemon stops"
exit 0
