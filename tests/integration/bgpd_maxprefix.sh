#!/usr/bin/env bash
# max_prefix and its three actions, with three ExaBGP speakers sending 5
# prefixes each (3 IPv4, 2 IPv6) to a limit of 3:
#   127.0.0.2 warn      the session stays, all 5 routes kept, max_prefix_hits 1
#   127.0.0.3 shutdown  NOTIFICATION Cease/Maximum Number of Prefixes Reached
#                       (RFC 4486, with AFI/SAFI and the limit), routes
#                       withdrawn, the peer stays Idle (its reconnections are
#                       refused, with a log line) until a SIGHUP reload
#   127.0.0.4 restart   the same Cease, then back after max_prefix_restart
#                       (5 s): Established again, over again, Cease again
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/lib.sh"

need_base
need exabgp

BGP_PORT=$(free_port) || fail "no free port"
peers() { # the limit of the shutdown peer
	cat <<EOF
  - address: 127.0.0.2
    remote_as: 65002
    max_prefix: 3
    max_prefix_action: warn
  - address: 127.0.0.3
    remote_as: 65003
    max_prefix: $1
    max_prefix_action: shutdown
  - address: 127.0.0.4
    remote_as: 65004
    max_prefix: 3
    max_prefix_action: restart
    max_prefix_restart: 5
EOF
}
bgplensd_start "$(peers 3)"

for n in 2 3 4; do
	for i in 1 2 3; do exa_cmd "exa$n" "announce route 10.$n.$i.0/24 next-hop 192.0.2.$n"; done
	for i in 1 2; do exa_cmd "exa$n" "announce route 2001:db8:$n:$i::/64 next-hop 2001:db8::$n"; done
	exa_start "exa$n" "$(cat <<EOF
neighbor 127.0.0.1 {
  router-id 127.0.0.$n;
  local-address 127.0.0.$n;
  local-as 6500$n;
  peer-as 65000;
  connect $BGP_PORT;
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ cmds ]; }
}
EOF
)"
done

counter() { peer_get "$1" "p['counters']['$2']"; }
counter_ge() { [ "$(counter "$1" "$2")" -ge "$3" ]; }
notify_sent() { peer_get "$1" 'p["last_notification_sent"]'; }
v4v6() { peer_get "$1" 'p.get("prefixes", {}).get("ipv4", 0) + p.get("prefixes", {}).get("ipv6", 0)'; }
v4v6_is() { [ "$(v4v6 "$1")" = "$2" ]; }

# --- warn --------------------------------------------------------------------------
wait_peer 127.0.0.2 Established 30
wait_until 20 v4v6_is 127.0.0.2 5 || fail "warn: $(v4v6 127.0.0.2) routes, want all 5 kept"
wait_until 5 counter_ge 127.0.0.2 max_prefix_hits 1 || fail "warn: max_prefix_hits did not move"
sleep 1
[ "$(counter 127.0.0.2 max_prefix_hits)" = 1 ] || fail "warn: max_prefix_hits $(counter 127.0.0.2 max_prefix_hits), want 1 (one crossing)"
peer_is 127.0.0.2 Established || fail "warn: the session went down"
[ "$(counter 127.0.0.2 flaps)" = 0 ] || fail "warn: the session flapped"
log_has 'neighbor 127.0.0.2 AS65002: 4 prefixes, over the maximum of 3 \(warn\)' || fail "warn: no log line"
ok "warn: over the limit, session up, 5 routes kept, max_prefix_hits 1"

# --- shutdown ------------------------------------------------------------------------
wait_until 30 counter_ge 127.0.0.3 max_prefix_hits 1 || fail "shutdown: never over the limit"
wait_until 10 peer_is 127.0.0.3 Idle || fail "shutdown: peer not Idle: $(peer_state 127.0.0.3)"
case $(notify_sent 127.0.0.3) in
*"Cease/Maximum Number of Prefixes Reached"*) ;;
*) fail "shutdown: NOTIFICATION sent: '$(notify_sent 127.0.0.3)'" ;;
esac
wait_until 5 v4v6_is 127.0.0.3 0 || fail "shutdown: $(v4v6 127.0.0.3) routes left"
end=$(($(date +%s) + 10))
while [ "$(date +%s)" -lt "$end" ]; do
	peer_is 127.0.0.3 Idle || fail "shutdown: the peer left Idle without a reload: $(peer_state 127.0.0.3)"
	sleep 0.5
done
log_has 'refused connection from 127.0.0.3: neighbor is held down' ||
	fail "shutdown: ExaBGP's reconnections were not refused with a log line"
ok "shutdown: Cease/Maximum Number of Prefixes, routes withdrawn, Idle for 10 s, reconnections refused"

# --- restart (it has been running alongside) ---------------------------------------------
wait_until 10 counter_ge 127.0.0.4 max_prefix_hits 1 || fail "restart: never over the limit"
wait_until 5 peer_is 127.0.0.4 Idle || wait_until 5 counter_ge 127.0.0.4 flaps 1 || fail "restart: not shut"
t1=$(date +%s%3N)
wait_until 30 counter_ge 127.0.0.4 max_prefix_hits 2 ||
	fail "restart: not back after max_prefix_restart (state $(peer_state 127.0.0.4), flaps $(counter 127.0.0.4 flaps))"
t2=$(date +%s%3N)
log_has 'neighbor 127.0.0.4 AS65004: max-prefix restart time over' || fail "restart: no log line for the restart"
# The first hold-down lasted at least the 5 s.
first=$(grep 'neighbor 127.0.0.4 AS65004: sent NOTIFICATION Cease/Maximum' "$T/bgplensd.log" | head -n 1 | cut -d' ' -f1)
again=$(grep 'neighbor 127.0.0.4 AS65004: max-prefix restart time over' "$T/bgplensd.log" | head -n 1 | cut -d' ' -f1)
held=$(($(date -d "$again" +%s%3N) - $(date -d "$first" +%s%3N)))
[ "$held" -ge 4900 ] && [ "$held" -le 8000 ] || fail "restart: held down for $held ms, want 5 s"
[ "$(counter 127.0.0.4 flaps)" -ge 2 ] || fail "restart: flaps $(counter 127.0.0.4 flaps), want it established and shut twice"
ok "restart: held down $held ms (max_prefix_restart 5), then Established again and over again ($((t2 - t1)) ms)"

# --- reload releases the shut peer ---------------------------------------------------------
peer_is 127.0.0.3 Idle || fail "shutdown: the peer left Idle"
bgplensd_reload "$(peers 10)"
wait_peer 127.0.0.3 Established 30
wait_until 10 v4v6_is 127.0.0.3 5 || fail "after the reload: $(v4v6 127.0.0.3) routes, want 5"
sleep 1
peer_is 127.0.0.3 Established || fail "after the reload with max_prefix 10: shut again"
peer_is 127.0.0.2 Established || fail "warn peer lost its session at the reload"
[ "$(counter 127.0.0.2 flaps)" = 0 ] || fail "warn peer flapped at the reload"
ok "SIGHUP (limit raised to 10): the shut peer is back and stays; the others untouched"

bgplensd_stop
say "pass"
