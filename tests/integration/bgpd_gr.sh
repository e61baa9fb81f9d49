#!/usr/bin/env bash
# Graceful restart (RFC 4724) as seen by bgplensd, with real speakers.
#
#   FRR (127.0.0.2), "bgp graceful-restart": killed with SIGKILL, its routes
#     stay, marked "stale":true in the API, until it is back and sends
#     End-of-RIB; then the ones it did not announce again are withdrawn and
#     the others are no longer stale.
#   ExaBGP (127.0.0.5), "graceful-restart 4": killed and not restarted, its
#     routes stay stale for its 4 s restart time, then go.
#   BIRD (127.0.0.3), only restart-aware (its capability lists no family):
#     killed, its routes go at once.
# GoBGP-free on purpose: it is the slowest to connect.  Exit 0 pass, 77
# skip, else fail.
. "$(dirname "$0")/lib.sh"

need_base
need "$FRR_BGPD" vtysh bird birdc exabgp

BGP_PORT=$(free_port) || fail "no free port"
bgplensd_start "$(cat <<EOF
  - address: 127.0.0.2
    remote_as: 65002
  - address: 127.0.0.3
    remote_as: 65003
  - address: 127.0.0.5
    remote_as: 65005
EOF
)"

frr_conf() { # the networks to announce, one per line
	cat <<EOF
frr defaults traditional
hostname frr
route-map V6NH permit 10
 set ipv6 next-hop global 2001:db8::2
router bgp 65002
 bgp router-id 127.0.0.2
 bgp graceful-restart
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.1 remote-as 65000
 neighbor 127.0.0.1 port $BGP_PORT
 neighbor 127.0.0.1 update-source 127.0.0.2
 neighbor 127.0.0.1 timers connect 2
 address-family ipv4 unicast
$(for n in $1; do echo "  network $n"; done)
 exit-address-family
 address-family ipv6 unicast
  neighbor 127.0.0.1 activate
  neighbor 127.0.0.1 route-map V6NH out
$(for n in $2; do echo "  network $n"; done)
 exit-address-family
!
EOF
}
frr_start frr "$(frr_conf "10.2.1.0/24 10.2.2.0/24" "2001:db8:2:1::/64 2001:db8:2:2::/64")"

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
  capability { graceful-restart 4; }
  api { processes [ cmds ]; }
}
EOF
)"

route_fresh() { [ "$(route_expr "$1" "$2" "bool(rs) and 'stale' not in rs[0]")" = true ]; }
for a in 127.0.0.2 127.0.0.3 127.0.0.5; do wait_peer "$a" Established 30; done
for pa in 10.2.1.0/24:127.0.0.2 10.2.2.0/24:127.0.0.2 2001:db8:2:1::/64:127.0.0.2 \
	2001:db8:2:2::/64:127.0.0.2 10.3.1.0/24:127.0.0.3 10.5.1.0/24:127.0.0.5 \
	2001:db8:5:1::/64:127.0.0.5; do
	wait_until 30 route_has "${pa%:*}" "${pa##*:}" || fail "${pa%:*} from ${pa##*:} never arrived"
	route_check "${pa%:*}" "${pa##*:}" "'stale' not in r" "fresh route marked stale"
done
case $(peer_get 127.0.0.2 'p["capabilities"]') in
*graceful-restart*) ;;
*) fail "FRR did not offer graceful restart: $(peer_get 127.0.0.2 'p["capabilities"]')" ;;
esac
ok "FRR, BIRD and ExaBGP established, routes in"

# --- BIRD: restart-aware only; its routes go with the session -----------------
kill_hard "$PID_bird"
wait_until 10 route_gone 10.3.1.0/24 127.0.0.3 ||
	fail "BIRD (no family in its GR capability) killed: its route stayed: $(route_expr 10.3.1.0/24 127.0.0.3 rs)"
ok "BIRD killed: its route withdrawn at once (its GR capability lists no family)"

# --- FRR: restart ---------------------------------------------------------------
kill_hard "$PID_frr"
wait_until 10 peer_is_not 127.0.0.2 Established || fail "FRR killed, session still Established"
t_kill=$(date +%s%3N)
for p in 10.2.1.0/24 10.2.2.0/24 2001:db8:2:1::/64 2001:db8:2:2::/64; do
	route_check "$p" 127.0.0.2 "r.get('stale') is True" "FRR down, route should be kept stale"
done
ok "FRR killed: its 4 routes kept, \"stale\":true"
# ExaBGP's routes are untouched by FRR's restart.
route_check 10.5.1.0/24 127.0.0.5 "'stale' not in r" "ExaBGP's route touched by FRR's restart"
sleep 2
for p in 10.2.1.0/24 2001:db8:2:2::/64; do
	route_check "$p" 127.0.0.2 "r.get('stale') is True" "FRR still down, route should still be stale"
done

# Back, without 10.2.2.0/24 and 2001:db8:2:2::/64.
frr_start frr "$(frr_conf "10.2.1.0/24" "2001:db8:2:1::/64")"
wait_peer 127.0.0.2 Established 30
wait_until 20 route_gone 10.2.2.0/24 127.0.0.2 || fail "FRR back: 10.2.2.0/24 (not announced again) still there after End-of-RIB"
wait_until 20 route_gone 2001:db8:2:2::/64 127.0.0.2 || fail "FRR back: 2001:db8:2:2::/64 (not announced again) still there"
for p in 10.2.1.0/24 2001:db8:2:1::/64; do
	wait_until 10 route_fresh "$p" 127.0.0.2
	route_check "$p" 127.0.0.2 "'stale' not in r" "FRR back: $p announced again, still stale"
done
log_has 'neighbor 127.0.0.2 AS65002: End-of-RIB ipv4-unicast, 1 stale routes withdrawn' ||
	fail "no End-of-RIB sweep logged for FRR's IPv4: $(grep End-of-RIB "$T/bgplensd.log")"
ok "FRR back after $((($(date +%s%3N) - t_kill) / 1000)) s: re-announced routes fresh, the others withdrawn at End-of-RIB"

# --- ExaBGP: gone for good; its restart time runs out ------------------------------
kill_hard "$PID_exabgp"
wait_until 10 peer_is_not 127.0.0.5 Established || fail "ExaBGP killed, session still Established"
t_kill=$(date +%s%3N)
route_check 10.5.1.0/24 127.0.0.5 "r.get('stale') is True" "ExaBGP down, route should be kept stale"
route_check 2001:db8:5:1::/64 127.0.0.5 "r.get('stale') is True" "ExaBGP down, IPv6 route should be kept stale"
wait_until 15 route_gone 10.5.1.0/24 127.0.0.5 || fail "ExaBGP's restart time (4 s) over, its routes stayed"
t_gone=$(date +%s%3N)
route_gone 2001:db8:5:1::/64 127.0.0.5 || fail "ExaBGP's restart time over, its IPv6 route stayed"
[ $((t_gone - t_kill)) -ge 3000 ] || fail "ExaBGP's routes went after $((t_gone - t_kill)) ms, before its 4 s restart time"
ok "ExaBGP killed: routes stale for $((t_gone - t_kill)) ms (restart time 4 s), then withdrawn"

route_has 10.2.1.0/24 127.0.0.2 || fail "FRR's route lost"
bgplensd_stop
say "pass"
