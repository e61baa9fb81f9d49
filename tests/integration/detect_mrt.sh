#!/usr/bin/env bash
# Offline detection ("bgplens detect") over a real RouteViews update file.
#
# 1. A monitor file is built from the file's own stable state (prefixes
#    with one origin, never withdrawn, no overlapping prefix; every first
#    hop seen allowed): replaying the file must raise no alert at all.
# 2. The same file followed by injected UPDATEs (an MRT file written by
#    detect_helper.py) from a new source: an exact-prefix origin change,
#    a sub-prefix from another origin, a bad first hop, a new
#    more-specific of the legal origin, and a path through a valley of
#    the AS relationships; then their withdrawal.  Every one must be
#    detected with the right type, nothing else raised, and every alert
#    resolved by the withdrawals.
. "$(dirname "$0")/lib.sh"

need python3
BGPLENS=$BIN/bgplens
[ -x "$BGPLENS" ] || skip "$BGPLENS is not built (make)"
MRT=$SHARED/mrt/bgpdump/updates.20100722.2015.gz
[ -f "$MRT" ] || skip "$MRT is missing (shared test data)"
H=$(dirname "$0")/detect_helper.py

n=$(python3 "$H" monitor --bgplens "$BGPLENS" --mrt "$MRT" --out "$T/mon.yaml" \
	--json "$T/stable.json") || fail "building the monitor file"
[ "$n" -ge 50 ] || fail "only $n stable prefixes"
say "$n stable prefixes monitored"

# opened COUNT-EXPRESSION: the summary line of a run, as JSON.
"$BGPLENS" detect --monitor "$T/mon.yaml" "$MRT" >"$T/run1.out" 2>"$T/run1.err" ||
	fail "bgplens detect: $(tail -n 3 "$T/run1.err")"
s1=$(tail -n 1 "$T/run1.err")
[ "$(echo "$s1" | jpy 'd["opened"]')" = 0 ] || fail "alerts on the stable state: $s1; $(head -c 600 "$T/run1.out")"
[ "$(echo "$s1" | jpy 'd["updates"]')" -gt 1000 ] || fail "the file was not read: $s1"
ok "stable state replayed: $(echo "$s1" | jpy 'd["updates"]') UPDATEs, no alert"

# The injections, and the relationships that make the last one a leak.
python3 - "$T/stable.json" "$T/plan.json" "$T/rel.txt" "$T/expect.json" <<'EOF' || fail "no plan"
import ipaddress, json, sys
st = json.load(open(sys.argv[1]))
ps = [p for p in st["prefixes"] if p["upstreams"] and
      ipaddress.ip_network(p["prefix"]).prefixlen < 32]
assert len(ps) >= 5, "not enough prefixes with upstreams"
peer, pas = "10.99.0.1", 65100
def sub(p):
    return str(next(ipaddress.ip_network(p).subnets(1)))
e, s, f, m, l = ps[0], ps[len(ps) // 4], ps[len(ps) // 2], ps[3 * len(ps) // 4], ps[-1]
plan = [
    {"prefix": e["prefix"], "path": [pas, 64666], "type": "exact_prefix_hijack"},
    {"prefix": sub(s["prefix"]), "path": [pas, 64667], "type": "sub_prefix_hijack"},
    {"prefix": f["prefix"], "path": [pas, 64999, f["origin"]], "type": "path_anomaly"},
    {"prefix": sub(m["prefix"]), "path": [pas, m["upstreams"][0], m["origin"]],
     "type": "new_more_specific"},
    {"prefix": l["prefix"], "path": [pas, 64530, l["upstreams"][0], l["origin"]],
     "type": "route_leak"},
]
for it in plan:
    it.update(peer=peer, peer_as=pas, withdraw=True)
json.dump(plan, open(sys.argv[2], "w"))
u = l["upstreams"][0]
open(sys.argv[3], "w").write("%d|%d|-1\n%d|64530|-1\n%d|64530|-1\n" % (u, l["origin"], u, pas))
json.dump(sorted([it["type"], it["prefix"]] for it in plan), open(sys.argv[4], "w"))
EOF
python3 "$H" inject --plan "$T/plan.json" --out "$T/inject.mrt" \
	--time "$(($(jpy 'd["last_time"]' <"$T/stable.json") + 60))" || fail "writing the MRT file"
{ cat "$T/mon.yaml"; echo "relationships: rel.txt"; } >"$T/mon2.yaml"

"$BGPLENS" detect --monitor "$T/mon2.yaml" "$MRT" "$T/inject.mrt" >"$T/run2.out" 2>"$T/run2.err" ||
	fail "bgplens detect: $(tail -n 3 "$T/run2.err")"
s2=$(tail -n 1 "$T/run2.err")
v=$(python3 - "$T/run2.out" "$T/expect.json" <<'EOF'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = json.load(open(sys.argv[2]))
opened = sorted([e["alert"]["type"], e["alert"]["prefix"]] for e in evs if e["event"] == "opened")
ids = {e["alert"]["id"] for e in evs if e["event"] == "opened"}
resolved = {e["alert"]["id"] for e in evs if e["event"] == "resolved"}
print("ok" if opened == want and resolved == ids else
      json.dumps({"opened": opened, "want": want, "resolved": len(resolved)}))
EOF
)
[ "$v" = ok ] || fail "injected hijacks: $v; $s2"
ok "5 injected hijacks and leaks: each detected with its type, nothing else, all resolved"
