#!/usr/bin/env python3
"""Clients hammering the looking glass while the RIB is being loaded.

    hammer.py BASE_URL CLIENTS SECONDS STOPFILE OUT.json

Each client (a process with one keep-alive connection) loops over a mix of
requests until STOPFILE exists or SECONDS pass: longest match of random
IPv4 and IPv6 addresses, more-specifics of random /8s, the whole table a
page at a time (following cursors), AS walks (a 503 when another runs is
allowed), /status, /peers and /metrics.  Every
answer must be a 200 whose body parses and agrees with itself (count =
routes listed, pages in order); /status's route count must never go
down, since ingest only adds.  OUT.json gets the totals and the first
problems found; the exit status is 1 if there was any.
"""
import http.client
import ipaddress
import json
import multiprocessing
import os
import random
import sys
import time
import urllib.parse


def client(base, seconds, stopfile, seed, q):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    rnd = random.Random(seed)
    st = {"requests": 0, "problems": [], "totals": [], "by_path": {}}
    last_total = -1
    cursor = None
    last_key = None
    deadline = time.time() + seconds

    def problem(msg):
        if len(st["problems"]) < 10:
            st["problems"].append(msg)

    def get(path, busy_ok=False):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        st["requests"] += 1
        k = path.split("?")[0]
        if k.startswith("/api/v1/asn/"):
            k = "/api/v1/asn/{asn}"
        st["by_path"][k] = st["by_path"].get(k, 0) + 1
        if r.status == 503 and busy_ok:
            return None             # another walk is running: allowed
        if r.status != 200:
            problem("%s: HTTP %d %s" % (path, r.status, body[:100]))
            return None
        if k == "/metrics":
            return body.decode()
        try:
            return json.loads(body)
        except ValueError as e:
            problem("%s: torn JSON (%s) %r" % (path, e, body[:80]))
            return None

    def routes_ok(path, b):
        if b is None:
            return False
        if b["count"] != len(b["routes"]):
            problem("%s: count %d, %d routes" % (path, b["count"],
                                                  len(b["routes"])))
            return False
        return True

    while time.time() < deadline and not os.path.exists(stopfile):
        x = rnd.random()
        try:
            if x < 0.35:
                a = ipaddress.IPv4Address(rnd.getrandbits(32))
                p = "/api/v1/routes?prefix=%s" % a
                b = get(p)
                if routes_ok(p, b):
                    for r in b["routes"]:
                        if a not in ipaddress.ip_network(r["prefix"]):
                            problem("%s: %s does not cover it" %
                                    (p, r["prefix"]))
            elif x < 0.45:
                a = ipaddress.IPv6Address((0x2000 << 112) |
                                          rnd.getrandbits(112))
                p = "/api/v1/routes?prefix=%s" % a
                routes_ok(p, get(p))
            elif x < 0.65:
                b = get("/api/v1/status")
                if b is not None:
                    t = b["routes"]["total"]
                    if t < last_total:
                        problem("status: routes went down %d -> %d" %
                                (last_total, t))
                    if t != last_total:
                        st["totals"].append(t)
                    last_total = t
            elif x < 0.80:
                p = "/api/v1/routes?limit=200"
                if cursor:
                    p += "&cursor=" + urllib.parse.quote(cursor)
                b = get(p)
                if routes_ok(p, b):
                    for r in b["routes"]:
                        n = ipaddress.ip_network(r["prefix"])
                        k = (n.version, int(n.network_address), n.prefixlen,
                             r["source"]["id"], r["path_id"])
                        if last_key is not None and k <= last_key:
                            problem("%s: %s out of order" % (p, k))
                        last_key = k
                    cursor = b.get("next_cursor")
                    if cursor is None:
                        last_key = None
            elif x < 0.95:
                p = "/api/v1/routes?prefix=%d.0.0.0/8&match=more&limit=500" \
                    % rnd.randrange(1, 224)
                routes_ok(p, get(p))
            elif x < 0.96:
                p = "/api/v1/asn/%d?scan=50000&limit=50" % \
                    rnd.randrange(1, 400000)
                b = get(p, busy_ok=True)
                if b is not None and b["count"] != len(b["prefixes"]):
                    problem("%s: count %d, %d prefixes" % (p, b["count"],
                                                          len(b["prefixes"])))
            elif x < 0.98:
                get("/api/v1/peers")
            else:
                m = get("/metrics")
                if m is not None and "bgplens_routes " not in m:
                    problem("metrics without bgplens_routes")
        except (OSError, http.client.HTTPException) as e:
            problem("connection: %r" % e)
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    q.put(st)


def main():
    base, n, seconds, stopfile, out = sys.argv[1], int(sys.argv[2]), \
        float(sys.argv[3]), sys.argv[4], sys.argv[5]
    q = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client, args=(base, seconds,
             stopfile, i, q)) for i in range(n)]
    for p in procs:
        p.start()
    res = [q.get() for _ in procs]
    for p in procs:
        p.join()
    total = {"clients": n, "requests": sum(r["requests"] for r in res),
             "problems": [x for r in res for x in r["problems"]],
             "distinct_totals_seen": len({t for r in res
                                          for t in r["totals"]}),
             "by_path": {}}
    for r in res:
        for k, v in r["by_path"].items():
            total["by_path"][k] = total["by_path"].get(k, 0) + v
    with open(out, "w") as f:
        json.dump(total, f, indent=1)
    sys.exit(1 if total["problems"] else 0)


if __name__ == "__main__":
    main()
