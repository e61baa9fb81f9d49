#!/usr/bin/env bash
# Hijack and leak detection end to end: real BGP speakers, bgplensd, and a
# real HTTP receiver verifying every request's HMAC signature.
#
# Two ExaBGP speakers on loopback: "legit" (127.0.0.5, AS65005) announces
# four monitored prefixes with their legal origins and upstreams; "bad"
# (127.0.0.6, AS65006) then announces, one at a time,
#   203.0.113.128/25 from AS64666        -> sub_prefix_hijack
#   198.51.100.0/24  from AS64667        -> exact_prefix_hijack
#   192.0.2.0/24     via first hop 64999 -> path_anomaly
#   100.64.0.0/24    through a valley    -> route_leak (leaker AS64521)
# and each must give exactly one "opened" request of that type, signed;
# withdrawing them gives one "resolved" each.  Then the receiver goes
# away: a new hijack opens and resolves, another opens, bgplensd is
# restarted (the queue and the journal are on disk), and when the
# receiver returns it gets every missing request, in order, nothing lost,
# repeats only with an Idempotency-Key already seen; the alert still open
# across the restart is not opened twice.  A second webhook of the group,
# over HTTPS (a certificate of the test's own, given as ca_file), gets the
# same requests in the same order.  SIGHUP reloads the monitor file (a
# broken one is reported with file:line:col and changes nothing).  The API
# lists and finds the alerts.
. "$(dirname "$0")/lib.sh"

need_base
need exabgp openssl
H=$(dirname "$0")/detect_helper.py
SECRET="it's a secret"
RECV_PORT=$(free_port) || fail "no free port"
OUT=$T/received.jsonl
: >"$OUT"

recv_start() {
	python3 "$H" receiver --port "$RECV_PORT" --out "$OUT" \
		--secret "$SECRET" --lifetime 500 >>"$T/receiver.log" 2>&1 &
	RPID=$!
	track "$RPID"
	wait_until 10 curl -s -o /dev/null "http://127.0.0.1:$RECV_PORT/" ||
		fail "receiver did not start"
}
recv_stop() { stop_proc "$RPID"; }

# A second receiver, over HTTPS with a certificate of our own, stays up
# throughout: every event reaches both webhooks of the group.
TLS_PORT=$(free_port) || fail "no free port"
TLS_OUT=$T/received-tls.jsonl
: >"$TLS_OUT"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" \
	>"$T/openssl.log" 2>&1 || fail "openssl: $(tail -n 2 "$T/openssl.log")"
python3 "$H" receiver --port "$TLS_PORT" --out "$TLS_OUT" --secret "tls $SECRET" \
	--tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --lifetime 500 >>"$T/receiver-tls.log" 2>&1 &
track $!
wait_until 10 curl -s -o /dev/null --cacert "$T/cert.pem" "https://127.0.0.1:$TLS_PORT/" ||
	fail "HTTPS receiver did not start"

# The relationships make 64503 -> 64530 -> 64521 -> 64520 a valley:
# 64530 is a provider of both 64503 and 64521, 64520 one of 64521.
cat >"$T/as-rel.txt" <<EOF
# provider|customer|-1
64530|64503|-1
64530|64521|-1
64520|64521|-1
EOF

BGP_PORT=$(free_port) || fail "no free port"
HTTP_PORT=$(free_port) || fail "no free port"
cat >"$T/monitor.yaml" <<EOF
thresholds:
  clear_after: 0
  update_interval: 1s
  restart_grace: 60s
relationships: as-rel.txt
looking_glass_url: "http://127.0.0.1:$HTTP_PORT"
prefixes:
  - prefix: 203.0.113.0/24
    origins: [64500]
    upstreams: [64510]
    description: "sub-prefix target"
    group: noc
  - prefix: 198.51.100.0/24
    origins: [AS64501]
    upstreams: [64511]
    group: noc
  - prefix: 192.0.2.0/24
    origins: [64502]
    upstreams: [64512]
    group: noc
  - prefix: 100.64.0.0/24
    origins: [64503]
    upstreams: [64530]
    group: noc
groups:
  noc:
    webhooks: [receiver, tls]
webhooks:
  tls:
    url: "https://127.0.0.1:$TLS_PORT/hook"
    secret: "tls $SECRET"
    ca_file: cert.pem
    retry_min: 200ms
    retry_max: 1s
  receiver:
    url: "http://127.0.0.1:$RECV_PORT/hook"
    secret: "$SECRET"
    retry_min: 200ms
    retry_max: 1s
    headers: ["X-Test: {{type}} {{prefix}}"]
EOF

PEERS="  - address: 127.0.0.5
    remote_as: 65005
  - address: 127.0.0.6
    remote_as: 65006"

# bgplensd with monitor_file (lib.sh's config plus one key).
daemon_start() {
	bgplensd_conf "$PEERS"
	echo "monitor_file: monitor.yaml" >>"$T/bgplensd.yaml"
	"$BGPLENSD" -c "$T/bgplensd.yaml" >>"$T/bgplensd.log" 2>&1 &
	DPID=$!
	track "$DPID"
	wait_until 10 api /api/v1/status || fail "bgplensd did not start"
	log_has "monitor .*4 prefixes, 2 webhooks, 3 AS links" ||
		fail "monitor file not loaded"
}

"$BGPLENSD" -c /dev/null --check >/dev/null || fail "bgplensd --check"
recv_start
daemon_start
say "bgplensd pid $DPID, BGP $BGP_PORT, HTTP $HTTP_PORT, receiver $RECV_PORT"

exa_conf() { # LOCAL AS
	cat <<EOF
neighbor 127.0.0.1 {
  router-id $1;
  local-address $1;
  local-as $2;
  peer-as 65000;
  connect $BGP_PORT;
  family { ipv4 unicast; }
  api { processes [ cmds ]; }
}
EOF
}
exa_start legit "$(exa_conf 127.0.0.5 65005)"
exa_start bad "$(exa_conf 127.0.0.6 65006)"
wait_peer 127.0.0.5 Established 60
wait_peer 127.0.0.6 Established 60
ok "both speakers established"

# Requests received so far, and a JSON summary of them.
nreq() { grep -c . "$OUT"; }
summary() { python3 "$H" check --out "$OUT" --secret "$SECRET"; }
nreq_is() { [ "$(nreq)" = "$1" ]; }

# --- legitimate state: no alert ---------------------------------------------
exa_cmd legit "announce route 203.0.113.0/24 next-hop 192.0.2.5 as-path [65005 64510 64500]"
exa_cmd legit "announce route 198.51.100.0/24 next-hop 192.0.2.5 as-path [65005 64511 64501]"
exa_cmd legit "announce route 192.0.2.0/24 next-hop 192.0.2.5 as-path [65005 64512 64502]"
exa_cmd legit "announce route 100.64.0.0/24 next-hop 192.0.2.5 as-path [65005 64530 64503]"
wait_until 20 route_has 100.64.0.0/24 127.0.0.5 || fail "legit routes not in the RIB"
wait_until 10 route_has 203.0.113.0/24 127.0.0.5 || fail "legit routes not in the RIB"
sleep 2
nreq_is 0 || fail "legitimate announcements raised alerts: $(summary)"
[ "$(api '/api/v1/alerts?state=all' | jpy 'd["count"]')" = 0 ] ||
	fail "the API lists alerts for legitimate routes"
ok "legitimate announcements: no alert"

# --- one attack at a time: exactly one opened request of its type ------------
# attack TYPE PREFIX EXA-COMMAND
N=0
attack() {
	local type=$1 pfx=$2 t0 v
	t0=$(date +%s%3N)
	exa_cmd bad "$3"
	N=$((N + 1))
	wait_until 15 nreq_is "$N" || fail "$type: $(nreq) requests, wanted $N: $(summary)"
	sleep 1
	nreq_is "$N" || fail "$type: more than one request: $(summary)"
	v=$(tail -n 1 "$OUT" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read()); b = json.loads(r["body"]); a = b["alert"]
ok = (r["sig_ok"] and b["event"] == "opened" and a["type"] == sys.argv[1]
      and a["prefix"] == sys.argv[2] and a["state"] == "open"
      and r["headers"]["idempotency-key"] == b["idempotency_key"]
      and r["headers"]["x-test"] == sys.argv[1] + " " + sys.argv[2]
      and a["sources"][0]["peer"] == "127.0.0.6")
print("ok" if ok else "bad: " + json.dumps([r["sig_ok"], r["headers"], b]))' "$type" "$pfx")
	[ "$v" = ok ] || fail "$type: $v"
	ok "$type: one signed 'opened' in $(($(date +%s%3N) - t0)) ms from the command"
}
attack sub_prefix_hijack 203.0.113.128/25 \
	"announce route 203.0.113.128/25 next-hop 192.0.2.6 as-path [65006 64666]"
attack exact_prefix_hijack 198.51.100.0/24 \
	"announce route 198.51.100.0/24 next-hop 192.0.2.6 as-path [65006 64667]"
attack path_anomaly 192.0.2.0/24 \
	"announce route 192.0.2.0/24 next-hop 192.0.2.6 as-path [65006 64999 64502]"
attack route_leak 100.64.0.0/24 \
	"announce route 100.64.0.0/24 next-hop 192.0.2.6 as-path [65006 64520 64521 64530 64503]"
[ "$(api '/api/v1/alerts?type=route_leak' | jpy 'd["alerts"][0]["offender_as"]')" = 64521 ] ||
	fail "the leak's offender is not AS64521"

# --- withdrawals: one resolved each -----------------------------------------
for p in 203.0.113.128/25 198.51.100.0/24 192.0.2.0/24 100.64.0.0/24; do
	exa_cmd bad "withdraw route $p next-hop 192.0.2.6"
done
N=$((N + 4))
wait_until 15 nreq_is "$N" || fail "withdrawals: $(nreq) requests, wanted $N: $(summary)"
sleep 1
v=$(summary | python3 -c '
import json, sys
s = json.load(sys.stdin)
opened = {e[3] for e in s["events"] if e[0] == "opened"}
resolved = [e[3] for e in s["events"] if e[0] == "resolved"]
ok = (s["bad_signature"] == 0 and s["duplicates"] == 0 and len(opened) == 4
      and sorted(resolved) == sorted(opened) and s["requests"] == 8)
print("ok" if ok else json.dumps(s))')
[ "$v" = ok ] || fail "resolutions: $v"
[ "$(api '/api/v1/alerts' | jpy 'd["count"]')" = 0 ] || fail "alerts still open"
[ "$(api '/api/v1/alerts?state=resolved' | jpy 'd["count"]')" = 4 ] ||
	fail "the API does not list the 4 resolved alerts"
ID=$(api '/api/v1/alerts?state=resolved&type=path_anomaly' | jpy 'd["alerts"][0]["id"]')
[ "$(api "/api/v1/alerts/$ID" | jpy 'd["offender_as"]')" = 64999 ] ||
	fail "/api/v1/alerts/$ID"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/alerts/0123456789abcdef" |
	grep -q 404 || fail "an unknown alert is not a 404"
ok "withdrawals: one signed 'resolved' per alert; the API lists them"

# --- the receiver goes away -------------------------------------------------
recv_stop
BEFORE=$(nreq)
exa_cmd bad "announce route 198.51.100.0/24 next-hop 192.0.2.6 as-path [65006 64668]"
sleep 1
exa_cmd bad "withdraw route 198.51.100.0/24 next-hop 192.0.2.6"
sleep 1
exa_cmd bad "announce route 203.0.113.0/25 next-hop 192.0.2.6 as-path [65006 64669]"
wait_until 10 route_has 203.0.113.0/25 127.0.0.6 || fail "203.0.113.0/25 not in the RIB"
wait_until 10 sh -c "curl -sf http://127.0.0.1:$HTTP_PORT/api/v1/alerts/status | grep -q '\"pending\":3'" ||
	fail "3 requests not queued: $(api /api/v1/alerts/status)"
sleep 2	# a few failed attempts
ok "receiver down: 3 requests queued, $(api /api/v1/alerts/status | jpy '[w for w in d["webhooks"] if w["name"] == "receiver"][0]["failed_attempts"]') failed attempts"

# bgplensd restarts meanwhile: the queue and the open alert survive.
bgplensd_stop
daemon_start
wait_peer 127.0.0.6 Established 60
wait_until 20 route_has 203.0.113.0/25 127.0.0.6 || fail "203.0.113.0/25 not back after the restart"
[ "$(api '/api/v1/alerts?state=resolved' | jpy 'd["count"]')" = 5 ] ||
	fail "resolved alerts lost in the restart"
[ "$(api '/api/v1/alerts' | jpy 'd["count"]')" = 1 ] || fail "the open alert did not survive the restart"
recv_start
wait_until 20 nreq_is $((BEFORE + 3)) || fail "after the outage: $(($(nreq) - BEFORE)) requests, wanted 3"
sleep 2
v=$(tail -n +"$((BEFORE + 1))" "$OUT" | python3 -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if l.strip()]
bs = [json.loads(r["body"]) for r in rs]
got = [(b["event"], b["alert"]["type"], b["alert"]["offender_as"]) for b in bs]
want = [("opened", "exact_prefix_hijack", 64668), ("resolved", "exact_prefix_hijack", 64668),
        ("opened", "sub_prefix_hijack", 64669)]
ok = got == want and all(r["sig_ok"] for r in rs)
print("ok" if ok else json.dumps(got))')
[ "$v" = ok ] || fail "after the outage: $v"
ok "receiver back: the 3 requests arrived in order, signed, the open alert not reopened"

# SIGHUP: 203.0.113.0/24 is no longer monitored, so its alert resolves
# (and nothing else happens).
n=$(grep -c 'monitor reloaded' "$T/bgplensd.log")
python3 - "$T/monitor.yaml" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
open(sys.argv[1], "w").write(re.sub(r"  - prefix: 203\.0\.113\.0/24\n(    .*\n)*", "", t))
EOF
kill -HUP "$DPID"
wait_until 10 _log_count_above 'monitor reloaded' "$n" || fail "monitor not reloaded"
log_has "monitor .*3 prefixes" || fail "the reload did not take the new file"
wait_until 15 nreq_is $((BEFORE + 4)) || fail "no resolution after the reload"
sleep 1
nreq_is $((BEFORE + 4)) || fail "the reload raised more than the resolution: $(summary)"
[ "$(tail -n 1 "$OUT" | python3 -c 'import json,sys; b=json.loads(json.load(sys.stdin)["body"]); print(b["event"], b["alert"]["offender_as"])')" = "resolved 64669" ] ||
	fail "the reload did not resolve the alert of AS64669"
ok "reload: a prefix no longer monitored has its alert resolved"
# A monitor file that does not load is reported, and the rules stay.
printf '  - prefix: 10.0.0.0/8\n    origins: [bogus]\n' >>"$T/monitor.yaml"
kill -HUP "$DPID"
wait_until 10 log_has 'monitor reload failed, keeping the running rules: .*monitor.yaml:[0-9]+:[0-9]+: ' ||
	fail "a broken monitor file was not reported with file:line:col"
exa_cmd bad "announce route 192.0.2.0/24 next-hop 192.0.2.6 as-path [65006 64998 64502]"
wait_until 15 nreq_is $((BEFORE + 5)) || fail "no alert after a failed reload"
exa_cmd bad "withdraw route 192.0.2.0/24 next-hop 192.0.2.6"
exa_cmd bad "withdraw route 203.0.113.0/25 next-hop 192.0.2.6"
wait_until 15 nreq_is $((BEFORE + 6)) || fail "no resolution after a failed reload"
ok "a broken monitor file on SIGHUP: $(grep 'monitor reload failed' "$T/bgplensd.log" | tail -n 1 | sed 's/.*rules: //'); the running rules kept"
v=$(summary | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("ok" if s["bad_signature"] == 0 and s["duplicates"] == 0 else json.dumps(s))')
[ "$v" = ok ] || fail "final check: $v"
ok "all $(nreq) requests signed; no duplicate"
v=$(python3 - "$OUT" "$TLS_OUT" <<'EOF'
import json, sys
def evs(f):
    rs = [json.loads(l) for l in open(f) if l.strip()]
    return [r["sig_ok"] for r in rs], [(json.loads(r["body"])["event"],
            json.loads(r["body"])["alert"]["id"]) for r in rs]
s1, e1 = evs(sys.argv[1])
s2, e2 = evs(sys.argv[2])
print("ok" if e1 == e2 and all(s2) else json.dumps([e1, e2, s2]))
EOF
)
[ "$v" = ok ] || fail "the HTTPS webhook: $v"
ok "the HTTPS webhook got the same $(grep -c . "$TLS_OUT") requests in the same order, signed with its own secret"
bgplensd_stop
