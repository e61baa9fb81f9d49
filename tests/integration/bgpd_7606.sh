#!/usr/bin/env bash
# Malformed UPDATEs (RFC 7606) against bgplensd, from ExaBGP and from a raw
# speaker; a third peer (BIRD) must not notice any of it.
#
# ExaBGP (127.0.0.5), raw attributes (attribute [ 0xTYPE 0xFLAGS 0xHEX ]),
# one UPDATE at a time, the session must stay up throughout:
#   MED of length 2, COMMUNITIES of length 5, AS_PATH segment type 5,
#   ORIGIN with the Optional bit        -> treat-as-withdraw (a route that
#                                          was there goes), counter moves
#   ATOMIC_AGGREGATE with wrong flags, AGGREGATOR of length 3,
# Raw speaker (127.0.0.6, tests/integration/rawbgp.py), for what ExaBGP will
# not send:
#   MED twice                           -> the second discarded, route kept
#   LOCAL_PREF from an external peer    -> attribute discarded, route kept
#   NEXT_HOP of length 5, AS_PATH segment of count 0 -> treat-as-withdraw
#   MP_REACH_NLRI truncated             -> NOTIFICATION 3/5, session reset
#   NLRI prefix length 33               -> NOTIFICATION 3/10, reset
#   MP_REACH_NLRI twice                 -> NOTIFICATION 3/1, reset
#   an unknown well-known attribute     -> NOTIFICATION 3/2, reset
# After each reset the raw speaker reconnects; after each case the BIRD
# peer's route is there and its session has not moved.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/lib.sh"

need_base
need bird birdc exabgp
RAW=$REPO/tests/integration/rawbgp.py
[ -f "$RAW" ] || fail "missing $RAW"

BGP_PORT=$(free_port) || fail "no free port"
bgplensd_start "$(cat <<EOF
  - address: 127.0.0.3
    remote_as: 65003
  - address: 127.0.0.5
    remote_as: 65005
  - address: 127.0.0.6
    remote_as: 65006
EOF
)"

bird_start bird "$(cat <<EOF
router id 127.0.0.3;
log stderr all;
protocol device {}
ipv4 table t4;
protocol static s4 { ipv4 { table t4; }; route 10.3.1.0/24 blackhole; route 10.3.2.0/24 blackhole; }
protocol bgp collector {
  local 127.0.0.3 port $(free_port) as 65003; strict bind;
  neighbor 127.0.0.1 port $BGP_PORT as 65000;
  multihop; connect retry time 2; connect delay time 1;
  ipv4 { table t4; import none; export all; next hop address 192.0.2.3; };
}
EOF
)"
exa_cmd exabgp "announce route 10.5.1.0/24 next-hop 192.0.2.5 med 5 community [65005:1]"
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
: >"$T/raw/cmds"
python3 "$RAW" --local 127.0.0.6 --port "$BGP_PORT" --asn 65006 \
	--cmds "$T/raw/cmds" --log "$T/raw/log" --lifetime 150 &
track $!

for a in 127.0.0.3 127.0.0.5 127.0.0.6; do wait_peer "$a" Established 30; done
wait_until 20 route_has 10.3.1.0/24 127.0.0.3 || fail "BIRD's route never arrived"
wait_until 20 route_has 10.5.1.0/24 127.0.0.5 || fail "ExaBGP's first route never arrived"
BIRD_SINCE=$(peer_get 127.0.0.3 'p["state_since"]')
EXA_SINCE=$(peer_get 127.0.0.5 'p["state_since"]')
ok "BIRD, ExaBGP and the raw speaker established"

# The bystander: BIRD's session and routes never move.
bystander() {
	[ "$(peer_get 127.0.0.3 'p["state"] + " " + str(p["state_since"]) + " " + str(p["counters"]["flaps"])')" = "Established $BIRD_SINCE 0" ] ||
		fail "after $1: BIRD's session moved: $(peer_get 127.0.0.3 'p')"
	route_has 10.3.1.0/24 127.0.0.3 && route_has 10.3.2.0/24 127.0.0.3 ||
		fail "after $1: BIRD's routes are gone"
}
counter() { peer_get "$1" "p['counters']['$2']"; }
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }

# --- ExaBGP: treat-as-withdraw and attribute discard ------------------------------
exa_case() { # DESC PREFIX ATTRS WANT(withdraw|discard) TAW DISCARD
	exa_cmd exabgp "announce route $2 next-hop 192.0.2.5 $3"
	wait_until 10 counter_is 127.0.0.5 treat_as_withdraw "$5" ||
		fail "ExaBGP $1: treat_as_withdraw is $(counter 127.0.0.5 treat_as_withdraw), want $5"
	wait_until 10 counter_is 127.0.0.5 attribute_discard "$6" ||
		fail "ExaBGP $1: attribute_discard is $(counter 127.0.0.5 attribute_discard), want $6"
	if [ "$4" = withdraw ]; then
		wait_until 5 route_gone "$2" 127.0.0.5 || fail "ExaBGP $1: $2 is in the RIB: $(route_expr "$2" 127.0.0.5 rs)"
	else
		wait_until 5 route_has "$2" 127.0.0.5 || fail "ExaBGP $1: $2 is not in the RIB"
	fi
	[ "$(peer_get 127.0.0.5 'p["state"] + " " + str(p["state_since"])')" = "Established $EXA_SINCE" ] ||
		fail "ExaBGP $1: the session was reset ($(peer_get 127.0.0.5 'p["last_notification_sent"]'))"
	bystander "ExaBGP $1"
	ok "ExaBGP $1: $4, session up"
}
# The route is there; the same prefix with a bad MED length takes it away.
exa_case "MED of length 2" 10.5.1.0/24 "attribute [ 0x04 0x80 0x0001 ]" withdraw 1 0
exa_case "COMMUNITIES of length 5" 10.5.2.0/24 "attribute [ 0x08 0xc0 0x0001000201 ]" withdraw 2 0
exa_case "AS_PATH segment type 5" 10.5.3.0/24 "attribute [ 0x02 0x40 0x050100000001 ]" withdraw 3 0
exa_case "ORIGIN with the Optional bit" 10.5.4.0/24 "attribute [ 0x01 0xc0 0x00 ]" withdraw 4 0
exa_case "ATOMIC_AGGREGATE with flags 0x00" 10.5.6.0/24 "attribute [ 0x06 0x00 0x ]" discard 4 1
route_check 10.5.6.0/24 127.0.0.5 "'atomic_aggregate' not in r" "the discarded ATOMIC_AGGREGATE is shown"
exa_case "AGGREGATOR of length 3" 10.5.7.0/24 "attribute [ 0x07 0xc0 0x000001 ]" discard 4 2
[ "$(peer_get 127.0.0.5 'p["counters"]["flaps"]')" = 0 ] || fail "ExaBGP's session flapped"

# --- the raw speaker --------------------------------------------------------------
hx() { printf '%02x' "$@"; }
attr() { # FLAGS TYPE HEX: one attribute, extended length if FLAGS has 0x10
	local n=$((${#3} / 2))
	if (($1 & 0x10)); then printf '%02x%02x%04x%s' "$1" "$2" "$n" "$3"; else printf '%02x%02x%02x%s' "$1" "$2" "$n" "$3"; fi
}
upd() { # WITHDRAWN ATTRS NLRI (hex)
	printf 'update %04x%s%04x%s%s\n' $((${#1} / 2)) "$1" $((${#2} / 2)) "$2" "$3"
}
ORIGIN=$(attr 0x40 1 00)
ASPATH=$(attr 0x40 2 0201$(printf '%08x' 65006))
NH=$(attr 0x40 3 c0000206)
BASE=$ORIGIN$ASPATH$NH
med() { attr 0x80 4 "$(printf '%08x' "$1")"; }
n24() { hx 24 "$1" "$2" "$3"; } # a /24 NLRI
raw_send() { printf '%s\n' "$1" >>"$T/raw/cmds"; }
raw_sent() { grep -c '^sent' "$T/raw/log"; }
raw_ups() { grep -c '^up' "$T/raw/log"; }
raw_ups_is() { [ "$(raw_ups)" = "$1" ]; }
raw_logged() { grep -q "$1" "$T/raw/log"; }

raw_send "$(upd "" "$BASE$(med 1)" "$(n24 10 6 1)")"
raw_send "$(upd "" "$BASE$(med 7)$(med 8)" "$(n24 10 6 2)")"
wait_until 10 route_has 10.6.1.0/24 127.0.0.6 || fail "raw: a well-formed UPDATE was not taken"
wait_until 10 route_has 10.6.2.0/24 127.0.0.6 || fail "raw, MED twice: the route was not kept"
route_check 10.6.2.0/24 127.0.0.6 "r['med'] == 7" "raw, MED twice: the first should be kept"
[ "$(counter 127.0.0.6 attribute_discard)" = 1 ] || fail "raw, MED twice: attribute_discard $(counter 127.0.0.6 attribute_discard)"
ok "raw: MED twice: the second discarded, route kept with the first"
raw_send "$(upd "" "$BASE$(attr 0x40 5 000000c8)" "$(n24 10 6 8)")"
wait_until 10 route_has 10.6.8.0/24 127.0.0.6 || fail "raw, LOCAL_PREF from eBGP: the route was not kept"
route_check 10.6.8.0/24 127.0.0.6 "'local_pref' not in r" "raw, LOCAL_PREF from an eBGP peer kept"
[ "$(counter 127.0.0.6 attribute_discard)" = 2 ] || fail "raw, LOCAL_PREF from eBGP: attribute_discard $(counter 127.0.0.6 attribute_discard)"
ok "raw: LOCAL_PREF from an external peer: discarded, route kept"

raw_send "$(upd "" "$ORIGIN$ASPATH$(attr 0x40 3 c000020601)" "$(n24 10 6 1)")"
wait_until 10 route_gone 10.6.1.0/24 127.0.0.6 || fail "raw, NEXT_HOP of length 5: the route stayed"
raw_send "$(upd "" "$ORIGIN$(attr 0x40 2 0200)$NH" "$(n24 10 6 2)")"
wait_until 10 route_gone 10.6.2.0/24 127.0.0.6 || fail "raw, AS_PATH segment count 0: the route stayed"
[ "$(counter 127.0.0.6 treat_as_withdraw)" = 2 ] || fail "raw: treat_as_withdraw $(counter 127.0.0.6 treat_as_withdraw), want 2"
raw_ups_is 1 || fail "raw: the session was reset by a treat-as-withdraw case"
bystander "raw treat-as-withdraw cases"
ok "raw: NEXT_HOP of length 5, AS_PATH segment of count 0: treat-as-withdraw, session up"

raw_reset() { # DESC UPDATE-LINE CODE SUB N(th session after)
	raw_send "$2"
	wait_until 10 raw_logged "^notification $3 $4 " ||
		fail "raw $1: no NOTIFICATION $3/$4 (log: $(tr '\n' ';' <"$T/raw/log"))"
	wait_until 15 raw_ups_is "$5" || fail "raw $1: the speaker did not get back in"
	wait_peer 127.0.0.6 Established 10
	bystander "raw $1"
	ok "raw $1: NOTIFICATION $3/$4 ($(peer_get 127.0.0.6 'p["last_notification_sent"]')), session back"
}
# MP_REACH_NLRI (IPv6): next hop length 16, 4 octets of it.
raw_reset "MP_REACH_NLRI truncated" "$(upd "" "$ORIGIN$ASPATH$(attr 0x80 14 00020110"20010db8")" "")" 3 5 2
route_gone 10.6.8.0/24 127.0.0.6 || fail "after the reset, old routes of the raw speaker stayed"
raw_send "$(upd "" "$BASE" "$(n24 10 6 3)")"
wait_until 10 route_has 10.6.3.0/24 127.0.0.6 || fail "raw: the new session takes no routes"
raw_reset "NLRI of length 33" "$(upd "" "$BASE" "$(hx 33 10 6 4 0 0)")" 3 10 3
route_gone 10.6.3.0/24 127.0.0.6 || fail "after the reset, old routes of the raw speaker stayed"
MPR=$(attr 0x80 14 "00020110$(printf '20010db8%024x' 6)00$(hx 48 0x20 0x01 0x0d 0xb8 0 6)")
raw_reset "MP_REACH_NLRI twice" "$(upd "" "$ORIGIN$ASPATH$MPR$MPR" "")" 3 1 4
raw_reset "unknown well-known attribute 99" "$(upd "" "$BASE$(attr 0x40 99 00)" "$(n24 10 6 5)")" 3 2 5
[ "$(counter 127.0.0.6 flaps)" = 4 ] || fail "raw: flaps $(counter 127.0.0.6 flaps), want 4"

# ExaBGP was never reset through all this.
[ "$(peer_get 127.0.0.5 'p["state"] + " " + str(p["state_since"])')" = "Established $EXA_SINCE" ] ||
	fail "ExaBGP's session moved during the raw speaker's resets"
raw_send quit
bgplensd_stop
say "pass"
