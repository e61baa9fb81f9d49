#!/bin/sh
# Fuzz smoke (called by `make fuzz-smoke`, after `make fuzz` built the targets).
#
# Two passes over every build-fuzz/fuzz_* libFuzzer binary:
#
#   1. replay: every file of tests/fuzz/corpus/<name>/ runs once.  These are
#      the seeds and the minimized inputs of past findings, so this pass is
#      the regression test of every crash, leak, timeout or OOM ever fixed.
#   2. explore: FUZZ_SECONDS seconds of mutation from that corpus, with a
#      fixed seed (FUZZ_SEED) and tests/fuzz/<name>.dict when there is one.
#
# Why so short: `make test` runs this on every CI run, on a 2-core machine,
# and CI as a whole must stay well under 30 minutes.  With about ten targets
# at the default FUZZ_SECONDS=8 the smoke pass takes two to three minutes.
# Real fuzzing is a separate, longer run: FUZZ_SECONDS=600 (or more) here,
# or FUZZ_ONLY=fuzz_lg_params to work on one target.
#
# Any crash, sanitizer report, leak, timeout (an input running FUZZ_TIMEOUT
# seconds, default 10) or memory over FUZZ_RSS_MB (default 2048) fails the
# pass with a line naming the target, the kind of failure and the input
# (the corpus file, or the reproducer kept in $FUZZ_ARTIFACTS, default
# build-fuzz/artifacts/).  Inputs found while exploring go to a temporary
# folder, never into the repository.
#
# Environment: FUZZ_SECONDS, FUZZ_SEED (default 1), FUZZ_TIMEOUT,
# FUZZ_RSS_MB, FUZZ_ONLY (one target name), FUZZ_BUILD (default build-fuzz),
# FUZZ_ARTIFACTS, FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=4096").

REPO=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$REPO" || exit 2

FUZZ_SECONDS=${FUZZ_SECONDS:-8}
FUZZ_SEED=${FUZZ_SEED:-1}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_ONLY=${FUZZ_ONLY:-}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-$REPO/$FUZZ_BUILD/artifacts}
FUZZ_ARGS=${FUZZ_ARGS:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgplens-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
mkdir -p "$FUZZ_ARTIFACTS" || exit 2

# What went wrong, in words, from a libFuzzer log.
kind() {
	if grep -q 'ERROR: libFuzzer: timeout' "$1"; then
		echo "timeout (one input ran over ${FUZZ_TIMEOUT}s)"
	elif grep -qE 'ERROR: libFuzzer: out-of-memory|malloc\(.*\) exceeds' "$1"; then
		echo "out of memory (over ${FUZZ_RSS_MB} MB)"
	elif grep -q 'ERROR: LeakSanitizer' "$1"; then
		echo "memory leak"
	elif grep -q 'runtime error' "$1"; then
		echo "undefined behaviour"
	elif grep -q 'ERROR: AddressSanitizer' "$1"; then
		echo "memory error ($(sed -n 's/.*ERROR: AddressSanitizer: \([a-z-]*\).*/\1/p' "$1" | head -n 1))"
	elif grep -qE 'deadly signal|DEATH:' "$1"; then
		echo "crash"
	else
		echo "exit $2"
	fi
}

# The report itself (first lines from the error on), not the legend.
report() {
	awk '/ERROR: |runtime error|DEATH:|deadly signal|ALARM:/ { on = 1 }
	     on && n < 30 { print; n++ }' "$1" | sed 's/^/    | /'
	grep -E 'SUMMARY: ' "$1" | sed 's/^/    | /'
}

n=0
failed=0
t0=$(date +%s)
for bin in "$FUZZ_BUILD"/fuzz_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
	case $bin in *.o | *.d) continue ;; esac
	name=$(basename "$bin")
	if [ -n "$FUZZ_ONLY" ] && [ "$FUZZ_ONLY" != "$name" ]; then continue; fi
	n=$((n + 1))
	flags="-timeout=$FUZZ_TIMEOUT -rss_limit_mb=$FUZZ_RSS_MB"
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"

	# 1. Replay, one process for the whole corpus: libFuzzer prints
	# "Running: FILE" before each, so the last one names the culprit.
	seeds=0
	rc=0
	log=$tmp/$name-replay.log
	if [ -d "tests/fuzz/corpus/$name" ]; then
		seeds=$(find "tests/fuzz/corpus/$name" -type f | wc -l | tr -d ' ')
	fi
	if [ "$seeds" -gt 0 ]; then
		# xargs reads the list on its stdin and gives the target
		# /dev/null for its own.
		# shellcheck disable=SC2086  # flag lists
		find "tests/fuzz/corpus/$name" -type f | sort |
		    xargs timeout -k 10 $((seeds * FUZZ_TIMEOUT + 120)) "$bin" \
		    $flags -artifact_prefix="$FUZZ_ARTIFACTS/$name-" \
		    >"$log" 2>&1
		rc=$?
	fi
	if [ "$rc" != 0 ]; then
		failed=$((failed + 1))
		input=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
		printf 'FAIL  %-24s replay: %s on %s\n' "$name" \
		    "$(kind "$log" "$rc")" "${input:-?}"
		report "$log"
		continue
	fi

	# 2. Explore, from a copy of the corpus.
	corpus=$tmp/corpus-$name
	mkdir -p "$corpus"
	[ "$seeds" -gt 0 ] && cp -R "tests/fuzz/corpus/$name/." "$corpus/"
	log=$tmp/$name.log
	# shellcheck disable=SC2086  # flag lists
	timeout -k 10 $((FUZZ_SECONDS + FUZZ_TIMEOUT + 120)) "$bin" \
		-seed="$FUZZ_SEED" -max_total_time="$FUZZ_SECONDS" $flags $dict \
		-print_final_stats=1 -artifact_prefix="$FUZZ_ARTIFACTS/$name-" \
		$FUZZ_ARGS "$corpus" </dev/null >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		printf 'PASS  %-24s %s seeds replayed; %s runs, cov %s, %ss\n' \
			"$name" "$seeds" "${runs:-?}" "${cov:-?}" "$FUZZ_SECONDS"
	else
		failed=$((failed + 1))
		input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		printf 'FAIL  %-24s explore: %s; input kept in %s\n' "$name" \
		    "$(kind "$log" "$rc")" "${input:-(none written)}"
		report "$log"
		[ -s "$log" ] && ! grep -qE 'ERROR: |runtime error|DEATH:|deadly signal' "$log" &&
			tail -n 30 "$log" | sed 's/^/    | /'
	fi
done

if [ "$n" = 0 ]; then
	echo "fuzz: no fuzz targets in $FUZZ_BUILD/ (tests/fuzz/fuzz_*.c); nothing to run"
	exit 0
fi
echo "fuzz: $n targets, $failed failed (corpus replay + ${FUZZ_SECONDS}s each, seed $FUZZ_SEED, $(($(date +%s) - t0))s)"
[ "$failed" = 0 ]
