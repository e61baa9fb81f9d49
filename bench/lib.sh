# shellcheck shell=bash
# bench/lib.sh -- what the benchmarks share; sourced, never run
# (bench/run.sh skips it).
#
#   $tmp, pids+=(PID)   a scratch folder and the processes started; at
#                       exit each gets SIGTERM, then SIGKILL half a second
#                       later, and the folder goes
#   cpu_s PID           utime + stime of a process, seconds
#   rss_mb PID          its resident set, MiB
#   now, sub A B, div A B   wall clock and arithmetic for the figures

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

hz=$(getconf CLK_TCK)
cpu_s() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
