#!/usr/bin/env python3
"""Helpers for the detection tests (detect_webhooks.sh, detect_mrt.sh) and
bench/60_detect_latency.sh.

    detect_helper.py receiver --port P --out FILE --secret S [--lifetime N]
        A webhook receiver on 127.0.0.1:P: every POST becomes a JSON line
        in FILE with the receive time, the headers, the body, and whether
        X-Bgplens-Signature is HMAC-SHA256(S, body).  Answers 200 (or
        --status CODE).  Exits after --lifetime seconds.  With --tls-cert
        and --tls-key it speaks HTTPS.

    detect_helper.py monitor --bgplens BIN --mrt FILE --out YAML [--json OUT]
        A monitor file built from an update file's own stable state:
        prefixes with one origin, never withdrawn (explicitly or by a
        session going down), with no more- or less-specific announced;
        their origins and every first hop seen are legal.  --json writes
        the chosen prefixes with a sample source for hijack injection.

    detect_helper.py inject --plan JSON --out MRT [--time T]
        MRT BGP4MP_MESSAGE_AS4 records announcing (and then withdrawing)
        what the plan lists: [{"prefix", "path": [AS...], "peer",
        "peer_as", "withdraw": bool}].

    detect_helper.py check --out FILE --secret S
        Verifies every line of a receiver's FILE; prints a summary as JSON.
"""
import argparse
import collections
import hashlib
import hmac
import http.server
import ipaddress
import json
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time


def receiver(a):
    lock = threading.Lock()
    out = open(a.out, "a")

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # one answer, not two segments

        def do_POST(self):
            t = time.time()
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            sig = self.headers.get("X-Bgplens-Signature", "")
            want = "sha256=" + hmac.new(a.secret.encode(), body,
                                        hashlib.sha256).hexdigest()
            rec = {"t": t, "path": self.path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace"),
                   "sig_ok": hmac.compare_digest(sig, want)}
            with lock:
                out.write(json.dumps(rec) + "\n")
                out.flush()
            self.send_response(a.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class S(http.server.ThreadingHTTPServer):
        allow_reuse_address = True
        daemon_threads = True

    srv = S(("127.0.0.1", a.port), H)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Timer(a.lifetime, srv.shutdown).start()
    srv.serve_forever()


def first_hop(path):
    d = [x for i, x in enumerate(path) if i == 0 or path[i - 1] != x]
    return d[-2] if len(d) >= 2 else None


def monitor(a):
    lines = subprocess.run([a.bgplens, "mrt", "-m", a.mrt],
                           capture_output=True, text=True,
                           check=True).stdout.splitlines()
    have = collections.defaultdict(set)
    origins = collections.defaultdict(set)
    hops = collections.defaultdict(set)
    sample = {}
    unstable, announced = set(), set()
    last_t = 0
    for ln in lines:
        f = ln.split("|")
        last_t = max(last_t, int(f[1]))
        if f[2] == "STATE":
            if f[5] == "6" and f[6] != "6":
                unstable |= have[f[3]]
                have[f[3]] = set()
            continue
        p = f[5]
        if f[2] == "W":
            unstable.add(p)
            have[f[3]].discard(p)
            continue
        path = f[6].split()
        if not path or "{" in f[6]:
            unstable.add(p)
            continue
        announced.add(p)
        have[f[3]].add(p)
        origins[p].add(path[-1])
        h = first_hop(path)
        if h:
            hops[p].add(h)
        sample[p] = {"peer": f[3], "peer_as": int(f[4]),
                     "path": [int(x) for x in path]}
    nets = {p: ipaddress.ip_network(p) for p in announced}
    by_ver = collections.defaultdict(list)
    for p, n in nets.items():
        by_ver[n.version].append(n)
    stable = []
    for p in sorted(announced):
        if p in unstable or len(origins[p]) != 1 or ":" in p:
            continue
        n = nets[p]
        if any(q != n and (q.subnet_of(n) or n.subnet_of(q))
               for q in by_ver[n.version]):
            continue
        stable.append(p)
    with open(a.out, "w") as o:
        o.write("thresholds:\n  clear_after: 0\n  min_sources: 1\n"
                "prefixes:\n")
        for p in stable:
            o.write("  - prefix: %s\n    origins: [%s]\n"
                    % (p, next(iter(origins[p]))))
            if hops[p]:
                o.write("    upstreams: [%s]\n" % ", ".join(sorted(hops[p])))
    if a.json:
        with open(a.json, "w") as o:
            json.dump({"last_time": last_t,
                       "prefixes": [dict(sample[p], prefix=p,
                                         origin=int(next(iter(origins[p]))),
                                         upstreams=sorted(int(h) for h in hops[p]))
                                    for p in stable]}, o)
    print(len(stable))


def mrt_record(t, peer, peer_as, body):
    msg = b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body
    rec = struct.pack("!IIHH", peer_as, 65000, 0, 1) + socket.inet_aton(peer)
    rec += socket.inet_aton("127.0.0.1") + msg
    return struct.pack("!IHHI", t, 16, 4, len(rec)) + rec


def nlri(prefix):
    n = ipaddress.ip_network(prefix)
    nb = (n.prefixlen + 7) // 8
    return bytes([n.prefixlen]) + n.network_address.packed[:nb]


def update_announce(prefix, path, nh):
    attrs = bytes([0x40, 1, 1, 0])
    seg = struct.pack("!BB", 2, len(path)) + b"".join(
        struct.pack("!I", x) for x in path)
    attrs += bytes([0x40, 2, len(seg)]) + seg
    attrs += bytes([0x40, 3, 4]) + socket.inet_aton(nh)
    return struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + \
        nlri(prefix)


def update_withdraw(prefix):
    w = nlri(prefix)
    return struct.pack("!H", len(w)) + w + struct.pack("!H", 0)


def inject(a):
    plan = json.load(open(a.plan))
    t = a.time
    with open(a.out, "wb") as o:
        for it in plan:
            o.write(mrt_record(t, it["peer"], it["peer_as"],
                               update_announce(it["prefix"], it["path"],
                                               it["peer"])))
            t += 1
        t += 5
        for it in plan:
            if it.get("withdraw"):
                o.write(mrt_record(t, it["peer"], it["peer_as"],
                                   update_withdraw(it["prefix"])))
                t += 1


def check(a):
    recs = [json.loads(x) for x in open(a.out) if x.strip()]
    summ = {"requests": len(recs), "bad_signature": 0, "events": [],
            "keys": collections.Counter()}
    for r in recs:
        if not r["sig_ok"]:
            summ["bad_signature"] += 1
        b = json.loads(r["body"])
        summ["keys"][r["headers"].get("idempotency-key")] += 1
        summ["events"].append([b["event"], b["alert"]["type"],
                               b["alert"]["prefix"], b["alert"]["id"],
                               b["alert"]["revision"]])
    summ["duplicates"] = sum(n - 1 for n in summ["keys"].values() if n > 1)
    del summ["keys"]
    print(json.dumps(summ))


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    r = sp.add_parser("receiver")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--secret", default="")
    r.add_argument("--status", type=int, default=200)
    r.add_argument("--lifetime", type=float, default=600)
    r.add_argument("--tls-cert", help="serve HTTPS with this certificate")
    r.add_argument("--tls-key")
    m = sp.add_parser("monitor")
    m.add_argument("--bgplens", required=True)
    m.add_argument("--mrt", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--json")
    i = sp.add_parser("inject")
    i.add_argument("--plan", required=True)
    i.add_argument("--out", required=True)
    i.add_argument("--time", type=int, default=int(time.time()))
    c = sp.add_parser("check")
    c.add_argument("--out", required=True)
    c.add_argument("--secret", default="")
    a = ap.parse_args()
    {"receiver": receiver, "monitor": monitor, "inject": inject,
     "check": check}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
