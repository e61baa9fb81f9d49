#!/bin/sh
# Benchmarks (called by `make bench`, after `make` built the programs).
#
# Runs every bench/*.sh in name order (except this file), from the
# repository root, with BIN, REPO and SHARED (absolute path of ../shared/data)
# in its environment.  Each benchmark prints its own figures; one that exits
# 77 is skipped (its last line says why), any other non-zero status counts as
# a failure.  BENCH=NAME runs only bench/NAME.sh.

REPO=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$REPO" || exit 2

case ${BIN:-bin} in /*) BIN=${BIN:-bin} ;; *) BIN=$REPO/${BIN:-bin} ;; esac
SHARED=$(cd "$REPO/.." && pwd)/shared/data
export BIN REPO SHARED

n=0
failed=0
for b in bench/*.sh; do
	[ -f "$b" ] || continue
	name=$(basename "$b" .sh)
	case $name in run | lib) continue ;; esac
	[ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
	n=$((n + 1))
	echo "== bench/$name ($(date -u +%H:%M:%S))"
	interp=$(sed -n '1s/^#![[:space:]]*//p' "$b")
	# shellcheck disable=SC2086  # "/usr/bin/env bash" must split into words
	${interp:-sh} "$b" </dev/null
	rc=$?
	case $rc in
	0) ;;
	77) echo "   (skipped)" ;;
	*) echo "   FAILED: exit $rc"; failed=$((failed + 1)) ;;
	esac
done

if [ "$n" = 0 ]; then
	echo "bench: no benchmarks yet (bench/*.sh)"
	exit 0
fi
echo "bench: $n run, $failed failed"
[ "$failed" = 0 ]
