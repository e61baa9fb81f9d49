# shellcheck shell=bash
# tests/integration/lib_bmp.sh -- helpers for the BMP integration tests,
# sourced after lib.sh.
#
#   BMP_PORT            the station's port (a free one, picked here)
#   bgplensd_conf       lib.sh's, plus the bmp_* keys: the station on
#                       127.0.0.1:$BMP_PORT, routers allowed from
#                       127.0.0.0/8, and $BMP_CONNECT (YAML list items)
#                       as routers to dial
#   (the routers and their peers are in /api/v1/peers' bmp_routers; the
#   tests read the RIB through /api/v1/routes)
#   route_src_expr      EXPR over the routes of a prefix whose source has
#                       a given table and router

BMP_PORT=${BMP_PORT:-$(free_port)} || fail "no free port"
BMP_CONNECT=${BMP_CONNECT:-}

# Keep lib.sh's writer and add the station's keys after it.
eval "$(declare -f bgplensd_conf | sed '1s/^bgplensd_conf/_lib_bgplensd_conf/')"
bgplensd_conf() {
	_lib_bgplensd_conf "$@"
	{
		echo 'bmp_listen: ["127.0.0.1"]'
		echo "bmp_port: $BMP_PORT"
		echo 'bmp_allow: ["127.0.0.0/8", "::1/128"]'
		if [ -n "$BMP_CONNECT" ]; then
			echo "bmp_connect:"
			printf '%s\n' "$BMP_CONNECT"
		fi
	} >>"$T/bgplensd.yaml"
}

# route_src PREFIX TABLE ROUTER EXPR: EXPR over rs, the routes of exactly
# PREFIX whose source has that table and router ("" = any router).
route_src() {
	routes_json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t, rt = sys.argv[1], sys.argv[2]
rs = [r for r in d["routes"] if r["source"]["table"] == t and
      (rt == "" or r["source"].get("router") == rt)]
r = eval(sys.argv[3])
print(r if isinstance(r, str) else json.dumps(r))' "$2" "$3" "$4"
}

# route_src_count PREFIX TABLE ROUTER [PEER]: how many such routes (from
# PEER's source when given).
route_src_count() {
	route_src "$1" "$2" "$3" "len([r for r in rs if \"$4\" == \"\" or r[\"source\"][\"peer\"] == \"$4\"])"
}
route_src_has() { [ "$(route_src_count "$1" "$2" "$3" "${4:-}")" -ge 1 ]; }
route_src_gone() { [ "$(route_src_count "$1" "$2" "$3" "${4:-}")" = 0 ]; }

# tshark_counts PCAP: "TYPE COUNT" lines of tshark's BMP dissector.
tshark_counts() {
	tshark -r "$1" -d tcp.port==1790,bmp -T fields -e bmp.type 2>/dev/null |
		tr ',' '\n' | grep -v '^$' | sort -n | uniq -c | awk '{ print $2, $1 }'
}

# bgplens_counts FILE: the same from "bgplens bmp --json".
bgplens_counts() {
	"$BIN/bgplens" bmp --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["files"][0]
keys = ["route_monitoring", "statistics_report", "peer_down", "peer_up",
        "initiation", "termination", "route_mirroring"]
for t, k in enumerate(keys):
    if k in d["by_type"]:
        print(t, d["by_type"][k])'
}

# raw_to_pcap RAW PCAP: a raw BMP stream as a pcap of 1400-octet TCP
# segments from port 20 to 1790 (text2pcap), for tshark to count.
raw_to_pcap() {
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
w = sys.stdout.write
for i in range(0, len(d), 1400):
    s = d[i:i + 1400]
    for j in range(0, len(s), 16):
        w("%06x %s\n" % (j, " ".join("%02x" % b for b in s[j:j + 16])))' "$1" |
		text2pcap -q -T 20,1790 - "$2" >/dev/null 2>&1
}
