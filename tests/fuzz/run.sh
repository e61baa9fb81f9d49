#!/bin/sh
# Fuzz smoke (called by `make fuzz-smoke`, after `make fuzz` built the targets).
#
# Runs each build-fuzz/fuzz_* libFuzzer binary for FUZZ_SECONDS seconds
# (default 20), seeded from tests/fuzz/corpus/<name>/ when that folder exists.
# The corpus is copied to a temporary folder first, so new inputs found during
# the run never land in the repository.  A crash, leak, sanitizer report or
# timeout fails the run; the reproducer is kept in $FUZZ_ARTIFACTS (default
# build-fuzz/artifacts/) and its path printed.
#
# Environment: FUZZ_SECONDS, FUZZ_BUILD (default build-fuzz), FUZZ_ARTIFACTS,
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=4096").

REPO=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$REPO" || exit 2

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-$REPO/$FUZZ_BUILD/artifacts}
FUZZ_ARGS=${FUZZ_ARGS:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgplens-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

n=0
failed=0
for bin in "$FUZZ_BUILD"/fuzz_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
	case $bin in *.o | *.d) continue ;; esac
	n=$((n + 1))
	name=$(basename "$bin")

	corpus=$tmp/corpus-$name
	mkdir -p "$corpus"
	seeds=0
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -R "tests/fuzz/corpus/$name/." "$corpus/"
		seeds=$(find "$corpus" -type f | wc -l | tr -d ' ')
	fi
	mkdir -p "$FUZZ_ARTIFACTS"
	log=$tmp/$name.log

	# A leak found at exit, an ASan/UBSan report or a crash makes libFuzzer
	# exit non-zero; -timeout catches one input that hangs.
	# shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
	timeout -k 10 $((FUZZ_SECONDS + 120)) "$bin" \
		-max_total_time="$FUZZ_SECONDS" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$FUZZ_ARTIFACTS/$name-" \
		$FUZZ_ARGS "$corpus" </dev/null >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		printf 'PASS  %-28s %s runs, cov %s, %s seeds, %ss\n' \
			"$name" "${runs:-?}" "${cov:-?}" "$seeds" "$FUZZ_SECONDS"
	else
		failed=$((failed + 1))
		printf 'FAIL  %-28s exit %s\n' "$name" "$rc"
		# The report itself (first lines from the error on), not the legend.
		awk '/ERROR: |runtime error|DEATH:|deadly signal|Timeout|out-of-memory/ { on = 1 }
		     on && n < 30 { print; n++ }' "$log" | sed 's/^/    | /'
		grep -E 'Test unit written|SUMMARY: ' "$log" | sed 's/^/    | /'
		[ -s "$log" ] && ! grep -qE 'ERROR: |runtime error|DEATH:|deadly signal' "$log" &&
			tail -n 30 "$log" | sed 's/^/    | /'
	fi
done

if [ "$n" = 0 ]; then
	echo "fuzz: no fuzz targets in $FUZZ_BUILD/ (tests/fuzz/fuzz_*.c); nothing to run"
	exit 0
fi
echo "fuzz: $n targets, $failed failed (${FUZZ_SECONDS}s each)"
[ "$failed" = 0 ]
