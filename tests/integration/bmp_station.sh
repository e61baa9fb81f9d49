#!/usr/bin/env bash
# The station's own rules, with streams built here and sent by "bgplens
# bmp --send" from several loopback addresses (each a router):
#
#   - a router in bmp_allow is taken, one outside it refused (logged);
#   - a malformed message (a Peer Down whose NOTIFICATION is cut short)
#     closes that router's session only, the reason and offset logged; its
#     routes go, another router's stay;
#   - a framing error (BMP version 1; a length of 4 GiB) closes that
#     session before anything is allocated for it;
#   - SIGHUP with a bmp_allow that no longer has a router closes its
#     session and withdraws its routes;
#   - Termination ends a session at the router's word, reason logged.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/lib.sh"

need_base
[ -x "$BIN/bgplens" ] || skip "$BIN/bgplens is not built (make)"
. "$(dirname "$0")/lib_bmp.sh"

# Streams: mk NAME PREFIX KIND, KIND one of good, badpd, v1, huge, term.
mk() {
	python3 - "$T/$1.bmp" "$2" "$3" <<'EOF'
import struct, sys, ipaddress
out, pfx, kind = sys.argv[1], ipaddress.ip_network(sys.argv[2]), sys.argv[3]
def bmp(t, body, v=3): return struct.pack('>BIB', v, 6 + len(body), t) + body
def ph(): return (struct.pack('>BBQ', 0, 0, 0) + bytes(12) + bytes([192, 0, 2, 1]) +
                  struct.pack('>IIII', 65001, 0x0a000001, 1700000000, 0))
def bgp(t, body): return b'\xff' * 16 + struct.pack('>HB', 19 + len(body), t) + body
def cap(c, v): return bytes([c, len(v)]) + v
def open_(asn, bid):
    caps = cap(1, struct.pack('>HBB', 1, 0, 1)) + cap(65, struct.pack('>I', asn))
    return bgp(1, struct.pack('>BHHI', 4, asn, 90, bid) + bytes([len(caps) + 2, 2, len(caps)]) + caps)
def tlv(t, v): return struct.pack('>HH', t, len(v)) + v
nb = (pfx.prefixlen + 7) // 8
seg = bytes([2, 1]) + struct.pack('>I', 65001)
attrs = bytes([0x40, 1, 1, 0, 0x40, 2, len(seg)]) + seg + bytes([0x40, 3, 4, 192, 0, 2, 1])
upd = bgp(2, struct.pack('>H', 0) + struct.pack('>H', len(attrs)) + attrs +
          bytes([pfx.prefixlen]) + pfx.network_address.packed[:nb])
s = (bmp(4, tlv(2, b'r-' + kind.encode())) +
     bmp(3, ph() + bytes(12) + bytes([192, 0, 2, 254]) + struct.pack('>HH', 179, 40000) +
         open_(65000, 0xc00002fe) + open_(65001, 0x0a000001)) +
     bmp(0, ph() + upd))
if kind == 'badpd':
    s += bmp(2, ph() + b'\x03' + b'\xff' * 16 + struct.pack('>HB', 25, 3) + b'\x06')
elif kind == 'v1':
    s = b'\x01' + s[1:]
elif kind == 'huge':
    s += struct.pack('>BIB', 3, 0xffffffff, 0) + bytes(64)
elif kind == 'term':
    s += bmp(5, tlv(0, b'maintenance') + tlv(1, struct.pack('>H', 4)))
open(out, 'wb').write(s)
EOF
}
mk good 10.20.1.0/24 good
mk badpd 10.20.2.0/24 badpd
mk v1 10.20.3.0/24 v1
mk huge 10.20.4.0/24 huge
mk term 10.20.5.0/24 term
mk other 10.20.6.0/24 good

allow='bmp_allow: ["127.0.0.2/32", "127.0.0.3/32", "127.0.0.4/32", "127.0.0.6/32"]'
eval "$(declare -f bgplensd_conf | sed '1s/^bgplensd_conf/_bmp_bgplensd_conf/')"
bgplensd_conf() {
	_bmp_bgplensd_conf "$@"
	# The last bmp_allow wins: YAML keys are read in order.
	sed -i '/^bmp_allow:/d' "$T/bgplensd.yaml"
	echo "$allow" >>"$T/bgplensd.yaml"
}
bgplensd_start

# send NAME LOCAL: the stream from that address, kept open.
send() {
	"$BIN/bgplens" bmp --send 127.0.0.1 --port "$BMP_PORT" --local "$2" \
		--linger 600 "$T/$1.bmp" 2>>"$T/send.log" &
	eval "SEND_$1=$!"
	track $!
}

send good 127.0.0.2
wait_until 20 route_src_has 10.20.1.0/24 adj-rib-in-pre 127.0.0.2 192.0.2.1 ||
	fail "10.20.1.0/24 from router 127.0.0.2 never arrived: $(routes_json 10.20.1.0/24)"
ok "router 127.0.0.2 (allowed): 10.20.1.0/24 in adj-rib-in-pre"

send badpd 127.0.0.3
wait_until 20 log_has 'BMP router 127.0.0.3 port [0-9]+: session closed: malformed Peer Down Notification message at offset [0-9]+: Peer Down: BGP PDU' ||
	fail "the malformed Peer Down did not close 127.0.0.3's session as such: $(grep 127.0.0.3 "$T/bgplensd.log" | tail -2)"
wait_until 10 route_src_gone 10.20.2.0/24 adj-rib-in-pre 127.0.0.3 ||
	fail "10.20.2.0/24 of the closed session is still there"
route_src_has 10.20.1.0/24 adj-rib-in-pre 127.0.0.2 ||
	fail "router 127.0.0.2's route went with 127.0.0.3's session"
ok "router 127.0.0.3: malformed message closed its session only ($(grep -o 'malformed.*' "$T/bgplensd.log" | head -1))"

send v1 127.0.0.4
wait_until 20 log_has 'BMP router 127.0.0.4 port [0-9]+: session closed: framing error at offset 0: unsupported BMP version 1' ||
	fail "version 1 was not refused: $(grep 127.0.0.4 "$T/bgplensd.log" | tail -2)"
ok "router 127.0.0.4: BMP version 1 refused (framing error)"
send huge 127.0.0.4
wait_until 20 log_has 'framing error at offset [0-9]+: message length 4294967295 out of range' ||
	fail "a 4 GiB length was not refused: $(grep 127.0.0.4 "$T/bgplensd.log" | tail -2)"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status")
[ "$rss" -lt 200000 ] || fail "bgplensd RSS $rss kB after a 4 GiB length"
ok "router 127.0.0.4: a 4 GiB length refused, RSS $((rss / 1024)) MB"

send term 127.0.0.6
wait_until 20 log_has 'BMP router 127.0.0.6 port [0-9]+: session closed: Termination: permanently administratively closed: maintenance' ||
	fail "Termination not seen: $(grep 127.0.0.6 "$T/bgplensd.log" | tail -2)"
wait_until 10 route_src_gone 10.20.5.0/24 adj-rib-in-pre 127.0.0.6 ||
	fail "10.20.5.0/24 still there after the Termination"
ok "router 127.0.0.6: Termination closed the session, its route went"

send other 127.0.0.5
wait_until 20 log_has 'refused BMP connection from 127.0.0.5 port [0-9]+: not in bmp_allow' ||
	fail "127.0.0.5 was not refused"
sleep 0.5
route_src_gone 10.20.6.0/24 adj-rib-in-pre "" || fail "10.20.6.0/24 from a refused router is in the RIB"
ok "router 127.0.0.5 (not allowed): refused"

allow='bmp_allow: ["127.0.0.3/32"]'
bgplensd_reload
wait_until 20 log_has 'BMP router 127.0.0.2 port [0-9]+: session closed: no longer in bmp_allow' ||
	fail "reload did not close 127.0.0.2's session"
wait_until 10 route_src_gone 10.20.1.0/24 adj-rib-in-pre 127.0.0.2 ||
	fail "10.20.1.0/24 still there after its router was disallowed"
ok "SIGHUP: router 127.0.0.2 no longer allowed, session closed, route withdrawn"
bgplensd_stop

# The MRT update log (on by default, under data_dir) has the routers'
# pre-policy UPDATEs as BGP4MP records of the monitored peer (192.0.2.1
# AS65001 in every stream here), as a BGP session with it would have.
if command -v bgpdump >/dev/null; then
	found=
	for f in "$T"/data/archive/*/updates.*; do
		[ -f "$f" ] || continue
		bgpdump -m "$f" 2>/dev/null | grep -q '^BGP4MP_ET|[0-9.]*|A|192.0.2.1|65001|10.20.1.0/24|65001|' && found=$f
	done
	[ -n "$found" ] || fail "the update log lacks the BMP-learned 10.20.1.0/24 from 192.0.2.1 AS65001"
	ok "update log: the BMP-learned UPDATE under the monitored peer ($(basename "$found"))"
else
	say "bgpdump not installed: update log not checked"
fi
