#!/usr/bin/env bash
# archive_bgpd.sh -- bgplensd's MRT archive with real speakers.
#
# BIRD (plain) and GoBGP (ADD-PATH send) announce, then withdraw, to
# bgplensd; then:
#   1. bgpdump -m of the update file lists exactly those announcements
#      and withdrawals, withdrawals after announcements, with the right
#      peer addresses and ASes, timestamps of this run, and the sessions'
#      state changes (MESSAGE_AS4_ADDPATH decoded for GoBGP); replayed
#      into an empty RIB (bgplens rib-load) it gives the snapshot's RIB;
#   2. a RIB snapshot (SIGUSR1) read by bgpdump -m equals the RIB as
#      /api/v1/routes shows it (peer, prefix, AS path, next hop);
#   3. /api/v1/archives lists both and serves them byte for byte;
#   4. kill -9 while writing, restart: every file under a final name
#      reads fully, the raw file is recovered into one, and it holds the
#      update sent more than a flush interval before the kill;
#   5. warm start: a restart with warm_start loads the snapshot and the
#      updates after it: routes (stale) and history are back, no session
#      up (the daemon listens on another port); once the sessions are back,
#      a loaded route the peer no longer announces goes at its End-of-RIB;
#      retention deletes an archive file past retention_days, nothing else;
#   6. an unwritable archive (a read-only 1 MiB tmpfs inside unshare -m),
#      then a full one: a clear log line, counters, sessions stay up, and
#      writing resumes once write access and space return.
. "$(dirname "$0")/lib.sh"

need_base
need bird birdc gobgpd gobgp bgpdump bzip2

ARCH_EXTRA=""
ARCH_DIR=$T/data/archive
# The archive section goes after the generated configuration.
eval "_base_conf() $(declare -f bgplensd_conf | tail -n +2)"
bgplensd_conf() {
	_base_conf "$@"
	cat >>"$T/bgplensd.yaml" <<EOF
bmp_listen: []
archive:
  dir: $ARCH_DIR
  period: 60
  flush_ms: 200
  compression: bz2
  rib_interval: 0
$ARCH_EXTRA
EOF
}

PEERS='  - address: 127.0.0.3
    remote_as: 65003
  - address: 127.0.0.4
    remote_as: 65004'

T_START=$(date +%s)
bgplensd_start "$PEERS"

bird_start bird "$(cat <<EOF
router id 127.0.0.3;
log stderr all;
protocol device {}
ipv4 table t4;
protocol static s1 { ipv4 { table t4; }; route 10.3.1.0/24 unreachable; }
protocol static s2 { ipv4 { table t4; }; route 10.3.2.0/24 unreachable; }
protocol bgp collector {
  local 127.0.0.3 port $(free_port) as 65003; strict bind; neighbor 127.0.0.1 port $BGP_PORT as 65000;
  multihop; connect retry time 1; connect delay time 1; error wait time 1, 2;
  ipv4 { table t4; import none; export all; next hop address 192.0.2.3; };
}
EOF
)"
gobgp_start gobgp "$(gobgp_peer_toml 65004 127.0.0.4 1; cat <<EOF
    idle-hold-time-after-reset = 1
  # Graceful restart on: GoBGP then sends End-of-RIB, which the warm
  # start's stale routes wait for.
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOF
)"
gob() { gobgp_cmd gobgp global rib "$@" >/dev/null || fail "gobgp rib $*"; }
# After a collector restart GoBGP takes several seconds to dial again.
gob_back() {
	wait_until 30 peer_is 127.0.0.4 Established || fail "GoBGP did not come back $1"
}
gob add -a ipv4 10.4.1.0/24 nexthop 192.0.2.4
gob add -a ipv4 10.4.3.0/24 identifier 11 nexthop 192.0.2.41
gob add -a ipv4 10.4.3.0/24 identifier 12 nexthop 192.0.2.42
gob add -a ipv6 2001:db8:4:1::/64 nexthop 2001:db8::4

wait_until 30 peer_is 127.0.0.3 Established || fail "BIRD did not establish"
wait_until 30 peer_is 127.0.0.4 Established || fail "GoBGP did not establish"
wait_until 15 route_count_is 10.4.3.0/24 127.0.0.4 2 || fail "GoBGP's two paths did not arrive"
wait_until 15 route_has 2001:db8:4:1::/64 127.0.0.4 || fail "GoBGP's IPv6 route did not arrive"
wait_until 15 route_has 10.3.1.0/24 127.0.0.3 || fail "BIRD's route did not arrive"
wait_until 15 route_has 10.3.2.0/24 127.0.0.3 || fail "BIRD's second route did not arrive"
ok "both sessions up, routes in"

# Withdrawals: one whole prefix and one path of two from GoBGP, one from BIRD.
gob del -a ipv4 10.4.1.0/24
gob del -a ipv4 10.4.3.0/24 identifier 12
bird_cmd bird "disable s1" >/dev/null
wait_until 15 route_gone 10.4.1.0/24 127.0.0.4 || fail "10.4.1.0/24 not withdrawn"
wait_until 15 route_count_is 10.4.3.0/24 127.0.0.4 1 || fail "path 12 not withdrawn"
wait_until 15 route_gone 10.3.1.0/24 127.0.0.3 || fail "10.3.1.0/24 not withdrawn"
ok "withdrawals in"

# --- 2. the snapshot against the API ---------------------------------------
api_rib() {
	{ api "/api/v1/routes?prefix=0.0.0.0/0&match=more&limit=10000"; echo
	  api "/api/v1/routes?prefix=::/0&match=more&limit=10000"; echo; } | python3 -c '
import json, sys
for line in sys.stdin:
    if not line.strip():
        continue
    for r in json.loads(line)["routes"]:
        print("%s|%s|%s|%s|%s" % (r["source"]["peer"], r["source"]["peer_as"],
              r["prefix"], r["as_path"], r.get("next_hop", "")))' | sort
}
kill -USR1 "$DPID"
wait_until 20 log_has 'RIB snapshot: .*MB in' || fail "no RIB snapshot after SIGUSR1"
SNAP=$(ls "$ARCH_DIR"/*/rib.*.bz2 2>/dev/null | head -n 1)
[ -n "$SNAP" ] || fail "no rib.*.bz2 under $ARCH_DIR"
# TABLE_DUMP2_AP lines (RFC 8050 records) have the path id after the prefix.
bgpdump -m "$SNAP" 2>/dev/null | awk -F'|' '
	$1 == "TABLE_DUMP2" { print $4 "|" $5 "|" $6 "|" $7 "|" $9 }
	$1 == "TABLE_DUMP2_AP" { print $4 "|" $5 "|" $6 "|" $8 "|" $10 }' |
	sort >"$T/snap.txt"
api_rib >"$T/api.txt"
[ -s "$T/api.txt" ] || fail "the API shows no routes"
diff "$T/api.txt" "$T/snap.txt" >"$T/snap.diff" ||
	fail "snapshot differs from the API's RIB: $(cat "$T/snap.diff")"
grep -q '^127.0.0.4|65004|10.4.3.0/24|65004|192.0.2.41$' "$T/snap.txt" ||
	fail "snapshot lacks GoBGP's remaining ADD-PATH path: $(cat "$T/snap.txt")"
# GoBGP negotiated ADD-PATH for IPv4 only: its IPv6 route goes in a plain
# record, its IPv4 paths in RFC 8050 ones.
bgpdump -m "$SNAP" 2>/dev/null >"$T/snap.m"
grep -q '^TABLE_DUMP2|[^|]*|B|127\.0\.0\.4|65004|2001:db8:4:1::/64|' "$T/snap.m" ||
	fail "GoBGP's IPv6 route is not in a plain RIB record: $(grep 2001:db8:4:1:: "$T/snap.m")"
grep -q '^TABLE_DUMP2_AP|[^|]*|B|127\.0\.0\.4|65004|10\.4\.3\.0/24|' "$T/snap.m" ||
	fail "GoBGP's IPv4 path is not in an ADD-PATH RIB record: $(grep 10.4.3.0 "$T/snap.m")"
ok "RIB snapshot $(basename "$SNAP") = the API's RIB ($(wc -l <"$T/snap.txt") routes), ADD-PATH records per family"

# --- 1. the update file ----------------------------------------------------
bgplensd_stop
T_STOP=$(date +%s)
UPD=$(ls "$ARCH_DIR"/*/updates.* 2>/dev/null | sort)
[ -n "$UPD" ] || fail "no update file after a clean stop"
ls -a "$ARCH_DIR"/*/ | grep -q '\.raw$' && fail "a raw file is left after a clean stop"
# bgpdump reads one file at a time; the names sort by time.
dump_all() { local f; for f in $UPD; do bgpdump "$@" "$f" 2>/dev/null; done; }
dump_all -m >"$T/upd.txt"
python3 - "$T/upd.txt" "$T_START" "$T_STOP" <<'EOF' || fail "update log is wrong (above)"
import sys
lines = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
t0, t1 = int(sys.argv[2]), int(sys.argv[3])
bad = 0
def no(msg):
    global bad
    bad += 1
    print("  " + msg)
ev = {}
ids = {}     # (peer, prefix, A|W) -> ADD-PATH path ids
for f in lines:
    if f[0] not in ("BGP4MP_ET", "BGP4MP_ET_AP"):
        no("not BGP4MP_ET: %s" % "|".join(f))
        continue
    if f[0] == "BGP4MP_ET_AP":      # RFC 8050: the path id follows the prefix
        ids.setdefault((f[3], f[5], f[2]), []).append(f[6])
        if f[3] != "127.0.0.4":
            no("ADD-PATH record from %s, which does not send path ids" % f[3])
    ts = float(f[1])
    if not t0 - 1 <= ts <= t1 + 1:
        no("timestamp %s outside the run" % f[1])
    peer, asn = f[3], f[4]
    want_as = {"127.0.0.3": "65003", "127.0.0.4": "65004"}.get(peer)
    if want_as != asn:
        no("peer %s with AS %s" % (peer, asn))
    if f[2] == "STATE":
        ev.setdefault(peer, []).append(("S", f[5] + ">" + f[6]))
    elif f[2] in ("A", "W"):
        ev.setdefault(peer, []).append((f[2], f[5]))
want = {
    "127.0.0.3": ({"10.3.1.0/24", "10.3.2.0/24"}, ["10.3.1.0/24"]),
    "127.0.0.4": ({"10.4.1.0/24", "10.4.3.0/24", "2001:db8:4:1::/64"},
                  ["10.4.1.0/24", "10.4.3.0/24"]),
}
for peer, (ann, wd) in want.items():
    e = ev.get(peer, [])
    states = [x[1] for x in e if x[0] == "S"]
    msgs = [x for x in e if x[0] != "S"]
    a = [p for k, p in msgs if k == "A"]
    w = [p for k, p in msgs if k == "W"]
    # GoBGP's two paths of 10.4.3.0/24 are two announcements.
    want_a = sorted(ann) + (["10.4.3.0/24"] if peer == "127.0.0.4" else [])
    if sorted(a) != sorted(want_a):
        no("%s announced %s, want %s" % (peer, sorted(a), sorted(want_a)))
    if sorted(w) != sorted(wd):
        no("%s withdrew %s, want %s" % (peer, sorted(w), sorted(wd)))
    last_a = max([i for i, (k, _) in enumerate(msgs) if k == "A"], default=-1)
    first_w = min([i for i, (k, _) in enumerate(msgs) if k == "W"], default=99)
    if first_w < last_a:
        no("%s: a withdrawal before an announcement: %s" % (peer, msgs))
    # Established (6) before the first UPDATE, and left at the stop.
    first_u = next(i for i, x in enumerate(e) if x[0] != "S") if msgs else 0
    if not any(x == ("S", "5>6") for x in e[:first_u]):
        no("%s: no OpenConfirm->Established before its UPDATEs: %s" % (peer, states))
    if not any(s.startswith("6>") for s in states):
        no("%s: Established never left at the stop: %s" % (peer, states))
    print("  %s: %d announcements, %d withdrawals, states %s" %
          (peer, len(a), len(w), " ".join(states)))
a_ids = ids.get(("127.0.0.4", "10.4.3.0/24", "A"), [])
w_ids = ids.get(("127.0.0.4", "10.4.3.0/24", "W"), [])
if len(set(a_ids)) != 2 or len(w_ids) != 1 or w_ids[0] not in a_ids:
    no("10.4.3.0/24 path ids: announced %s, withdrawn %s" % (a_ids, w_ids))
sys.exit(1 if bad else 0)
EOF
ok "bgpdump -m of the update log: exactly the messages sent, in order, right peers"
# Our end of each session is recorded too (bgpdump's long form shows it).
dump_all | grep -q 'TO: 127.0.0.1 AS65000' ||
	fail "update records do not name the collector's end (127.0.0.1 AS65000)"
dump_all | grep -q 'BGP4MP_ET/MESSAGE_ADDPATH/Update' ||
	fail "GoBGP's UPDATEs are not MESSAGE_AS4_ADDPATH records"
ok "records carry the local address and ADD-PATH subtypes"
# Replayed into an empty RIB, the update log gives the RIB the snapshot
# holds (the sessions' ends at the stop are the collector's, kept stale).
"$BIN/bgplens" rib-load --keep-stale --write-rib "$T/replay.mrt" $UPD \
	>/dev/null 2>"$T/replay.err" ||
	fail "bgplens rib-load of the update log: $(cat "$T/replay.err")"
bgpdump -m "$T/replay.mrt" 2>/dev/null | awk -F'|' '
	$1 == "TABLE_DUMP2" { print $4 "|" $5 "|" $6 "|" $7 "|" $9 }
	$1 == "TABLE_DUMP2_AP" { print $4 "|" $5 "|" $6 "|" $8 "|" $10 }' |
	sort >"$T/replay.txt"
diff "$T/snap.txt" "$T/replay.txt" >"$T/replay.diff" ||
	fail "the update log replayed differs from the snapshot: $(cat "$T/replay.diff")"
ok "the update log replayed into an empty RIB = the snapshot ($(wc -l <"$T/replay.txt") routes)"

# --- 3. listing and download ---------------------------------------------------
bgplensd_start "$PEERS"
L=$(api "/api/v1/archives") || fail "/api/v1/archives"
echo "$L" | python3 -c '
import json, sys
d = json.load(sys.stdin)
k = [a["kind"] for a in d["archives"]]
assert "rib" in k and "updates" in k, k
assert d["count"] == len(d["archives"])
s = [a["start"] for a in d["archives"]]
assert s == sorted(s, reverse=True), s' || fail "archive list: $L"
NAME=$(basename "$SNAP")
curl -s -D "$T/h.txt" -o "$T/dl.bz2" "http://127.0.0.1:$HTTP_PORT/api/v1/archives/$NAME"
cmp -s "$T/dl.bz2" "$SNAP" || fail "download of $NAME differs from the file"
grep -qi '^Content-Type: application/x-bzip2' "$T/h.txt" || fail "Content-Type: $(cat "$T/h.txt")"
grep -qi "^Content-Length: $(stat -c %s "$SNAP")" "$T/h.txt" || fail "Content-Length: $(cat "$T/h.txt")"
for bad in '..%2F..%2Fetc%2Fpasswd' '.updates.x.raw' 'rib.20000101.0000.bz2'; do
	c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/archives/$bad")
	case $c in 400 | 404) ;; *) fail "/api/v1/archives/$bad answered $c" ;; esac
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/archives?kind=x")" = 400 ] ||
	fail "kind=x not refused"
ok "archives listed, served byte for byte, nothing else served"

# --- 4. kill -9 while writing -------------------------------------------------------
gob_back ""
gob add -a ipv4 10.4.5.0/24 nexthop 192.0.2.4
gob del -a ipv4 10.4.3.0/24 identifier 11
wait_until 15 route_has 10.4.5.0/24 127.0.0.4 || fail "10.4.5.0/24 did not arrive"
wait_until 15 route_gone 10.4.3.0/24 127.0.0.4 || fail "10.4.3.0/24 not withdrawn"
T_WD=$(date +%s)
sleep 1	# more than flush_ms: it must survive
kill_hard "$DPID"
DPID=
RAW=$(ls -a "$ARCH_DIR"/*/ | grep -c '\.raw$')
[ "$RAW" -ge 1 ] || fail "no raw file left by kill -9"
for f in "$ARCH_DIR"/*/updates.* "$ARCH_DIR"/*/rib.*; do
	bzip2 -t "$f" 2>/dev/null || fail "$f under a final name is not a valid bzip2 file"
	[ -n "$(bgpdump -m "$f" 2>&1 >/dev/null | grep -iv 'logging to syslog')" ] &&
		fail "bgpdump complains about $f: $(bgpdump -m "$f" 2>&1 >/dev/null)"
done
ok "kill -9: every final file valid, $RAW raw file(s) left"
bgplensd_start "$PEERS"
wait_until 10 log_has 'MRT archive: recovered' || fail "raw file not recovered at restart"
ls -a "$ARCH_DIR"/*/ | grep -q '\.raw$' && sleep 1
cat "$ARCH_DIR"/*/updates.* | bzip2 -dc | cmp -s - /dev/null && fail "recovered files are empty"
found=
for f in "$ARCH_DIR"/*/updates.*; do
	bgpdump -m "$f" 2>/dev/null | grep -q '|A|127.0.0.4|65004|10.4.5.0/24|' && found=$f
done
[ -n "$found" ] || fail "10.4.5.0/24, sent over a flush interval before kill -9, was lost"
ok "recovered $(basename "$found"), with the update sent before the kill"

# --- 5. warm start ---------------------------------------------------------------------
# On another BGP port, so that no session can bring anything: what the API
# shows comes from the archive alone.
bgplensd_stop
# Gone from GoBGP while the collector is down: loaded stale, it must go at
# GoBGP's End-of-RIB once the session is back.
gob del -a ipv4 10.4.5.0/24
# Retention rides along: an archive file from 2020 goes, a file that is
# no archive's stays.
mkdir -p "$ARCH_DIR/2020.01"
bzip2 </dev/null >"$ARCH_DIR/2020.01/updates.20200101.0000.bz2"
echo keep >"$ARCH_DIR/2020.01/notes.txt"
SAVED_PORT=$BGP_PORT
BGP_PORT=$(free_port) || fail "no free port"
ARCH_EXTRA="  warm_start: true
  retention_days: 30"
bgplensd_start "$PEERS"
ARCH_EXTRA=""
BGP_PORT=$SAVED_PORT
log_has 'archive retention: 1 files older than 30 days deleted' ||
	fail "retention: no log line: $(grep retention "$T/bgplensd.log")"
[ ! -e "$ARCH_DIR/2020.01/updates.20200101.0000.bz2" ] || fail "retention: the 2020 file is still there"
[ -e "$ARCH_DIR/2020.01/notes.txt" ] || fail "retention: a file that is no archive's was deleted"
ls "$ARCH_DIR"/*/updates.* 2>/dev/null | grep -qv '/2020\.01/' || fail "retention: recent files deleted"
ok "retention: the 2020 archive file deleted, the rest kept"
log_has 'warm start: rib\.[0-9.]*bz2 and [1-9][0-9]* update files: .* in [0-9.]+ s' ||
	fail "no warm start log line: $(grep 'warm start' "$T/bgplensd.log")"
[ "$(api /api/v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"]["established"])')" = 0 ] ||
	fail "a session came up during the warm-start check"
route_check 10.4.5.0/24 127.0.0.4 'r.get("stale") is True and r["next_hop"] == "192.0.2.4"' \
	"warm start: GoBGP's route from the update log (after the snapshot)"
route_check 10.3.2.0/24 127.0.0.3 'r["as_path"] == "65003"' "warm start: BIRD's route"
route_has 2001:db8:4:1::/64 127.0.0.4 || fail "warm start: GoBGP's IPv6 route is missing"
route_gone 10.4.3.0/24 127.0.0.4 || fail "warm start: 10.4.3.0/24, withdrawn after the snapshot, is back"
route_gone 10.3.1.0/24 127.0.0.3 || fail "warm start: 10.3.1.0/24, withdrawn before the snapshot, is back"
api "/api/v1/history?prefix=10.4.3.0/24" | python3 -c '
import json, sys
t = int(sys.argv[1])
ev = json.load(sys.stdin)["events"]
w = [e for e in ev if e["type"] == "withdraw" and e["source"]["peer"] == "127.0.0.4"]
assert w and abs(w[0]["time"] - t) < 20, ev' "$T_WD" ||
	fail "warm start: the history lacks the withdrawal of 10.4.3.0/24: $(api "/api/v1/history?prefix=10.4.3.0/24")"
ok "warm start: routes (stale until their peers refresh them) and history back, no session up"
bgplensd_stop
ARCH_EXTRA="  warm_start: true"
bgplensd_start "$PEERS"
ARCH_EXTRA=""
gob_back "after the warm start"
wait_until 20 route_gone 10.4.5.0/24 127.0.0.4 ||
	fail "warm start: 10.4.5.0/24, no longer announced, still there after the session came back"
fresh() { [ "$(route_expr 2001:db8:4:1::/64 127.0.0.4 'bool(rs) and "stale" not in rs[0]')" = true ]; }
wait_until 10 fresh || fail "warm start: GoBGP's IPv6 route still stale after the session came back"
ok "warm start: the session's End-of-RIB withdrew the stale route its peer no longer has"

# --- 6. read-only, then full ---------------------------------------------------------
bgplensd_stop
if ! unshare -m true 2>/dev/null; then
	say "SKIPPED read-only and disk-full parts: unshare -m is not permitted here"
else
	FULL=$T/full
	mkdir -p "$FULL"
	ARCH_DIR_SAVED=$ARCH_DIR
	ARCH_DIR=$FULL/archive
	bgplensd_conf "$PEERS"
	ARCH_DIR=$ARCH_DIR_SAVED
	# The daemon in its own mount namespace on a 1 MiB tmpfs, read-only
	# to begin with (root ignores directory modes); we see it through
	# /proc/PID/root and remount it from inside with nsenter.
	unshare -m --propagation private sh -c \
		"mount -t tmpfs -o size=1m,ro tmpfs '$FULL' && exec '$BGPLENSD' -c '$T/bgplensd.yaml'" \
		>>"$T/bgplensd.log" 2>&1 &
	DPID=$!
	track "$DPID"
	wait_until 10 api /api/v1/status || fail "bgplensd on tmpfs did not start"
	FV=/proc/$DPID/root$FULL
	gob_back "(tmpfs)"
	gob add -a ipv4 10.4.6.1/32 nexthop 192.0.2.4
	wait_until 15 route_has 10.4.6.1/32 127.0.0.4 || fail "updates not ingested on a read-only disk"
	wait_until 10 log_has 'MRT archive: .*Read-only file system; records are dropped' ||
		fail "no clear log line for an unwritable directory"
	arch_counts() {
		api /api/v1/status | python3 -c 'import json,sys; a=json.load(sys.stdin)["archive"]; print(a["dropped"], a["write_errors"])'
	}
	d=$(arch_counts)
	[ "${d%% *}" -gt 0 ] && [ "${d##* }" -gt 0 ] || fail "read-only: dropped/write_errors $d"
	curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | grep -Eq '^bgplens_archive_dropped_total [1-9]' ||
		fail "read-only: not in /metrics"
	kill -USR1 "$DPID"
	wait_until 10 log_has 'RIB snapshot: .* failed' || fail "a snapshot on a read-only disk did not report failure"
	peer_is 127.0.0.4 Established || fail "session went down on a read-only disk"
	ok "read-only: logged, counted (dropped, write_errors: $d), snapshot failure reported, session up"
	nsenter -t "$DPID" -m mount -o remount,rw "$FULL" || fail "remount rw"
	gob add -a ipv4 10.4.7.1/32 nexthop 192.0.2.4
	wait_until 10 log_has 'MRT archive: writing again' || fail "writing did not resume once writable"
	ok "writable again: writing resumes"

	dd if=/dev/zero of="$FV/filler" bs=64k 2>/dev/null	# fills it: ENOSPC
	n0=$(grep -c 'MRT archive: writing again' "$T/bgplensd.log")
	# Big UPDATEs (150 communities): the raw file's last page has room
	# for a few small ones even on a full tmpfs.
	COMMS=$(seq -s, -f '65004:%g' 1 150)
	for i in 1 2 3 4 5 6 7 8; do gob add -a ipv4 10.4.8.$i/32 nexthop 192.0.2.4 community "$COMMS"; done
	wait_until 15 route_has 10.4.8.8/32 127.0.0.4 || fail "updates not ingested on a full disk"
	wait_until 10 log_has 'MRT archive: .*No space left on device; records are dropped' ||
		fail "no clear log line on a full disk"
	peer_is 127.0.0.4 Established || fail "session went down on a full disk"
	ok "full disk: logged, session up"
	rm -f "$FV/filler"
	gob add -a ipv4 10.4.9.1/32 nexthop 192.0.2.4
	wait_until 10 _log_count_above 'MRT archive: writing again' "$n0" ||
		fail "writing did not resume once space returned"
	wait_until 15 route_has 10.4.9.1/32 127.0.0.4 || fail "10.4.9.1/32 not ingested"
	sleep 0.5
	bgplensd_stop
	ok "space back: writing again"
fi
say "done in $(elapsed) s"
