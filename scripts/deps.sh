#!/bin/sh
# Install the Debian 12 packages bgplens needs (called by `make deps`).
#
#   sh scripts/deps.sh              build, unit tests, integration tests, benchmarks
#   DEPS_MINIMAL=1 sh scripts/deps.sh   only what the build and the unit tests need
#
# Idempotent: when everything is present it prints nothing and exits 0 without
# touching apt.  `apt-get update` runs only when something is missing.  Packages
# are installed without their "Recommends" (on Debian 12 those would pull in
# systemd as init, avahi, cups helpers...).  The routing daemons' own system
# services (bird, frr, ...) are kept from starting and left disabled: the tests
# run each daemon themselves, with their own config, and port 179 must stay free.
set -eu

# Build: compilers, clang's libFuzzer and sanitizer runtimes (libclang-rt-14-dev
# is only a Recommends of clang), and the libraries in the Makefile's PKGS.
BUILD_PKGS="build-essential clang libclang-rt-14-dev pkg-config libmicrohttpd-dev libjansson-dev
libbz2-dev zlib1g-dev libmaxminddb-dev libcmocka-dev libyaml-dev
libcurl4-openssl-dev libssl-dev"

# Tests and benchmarks: reference decoders, real BGP speakers and BMP senders
# (and pmacct's pmbmpd, a BMP station to compare with),
# load and timing tools, and a headless browser for the web UI.
TOOL_PKGS="bgpdump tshark bird2 frr gobgpd exabgp socat wrk hyperfine iproute2
procps time python3 nodejs npm chromium fonts-liberation pmacct"

# System services these packages ship; they must not run.
SERVICES="frr bird exabgp gobgpd pmacctd nfacctd sfacctd uacctd pmbmpd pmbgpd pmtelemetryd"

say() { printf 'deps: %s\n' "$*"; }

if [ "${DEPS_MINIMAL:-0}" = 1 ]; then
	WANT=$BUILD_PKGS
else
	WANT="$BUILD_PKGS $TOOL_PKGS"
fi

# The names of everything installed, and of what each provides (a Node.js
# build that bundles npm provides "npm"; installing Debian's npm would remove it).
installed_names() {
	dpkg-query -W -f='${db:Status-Status} ${Package},${Provides}\n' 2>/dev/null |
		awk '$1 == "installed" {
			sub(/^installed /, "")
			n = split($0, a, ",")
			for (i = 1; i <= n; i++) {
				x = a[i]; sub(/^ +/, "", x); sub(/[ :(].*/, "", x)
				if (x != "") print x
			}
		}' | sort -u
}

# Prints the packages of $1 that are not installed.
missing_of() {
	names=$(installed_names)
	for p in $1; do
		printf '%s\n' "$names" | grep -qxF "$p" || printf ' %s' "$p"
	done
}

missing=$(missing_of "$WANT")
[ -n "$missing" ] || exit 0

SUDO=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		say "missing:$missing"
		say "not root and no sudo: install them as root, or run 'make deps' as root"
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
say "installing:$missing"

log=$(mktemp "${TMPDIR:-/tmp}/bgplens-deps.XXXXXX")
policy=/usr/sbin/policy-rc.d
made_policy=0
cleanup() {
	if [ "$made_policy" = 1 ]; then
		$SUDO rm -f "$policy"
	fi
	rm -f "$log"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Keep invoke-rc.d from starting any service while packages install
# (exit 101 = action forbidden).  An existing policy is left as it is.
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	made_policy=1
fi

# Answer tshark's question (may non-root users capture?) before it is asked.
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	$SUDO debconf-set-selections

fail() {
	say "$1 failed; last lines of its output:"
	tail -n 30 "$log" >&2
	exit 1
}

# The package lists are stale or absent on a fresh machine.
$SUDO apt-get update -q -o DPkg::Lock::Timeout=300 >"$log" 2>&1 || fail "apt-get update"
# shellcheck disable=SC2086  # word splitting of the package list is wanted
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 \
	--no-install-recommends -o Dpkg::Options::=--force-confdef \
	-o Dpkg::Options::=--force-confold $missing >"$log" 2>&1 ||
	fail "apt-get install"

# Services: disabled at boot, and stopped if something started them anyway.
for s in $SERVICES; do
	if [ -e "/lib/systemd/system/$s.service" ] || [ -e "/etc/init.d/$s" ]; then
		if command -v systemctl >/dev/null 2>&1; then
			$SUDO systemctl disable "$s" >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null 2>&1 && [ -e "/etc/init.d/$s" ]; then
			$SUDO update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
		if [ -d /run/systemd/system ]; then
			$SUDO systemctl stop "$s" >/dev/null 2>&1 || true
		elif [ -x "/etc/init.d/$s" ]; then
			$SUDO "/etc/init.d/$s" stop >/dev/null 2>&1 || true
		fi
	fi
done

# Check: everything asked for is now there.
still=$(missing_of "$missing")
if [ -n "$still" ]; then
	say "still missing after install:$still"
	exit 1
fi
say "done"
