#!/bin/sh
#
# mrt_bgpdump.sh -- "bgplens mrt -m" against Debian's "bgpdump -m", byte for
# byte, on every MRT file of the shared test data (../shared/data/mrt).
#
# bgpdump runs here, on the same file; its stderr is ignored.  A few files
# are documented exceptions (docs/bgpdump-compat.md): where bgpdump is
# demonstrably wrong, the output is checked against an explicit
# expectation instead -- upstream bgpdump's expected output, bgpdump's own
# decoding of the same routes in a sibling file, or facts decoded by hand.
#
# One line per file.  Exit 0: all pass; 1: a failure (with a diff head);
# 77: skipped (no shared data, or no bgpdump).

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
if ! command -v bgpdump >/dev/null 2>&1; then
	echo "SKIP: bgpdump not installed"
	exit 77
fi
if [ ! -x "$bgplens" ]; then
	echo "FAIL: $bgplens not built"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
npass=0

pass() {
	echo "PASS $rel: $*"
	npass=$((npass + 1))
}

fail() {
	echo "FAIL $rel: $*"
	fails=$((fails + 1))
}

# Show what differs, briefly.
diffhead() {
	diff "$1" "$2" | head -n 10 | sed 's/^/    /'
}

exact() {
	if cmp -s "$tmp/bd" "$tmp/bl"; then
		pass "identical to bgpdump -m ($(wc -l < "$tmp/bl") lines)"
	else
		fail "differs from bgpdump -m"
		diffhead "$tmp/bd" "$tmp/bl"
	fi
}

# Everything but the lines of one kind ($1: A, W, B, STATE) is identical.
same_except() {
	grep -v "|$1|" "$tmp/bd" > "$tmp/bd.rest"
	grep -v "|$1|" "$tmp/bl" > "$tmp/bl.rest"
	cmp -s "$tmp/bd.rest" "$tmp/bl.rest"
}

#
# Legacy type 5 (BGP) withdrawals.  bgpdump formats the peer address and
# the withdrawn prefix with inet_ntoa() in one printf, so both show the
# peer.  The W lines must agree with bgpdump on every field but the
# prefix address (type, time, peer, AS, prefix length), bgpdump's address
# must be the peer's (the bug), and ours is the prefix (RFC 4271 4.3).
#
legacy_withdrawals() {
	if ! same_except W; then
		fail "lines other than withdrawals differ"
		diffhead "$tmp/bd.rest" "$tmp/bl.rest"
		return
	fi
	grep '|W|' "$tmp/bd" > "$tmp/bd.w"
	grep '|W|' "$tmp/bl" > "$tmp/bl.w"
	bad=$(awk -F'|' '
		NR == FNR { bd[FNR] = $0; n = FNR; next }
		{
			m = split(bd[FNR], b, "|")
			split(b[6], bp, "/")
			split($6, lp, "/")
			if (m != NF || b[1] != $1 || b[2] != $2 || b[3] != $3 ||
			    b[4] != $4 || b[5] != $5 || bp[2] != lp[2] ||
			    bp[1] != b[4]) { print FNR ": " $0; exit }
			seen = FNR
		}
		END { if (seen != n) print "count " n " vs " seen }
	    ' "$tmp/bd.w" "$tmp/bl.w")
	if [ -n "$bad" ]; then
		fail "withdrawal lines do not match bgpdump's: $bad"
		return
	fi
	if [ -n "${1:-}" ] && [ "$(head -n 1 "$tmp/bl.w" | cut -d'|' -f6)" != "$1" ]; then
		fail "first withdrawal is not the hand-decoded $1"
		return
	fi
	pass "exception: legacy withdrawals show the prefix" \
	    "($(wc -l < "$tmp/bl.w") W lines; rest identical)"
}

#
# rrc00.updates.20000325.0345.gz is physically corrupt: a torn 10-byte
# record header at offset 188 and 14 orphan bytes at offset 4554.  bgpdump
# desynchronises there and prints 2,042 garbage withdrawals (peer
# 0.5.0.3).  Expected: both gaps found and reported with their offsets,
# 24 bytes skipped in all, and 5,378 announcements plus withdrawals --
# bgpkit-parser's count with its own resynchronisation.  The two
# announcements bgpdump decodes before the corruption come out the same.
#
corrupt_20000325() {
	n=$(grep -c -e '|A|' -e '|W|' "$tmp/bl")
	if [ "$n" -ne 5378 ]; then
		fail "expected 5378 A+W lines, got $n"
		return
	fi
	if grep -q '0\.5\.0\.3' "$tmp/bl"; then
		fail "garbage from the torn record is printed"
		return
	fi
	if ! grep -q 'offset 188: .*overruns' "$tmp/err" ||
	    ! grep -q 'resynchronised at offset 198, 10 bytes skipped' \
	    "$tmp/err" ||
	    ! grep -q 'offset 4554: .*resynchronised at offset 4568, 14 bytes skipped' \
	    "$tmp/err"; then
		fail "the two gaps are not reported as expected"
		sed 's/^/    /' "$tmp/err" | head -n 5
		return
	fi
	grep '|A|' "$tmp/bd" | grep -v '0\.5\.0\.3' > "$tmp/bd.a"
	grep '|A|' "$tmp/bl" | head -n "$(wc -l < "$tmp/bd.a")" > "$tmp/bl.a"
	if ! cmp -s "$tmp/bd.a" "$tmp/bl.a"; then
		fail "announcements before the corruption differ"
		diffhead "$tmp/bd.a" "$tmp/bl.a"
		return
	fi
	pass "exception: corrupt file resynchronised ($n A+W lines," \
	    "2 gaps, 24 bytes skipped)"
}

#
# Debian's bgpdump 1.6.2 prints the NLRI 11.13.0.0/13 with its host bits;
# RFC 4271 4.3 says trailing bits are irrelevant, and upstream bgpdump's
# own expected output has 11.8.0.0/13.  Compared with upstream's.
#
upstream_expected() {
	exp="$data/mrt/bgpdump/expected/$(basename "$f").bgp.gz"
	if [ ! -f "$exp" ]; then
		fail "missing $exp"
		return
	fi
	gzip -dc "$exp" > "$tmp/exp"
	if cmp -s "$tmp/exp" "$tmp/bl"; then
		pass "exception: identical to upstream bgpdump's expected output"
	else
		fail "differs from upstream bgpdump's expected output"
		diffhead "$tmp/exp" "$tmp/bl"
	fi
}

#
# BIRD wrote these sessions' UPDATEs with RFC 7911 path identifiers in
# plain MESSAGE/MESSAGE_AS4 records.  bgpdump reads the path id octets as
# prefix lengths and prints ::/0, 0.0.0.0/0, 4000::/1...  bgplens sees
# the NLRI cannot be parsed plainly (RFC 4271 4.3: a length past 32 or
# 128 bits), decodes them with the path identifiers, and says so.
# Expected: every non-A line identical; each A line's attributes as
# bgpdump printed them for that session; the prefixes those that bgpdump
# itself prints for the ADD-PATH subtype in the sibling *-mrtdump_bgp
# file (plus one more route of the same lab, decoded by hand).
#
addpath_unannounced() {
	if ! same_except A; then
		fail "lines other than announcements differ"
		diffhead "$tmp/bd.rest" "$tmp/bl.rest"
		return
	fi
	cut -d'|' -f7- "$tmp/bd" | sort -u > "$tmp/bd.attrs"
	grep '|A|' "$tmp/bl" | cut -d'|' -f7- | sort -u > "$tmp/bl.attrs"
	if [ -n "$(comm -13 "$tmp/bd.attrs" "$tmp/bl.attrs")" ]; then
		fail "attributes differ from bgpdump's"
		return
	fi
	grep '|A|' "$tmp/bl" | cut -d'|' -f6 | sort | uniq -c |
	    awk '{ print $2 " " $1 }' > "$tmp/bl.pfx"
	printf '%s\n' "$@" > "$tmp/exp.pfx"
	if ! cmp -s "$tmp/exp.pfx" "$tmp/bl.pfx"; then
		fail "prefixes are not the expected ones"
		diffhead "$tmp/exp.pfx" "$tmp/bl.pfx"
		return
	fi
	if ! grep -q 'ADD-PATH path identifiers' "$tmp/err"; then
		fail "the guessed ADD-PATH decoding is not reported"
		return
	fi
	pass "exception: ADD-PATH NLRI in a plain subtype decoded" \
	    "($(grep -c '|A|' "$tmp/bl") A lines)"
}

#
# OpenBGPD wrote an 8-octet (4-octet AS) AGGREGATOR into a TABLE_DUMP
# entry, whose attributes use 2-octet AS numbers.  bgpdump reads AS 0 and
# address 253.232.192.168 out of it; the attribute is c0 07 08 0000fde8
# c0a8000f, i.e. AS 65000, 192.168.0.15.  RFC 7606 7.7: an AGGREGATOR of
# the wrong length is discarded.  Expected: bgpdump's output with that
# one aggregator field empty.
#
aggregator_8() {
	sed '1s/|0 253\.232\.192\.168|$/||/' "$tmp/bd" > "$tmp/exp"
	if ! cmp -s "$tmp/exp" "$tmp/bd" && cmp -s "$tmp/exp" "$tmp/bl"; then
		pass "exception: malformed 8-octet AGGREGATOR discarded," \
		    "rest identical"
	else
		fail "differs from the expectation"
		diffhead "$tmp/exp" "$tmp/bl"
	fi
}

for f in $(find "$data/mrt" -type f ! -path '*/expected/*' | sort); do
	rel=${f#"$data/mrt/"}
	bgpdump -m "$f" > "$tmp/bd" 2>/dev/null
	"$bgplens" mrt -m "$f" > "$tmp/bl" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "bgplens exited $rc"
		sed 's/^/    /' "$tmp/err" | head -n 5
		continue
	fi
	case $rel in
	bgpkit/rrc00.updates.19990903.1041.gz)
		legacy_withdrawals 157.100.47.0/24 ;;
	bgpkit/rrc00.updates.19991214.1621.gz | \
	bgpkit/rrc00.updates.20000102.2014.gz)
		legacy_withdrawals ;;
	bgpkit/rrc00.updates.20000325.0345.gz)
		corrupt_20000325 ;;
	bgpdump/updates.nlri_mask_trailing_bits.gz)
		upstream_expected ;;
	mrtparse/bird_bgp)
		addpath_unannounced "172.17.0.0/24 4" "172.17.1.0/24 4" \
		    "172.17.2.0/24 4" "192.168.16.0/24 2" ;;
	mrtparse/bird6_bgp)
		addpath_unannounced "fd01:1:1::/64 4" "fd01:1:2::/64 4" \
		    "fd01:1::/64 4" "fd02:17::/64 2" ;;
	mrtparse/openbgpd_rib_table)
		aggregator_8 ;;
	pyasn/bview.20140112.1600_3samples.bz2)
		# TD2 RIB records without a PEER_INDEX_TABLE: nothing to
		# print, for bgpdump too; each record must be reported.
		if [ -s "$tmp/bl" ] ||
		    [ "$(grep -c 'missing peer index table' "$tmp/err")" -ne 3 ]
		then
			fail "expected no output and 3 missing-index errors"
		else
			pass "no peer index: nothing printed, 3 records reported"
		fi ;;
	*)
		exact ;;
	esac
done

echo "mrt_bgpdump: $npass passed, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
