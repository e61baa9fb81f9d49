#!/usr/bin/env bash
# Configuration: bgplensd --check, and SIGHUP reloads with live sessions.
#
#   --check: a good file passes; each broken one fails naming FILE:LINE:COL
#   (a misspelt key, a bad address, a bad hold time, a peer listed twice,
#   a YAML syntax error, a bad max_prefix_action).
#   Sessions: FRR (127.0.0.2), BIRD (127.0.0.3), ExaBGP (127.0.0.5) up; a
#   raw speaker (127.0.0.6) not configured is refused, with a log line.
#   One SIGHUP then:
#     adds 127.0.0.6            -> it gets in and its route is taken
#     removes 127.0.0.5         -> Cease/Peer De-configured, its routes
#                                  withdrawn, it leaves the peer list, and
#                                  its reconnections are refused
#     changes 127.0.0.2's hold  -> Cease/Other Configuration Change, back
#                                  with the new hold time
#     changes 127.0.0.3's description only -> nothing else: its session's
#                                  Established time and uptime continue
#   A SIGHUP with a broken file keeps everything as it was.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/lib.sh"

need_base
need "$FRR_BGPD" vtysh bird birdc exabgp
RAW=$REPO/tests/integration/rawbgp.py

# --- bgplensd --check ------------------------------------------------------------------
check_bad() { # DESC EXPECTED-REGEX (after FILE:) YAML
	local f=$T/bad.yaml out rc
	printf '%s\n' "$3" >"$f"
	out=$("$BGPLENSD" --check -c "$f" 2>&1)
	rc=$?
	[ "$rc" != 0 ] || fail "--check accepted $1"
	printf '%s\n' "$out" | grep -Eq "^bgplensd: $f:$2" ||
		fail "--check, $1: '$out' does not match '$f:$2'"
	ok "--check: $1 -> ${out#bgplensd: }"
}
check_bad "a misspelt key" '6:5: peer: unknown key "pasword"' 'local_as: 65000
peers:
  - address: 127.0.0.2
    remote_as: 65002
    description: x
    pasword: secret'
check_bad "a bad address" '3:14: address: "127.0.0.300" is not an IPv4 or IPv6 address' 'local_as: 65000
peers:
  - address: 127.0.0.300
    remote_as: 65002'
check_bad "hold_time 2" '4:16: hold_time: 0 or at least 3' 'peers:
  - address: 127.0.0.2
    remote_as: 65002
    hold_time: 2'
check_bad "a peer listed twice" '4:5: peer 127.0.0.2 is listed twice' 'peers:
  - address: 127.0.0.2
    remote_as: 65002
  - address: 127.0.0.2
    remote_as: 65003'
check_bad "a YAML syntax error" '3:[0-9]+: ' 'peers:
  - address: 127.0.0.2
   remote_as: [65002'
check_bad "a bad max_prefix_action" '5:24: max_prefix_action: "drop" is not warn, shutdown or restart' 'peers:
  - address: 127.0.0.2
    remote_as: 65002
    max_prefix: 10
    max_prefix_action: drop'
check_bad "an unknown top-level key" '2:1: unknown key "bgp_prot"' 'local_as: 65000
bgp_prot: 1179'
check_bad "a missing remote_as" '2:5: peer: address and remote_as are required' 'peers:
  - address: 127.0.0.2
    description: x'

BGP_PORT=$(free_port) || fail "no free port"
HTTP_PORT=$(free_port) || fail "no free port"
bgplensd_conf "  - address: 127.0.0.2
    remote_as: 65002"
out=$("$BGPLENSD" --check -c "$T/bgplensd.yaml" 2>&1) || fail "--check refused a good file: $out"
[ "$out" = "configuration OK: $T/bgplensd.yaml" ] || fail "--check said '$out'"
ok "--check: a good file passes"

# --- sessions --------------------------------------------------------------------------
PEERS_A=$(cat <<EOF
  - address: 127.0.0.2
    remote_as: 65002
    hold_time: 90
    description: frr
  - address: 127.0.0.3
    remote_as: 65003
    description: bird
  - address: 127.0.0.5
    remote_as: 65005
    description: exabgp
EOF
)
PEERS_B=$(cat <<EOF
  - address: 127.0.0.2
    remote_as: 65002
    hold_time: 60
    description: frr
  - address: 127.0.0.3
    remote_as: 65003
    description: bird, renamed
  - address: 127.0.0.6
    remote_as: 65006
    description: raw
EOF
)
bgplensd_start "$PEERS_A"

frr_start frr "$(cat <<EOF
frr defaults traditional
hostname frr
router bgp 65002
 bgp router-id 127.0.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.1 remote-as 65000
 neighbor 127.0.0.1 port $BGP_PORT
 neighbor 127.0.0.1 update-source 127.0.0.2
 neighbor 127.0.0.1 timers connect 2
 address-family ipv4 unicast
  network 10.2.1.0/24
 exit-address-family
!
EOF
)"
bird_start bird "$(cat <<EOF
router id 127.0.0.3;
log stderr all;
protocol device {}
ipv4 table t4;
protocol static s4 { ipv4 { table t4; }; route 10.3.1.0/24 blackhole; }
protocol bgp collector {
  local 127.0.0.3 port $(free_port) as 65003; strict bind;
  neighbor 127.0.0.1 port $BGP_PORT as 65000;
  multihop; connect retry time 2; connect delay time 1;
  ipv4 { table t4; import none; export all; next hop address 192.0.2.3; };
}
EOF
)"
exa_cmd exabgp "announce route 10.5.1.0/24 next-hop 192.0.2.5"
exa_cmd exabgp "announce route 2001:db8:5:1::/64 next-hop 2001:db8::5"
exa_start exabgp "$(cat <<EOF
neighbor 127.0.0.1 {
  router-id 127.0.0.5;
  local-address 127.0.0.5;
  local-as 65005;
  peer-as 65000;
  connect $BGP_PORT;
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ cmds ]; }
}
EOF
)"
mkdir -p "$T/raw"
printf 'update 0000001b400101004002060201%08x400304c00002068004040000000718%s\n' 65006 0a0601 >"$T/raw/cmds"
python3 "$RAW" --local 127.0.0.6 --port "$BGP_PORT" --asn 65006 \
	--cmds "$T/raw/cmds" --log "$T/raw/log" --lifetime 150 --max-sessions 100 &
track $!

for a in 127.0.0.2 127.0.0.3 127.0.0.5; do wait_peer "$a" Established 30; done
wait_until 20 route_has 10.2.1.0/24 127.0.0.2 || fail "FRR's route never arrived"
wait_until 20 route_has 10.3.1.0/24 127.0.0.3 || fail "BIRD's route never arrived"
wait_until 20 route_has 10.5.1.0/24 127.0.0.5 || fail "ExaBGP's route never arrived"
wait_until 10 route_has 2001:db8:5:1::/64 127.0.0.5 || fail "ExaBGP's IPv6 route never arrived"
wait_until 10 log_has 'refused connection from 127.0.0.6: not a configured neighbor' ||
	fail "the unconfigured 127.0.0.6 was not refused with a log line"
[ "$(peer_get 127.0.0.6 p)" = none ] || fail "the unconfigured 127.0.0.6 is in the peer list"
[ "$(peer_get 127.0.0.2 'p["hold_time"]')" = 90 ] || fail "FRR's hold time $(peer_get 127.0.0.2 'p["hold_time"]'), want 90"
ok "FRR, BIRD, ExaBGP established; 127.0.0.6 (not configured) refused, logged"

# A broken file: refused, nothing moves.
BIRD_SINCE=$(peer_get 127.0.0.3 'p["state_since"]')
FRR_SINCE=$(peer_get 127.0.0.2 'p["state_since"]')
printf 'peers:\n  - address: 127.0.0.2\n    remote_az: 1\n' >"$T/bgplensd.yaml"
kill -HUP "$DPID"
wait_until 10 log_has 'reload failed, keeping the running configuration: .*bgplensd.yaml:3:5: peer: unknown key "remote_az"' ||
	fail "a broken file at SIGHUP: no 'reload failed' line naming file:line:column"
sleep 1
for a in 127.0.0.2 127.0.0.3 127.0.0.5; do peer_is "$a" Established || fail "a failed reload dropped $a"; done
[ "$(peer_get 127.0.0.3 'p["state_since"]')" = "$BIRD_SINCE" ] || fail "a failed reload reset BIRD"
ok "SIGHUP with a broken file: logged with file:line:column, nothing touched"

sleep 2 # so that an uptime that restarted would show
UP0=$(peer_get 127.0.0.3 'p["uptime"]')
bgplensd_reload "$PEERS_B"
log_has 'configuration reloaded: 1 peers added, 1 removed, 1 reset for changed settings' ||
	fail "reload summary: $(grep 'configuration reloaded' "$T/bgplensd.log" | tail -n 1)"

# removed
wait_until 10 route_gone 10.5.1.0/24 127.0.0.5 || fail "removed peer: its IPv4 route stayed"
route_gone 2001:db8:5:1::/64 127.0.0.5 || fail "removed peer: its IPv6 route stayed"
[ "$(peer_get 127.0.0.5 p)" = none ] || fail "removed peer still listed: $(peer_get 127.0.0.5 'p["state"]')"
log_has 'neighbor 127.0.0.5 AS65005: sent NOTIFICATION Cease/Peer De-configured' ||
	fail "removed peer: no Cease/Peer De-configured"
# It was configured until now: any refusal of it is from after the reload.
wait_until 20 log_has 'refused connection from 127.0.0.5: not a configured neighbor' ||
	fail "removed peer: its reconnection not refused with a log line"
ok "removed 127.0.0.5: Cease/Peer De-configured, routes withdrawn, gone from the list, reconnection refused"

# added
wait_peer 127.0.0.6 Established 20
wait_until 10 route_has 10.6.1.0/24 127.0.0.6 || fail "added peer: its route was not taken"
route_check 10.6.1.0/24 127.0.0.6 "r['med'] == 7" "added peer's route"
ok "added 127.0.0.6: Established, its route in"

# changed
log_has 'neighbor 127.0.0.2 AS65002: sent NOTIFICATION Cease/Other Configuration Change' ||
	fail "changed peer: no Cease/Other Configuration Change"
wait_peer 127.0.0.2 Established 30
[ "$(peer_get 127.0.0.2 'p["hold_time"]')" = 60 ] || fail "changed peer: hold time $(peer_get 127.0.0.2 'p["hold_time"]'), want 60"
[ "$(peer_get 127.0.0.2 'p["state_since"]')" != "$FRR_SINCE" ] || fail "changed peer: the session was not reset"
wait_until 10 route_has 10.2.1.0/24 127.0.0.2 || fail "changed peer: its route is not back"
ok "changed 127.0.0.2 (hold time): reset, back with hold time 60"

# untouched
peer_is 127.0.0.3 Established || fail "untouched peer: not Established"
[ "$(peer_get 127.0.0.3 'p["state_since"]')" = "$BIRD_SINCE" ] || fail "untouched peer: its session was reset"
[ "$(peer_get 127.0.0.3 'p["counters"]["flaps"]')" = 0 ] || fail "untouched peer: flapped"
UP1=$(peer_get 127.0.0.3 'p["uptime"]')
[ "$UP1" -gt "$UP0" ] || fail "untouched peer: uptime $UP0 -> $UP1"
[ "$(peer_get 127.0.0.3 'p["description"]')" = "bird, renamed" ] || fail "untouched peer: description not updated"
route_has 10.3.1.0/24 127.0.0.3 || fail "untouched peer: route gone"
ok "untouched 127.0.0.3: same session (uptime ${UP0}s -> ${UP1}s), new description"

printf 'quit\n' >>"$T/raw/cmds"
bgplensd_stop
say "pass"
