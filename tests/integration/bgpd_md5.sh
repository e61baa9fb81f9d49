#!/usr/bin/env bash
# TCP-MD5 (RFC 2385) on bgplensd's listeners, against real speakers.
#
#   127.0.0.2  FRR, right password                      -> Established
#   ::1        BIRD over IPv6, right password           -> Established
#   127.0.0.3  BIRD, wrong password                     -> never; TCPMD5Failure
#   127.0.0.4  BIRD, no password (bgplensd has one)     -> never; TCPMD5NotFound
#   127.0.0.5  BIRD, password (bgplensd has none)       -> never; TCPMD5Unexpected
# The three failures are watched for 10 s: the peers must not get past
# Active, the kernel's counters (nstat) must move.  Then a reload takes the
# key of 127.0.0.4 away (the speaker has none): it must come up, and the
# right-password sessions must stay up.  Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/lib.sh"

need_base
need "$FRR_BGPD" vtysh bird birdc nstat

md5_counter() { # NAME: the kernel's absolute counter
	nstat -asz "TcpExt$1" 2>/dev/null | awk -v n="TcpExt$1" '$1 == n { print $2 }'
}
[ -n "$(md5_counter TCPMD5Failure)" ] || skip "nstat shows no TcpExtTCPMD5* counters (kernel without TCP-MD5?)"

GOOD=right-pass-2385
PEERS_BASE=$(cat <<EOF
  - address: 127.0.0.2
    remote_as: 65002
    password: "$GOOD"
  - address: "::1"
    remote_as: 65006
    password: "$GOOD"
  - address: 127.0.0.3
    remote_as: 65003
    password: "$GOOD"
  - address: 127.0.0.5
    remote_as: 65005
EOF
)
bgplensd_start "$PEERS_BASE
  - address: 127.0.0.4
    remote_as: 65004
    password: \"$GOOD\""

declare -A C0
for c in TCPMD5Failure TCPMD5NotFound TCPMD5Unexpected; do C0[$c]=$(md5_counter $c); done

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
 neighbor 127.0.0.1 password $GOOD
 neighbor 127.0.0.1 timers connect 2
 address-family ipv4 unicast
  network 10.2.0.0/24
 exit-address-family
!
EOF
)"

bird_proto() { # NAME LOCAL AS PASSWORD-LINE
	cat <<EOF
protocol bgp $1 {
  local $2 port $(free_port) as $3; strict bind; neighbor ${5:-127.0.0.1} port $BGP_PORT as 65000;
  multihop; connect retry time 2; connect delay time 1; $4
  ipv4 { table t4; import none; export all; next hop address 192.0.2.1; };
}
EOF
}
# One BIRD per session: BIRD holds a lock per neighbor address and port, so
# two protocols towards 127.0.0.1:PORT in one BIRD would not both connect.
bird_one() { # NAME LOCAL AS PASSWORD-LINE [NEIGHBOR]
	bird_start "$1" "$(cat <<EOF
router id ${2/::1/127.0.0.6};
log stderr all;
protocol device {}
ipv4 table t4;
protocol static s4 { ipv4 { table t4; }; route 10.9.0.0/24 blackhole; }
$(bird_proto "$@")
EOF
)"
}
bird_one wrongpw 127.0.0.3 65003 'password "not-the-right-one";'
bird_one nopw 127.0.0.4 65004 ''
bird_one unexpected 127.0.0.5 65005 "password \"$GOOD\";"
bird_one v6good ::1 65006 "password \"$GOOD\";" ::1

wait_peer 127.0.0.2 Established 30
ok "FRR with the right password: Established"
wait_peer ::1 Established 30
ok "BIRD over ::1 with the right password: Established"
wait_until 10 route_has 10.2.0.0/24 127.0.0.2 || fail "FRR's route never arrived"
wait_until 10 route_has 10.9.0.0/24 ::1 || fail "BIRD's route over ::1 never arrived"

# Ten seconds in which the three others must get nowhere.
end=$(($(date +%s) + 10))
while [ "$(date +%s)" -lt "$end" ]; do
	for a in 127.0.0.3 127.0.0.4 127.0.0.5; do
		s=$(peer_state "$a")
		case $s in
		Idle | Active | Connect) ;;
		*) fail "peer $a reached $s without a valid TCP-MD5 signature" ;;
		esac
	done
	sleep 0.5
done
for a in 127.0.0.3 127.0.0.4 127.0.0.5; do
	[ "$(peer_get "$a" 'p["messages"]["open"]["in"]')" = 0 ] ||
		fail "an OPEN from $a got through"
done
ok "wrong, missing and unexpected signatures: no session for 10 s"

declare -A C1
for c in TCPMD5Failure TCPMD5NotFound TCPMD5Unexpected; do
	C1[$c]=$(md5_counter $c)
	[ "${C1[$c]}" -gt "${C0[$c]}" ] || fail "nstat TcpExt$c did not move (${C0[$c]} -> ${C1[$c]})"
	echo "    TcpExt$c: ${C0[$c]} -> ${C1[$c]}"
done
ok "the kernel dropped them: TCPMD5Failure, TCPMD5NotFound and TCPMD5Unexpected all moved"

# Reload: 127.0.0.4 loses its password; its unsigned speaker gets in.  The
# established sessions are untouched.
up2=$(peer_get 127.0.0.2 'p["state_since"]')
bgplensd_reload "$PEERS_BASE
  - address: 127.0.0.4
    remote_as: 65004"
wait_peer 127.0.0.4 Established 30
ok "after a reload without its password, the unsigned speaker 127.0.0.4 is Established"
peer_is 127.0.0.2 Established || fail "FRR's session dropped at the reload"
[ "$(peer_get 127.0.0.2 'p["state_since"]')" = "$up2" ] || fail "FRR's session was reset by the reload"
peer_is 127.0.0.3 Established && fail "the wrong password got in after the reload"
ok "the keyed sessions were not touched by the reload"

bgplensd_stop
say "pass"
