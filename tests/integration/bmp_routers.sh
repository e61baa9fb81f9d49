#!/usr/bin/env bash
# Real routers stream their BGP views to bgplensd over BMP, on loopback.
#
#   ExaBGP A (127.0.0.5, AS 65005) --BGP--> FRR bgpd -M bmp (127.0.0.2,
#       AS 65002), which waits for the station (bmp listener): bgplensd
#       dials it (bmp_connect), so its router address is 127.0.0.2.
#       FRR monitors IPv4 and IPv6 unicast, pre- and post-policy; its
#       inbound policy drops 10.5.9.0/24 and adds community 65002:1.
#   ExaBGP B (127.0.0.6, AS 65006) --BGP--> GoBGP (127.0.0.4, AS 65004),
#       whose [[bmp-servers]] (route-monitoring-policy "all") connects to
#       the station: pre-policy, post-policy and Loc-RIB (RFC 9069); its
#       router address is 127.0.0.1, where its connection comes from.
#
# Checked through GET /api/v1/routes: each route is there with a source
# whose table is adj-rib-in-pre / adj-rib-in-post / loc-rib, whose router
# is the router's address and whose peer is the ExaBGP behind it; the
# policy shows (the dropped prefix only pre-policy; the community added
# only post-policy); IPv6 arrives; a withdrawal propagates to every table; a
# BGP session going down (ExaBGP killed) becomes a Peer Down that takes
# the peer's routes away, and they come back with the session; GoBGP's
# own route is in its Loc-RIB only; and when a router's BMP session ends
# (GoBGP stopped) its routes go and the other router's stay.
# /api/v1/peers lists both routers with their monitored peers (state, AS,
# routes per table and family), and /api/v1/stream?type=RIS_PEER_STATE
# reports the Peer Down and Peer Up of ExaBGP A under FRR.
# Exit 0 pass, 77 skip (a router is missing), else fail.
. "$(dirname "$0")/lib.sh"

need_base
need "$FRR_BGPD" vtysh gobgpd gobgp exabgp
[ -f /usr/lib/x86_64-linux-gnu/frr/modules/bgpd_bmp.so ] ||
	ls /usr/lib/*/frr/modules/bgpd_bmp.so >/dev/null 2>&1 ||
	skip "FRR's BMP module (bgpd_bmp.so) is not installed"

FRR_BGP=$(free_port) || fail "no free port"
FRR_BMP=$(free_port) || fail "no free port"
GOBGP_BGP=$(free_port) || fail "no free port"
BMP_CONNECT="  - address: 127.0.0.2
    port: $FRR_BMP
    retry: 1"
. "$(dirname "$0")/lib_bmp.sh"
bgplensd_start

# --- FRR, with ExaBGP A behind it ---------------------------------------------
d=$T/frr
mkdir -p "$d"
cat >"$d/bgpd.conf" <<EOF
frr defaults traditional
hostname frr-bmp
log file $d/bgpd.log
!
ip prefix-list DROP seq 5 permit 10.5.9.0/24
route-map IN deny 10
 match ip address prefix-list DROP
route-map IN permit 20
 set community 65002:1 additive
!
router bgp 65002
 bgp router-id 127.0.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.5 remote-as 65005
 neighbor 127.0.0.5 passive
 neighbor 127.0.0.5 timers 3 9
 address-family ipv4 unicast
  neighbor 127.0.0.5 soft-reconfiguration inbound
  neighbor 127.0.0.5 route-map IN in
 exit-address-family
 address-family ipv6 unicast
  neighbor 127.0.0.5 activate
  neighbor 127.0.0.5 soft-reconfiguration inbound
  neighbor 127.0.0.5 route-map IN in
 exit-address-family
 !
 bmp targets station
  bmp listener 127.0.0.2 port $FRR_BMP
  bmp monitor ipv4 unicast pre-policy
  bmp monitor ipv4 unicast post-policy
  bmp monitor ipv6 unicast pre-policy
  bmp monitor ipv6 unicast post-policy
  bmp stats interval 1000
 exit
!
EOF
"$FRR_BGPD" -M bmp -f "$d/bgpd.conf" -i "$d/bgpd.pid" -z "$d/zserv.api" \
	--vty_socket "$d" -Z -n -S -p "$FRR_BGP" -l 127.0.0.2 \
	>"$d/stdout.log" 2>&1 &
PID_frr=$!
track "$PID_frr"

exa_neighbor() { # ROUTER_ADDR PORT LOCAL_ADDR LOCAL_AS PEER_AS
	cat <<EOF
neighbor $1 {
  router-id $3;
  local-address $3;
  local-as $4;
  peer-as $5;
  connect $2;
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ cmds ]; }
}
EOF
}
exa_cmd exaA "announce route 10.5.1.0/24 next-hop 192.0.2.5 med 105 community [65005:100]"
exa_cmd exaA "announce route 10.5.2.0/24 next-hop 192.0.2.5"
exa_cmd exaA "announce route 10.5.9.0/24 next-hop 192.0.2.5"
exa_cmd exaA "announce route 2001:db8:5:1::/64 next-hop 2001:db8::5"
exa_start exaA "$(exa_neighbor 127.0.0.2 "$FRR_BGP" 127.0.0.5 65005 65002)"

# --- GoBGP, with ExaBGP B behind it ---------------------------------------------
gobgp_start gobgp "$(cat <<EOF
[global.config]
  as = 65004
  router-id = "127.0.0.4"
  port = $GOBGP_BGP
  local-address-list = ["127.0.0.4"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.6"
    peer-as = 65006
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = $BMP_PORT
    route-monitoring-policy = "all"
    statistics-timeout = 15
EOF
)"
# GoBGP's own route: Loc-RIB only, with an empty AS path (GoBGP leaves
# the attribute out; the station keeps the route).
gobgp_cmd gobgp global rib add -a ipv4 10.4.7.0/24 nexthop 192.0.2.4 >/dev/null ||
	fail "gobgp global rib add"
exa_cmd exaB "announce route 10.6.1.0/24 next-hop 192.0.2.6 med 106 community [65006:100]"
exa_cmd exaB "announce route 10.6.2.0/24 next-hop 192.0.2.6"
exa_cmd exaB "announce route 2001:db8:6:1::/64 next-hop 2001:db8::6"
exa_start exaB "$(exa_neighbor 127.0.0.4 "$GOBGP_BGP" 127.0.0.6 65006 65004)"

# --- sessions ---------------------------------------------------------------------
wait_until 60 log_has 'BMP router 127.0.0.2 port [0-9]+: connected' ||
	fail "bgplensd never reached FRR's BMP listener (127.0.0.2:$FRR_BMP): $(tail -5 "$d/bgpd.log" 2>/dev/null)"
ok "bgplensd dialled FRR's BMP listener"
wait_until 60 log_has 'BMP router 127.0.0.1 port [0-9]+: connected' ||
	fail "GoBGP never connected to the station: $(tail -5 "$T/gobgp/gobgpd.log")"
ok "GoBGP connected to the station"
curl -sN --max-time 170 "http://127.0.0.1:$HTTP_PORT/api/v1/stream?type=RIS_PEER_STATE" \
	>"$T/states.sse" 2>/dev/null &
track $!

# want PREFIX TABLE ROUTER PEER: the route shows up (60 s).
want() {
	wait_until 60 route_src_has "$1" "$2" "$3" "$4" ||
		fail "$1: no $2 route from peer $4 under router $3: $(routes_json "$1")"
}
gone() {
	wait_until 30 route_src_gone "$1" "$2" "$3" "$4" ||
		fail "$1: $2 route from peer $4 under router $3 still there: $(routes_json "$1")"
}

for p in 10.5.1.0/24 10.5.2.0/24 2001:db8:5:1::/64; do
	want "$p" adj-rib-in-pre 127.0.0.2 127.0.0.5
	want "$p" adj-rib-in-post 127.0.0.2 127.0.0.5
done
ok "FRR: 10.5.1.0/24, 10.5.2.0/24, 2001:db8:5:1::/64 pre- and post-policy, router 127.0.0.2, peer 127.0.0.5"
# /api/v1/peers: the routers, their peers, routes per table and family.
bmp_peer() { # ROUTER PEER EXPR: EXPR over the monitored peer p
	api /api/v1/peers | python3 -c '
import json, sys
d = json.load(sys.stdin)
ps = [p for r in d["bmp_routers"] if r["address"] == sys.argv[1]
      for p in r["peers"] if p["address"] == sys.argv[2]]
print(json.dumps(eval(sys.argv[3], {"p": ps[0]})) if ps else "none")' "$1" "$2" "$3"
}
[ "$(bmp_peer 127.0.0.2 127.0.0.5 '[p["state"], p["remote_as"]]')" = '["up", 65005]' ] ||
	fail "/api/v1/peers: FRR's peer 127.0.0.5: $(api /api/v1/peers | jpy 'd["bmp_routers"]')"
# Pre-policy may have 10.5.9.0/24 too (see below).
t=$(bmp_peer 127.0.0.2 127.0.0.5 '{t["table"]: t["prefixes"] for t in p["tables"]}')
case $t in
'{"adj-rib-in-pre": {"ipv4": '[23]', "ipv6": 1}, "adj-rib-in-post": {"ipv4": 2, "ipv6": 1}}') ;;
*) false ;;
esac ||
	fail "/api/v1/peers: FRR's peer 127.0.0.5 tables $t"
bmp_peer_up() { [ "$(bmp_peer "$1" "$2" 'p["state"]')" = '"up"' ]; }
wait_until 30 bmp_peer_up 127.0.0.1 127.0.0.6 ||
	fail "/api/v1/peers: GoBGP's peer 127.0.0.6 not up: $(api /api/v1/peers | jpy 'd["bmp_routers"]')"
[ "$(api /api/v1/peers | jpy 'sorted(r["address"] for r in d["bmp_routers"] if r["connected"])')" = '["127.0.0.1", "127.0.0.2"]' ] ||
	fail "/api/v1/peers: connected routers $(api /api/v1/peers | jpy '[r["address"] for r in d["bmp_routers"]]')"
ok "/api/v1/peers lists both BMP routers, their peers up, routes per table and family"
# FRR 8.4 sends a route its inbound policy drops pre-policy in some runs
# only (it depends on whether its BMP session came up before or after
# the route arrived), so its presence pre-policy is reported, not
# required; it must never be post-policy.
if wait_until 15 route_src_has 10.5.9.0/24 adj-rib-in-pre 127.0.0.2 127.0.0.5; then
	say "FRR sent 10.5.9.0/24 pre-policy"
else
	say "FRR did not send 10.5.9.0/24 pre-policy in this run"
fi
route_src_gone 10.5.9.0/24 adj-rib-in-post 127.0.0.2 127.0.0.5 ||
	fail "10.5.9.0/24 is dropped by FRR's policy, yet post-policy: $(routes_json 10.5.9.0/24)"
ok "FRR: 10.5.9.0/24 never post-policy (its inbound policy drops it)"
c_pre=$(route_src 10.5.1.0/24 adj-rib-in-pre 127.0.0.2 'rs[0]["communities"]')
c_post=$(route_src 10.5.1.0/24 adj-rib-in-post 127.0.0.2 'rs[0]["communities"]')
med=$(route_src 10.5.1.0/24 adj-rib-in-pre 127.0.0.2 'rs[0].get("med")')
[ "$c_pre" = '["65005:100"]' ] && [ "$c_post" = '["65002:1", "65005:100"]' ] ||
	fail "communities of 10.5.1.0/24: pre-policy $c_pre, post-policy $c_post"
[ "$med" = 105 ] || fail "10.5.1.0/24 pre-policy: MED $med, want 105"
ok "FRR: community 65002:1 post-policy only, MED 105 and 65005:100 in both"

for p in 10.6.1.0/24 10.6.2.0/24 2001:db8:6:1::/64; do
	want "$p" adj-rib-in-pre 127.0.0.1 127.0.0.6
	want "$p" adj-rib-in-post 127.0.0.1 127.0.0.6
	want "$p" loc-rib 127.0.0.1 0.0.0.0
done
ok "GoBGP: 10.6.1.0/24, 10.6.2.0/24, 2001:db8:6:1::/64 in adj-rib-in-pre, adj-rib-in-post and loc-rib, router 127.0.0.1"
path=$(route_src 10.6.1.0/24 loc-rib 127.0.0.1 'rs[0]["as_path"]')
[ "$path" = 65006 ] || fail "10.6.1.0/24 Loc-RIB AS path \"$path\", want 65006"
ok "GoBGP: Loc-RIB AS path 65006"
want 10.4.7.0/24 loc-rib 127.0.0.1 0.0.0.0
path=$(route_src 10.4.7.0/24 loc-rib 127.0.0.1 'rs[0]["as_path"]')
[ -z "$path" ] || fail "10.4.7.0/24 Loc-RIB AS path \"$path\", want empty"
route_src_gone 10.4.7.0/24 adj-rib-in-pre 127.0.0.1 ||
	fail "GoBGP's own 10.4.7.0/24 in an Adj-RIB-In: $(routes_json 10.4.7.0/24)"
ok "GoBGP: its own 10.4.7.0/24 in loc-rib only, empty AS path"


# --- withdrawals ---------------------------------------------------------------------
exa_cmd exaA "withdraw route 10.5.2.0/24 next-hop 192.0.2.5"
exa_cmd exaB "withdraw route 10.6.2.0/24 next-hop 192.0.2.6"
gone 10.5.2.0/24 adj-rib-in-pre 127.0.0.2 127.0.0.5
gone 10.5.2.0/24 adj-rib-in-post 127.0.0.2 127.0.0.5
gone 10.6.2.0/24 adj-rib-in-pre 127.0.0.1 127.0.0.6
gone 10.6.2.0/24 adj-rib-in-post 127.0.0.1 127.0.0.6
gone 10.6.2.0/24 loc-rib 127.0.0.1 0.0.0.0
route_src_has 10.5.1.0/24 adj-rib-in-pre 127.0.0.2 127.0.0.5 ||
	fail "10.5.1.0/24 went with 10.5.2.0/24"
ok "withdrawals reach every table (FRR pre/post, GoBGP pre/post/Loc-RIB)"

# --- peer down, peer up again -----------------------------------------------------
kill_hard "$PID_exaA"
gone 10.5.1.0/24 adj-rib-in-pre 127.0.0.2 127.0.0.5
gone 10.5.1.0/24 adj-rib-in-post 127.0.0.2 127.0.0.5
gone 2001:db8:5:1::/64 adj-rib-in-pre 127.0.0.2 127.0.0.5
ok "ExaBGP A gone: FRR's Peer Down removed 127.0.0.5's routes"
kill_hard "$PID_exaB"
gone 10.6.1.0/24 adj-rib-in-pre 127.0.0.1 127.0.0.6
gone 10.6.1.0/24 loc-rib 127.0.0.1 0.0.0.0
ok "ExaBGP B gone: GoBGP's Peer Down and Loc-RIB withdrawals removed its routes"
exa_start exaA "$(exa_neighbor 127.0.0.2 "$FRR_BGP" 127.0.0.5 65005 65002)"
want 10.5.1.0/24 adj-rib-in-pre 127.0.0.2 127.0.0.5
want 10.5.1.0/24 adj-rib-in-post 127.0.0.2 127.0.0.5
ok "ExaBGP A back: its routes are back under FRR"
[ "$(bmp_peer 127.0.0.2 127.0.0.5 '[p["state"], p["counters"]["peer_downs"] >= 1]')" = '["up", true]' ] ||
	fail "/api/v1/peers: FRR's peer 127.0.0.5 after its restart: $(bmp_peer 127.0.0.2 127.0.0.5 p)"
# The stream: FRR's Peer Down of 127.0.0.5, then its Peer Up.
states() {
	sed -n 's/^data: //p' "$T/states.sse" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)["data"]
    if d.get("router") == "127.0.0.2" and d["peer"] == "127.0.0.5":
        print(d["state"])' | tr '\n' ' '
}
wait_until 10 grep -q 'connected *$' <(states) || true
case "$(states)" in
*"down connected "*) ;;
*) fail "stream: FRR's 127.0.0.5 states \"$(states)\", want a down then connected" ;;
esac
ok "RIS_PEER_STATE stream: FRR's Peer Down and Peer Up of 127.0.0.5"
grep -q 'malformed\|framing error' "$T/bgplensd.log" &&
	fail "a BMP session was closed as malformed: $(grep 'malformed\|framing' "$T/bgplensd.log" | head -2)"

# --- the BMP session ends -------------------------------------------------------
stop_proc "$PID_gobgp"
wait_until 30 log_has 'BMP router 127.0.0.1 port [0-9]+: session closed' ||
	fail "GoBGP's BMP session end was not seen"
gone 10.4.7.0/24 loc-rib 127.0.0.1 0.0.0.0
route_src_has 10.5.1.0/24 adj-rib-in-pre 127.0.0.2 127.0.0.5 ||
	fail "FRR's routes went with GoBGP's session"
ok "GoBGP stopped: its BMP session ended, its Loc-RIB went, FRR's stayed"
bgplensd_stop
