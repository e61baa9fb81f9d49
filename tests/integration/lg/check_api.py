#!/usr/bin/env python3
"""The looking glass's answers against bgpdump's view of the same MRT file.

    check_api.py BASE_URL SESSION=DUMP [SESSION=DUMP...]

SESSION is the address a `bgplens replay` connected from, DUMP the
`bgpdump -m` lines of the MRT peer it replayed.  Every check prints
"ok ..." or "FAIL ..."; the exit status is 1 if any failed.
"""
import ipaddress
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
failed = 0


def get(path, method="GET"):
    """(status, headers, parsed JSON or None)."""
    req = urllib.request.Request(BASE + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            body, status, hdrs = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        body, status, hdrs = e.read(), e.code, e.headers
    try:
        return status, hdrs, json.loads(body) if body else None
    except ValueError:
        return status, hdrs, body.decode(errors="replace")


def check(cond, what, detail=""):
    global failed
    if cond:
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + str(detail) if detail else ""))
    return cond


def q(**params):
    return urllib.parse.urlencode(params)


class Route:
    def __init__(self, src, f):
        self.src = src
        self.prefix = ipaddress.ip_network(f[5])
        self.path = f[6]
        self.origin = f[7]
        self.nexthop = f[8]
        self.localpref = f[9]
        self.med = f[10]
        self.comms = f[11]
        self.atomic = f[12] == "AG"
        toks = self.path.split()
        self.origin_as = 0 if not toks or toks[-1].startswith("{") \
            else int(toks[-1])


def load(sessions):
    """Routes by (prefix, source id) from the dumps, sources from /peers."""
    _, _, peers = get("/api/v1/peers")
    src_of = {p["address"]: p.get("source") for p in peers["peers"]}
    routes = {}
    for spec in sessions:
        sess, dump = spec.split("=", 1)
        src = src_of.get(sess)
        check(src is not None, "session %s has a source" % sess)
        with open(dump) as f:
            for line in f:
                r = Route(src, line.rstrip("\n").split("|"))
                routes[(r.prefix, src)] = r
    return routes


def key(r):
    """Sort key of the API's order: address, length, source."""
    p = r.prefix
    return (p.version, int(p.network_address), p.prefixlen, r.src)


def pages(path, limit, **params):
    """Every route of a paginated /routes query, and the page count."""
    out, cursor, n = [], None, 0
    while True:
        p = dict(params, limit=limit)
        if cursor:
            p["cursor"] = cursor
        status, _, body = get(path + "?" + q(**p))
        if status != 200:
            raise RuntimeError("%s %s: %s" % (path, p, body))
        out += body["routes"]
        n += 1
        if body["count"] != len(body["routes"]):
            raise RuntimeError("count %d for %d routes" %
                               (body["count"], len(body["routes"])))
        cursor = body.get("next_cursor")
        if not cursor:
            return out, n
        if n > 100000:
            raise RuntimeError("no end to the pages")


def ids(api_routes):
    return [(ipaddress.ip_network(r["prefix"]), r["source"]["id"])
            for r in api_routes]


def same_route(a, r):
    """Differences between an API route and a bgpdump line."""
    d = []
    if a["as_path"] != r.path:
        d.append("as_path %r != %r" % (a["as_path"], r.path))
    if a["origin"] != r.origin:
        d.append("origin %s != %s" % (a["origin"], r.origin))
    if a.get("next_hop") != r.nexthop:
        d.append("next_hop %s != %s" % (a.get("next_hop"), r.nexthop))
    if str(a.get("med", 0)) != r.med:
        d.append("med %s != %s" % (a.get("med"), r.med))
    if str(a.get("local_pref", 0)) != r.localpref:
        d.append("local_pref %s != %s" % (a.get("local_pref"), r.localpref))
    if " ".join(a["communities"]) != r.comms:
        d.append("communities %s != %s" % (a["communities"], r.comms))
    if a.get("atomic_aggregate", False) != r.atomic:
        d.append("atomic_aggregate")
    if a["origin_as"] != r.origin_as:
        d.append("origin_as %s != %s" % (a["origin_as"], r.origin_as))
    return d


def check_exact(routes, rnd):
    by_pfx = {}
    for (p, s), r in routes.items():
        by_pfx.setdefault(p, {})[s] = r
    sample = rnd.sample(sorted(by_pfx, key=lambda p: (p.version,
                        int(p.network_address), p.prefixlen)), 40)
    bad = []
    for p in sample:
        _, _, body = get("/api/v1/routes?" + q(prefix=str(p)))
        got = {r["source"]["id"]: r for r in body["routes"]}
        if set(got) != set(by_pfx[p]):
            bad.append("%s: sources %s, want %s" % (p, sorted(got),
                       sorted(by_pfx[p])))
            continue
        for s, r in by_pfx[p].items():
            d = same_route(got[s], r)
            if d:
                bad.append("%s source %d: %s" % (p, s, "; ".join(d)))
    check(not bad, "exact match: %d prefixes, every attribute as bgpdump"
          % len(sample), bad[:5])


def longest(by_pfx, addr):
    a = ipaddress.ip_address(addr)
    for plen in range(a.max_prefixlen, -1, -1):
        n = ipaddress.ip_network("%s/%d" % (a, plen), strict=False)
        if n in by_pfx:
            return n
    return None


def check_longest(routes, rnd):
    by_pfx = {}
    for (p, s) in routes:
        by_pfx.setdefault(p, set()).add(s)
    v4 = [p for p in by_pfx if p.version == 4]
    addrs = []
    for p in rnd.sample(v4, 20):
        addrs += [p.network_address, p.broadcast_address]
    addrs += [ipaddress.ip_address(rnd.randrange(0, 13 << 24))
              for _ in range(30)]
    addrs += [ipaddress.ip_address(x) for x in ("127.0.0.1", "200.1.2.3",
              "0.0.0.1", "223.255.255.255")]
    bad = []
    for a in addrs:
        want = longest(by_pfx, a)
        _, _, body = get("/api/v1/routes?" + q(prefix=str(a)))
        got = {ipaddress.ip_network(r["prefix"]) for r in body["routes"]}
        srcs = {r["source"]["id"] for r in body["routes"]}
        if want is None and got:
            bad.append("%s: %s, want nothing" % (a, got))
        elif want is not None and (got != {want} or srcs != by_pfx[want]):
            bad.append("%s: %s %s, want %s %s" % (a, got, srcs, want,
                       by_pfx[want]))
    check(not bad, "longest match: %d addresses" % len(addrs), bad[:5])


def check_more_less(routes):
    every = sorted(routes.values(), key=key)
    for cover in ("1.0.0.0/8", "2.0.0.0/8", "5.0.0.0/8", "12.0.0.0/8",
                  "1.0.0.0/16", "8.0.0.0/12", "4.0.0.0/6"):
        c = ipaddress.ip_network(cover)
        want = [(r.prefix, r.src) for r in every
                if r.prefix.version == 4 and r.prefix.subnet_of(c)]
        got, n = pages("/api/v1/routes", 500, prefix=cover, match="more")
        check(ids(got) == want, "more-specifics of %s: %d routes in %d pages"
              % (cover, len(want), n), "got %d" % len(got))
    for p in ("1.128.0.0/11", "12.0.0.0/8", "12.167.138.0/24", "1.2.3.4"):
        a = ipaddress.ip_network(p, strict=False)
        want = [(r.prefix, r.src) for r in every
                if r.prefix.version == 4 and a.subnet_of(r.prefix)]
        _, _, body = get("/api/v1/routes?" + q(prefix=p, match="less",
                                               limit=10000))
        check(ids(body["routes"]) == want, "less-specifics of %s: %d routes"
              % (p, len(want)), ids(body["routes"]))


def check_origin(routes, rnd):
    counts = {}
    for r in routes.values():
        counts[r.origin_as] = counts.get(r.origin_as, 0) + 1
    top = sorted((a for a in counts if a), key=lambda a: -counts[a])[:4]
    asns = top + rnd.sample(sorted(a for a in counts if a), 4) + [1221]
    every = sorted(routes.values(), key=key)
    for asn in asns:
        want = [(r.prefix, r.src) for r in every if r.origin_as == asn]
        got, n = pages("/api/v1/routes", 100, origin=asn)
        check(ids(got) == want, "origin AS%d: %d routes in %d pages" %
              (asn, len(want), n), "got %d" % len(got))
    _, _, body = get("/api/v1/routes?origin=AS%d&limit=1" % top[0])
    check(body["count"] == 1 and "next_cursor" in body,
          "origin as AS%d, limit 1: one route and a cursor" % top[0])


def check_filters(routes):
    every = sorted(routes.values(), key=key)
    comms = {}
    for r in every:
        for c in r.comms.split():
            comms[c] = comms.get(c, 0) + 1
    for c in sorted(comms, key=lambda c: -comms[c])[:2]:
        want = [(r.prefix, r.src) for r in every if c in r.comms.split()]
        got, n = pages("/api/v1/routes", 1000, community=c)
        check(ids(got) == want, "community %s: %d routes" % (c, len(want)),
              "got %d" % len(got))
    for regex, test in (("^1221 4637 3356 ", lambda p:
                         p.startswith("1221 4637 3356 ")),
                        (" 3356 ", lambda p: " 3356 " in p),
                        (" 7018$", lambda p: p.endswith(" 7018")),
                        ("[{]", lambda p: "{" in p)):
        want = [(r.prefix, r.src) for r in every if test(r.path)]
        got, n = pages("/api/v1/routes", 1000, aspath=regex)
        check(ids(got) == want, "aspath /%s/: %d routes" % (regex,
              len(want)), "got %d" % len(got))
    got, _ = pages("/api/v1/routes", 1000, **{"large-community": "1:2:3"})
    check(got == [], "large-community 1:2:3: none, as in bgpdump")
    srcs = sorted({r.src for r in every})
    for s in srcs:
        want = [(r.prefix, r.src) for r in every if r.src == s]
        got, n = pages("/api/v1/routes", 2000, source=s)
        check(ids(got) == want, "source %d: %d routes in %d pages" %
              (s, len(want), n), "got %d" % len(got))
    got, _ = pages("/api/v1/routes", 5000, best="only")
    pf = [p for p, _ in ids(got)]
    check(len(pf) == len(set(pf)) == len({r.prefix for r in every}),
          "best=only: one route per prefix (%d)" % len(pf))


def check_pagination(routes):
    want = [(r.prefix, r.src) for r in sorted(routes.values(), key=key)]
    for limit in (1000, 777, 10000):
        got, n = pages("/api/v1/routes", limit)
        check(ids(got) == want, "all routes, pages of %d: %d pages "
              "concatenated = %d routes of bgpdump" % (limit, n, len(want)),
              "got %d" % len(got))
    got, n = pages("/api/v1/routes", 333, afi="ipv4")
    check(ids(got) == [w for w in want if w[0].version == 4],
          "afi=ipv4, pages of 333")
    got, _ = pages("/api/v1/routes", 100, afi="ipv6")
    check(ids(got) == [w for w in want if w[0].version == 6],
          "afi=ipv6")


def neighbours(routes, asn):
    """{neighbour: [left, right, routes]} as the API counts them."""
    nb = {}
    for r in routes.values():
        seq = []
        for t in r.path.split():
            st = t.startswith("{") or t.startswith("(") or \
                t.startswith("[")
            if not st and seq and not seq[-1][1] and seq[-1][0] == t:
                continue
            seq.append((t, st))
        seen = set()
        for i, (t, st) in enumerate(seq):
            if st or t != str(asn):
                continue
            for j, side in ((i - 1, 0), (i + 1, 1)):
                if 0 <= j < len(seq) and not seq[j][1] and \
                        seq[j][0] != str(asn):
                    n = int(seq[j][0])
                    if (n, side) in seen:
                        continue
                    e = nb.setdefault(n, [0, 0, 0])
                    e[side] += 1
                    if (n, 0) not in seen and (n, 1) not in seen:
                        e[2] += 1
                    seen.add((n, side))
    return nb


def asn_walk(asn, **params):
    """Every page of /asn/{asn}: prefixes, merged neighbours, pages."""
    prefixes, nb, cursor, n, scanned = [], {}, None, 0, 0
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        status, _, body = get("/api/v1/asn/%s?%s" % (asn, q(**p)))
        if status != 200:
            raise RuntimeError("asn %s: %s %s" % (asn, status, body))
        n += 1
        scanned += body["routes_scanned"]
        for e in body["prefixes"]:
            if prefixes and prefixes[-1][0] == e["prefix"]:
                prefixes[-1][1] += e["routes"]   # split across walks
            else:
                prefixes.append([e["prefix"], e["routes"]])
        for e in body["neighbours"]:
            m = nb.setdefault(e["asn"], [0, 0, 0])
            m[0] += e["left"]
            m[1] += e["right"]
            m[2] += e["routes"]
        cursor = body.get("next_cursor")
        if body["complete"]:
            return prefixes, nb, n, scanned, body
        if not cursor or n > 10000:
            raise RuntimeError("asn %s: incomplete with no cursor" % asn)


def check_asn(routes):
    every = sorted(routes.values(), key=key)
    for asn in (1221, 4637, 7018, 8402, 3356):
        want_p = []
        for r in every:
            if r.origin_as == asn:
                if want_p and want_p[-1][0] == str(r.prefix):
                    want_p[-1][1] += 1
                else:
                    want_p.append([str(r.prefix), 1])
        want_nb = neighbours(routes, asn)
        for params in ({}, {"limit": 7}, {"scan": 1500},
                       {"limit": 3, "scan": 999}):
            pre, nb, n, scanned, _ = asn_walk("AS%d" % asn, **params)
            diff = sorted(k for k in set(nb) | set(want_nb)
                          if nb.get(k) != want_nb.get(k))
            check(pre == want_p and not diff and scanned == len(routes),
                  "asn %d %s: %d prefixes, %d neighbours, %d walks" %
                  (asn, params or "", len(want_p), len(want_nb), n),
                  "prefixes %d/%d, scanned %d, neighbours differ: %s" %
                  (len(pre), len(want_p), scanned, [(k, nb.get(k),
                   want_nb.get(k)) for k in diff[:4]]))
    status, _, body = get("/api/v1/asn/4200000000")
    check(status == 200 and body["prefixes"] == [] and
          body["neighbours"] == [] and body["complete"],
          "asn never seen: 200, empty")


def check_history(routes, rnd):
    sample = rnd.sample(sorted(routes, key=lambda k: (int(
        k[0].network_address), k[0].prefixlen, k[1])), 5)
    for p, s in sample:
        _, _, body = get("/api/v1/history?" + q(prefix=str(p)))
        ev = [e for e in body["events"] if e["source"]["id"] == s]
        check(len(ev) >= 1 and ev[0]["type"] == "announce" and
              ev[0]["after"]["as_path"] == routes[(p, s)].path and
              ev[0]["before"] is None,
              "history of %s: announced with bgpdump's path" % p, body)
        _, _, body = get("/api/v1/history?" + q(prefix=str(p),
                                                at="4000000000"))
        got = [r for r in body["routes"] if r["source"]["id"] == s]
        check(len(got) == 1 and not same_route(got[0], routes[(p, s)]),
              "history of %s at a time: the route as bgpdump" % p)
    _, _, body = get("/api/v1/history?" + q(prefix="1.0.0.0/8", more="true",
                                            limit=5))
    check(body["count"] == 5 and body["limited"],
          "history more=true limit=5: 5 events, limited")
    _, _, body = get("/api/v1/history?" + q(prefix="1.0.0.0/24", at="1"))
    check(body["routes"] == [], "history at 1970: no routes")


# (query, the parameter the 400 must name)
ERRORS = [
    ("routes?prefix=1.2.3", "prefix"), ("routes?prefix=1.2.3.4/33", "prefix"),
    ("routes?prefix=::/129", "prefix"), ("routes?prefix=x", "prefix"),
    ("routes?prefix=1.2.3.4/", "prefix"), ("routes?prefix=", "prefix"),
    ("routes?prefix", "prefix"), ("routes?match=more", "match"),
    ("routes?prefix=1.0.0.0/8&match=all", "match"),
    ("routes?origin=AS", "origin"), ("routes?origin=0", "origin"),
    ("routes?origin=-1", "origin"), ("routes?origin=4294967296", "origin"),
    ("routes?origin=1.5", "origin"), ("routes?origin=ASx", "origin"),
    ("routes?community=1", "community"), ("routes?community=1:2:3",
                                          "community"),
    ("routes?community=65536:1", "community"), ("routes?community=a:b",
                                                "community"),
    ("routes?community=1::2", "community"), ("routes?community=:1",
                                             "community"),
    ("routes?community=1:", "community"),
    ("routes?large-community=1:2", "large-community"),
    ("routes?large-community=1:2:3:4", "large-community"),
    ("routes?large-community=4294967296:1:1", "large-community"),
    ("routes?aspath=(", "aspath"), ("routes?aspath=[", "aspath"),
    ("routes?aspath=" + "1" * 129, "aspath"),
    ("routes?aspath=" + urllib.parse.quote("(.*)\\1"), "aspath"),
    ("routes?aspath=" + urllib.parse.quote("((.{0,255}){0,255}){0,255}"),
     "aspath"),
    ("routes?aspath=" + urllib.parse.quote("(( .*)*)*x"), "aspath"),
    ("routes?source=65535", "source"), ("routes?source=-1", "source"),
    ("routes?source=x", "source"), ("routes?best=some", "best"),
    ("routes?afi=ipv5", "afi"), ("routes?limit=0", "limit"),
    ("routes?limit=10001", "limit"), ("routes?limit=-1", "limit"),
    ("routes?limit=1e3", "limit"), ("routes?limit=%205", "limit"),
    ("routes?limit=5%20", "limit"), ("routes?limit=0x10", "limit"),
    ("routes?cursor=x", "cursor"), ("routes?cursor=1.0.0.0/8,1", "cursor"),
    ("routes?cursor=1.0.0.0/8,70000,0", "cursor"),
    ("routes?cursor=1.0.0.0,0,0", "cursor"),
    ("routes?cursor=1.0.0.0/8,0,4294967296", "cursor"),
    ("routes?limit=1&limit=2", "limit"),
    ("routes?prefix=1.0.0.0/8&prefix=2.0.0.0/8", "prefix"),
    ("routes?foo=1", "foo"), ("routes?Prefix=1.0.0.0/8", "Prefix"),
    ("history", "prefix"), ("history?prefix=1.0.0.0/8&from=x", "from"),
    ("history?prefix=1.0.0.0/8&to=1e9", "to"),
    ("history?prefix=1.0.0.0/8&at=-1", "at"),
    ("history?prefix=1.0.0.0/8&at=1.2.3", "at"),
    ("history?prefix=1.0.0.0/8&more=1", "more"),
    ("history?prefix=1.0.0.0/8&from=20&to=10", "from"),
    ("history?prefix=1.0.0.0/8&limit=0", "limit"),
    ("history?prefix=1.0.0.0/8&cursor=x", "cursor"),
    ("asn/abc", "asn"), ("asn/0", "asn"), ("asn/AS", "asn"),
    ("asn/4294967296", "asn"), ("asn/12a", "asn"),
    ("asn/1?limit=0", "limit"), ("asn/1?scan=0", "scan"),
    ("asn/1?scan=10000001", "scan"), ("asn/1?afi=x", "afi"),
    ("asn/1?cursor=1", "cursor"), ("asn/1?origin=1", "origin"),
    ("asn/1?asn=2", "asn"),
    ("status?x=1", "x"), ("peers?limit=1", "limit"),
    ("openapi.json?x=1", "x"),
]

NOT_FOUND = ["/api/v1/nothing", "/api/v1/asn/", "/api/v1/asn/1/x",
             "/api/v1/status/", "/api", "/api/v2/status", "/api/v1/STATUS",
             "/metricsx/", "/api/v1/routes/1.0.0.0"]


def check_errors():
    bad = []
    for path, param in ERRORS:
        status, _, body = get("/api/v1/" + path)
        if status != 400 or not isinstance(body, dict) or \
                body.get("parameter") != param or not body.get("error"):
            bad.append("%s: %s %s" % (path, status, body))
    check(not bad, "%d malformed requests: 400 naming the parameter"
          % len(ERRORS), bad[:5])
    bad = []
    for path in NOT_FOUND:
        status, _, body = get(path)
        if status != 404 or not isinstance(body, dict) or "error" not in body:
            bad.append("%s: %s %s" % (path, status, body))
    check(not bad, "%d unknown paths: 404 with a JSON error" %
          len(NOT_FOUND), bad[:5])
    bad = []
    for m in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, hdrs, body = get("/api/v1/status", method=m)
        if status != 405 or hdrs.get("Allow") != "GET, HEAD":
            bad.append("%s: %s" % (m, status))
    check(not bad, "POST PUT DELETE PATCH OPTIONS: 405, Allow: GET, HEAD",
          bad)
    status, hdrs, body = get("/api/v1/openapi.json", method="HEAD")
    _, ghdrs, _ = get("/api/v1/openapi.json")
    check(status == 200 and body is None and hdrs["Content-Length"] ==
          ghdrs["Content-Length"], "HEAD: 200, no body, GET's length")


def check_enrichment():
    """MaxMind test databases: ASN 1.128.0.0 = AS1221 Telstra; GB, JP."""
    _, _, b = get("/api/v1/routes?prefix=1.128.0.0/11")
    check(b.get("as_names", {}).get("1221") == "Telstra Pty Ltd",
          "as_names: AS1221 is Telstra Pty Ltd", b.get("as_names"))
    _, _, b = get("/api/v1/asn/1221")
    check(b.get("name") == "Telstra Pty Ltd", "asn 1221: name", b.get("name"))
    _, _, b = get("/api/v1/routes?prefix=81.2.69.170")
    check([r.get("country") for r in b["routes"]] == ["GB"] and
          b["routes"][0]["prefix"] == "81.2.69.160/27",
          "country: 81.2.69.160/27 is GB", b)
    check(b.get("as_names") == {"15169": "Google Inc."},
          "as_names: every AS of the answer the database knows", b)
    _, _, b = get("/api/v1/routes?prefix=2001:218::/32")
    check([r.get("country") for r in b["routes"]] == ["JP"],
          "country: 2001:218::/32 is JP (IPv6)", b)
    _, _, b = get("/api/v1/asn/15169")
    check([e for e in b["prefixes"] if "country" in e] ==
          [{"prefix": "81.2.69.160/27", "routes": 1, "country": "GB"}],
          "asn 15169: its GB prefix has its country", b["prefixes"])
    _, _, b = get("/api/v1/status")
    e = b["enrichment"]
    check(e["asn_database"]["type"] == "GeoLite2-ASN" and e["as_names"] > 0
          and e["country_database"]["type"].endswith("Country"),
          "status: both databases loaded", e)


def main_enrich():
    check_enrichment()
    print("%s: %d failed" % (sys.argv[0], failed))
    sys.exit(1 if failed else 0)


def main():
    if sys.argv[2] == "--enrichment":
        main_enrich()
    check_errors()
    rnd = random.Random(7)
    routes = load(sys.argv[2:])
    _, _, st = get("/api/v1/status")
    check(st["routes"]["total"] == len(routes), "status: %d routes = "
          "bgpdump's %d" % (st["routes"]["total"], len(routes)))
    for fn in (check_exact, check_longest, check_origin, check_history):
        fn(routes, rnd)
    for fn in (check_more_less, check_filters, check_pagination, check_asn):
        fn(routes)
    print("%s: %d failed" % (sys.argv[0], failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
