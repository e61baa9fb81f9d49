#!/bin/sh
# The bgplens test runner (called by `make test`, `make unit`, `make integration`).
#
# Environment:
#   BUILD         build directory; unit tests are $BUILD/tests/test_*   (default build)
#   BIN           directory of the programs                           (default bin)
#   ONLY          unit | integration | fuzz: run only that part       (default: all)
#   FUZZ          1: finish with `make fuzz-smoke` when clang is here (default 0)
#   FUZZ_SECONDS  seconds of exploration per fuzz target               (default 8)
#   UNIT_TIMEOUT, INTEGRATION_TIMEOUT   seconds per program        (300, 600)
#   TESTS         space-separated integration scripts to run (names
#                 without .sh, e.g. "lg_concurrency lg_stream"; default all)
#
# Parts, in order:
#   unit         each cmocka program $BUILD/tests/test_* (one per tests/unit/test_*.c)
#   integration  each tests/integration/*.sh, run from the repository root with
#                BIN, BUILD, REPO (absolute) and SHARED (absolute path of
#                ../shared/data beside the repository, present or not) in its
#                environment.  Exit 0 = pass, 77 = skip (the last line it printed
#                is shown as the reason), anything else = fail.
#   fuzz         `make fuzz-smoke` (tests/fuzz/run.sh), when FUZZ=1.
#
# Each program counts once.  A failure shows the tail of its output.  The last
# line is "N passed, N failed, N skipped"; the exit status is 1 if anything failed.

REPO=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$REPO" || exit 2

abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$REPO/$1" ;; esac; }

BUILD=$(abs "${BUILD:-build}")
BIN=$(abs "${BIN:-bin}")
SHARED=$(cd "$REPO/.." && pwd)/shared/data
ONLY=${ONLY:-}
FUZZ=${FUZZ:-0}
FUZZ_SECONDS=${FUZZ_SECONDS:-8}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-600}
TAIL_LINES=${TAIL_LINES:-40}
export BUILD BIN REPO SHARED FUZZ_SECONDS

case $ONLY in
'' | unit | integration | fuzz) ;;
*) echo "tests/run.sh: ONLY must be unit, integration or fuzz (not '$ONLY')" >&2; exit 2 ;;
esac

passed=0
failed=0
skipped=0
failures=

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgplens-tests.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# run_timed SECONDS OUTFILE CMD...: run CMD with no stdin and a time limit.
# Sets $rc and $secs.
if command -v timeout >/dev/null 2>&1; then
	HAVE_TIMEOUT=1
else
	HAVE_TIMEOUT=0
fi
run_timed() {
	limit=$1 out=$2
	shift 2
	t0=$(date +%s)
	if [ "$HAVE_TIMEOUT" = 1 ]; then
		timeout -k 10 "$limit" "$@" </dev/null >"$out" 2>&1
	else
		"$@" </dev/null >"$out" 2>&1
	fi
	rc=$?
	secs=$(($(date +%s) - t0))
}

show_tail() {
	tail -n "$TAIL_LINES" "$1" | sed 's/^/    | /'
}

pass() { passed=$((passed + 1)); printf 'PASS  %-40s %s\n' "$1" "$2"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP  %-40s %s\n' "$1" "$2"; }
fail() {
	failed=$((failed + 1))
	failures="$failures $1"
	printf 'FAIL  %-40s %s\n' "$1" "$2"
	[ -n "${3:-}" ] && show_tail "$3"
}

# Why a program ended: its exit status in words.
why() {
	case $1 in
	124) echo "timed out after ${2}s" ;;
	137) echo "killed (signal 9; timed out after ${2}s?)" ;;
	*) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi ;;
	esac
}

# ---- unit tests ------------------------------------------------------------
if want unit; then
	echo "== unit tests ($BUILD/tests)"
	n=0
	# Every test source must have its program.
	for src in tests/unit/test_*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		if [ ! -x "$BUILD/tests/$name" ]; then
			n=$((n + 1))
			fail "unit/$name" "not built: $BUILD/tests/$name is missing"
		fi
	done
	for t in "$BUILD"/tests/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
		name=$(basename "$t")
		if [ -d tests/unit ] && [ ! -f "tests/unit/$name.c" ]; then
			echo "note  unit/$name: no tests/unit/$name.c any more; stale program not run"
			continue
		fi
		n=$((n + 1))
		out=$tmp/unit-$name.out
		run_timed "$UNIT_TIMEOUT" "$out" "$t"
		# cmocka closes with "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
		np=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		nf=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		if [ "$rc" = 0 ]; then
			pass "unit/$name" "${np:-?} tests, ${secs}s"
		elif [ "$rc" = 77 ]; then
			skip "unit/$name" "$(grep -v '^[[:space:]]*$' "$out" | tail -n 1)"
		else
			fail "unit/$name" "$(why "$rc" "$UNIT_TIMEOUT")${nf:+, $nf of $((${np:-0} + nf)) tests failed}, ${secs}s" "$out"
		fi
	done
	[ "$n" -gt 0 ] || echo "      (no unit tests)"
fi

# ---- integration tests -----------------------------------------------------
if want integration; then
	echo "== integration tests (tests/integration; data: $SHARED$([ -d "$SHARED" ] || echo ', absent'))"
	n=0
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		# lib*.sh are shared helpers the tests source, not tests.
		case $(basename "$s") in lib*.sh) continue ;; esac
		if [ -n "${TESTS:-}" ]; then
			case " $TESTS " in *" $(basename "$s" .sh) "*) ;; *) continue ;; esac
		fi
		n=$((n + 1))
		name=$(basename "$s")
		# Run it with the interpreter its #! line names, else sh.
		interp=$(sed -n '1s/^#![[:space:]]*//p' "$s")
		out=$tmp/int-$name.out
		# shellcheck disable=SC2086  # "/usr/bin/env bash" must split into words
		run_timed "$INTEGRATION_TIMEOUT" "$out" ${interp:-sh} "$s"
		case $rc in
		0) pass "integration/$name" "${secs}s" ;;
		77) skip "integration/$name" "$(grep -v '^[[:space:]]*$' "$out" | tail -n 1)" ;;
		*) fail "integration/$name" "$(why "$rc" "$INTEGRATION_TIMEOUT"), ${secs}s" "$out" ;;
		esac
	done
	[ "$n" -gt 0 ] || echo "      (no integration tests)"
fi

# ---- fuzz smoke ------------------------------------------------------------
if { [ -z "$ONLY" ] && [ "$FUZZ" = 1 ]; } || [ "$ONLY" = fuzz ]; then
	echo "== fuzz smoke (${FUZZ_SECONDS}s per target)"
	if ! ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
		echo "      (no fuzz targets)"
	elif ! command -v clang >/dev/null 2>&1; then
		skip "fuzz-smoke" "clang not installed (make deps)"
	else
		out=$tmp/fuzz.out
		# Generous limit: building the targets plus the runs themselves.
		set -- tests/fuzz/fuzz_*.c
		nt=$#
		limit=$((600 + nt * (FUZZ_SECONDS + 60)))
		run_timed "$limit" "$out" \
			"${MAKE:-make}" --no-print-directory -C "$REPO" fuzz-smoke FUZZ_SECONDS="$FUZZ_SECONDS"
		grep -E '^(PASS|FAIL) ' "$out" | sed 's/^/      /'
		if [ "$rc" = 0 ]; then
			pass "fuzz-smoke" "$nt targets, ${secs}s"
		else
			fail "fuzz-smoke" "$(why "$rc" "$limit"), ${secs}s"
			if grep -q '^FAIL ' "$out"; then
				grep '^    |' "$out" | head -n 80   # the failing targets' reports
			else
				show_tail "$out"                 # the build or the runner failed
			fi
		fi
	fi
fi

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
