#!/usr/bin/env bash
# The RIB against bgpdump: load each real RIB dump into the RIB, write the
# RIB back out as a TABLE_DUMP_V2 file (bgplens rib-load --write-rib), and
# read both files with bgpdump.  The sets of (peer, peer AS, prefix,
# attributes) lines must be equal, and the route count must be bgpdump's.
#
# Not compared (documented in docs/bgpdump-compat.md): files holding several
# successive dumps of one table (mrtparse bird*-mrtdump_rib: the RIB keeps
# the latest route of a (peer, prefix), bgpdump lists every dump), and
# RIB_GENERIC/VPN entries (the RIB holds unicast routes only).
set -u
: "${BIN:=bin}" "${SHARED:=../shared/data}"
D=$SHARED/mrt
if [ ! -d "$D" ]; then
	echo "SKIP: $SHARED not found (MRT test data)"
	exit 77
fi
if ! command -v bgpdump >/dev/null; then
	echo "SKIP: bgpdump not installed (make deps)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

files=(
	pyasn/rib.20140523.0600_firstMB.bz2
	pyasn/rib.20080501.0644_firstMB.bz2
	bgpdump/bview.20020722.2337.gz
	bgpdump/bview.64k_stream_overflow.gz
	bgpdump/bview.ipv4_unicast_add_path.gz
	bgpdump/bview.ipv6_unicast_add_path.gz
	ryu/rib.20161101.0000_pick.bz2
	mrtparse/quagga_rib
	mrtparse/openbgpd_rib_table-v2
)
fail=0
for f in "${files[@]}"; do
	if ! "$BIN/bgplens" rib-load --write-rib "$tmp/out.mrt" "$D/$f" \
	    >"$tmp/stats" 2>"$tmp/err"; then
		# Truncated inputs report their torn last record; that is fine.
		grep -q '"routes"' "$tmp/stats" || { echo "FAIL $f: rib-load failed"; \
		    cat "$tmp/err"; fail=1; continue; }
	fi
	# Field 1 is the record type, field 2 the dump time: both ours.
	bgpdump -m "$tmp/out.mrt" 2>/dev/null | cut -d'|' -f3- | sort >"$tmp/ours"
	bgpdump -m "$D/$f" 2>/dev/null | grep -v '^[^|]*|[^|]*|[^B]' |
	    cut -d'|' -f3- | sort >"$tmp/ref"
	routes=$(sed -n 's/.*"routes":\([0-9]*\).*/\1/p' "$tmp/stats")
	want=$(wc -l <"$tmp/ref")
	if [ "$routes" != "$want" ]; then
		echo "FAIL $f: RIB holds $routes routes, bgpdump lists $want"
		fail=1
	elif ! cmp -s "$tmp/ours" "$tmp/ref"; then
		echo "FAIL $f: route sets differ"
		diff "$tmp/ref" "$tmp/ours" | head -10
		fail=1
	else
		echo "ok   $f: $routes routes, identical to bgpdump"
	fi
done
exit $fail
