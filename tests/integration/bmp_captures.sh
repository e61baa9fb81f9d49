#!/usr/bin/env bash
# Every BMP capture of ../shared/data/bmp, read by bgplens and by bgplensd.
#
# 1. "bgplens bmp --json" reads each raw stream (bmp/raw/*.bmp, the TCP
#    payloads of the pmacct pcaps) and bmp/bmp_play/bmp.dump (recorded
#    from a Huawei router, 98% of it BMP version 4) without an error, and
#    counts per message type what tshark's BMP dissector counts: on the
#    pcap for the derived streams, on a text2pcap wrapping for bmp.dump.
#    The one stream that ends inside a message (202 traffic-02, cut by
#    the capture) is reported as truncated, with 156 of 185 octets.
# 2. Each stream is sent to bgplensd's station over TCP ("bgplens bmp
#    --send"): no session may be closed as malformed or for framing, and
#    nothing of a stream is left in the RIB once its session ends (the
#    RIB keeps unicast routes only: the VPN and labelled routes of some
#    streams are counted, not stored).  Then routes are looked up by
#    table and router: a Cisco Loc-RIB (RFC 9069), RD-instance peers.
# Exit 0 pass, 77 skip (no shared data, or no tshark), else fail.
. "$(dirname "$0")/lib.sh"

DATA=${SHARED:-$REPO/../shared/data}/bmp
[ -d "$DATA/raw" ] && [ -f "$DATA/bmp_play/bmp.dump" ] ||
	skip "no BMP captures: $DATA (raw/ and bmp_play/bmp.dump) is absent"
need_base
need tshark text2pcap
[ -x "$BIN/bgplens" ] || skip "$BIN/bgplens is not built (make)"
. "$(dirname "$0")/lib_bmp.sh"

# --- 1. bgplens against tshark --------------------------------------------
n=0
for raw in "$DATA"/raw/*.bmp "$DATA/bmp_play/bmp.dump"; do
	name=$(basename "$raw")
	pcap=$DATA/pmacct/${name%.bmp}.pcap
	if [ "$name" = bmp.dump ]; then
		pcap=$T/bmp.dump.pcap
		raw_to_pcap "$raw" "$pcap" || fail "text2pcap failed on $raw"
	fi
	[ -f "$pcap" ] || fail "no pcap for $name ($pcap)"
	"$BIN/bgplens" bmp --json "$raw" >"$T/$name.json" ||
		fail "bgplens bmp $name: exit $?: $(head -c 600 "$T/$name.json")"
	errs=$(jpy 'd["files"][0]["errors_total"]' <"$T/$name.json")
	[ "$errs" = 0 ] || fail "$name: $errs errors: $(jpy 'd["files"][0]["errors"]' <"$T/$name.json")"
	want=$(tshark_counts "$pcap" | tr '\n' ' ')
	got=$(bgplens_counts "$raw" | tr '\n' ' ')
	[ -n "$want" ] || fail "tshark counted nothing in $pcap"
	[ "$want" = "$got" ] || fail "$name: tshark counts (type count) [$want], bgplens [$got]"
	trunc=$(jpy 'd["files"][0].get("truncated")' <"$T/$name.json")
	case $name in
	202-*traffic-02.bmp)
		[ "$trunc" = '{"offset": 12503, "have": 156, "want": 185}' ] ||
			fail "$name: truncated tail not reported as such: $trunc" ;;
	*)
		[ "$trunc" = null ] || fail "$name: reported truncated: $trunc" ;;
	esac
	ok "$name: [$got] as tshark, no errors$([ "$trunc" != null ] && echo ", truncated tail reported")"
	n=$((n + 1))
done
v4=$(jpy 'd["files"][0]["v4_skipped"]' <"$T/bmp.dump.json")
[ "$v4" = 1186 ] || fail "bmp.dump: $v4 version 4 messages skipped, want 1186"
ok "bmp.dump: 1186 version 4 messages skipped"

# --- 2. the station ---------------------------------------------------------
bgplensd_start
routes_total() { api /api/v1/status | jpy 'd["routes"]["total"]'; }
routes_are() { [ "$(routes_total)" = "$1" ]; }
for raw in "$DATA"/raw/*.bmp "$DATA/bmp_play/bmp.dump"; do
	name=$(basename "$raw")
	# What the stream leaves announced, by the CLI's own reading: the
	# station's RIB must hold as many routes while the session is up.
	before=$(grep -c 'session closed' "$T/bgplensd.log")
	conns=$(grep -c 'BMP router.*: connected' "$T/bgplensd.log")
	"$BIN/bgplens" bmp --send 127.0.0.1 --port "$BMP_PORT" --linger 600 \
		"$raw" 2>"$T/send.log" &
	spid=$!
	track "$spid"
	wait_until 10 _log_count_above 'BMP router.*: connected' "$conns" ||
		fail "$name: the station never saw the connection (sender: $(cat "$T/send.log"))"
	# Settle: the count stops changing.
	last=-1
	for ((i = 0; i < 50; i++)); do
		cur=$(routes_total)
		[ "$cur" = "$last" ] && break
		last=$cur
		sleep 0.2
	done
	grep -q 'malformed\|framing error' "$T/bgplensd.log" &&
		fail "$name: the station closed a session: $(grep 'malformed\|framing' "$T/bgplensd.log" | tail -1)"
	stop_proc "$spid"
	wait_until 10 _log_count_above 'session closed' "$before" ||
		fail "$name: the station did not see the session end"
	wait_until 10 routes_are 0 ||
		fail "$name: $(routes_total) routes left after the session ended"
	case $name in
	202-*traffic-02.bmp)
		grep -q 'closed by the router inside a message (156 octets' \
			"$T/bgplensd.log" ||
			fail "$name: the cut message is not what the log says" ;;
	esac
	ok "$name: sent to the station: $cur routes while up, none left after ($(grep 'session closed' "$T/bgplensd.log" | tail -1 | sed 's/.*session closed: //'))"
done
# Tables: the Loc-RIB of a Cisco stream (RFC 9069 peer), the Adj-RIB-In
# of the RD-instance peers of another, under the sending router.
"$BIN/bgplens" bmp --send 127.0.0.1 --port "$BMP_PORT" --linger 600 \
	"$DATA/raw/204-BMP-CISCO-peer_down.bmp" \
	"$DATA/raw/201-BMP-CISCO-rd_instance.bmp" 2>/dev/null &
spid=$!
track "$spid"
wait_until 10 route_src_has 192.0.2.11/32 loc-rib 127.0.0.1 ||
	fail "204: 192.0.2.11/32 not in loc-rib under router 127.0.0.1: $(routes_json 192.0.2.11/32)"
wait_until 10 route_src_has 192.0.11.0/24 adj-rib-in-pre 127.0.0.1 192.0.11.219 ||
	fail "201: 192.0.11.0/24 not in adj-rib-in-pre from 192.0.11.219: $(routes_json 192.0.11.0/24)"
ok "204 then 201 on one session: 192.0.2.11/32 in loc-rib, 192.0.11.0/24 in adj-rib-in-pre (RD instance), router 127.0.0.1"
stop_proc "$spid"
wait_until 10 routes_are 0 || fail "$(routes_total) routes left after the session ended"
bgplensd_stop
ok "$n captures"
