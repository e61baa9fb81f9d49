#!/bin/sh
#
# mrt_modes.sh -- the other output modes of "bgplens mrt" on the shared
# MRT files: -M against "bgpdump -M", --stats against the record counts of
# ../shared/data/MANIFEST.md (an independent header scan), --json for
# well-formedness and completeness.
#
# One line per check.  Exit 0: pass; 1: failure; 77: no shared data.

set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
data="$(dirname "$repo")/shared/data"
bin=${BIN:-bin}
case $bin in
/*) ;;
*) bin="$repo/$bin" ;;
esac
bgplens="$bin/bgplens"

if [ ! -d "$data/mrt" ]; then
	echo "SKIP: ../shared/data not found"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
npass=0

pass() {
	echo "PASS $*"
	npass=$((npass + 1))
}

fail() {
	echo "FAIL $*"
	fails=$((fails + 1))
}

# -M: the files that are identical under -m are identical under -M, and so
# is openbgpd_rib_table (its exception is in a field -M does not print).
if command -v bgpdump >/dev/null 2>&1; then
	for f in $(find "$data/mrt" -type f ! -path '*/expected/*' | sort); do
		rel=${f#"$data/mrt/"}
		case $rel in
		bgpkit/rrc00.updates.1999* | bgpkit/rrc00.updates.2000* | \
		bgpdump/updates.nlri_mask_trailing_bits.gz | \
		mrtparse/bird_bgp | mrtparse/bird6_bgp)
			continue ;;
		esac
		bgpdump -M "$f" > "$tmp/bd" 2>/dev/null
		"$bgplens" mrt -M "$f" > "$tmp/bl" 2>/dev/null
		if cmp -s "$tmp/bd" "$tmp/bl"; then
			pass "-M $rel: identical to bgpdump -M"
		else
			fail "-M $rel: differs from bgpdump -M"
			diff "$tmp/bd" "$tmp/bl" | head -n 6 | sed 's/^/    /'
		fi
	done
else
	echo "SKIP -M: bgpdump not installed"
fi

# --stats: counts from MANIFEST.md's independent header scan.
stats() {
	rel=$1
	shift
	"$bgplens" mrt --stats "$data/mrt/$rel" > "$tmp/st" 2>/dev/null
	for want in "$@"; do
		if ! grep -qx "  $want" "$tmp/st"; then
			fail "--stats $rel: no \"$want\""
			sed 's/^/    /' "$tmp/st" | head -n 12
			return
		fi
	done
	pass "--stats $rel: $*"
}

stats bgpdump/updates.et-header.2015.gz "records 89686" \
    "type BGP4MP_ET/MESSAGE records 1 bytes 75" \
    "type BGP4MP_ET/MESSAGE_AS4 records 89681 bytes 12076179" \
    "type BGP4MP_ET/STATE_CHANGE_AS4 records 4 bytes 96" "peers 1"
stats pyasn/rib.20140523.0600_firstMB.bz2 "bytes 15274550" "records 9073" \
    "rib_entries ipv4-unicast 270005"
stats bgpdump/bview.20020722.2337.gz "bytes 6902693" "records 115521"
stats bgpkit/rrc00.updates.20000325.0345.gz "skipped_bytes 24"
stats mrtparse/openbgpd_rib_table-mp "records 31" "unsupported_records 31"
stats bgpkit/rrc00.updates.19991214.1621.gz "records 18203" \
    "type BGP/NOTIFY records 1 bytes 14" "type BGP/OPEN records 1 bytes 34"

# --json: one well-formed object per line; a RIB line per route.
f=bgpdump/bview.20020722.2337.gz
"$bgplens" mrt --json "$data/mrt/$f" > "$tmp/js" 2>/dev/null
n=$(grep -c '^{"type":"rib",' "$tmp/js")
if [ "$n" -eq 115521 ] && [ "$(wc -l < "$tmp/js")" -eq 115521 ]; then
	pass "--json $f: 115521 rib lines"
else
	fail "--json $f: $n rib lines, expected 115521"
fi
if command -v python3 >/dev/null 2>&1; then
	f=mrtparse/openbgpd_rib_table-v2
	"$bgplens" mrt --json "$data/mrt/$f" > "$tmp/js" 2>/dev/null
	if python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
	o = json.loads(line)
	if o["type"] == "rib" and o["safi"] == "vpn":
		assert o["rd"] == "65010:15" and o["label"] == 16
		n += 1
sys.exit(0 if n == 2 else 1)
' "$tmp/js"; then
		pass "--json $f: valid, with the 2 VPN routes of RIB_GENERIC"
	else
		fail "--json $f: invalid JSON or VPN routes missing"
	fi
fi

echo "mrt_modes: $npass passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
