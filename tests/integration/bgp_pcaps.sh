#!/bin/sh
# Decode the shared real BGP session captures with the codec.
#
# Every TCP payload of $SHARED/bgp/**/*.pcap* is extracted with tshark (in
# frame order, per direction), and the program $BUILD/tests/test_bgp_pcap
# (tests/unit/test_bgp_pcap.c) frames and decodes every BGP message: no
# session reset on real data, the message counts of each capture equal to
# the figures in $SHARED/MANIFEST.md, and decode -> encode -> decode giving
# the same attributes for every UPDATE.
#
# Exit 0 pass, 77 skip (no shared data, no tshark, no program), else fail.
set -u

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
SHARED=${SHARED:-$(cd "$REPO/.." && pwd)/shared/data}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
DATA=$SHARED/bgp
MANIFEST=$SHARED/MANIFEST.md
PROG=$BUILD/tests/test_bgp_pcap

if [ ! -d "$DATA" ] || [ ! -f "$MANIFEST" ]; then
	echo "skip: no shared BGP captures at $DATA"
	exit 77
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "skip: tshark is not installed (make deps)"
	exit 77
fi
if [ ! -x "$PROG" ]; then
	"${MAKE:-make}" -s -C "$REPO" BUILD="$BUILD" "$PROG" >/dev/null 2>&1
fi
if [ ! -x "$PROG" ]; then
	echo "skip: $PROG is not built (make unit)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgplens-pcaps.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The manifest's "tshark BGP messages" column of the bgp/ table, by file.
awk -F'|' '
	/^## / { inbgp = ($0 ~ /^## bgp\//) }
	inbgp && $2 ~ /`/ {
		f = $2; gsub(/[` ]/, "", f)
		m = $9; sub(/^ +/, "", m); sub(/ +$/, "", m)
		print f "\t" m
	}' "$MANIFEST" >"$tmp/expected"
if [ ! -s "$tmp/expected" ]; then
	echo "FAIL: no bgp/ figures found in $MANIFEST"
	exit 1
fi

list=$tmp/list
: >"$list"
n=0
# Sorted: a session's -open capture comes before its -update one.
for pcap in $(cd "$DATA" && find . -type f \( -name '*.pcap' -o -name '*.cap' -o -name '*.pcapng' \) | sed 's|^\./||' | LC_ALL=C sort); do
	want=$(awk -F'\t' -v f="$pcap" '$1 == f { print $2 }' "$tmp/expected")
	if [ -z "$want" ]; then
		echo "FAIL: $pcap has no figures in the manifest"
		exit 1
	fi
	n=$((n + 1))
	# One line per segment with payload: direction key, then the hex.
	if ! tshark -r "$DATA/$pcap" -Y 'tcp.len > 0' -T fields \
	    -E separator='|' -e ip.src -e ipv6.src -e tcp.srcport \
	    -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.payload \
	    >"$tmp/seg" 2>"$tmp/tshark.err"; then
		echo "FAIL: tshark could not read $pcap:"
		cat "$tmp/tshark.err"
		exit 1
	fi
	# Payloads per direction, in frame order, one hex file each.
	awk -F'|' -v dir="$tmp" -v id="$n" -v label="$pcap" '
		{
			key = $1 $2 ":" $3 ">" $4 $5 ":" $6
			if (!(key in file)) {
				file[key] = dir "/" id "-" (++k) ".hex"
				order[k] = key
			}
			gsub(/:/, "", $7)
			print $7 > file[key]
		}
		END {
			for (i = 1; i <= k; i++)
				print label "\t" order[i] "\t" file[order[i]]
		}' "$tmp/seg" >"$tmp/lines"
	if [ ! -s "$tmp/lines" ]; then
		echo "FAIL: no TCP payload in $pcap"
		exit 1
	fi
	# The expected figures ride on the capture's last line.
	sed '$ s|$|\t'"$want"'|' "$tmp/lines" >>"$list"
done

echo "$n captures, $(wc -l <"$list" | tr -d ' ') TCP directions"
BGP_PCAP_LIST=$list "$PROG"
rc=$?
if [ "$rc" != 0 ]; then
	echo "FAIL: $PROG exited $rc"
	exit 1
fi
echo "ok: every message of $n captures decoded"
