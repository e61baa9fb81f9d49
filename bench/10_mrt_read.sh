#!/usr/bin/env bash
# MRT reading: `bgplens mrt -m` and `--stats` against `bgpdump -m`, in the
# same run, on the largest MRT file and the largest RIB in shared data.
# Each command runs RUNS times; the median wall time and the peak RSS are
# reported, with the ratio bgpdump/bgplens (above 1 means bgplens is faster
# or smaller).  The -m outputs are checked to be identical first: a fast
# wrong answer is not a result.
set -u
RUNS=${RUNS:-5}
: "${BIN:=bin}" "${SHARED:=../shared/data}"

if ! command -v bgpdump >/dev/null; then
	echo "bgpdump not installed (make deps)"; exit 77
fi
files=(
	"$SHARED/mrt/bgpdump/updates.et-header.2015.gz"
	"$SHARED/mrt/pyasn/rib.20140523.0600_firstMB.bz2"
)
if [ ! -f "${files[0]}" ]; then
	echo "SKIP: $SHARED not found (MRT test data)"; exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median wall seconds and max RSS (KiB) of RUNS runs of "$@" > /dev/null
measure() {
	local i
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err"
		cat "$tmp/t"
	done | sort -n | awk '{ w[NR] = $1; if ($2 > m) m = $2 }
		END { printf "%s %d\n", w[int((NR + 1) / 2)], m }'
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }

printf '%-34s %-22s %9s %10s\n' file command "wall s" "RSS MiB"
for f in "${files[@]}"; do
	name=$(basename "$f")
	# Correctness first.
	bgpdump -m "$f" 2>/dev/null >"$tmp/ref"
	"$BIN/bgplens" mrt -m "$f" 2>/dev/null >"$tmp/ours"
	if cmp -s "$tmp/ref" "$tmp/ours"; then
		same="identical ($(wc -l <"$tmp/ref") lines)"
	else
		same="DIFFERENT"
	fi
	read -r bw br < <(measure bgpdump -m "$f")
	read -r ow or < <(measure "$BIN/bgplens" mrt -m "$f")
	read -r sw sr < <(measure "$BIN/bgplens" mrt --stats "$f")
	printf '%-34s %-22s %9s %10s\n' "$name" "bgpdump -m" "$bw" "$(mib "$br")"
	printf '%-34s %-22s %9s %10s\n' "$name" "bgplens mrt -m" "$ow" "$(mib "$or")"
	printf '%-34s %-22s %9s %10s\n' "$name" "bgplens mrt --stats" "$sw" "$(mib "$sr")"
	echo "  output: $same"
	echo "  -m speed-up (bgpdump/bgplens wall): $(ratio "$bw" "$ow")x   (goal >= 3)"
	echo "  --stats speed-up vs bgpdump -m:     $(ratio "$bw" "$sw")x   (goal >= 10)"
	echo "  RSS ratio (bgpdump/bgplens, -m):     $(ratio "$br" "$or")"
done
