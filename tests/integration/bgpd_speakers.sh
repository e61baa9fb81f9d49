#!/usr/bin/env bash
# bgplensd against four real BGP speakers, on loopback.
#
# FRR bgpd (no zebra, 127.0.0.2), BIRD 2 (127.0.0.3), GoBGP (127.0.0.4) and
# ExaBGP (127.0.0.5) each open a session to bgplensd and announce, per
# speaker N:
#   10.N.1.0/24 and 2001:db8:N:1::/64  with MED 10N, community 6500N:100 and
#                                       large community 6500N:1:2
#   10.N.2.0/24 and 2001:db8:N:2::/64  plain, withdrawn later
# The looking glass must show every route with its attributes (IPv6 over the
# IPv4 sessions, via MP_REACH), and nothing once withdrawn.  ADD-PATH: a
# second BIRD over ::1 (IPv6 transport) with "add paths tx" and GoBGP with
# send-max each send two paths for one prefix: both must be kept, with
# distinct path ids.  Prints the time each speaker took to reach
# Established.  Exit 0 pass, 77 skip (a speaker is missing), else fail.
. "$(dirname "$0")/lib.sh"

need_base
need "$FRR_BGPD" vtysh bird birdc gobgpd gobgp exabgp

BGP_PORT=$(free_port) || fail "no free port"
BIRD7_PORT=$(free_port) || fail "no free port"
bgplensd_start "$(cat <<EOF
  - address: 127.0.0.2
    remote_as: 65002
    description: frr
  - address: 127.0.0.3
    remote_as: 65003
    description: bird
  - address: 127.0.0.4
    remote_as: 65004
    description: gobgp
  - address: 127.0.0.5
    remote_as: 65005
    description: exabgp
  - address: "::1"
    remote_as: 65006
    description: bird-addpath
    hold_time: 30
  - address: 127.0.0.7
    remote_as: 65007
    description: bird-passive
    passive: false
    port: $BIRD7_PORT
    connect_retry: 2
    local_address: 127.0.0.1
EOF
)"

# --- the speakers ------------------------------------------------------------
declare -A START
START[127.0.0.2]=$(date +%s%3N)
frr_start frr "$(cat <<EOF
frr defaults traditional
hostname frr
!
route-map ATTR permit 10
 set metric 102
 set community 65002:100
 set large-community 65002:1:2
!
route-map V6NH permit 10
 set ipv6 next-hop global 2001:db8::2
!
router bgp 65002
 bgp router-id 127.0.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.1 remote-as 65000
 neighbor 127.0.0.1 port $BGP_PORT
 neighbor 127.0.0.1 update-source 127.0.0.2
 neighbor 127.0.0.1 timers connect 2
 address-family ipv4 unicast
  network 10.2.1.0/24 route-map ATTR
  network 10.2.2.0/24
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:2:1::/64 route-map ATTR
  network 2001:db8:2:2::/64
  neighbor 127.0.0.1 activate
  neighbor 127.0.0.1 route-map V6NH out
 exit-address-family
!
EOF
)"

bird_static() { # NAME AS: the static routes of speaker N, as BIRD protocols
	local n=$1
	cat <<EOF
protocol static s4 { ipv4 { table t4; };
  route 10.$n.1.0/24 blackhole { bgp_med = 10$n; bgp_community.add((6500$n,100)); bgp_large_community.add((6500$n,1,2)); };
}
protocol static s4w { ipv4 { table t4; }; route 10.$n.2.0/24 blackhole; }
protocol static s6 { ipv6 { table t6; };
  route 2001:db8:$n:1::/64 blackhole { bgp_med = 10$n; bgp_community.add((6500$n,100)); bgp_large_community.add((6500$n,1,2)); };
}
protocol static s6w { ipv6 { table t6; }; route 2001:db8:$n:2::/64 blackhole; }
EOF
}
# BIRD zeroes MED towards eBGP unless the export filter keeps it.
KEEPMED='filter { if defined(bgp_med) then bgp_med = bgp_med; accept; }'
START[127.0.0.3]=$(date +%s%3N)
bird_start bird "$(cat <<EOF
router id 127.0.0.3;
log stderr all;
protocol device {}
ipv4 table t4; ipv6 table t6;
$(bird_static 3)
protocol bgp collector {
  local 127.0.0.3 port $(free_port) as 65003; strict bind; neighbor 127.0.0.1 port $BGP_PORT as 65000;
  multihop; connect retry time 2; connect delay time 1;
  ipv4 { table t4; import none; export $KEEPMED; next hop address 192.0.2.3; };
  ipv6 { table t6; import none; export $KEEPMED; next hop address 2001:db8::3; };
}
EOF
)"

START[127.0.0.4]=$(date +%s%3N)
gobgp_start gobgp "$(gobgp_peer_toml 65004 127.0.0.4 2; cat <<EOF
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
EOF
)"
gobgp_cmd gobgp global rib add -a ipv4 10.4.1.0/24 nexthop 192.0.2.4 origin igp med 104 \
	community 65004:100 large-community 65004:1:2 >/dev/null || fail "gobgp rib add"
gobgp_cmd gobgp global rib add -a ipv4 10.4.2.0/24 nexthop 192.0.2.4 >/dev/null || fail "gobgp rib add"
gobgp_cmd gobgp global rib add -a ipv6 2001:db8:4:1::/64 nexthop 2001:db8::4 origin igp med 104 \
	community 65004:100 large-community 65004:1:2 >/dev/null || fail "gobgp rib add"
gobgp_cmd gobgp global rib add -a ipv6 2001:db8:4:2::/64 nexthop 2001:db8::4 >/dev/null || fail "gobgp rib add"
# Two paths for one prefix, told apart by their ADD-PATH identifier.
gobgp_cmd gobgp global rib add -a ipv4 10.4.3.0/24 identifier 11 nexthop 192.0.2.41 \
	med 1 >/dev/null || fail "gobgp rib add (path 11)"
gobgp_cmd gobgp global rib add -a ipv4 10.4.3.0/24 identifier 12 nexthop 192.0.2.42 \
	med 2 >/dev/null || fail "gobgp rib add (path 12)"

START[127.0.0.5]=$(date +%s%3N)
exa_cmd exabgp "announce route 10.5.1.0/24 next-hop 192.0.2.5 med 105 community [65005:100] large-community [65005:1:2]"
exa_cmd exabgp "announce route 10.5.2.0/24 next-hop 192.0.2.5"
exa_cmd exabgp "announce route 2001:db8:5:1::/64 next-hop 2001:db8::5 med 105 community [65005:100] large-community [65005:1:2]"
exa_cmd exabgp "announce route 2001:db8:5:2::/64 next-hop 2001:db8::5"
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

# BIRD over IPv6 transport, ADD-PATH send: two static protocols give two
# routes for 10.6.3.0/24 in its table, and it sends both.
START[::1]=$(date +%s%3N)
bird_start birdap "$(cat <<EOF
router id 127.0.0.6;
log stderr all;
protocol device {}
ipv4 table t4;
protocol static a1 { ipv4 { table t4; }; route 10.6.3.0/24 blackhole { bgp_med = 1; }; }
protocol static a2 { ipv4 { table t4; }; route 10.6.3.0/24 blackhole { bgp_med = 2; }; }
protocol static a3 { ipv4 { table t4; }; route 10.6.3.0/24 blackhole { bgp_med = 3; }; }
protocol bgp collector6 {
  local ::1 port $(free_port) as 65006; strict bind; neighbor ::1 port $BGP_PORT as 65000;
  multihop; connect retry time 2; connect delay time 1;
  ipv4 { table t4; import none; export $KEEPMED; add paths tx; next hop address 192.0.2.6; };
}
EOF
)"

# A passive BIRD: bgplensd connects to it (passive: false).
START[127.0.0.7]=$(date +%s%3N)
bird_start birdpas "$(cat <<EOF
router id 127.0.0.7;
log stderr all;
protocol device {}
ipv4 table t4;
protocol static s4 { ipv4 { table t4; }; route 10.7.1.0/24 blackhole; }
protocol bgp waiting {
  local 127.0.0.7 port $BIRD7_PORT as 65007; strict bind; passive on;
  neighbor 127.0.0.1 as 65000; multihop;
  ipv4 { table t4; import none; export all; next hop address 192.0.2.7; };
}
EOF
)"

# --- sessions ------------------------------------------------------------------
declare -A NAME=([127.0.0.2]=FRR [127.0.0.3]=BIRD [127.0.0.4]=GoBGP [127.0.0.5]=ExaBGP [::1]="BIRD (IPv6 transport, ADD-PATH)" [127.0.0.7]="BIRD (passive; bgplensd connects)")
for a in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 ::1 127.0.0.7; do
	wait_peer "$a" Established 60
	ok "${NAME[$a]} ($a) established in $(($(est_ms "$a") - START[$a])) ms from its start: $(peer_get "$a" 'p["capabilities"]')"
done

# --- routes and attributes -----------------------------------------------------
check_speaker() { # N ADDR: every route of speaker N, checked in one pass
	local n=$1 a=$2 p why
	for p in 10.$n.1.0/24 10.$n.2.0/24 2001:db8:$n:1::/64 2001:db8:$n:2::/64; do
		wait_until 30 route_has "$p" "$a" || fail "${NAME[$a]}: $p never arrived"
	done
	why=$(python3 - "$HTTP_PORT" "$n" "$a" <<'PY'
import json, sys, urllib.request
port, n, peer = sys.argv[1], int(sys.argv[2]), sys.argv[3]
asn = 65000 + n
def routes(p):
    u = "http://127.0.0.1:%s/api/v1/routes?prefix=%s&match=exact" % (port, p)
    with urllib.request.urlopen(u, timeout=5) as f:
        return [r for r in json.load(f)["routes"] if r["source"]["peer"] == peer]
bad = []
for p in ("10.%d.1.0/24" % n, "2001:db8:%d:1::/64" % n):
    rs = routes(p)
    if len(rs) != 1:
        bad.append("%s: %d routes" % (p, len(rs)))
        continue
    r = rs[0]
    want = {"med": 100 + n, "communities": ["%d:100" % asn],
            "large_communities": ["%d:1:2" % asn], "as_path_list": [asn],
            "origin_as": asn, "origin": "IGP"}
    for k, v in want.items():
        if r.get(k) != v:
            bad.append("%s: %s is %r, want %r" % (p, k, r.get(k), v))
    if r["source"]["peer_as"] != asn:
        bad.append("%s: source %r" % (p, r["source"]))
    if p.startswith("2001") and not r.get("next_hop", "").startswith("2001:db8:"):
        bad.append("%s: next hop %r" % (p, r.get("next_hop")))
for p in ("10.%d.2.0/24" % n, "2001:db8:%d:2::/64" % n):
    rs = routes(p)
    # FRR sends MED 0 with its network statements.
    if len(rs) != 1 or rs[0].get("med", 0) != 0 or rs[0]["communities"] or rs[0]["large_communities"]:
        bad.append("%s: want one plain route, got %r" % (p, rs))
print("; ".join(bad))
PY
)
	[ -z "$why" ] || fail "${NAME[$a]}: $why"
	ok "${NAME[$a]}: IPv4 and IPv6 routes with MED, communities, large communities"
}
check_speaker 2 127.0.0.2
check_speaker 3 127.0.0.3
check_speaker 4 127.0.0.4
check_speaker 5 127.0.0.5
route_check 10.3.1.0/24 127.0.0.3 "r['next_hop'] == '192.0.2.3'" "BIRD: IPv4 next hop"
route_check 10.4.1.0/24 127.0.0.4 "r['next_hop'] == '192.0.2.4'" "GoBGP: IPv4 next hop"
route_check 10.5.1.0/24 127.0.0.5 "r['next_hop'] == '192.0.2.5'" "ExaBGP: IPv4 next hop"
route_check 2001:db8:5:1::/64 127.0.0.5 "r['next_hop'] == '2001:db8::5'" "ExaBGP: IPv6 next hop"
wait_until 20 route_has 10.7.1.0/24 127.0.0.7 || fail "passive BIRD: its route never arrived"
ok "passive BIRD: bgplensd connected out to it, its route is in"

# --- ADD-PATH --------------------------------------------------------------------
addpath_check() { # PREFIX PEER WANT
	wait_until 30 route_has "$1" "$2" "$3" ||
		fail "ADD-PATH from $2: $(route_count "$1" "$2") paths for $1, want $3"
	[ "$(route_expr "$1" "$2" 'len(set(r["path_id"] for r in rs))')" = "$3" ] ||
		fail "ADD-PATH from $2: path ids not distinct: $(route_expr "$1" "$2" '[r["path_id"] for r in rs]')"
	[ "$(route_expr "$1" "$2" 'sum(1 for r in rs if r["best"])')" = 1 ] ||
		fail "ADD-PATH from $2: not exactly one best path"
}
case $(peer_get ::1 'p["capabilities"]') in
*add-path-rx*) ;;
*) fail "BIRD over ::1: ADD-PATH not negotiated ($(peer_get ::1 'p["capabilities"]'))" ;;
esac
addpath_check 10.6.3.0/24 ::1 3
[ "$(route_expr 10.6.3.0/24 ::1 'sorted(r["med"] for r in rs)')" = "[1, 2, 3]" ] ||
	fail "BIRD ADD-PATH: the three paths should carry MED 1, 2, 3"
ok "BIRD (add paths tx, IPv6 transport): 3 paths for 10.6.3.0/24, distinct path ids $(route_expr 10.6.3.0/24 ::1 '[r["path_id"] for r in rs]')"
addpath_check 10.4.3.0/24 127.0.0.4 2
[ "$(route_expr 10.4.3.0/24 127.0.0.4 'sorted(r["next_hop"] for r in rs)')" = '["192.0.2.41", "192.0.2.42"]' ] ||
	fail "GoBGP ADD-PATH: next hops $(route_expr 10.4.3.0/24 127.0.0.4 '[r["next_hop"] for r in rs]')"
ok "GoBGP (send-max): 2 paths for 10.4.3.0/24, path ids $(route_expr 10.4.3.0/24 127.0.0.4 '[r["path_id"] for r in rs]')"

# One path of several withdrawn: only that one goes.
gobgp_cmd gobgp global rib del -a ipv4 10.4.3.0/24 identifier 11 >/dev/null || fail "gobgp rib del"
wait_until 20 route_count_is 10.4.3.0/24 127.0.0.4 1 || fail "GoBGP: withdrawing path 11 left $(route_count 10.4.3.0/24 127.0.0.4) paths"
route_check 10.4.3.0/24 127.0.0.4 "r['next_hop'] == '192.0.2.42'" "GoBGP: the path left after withdrawing path 11"
ok "GoBGP: one ADD-PATH path withdrawn, the other kept"

# --- withdrawals -------------------------------------------------------------------
frr_cmd frr "configure terminal" "router bgp 65002" "address-family ipv4 unicast" \
	"no network 10.2.2.0/24" "exit-address-family" "address-family ipv6 unicast" \
	"no network 2001:db8:2:2::/64" >/dev/null
bird_cmd bird "disable s4w" >/dev/null
bird_cmd bird "disable s6w" >/dev/null
gobgp_cmd gobgp global rib del -a ipv4 10.4.2.0/24 >/dev/null || fail "gobgp rib del"
gobgp_cmd gobgp global rib del -a ipv6 2001:db8:4:2::/64 >/dev/null || fail "gobgp rib del"
exa_cmd exabgp "withdraw route 10.5.2.0/24 next-hop 192.0.2.5"
exa_cmd exabgp "withdraw route 2001:db8:5:2::/64 next-hop 2001:db8::5"
for n in 2 3 4 5; do
	a=127.0.0.$n
	for p in 10.$n.2.0/24 2001:db8:$n:2::/64; do
		wait_until 30 route_gone "$p" "$a" || fail "${NAME[$a]}: $p still there after its withdrawal"
	done
	for p in 10.$n.1.0/24 2001:db8:$n:1::/64; do
		route_has "$p" "$a" || fail "${NAME[$a]}: $p went away with the withdrawal of another"
	done
	[ "$(peer_get "$a" 'p["counters"]["prefixes_withdrawn"] >= 2')" = true ] ||
		fail "${NAME[$a]}: withdrawn counter $(peer_get "$a" 'p["counters"]')"
	ok "${NAME[$a]}: IPv4 and IPv6 withdrawals remove the routes"
done
for a in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 ::1 127.0.0.7; do
	peer_is "$a" Established || fail "${NAME[$a]} left Established: $(peer_get "$a" 'p["last_error"]')"
	[ "$(peer_get "$a" 'p["counters"]["flaps"]')" = 0 ] || fail "${NAME[$a]} flapped"
done

# --- a speaker going away takes its routes along -------------------------------------
stop_proc "$PID_exabgp"
wait_until 20 route_gone 10.5.1.0/24 127.0.0.5 || fail "ExaBGP stopped, its routes stayed"
wait_until 10 peer_is_not 127.0.0.5 Established || fail "ExaBGP stopped, session still Established"
route_has 10.4.1.0/24 127.0.0.4 || fail "GoBGP's routes went away with ExaBGP's"
ok "ExaBGP stopped: its routes withdrawn, the others kept"

# The collector never sends an UPDATE.
for a in 127.0.0.2 127.0.0.3 127.0.0.4 ::1 127.0.0.7; do
	[ "$(peer_get "$a" 'p["messages"]["update"]["out"]')" = 0 ] || fail "bgplensd sent an UPDATE to $a"
done
bgplensd_stop
say "pass"
