#!/usr/bin/env python3
"""The probe of bench/60_detect_latency.sh: a BGP speaker that sends one
hijack at a time and remembers when each left.

    60_detect_probe.py --port P --local ADDR --asn A --prefixes FILE
                       --interval S --out JSON [--hijacker AS]

Connects to 127.0.0.1:P from ADDR, opens a session (4-octet AS, IPv4
unicast), then for each prefix in FILE (one a line) sends an UPDATE
announcing it with AS path "A HIJACKER" and writes down time.time()
just before the send; waits --interval between two.  With --go FILE it
opens the session, creates OUT.up, and waits for FILE before sending.  The times go to
--out as {"prefix": seconds}.  KEEPALIVEs are answered throughout.
"""
import argparse
import json
import os
import select
import socket
import struct
import time

MARKER = b"\xff" * 16


def msg(t, body):
    return MARKER + struct.pack("!HB", 19 + len(body), t) + body


def open_msg(asn):
    caps = bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)
    caps += bytes([65, 4]) + struct.pack("!I", asn)
    params = bytes([2, len(caps)]) + caps
    return msg(1, struct.pack("!BHH4sB", 4, asn if asn < 65536 else 23456,
                              90, socket.inet_aton("192.0.2.250"),
                              len(params)) + params)


def update(prefix, path, nh):
    addr, plen = prefix.split("/")
    plen = int(plen)
    nlri = bytes([plen]) + socket.inet_aton(addr)[:(plen + 7) // 8]
    seg = struct.pack("!BB", 2, len(path)) + b"".join(
        struct.pack("!I", a) for a in path)
    attrs = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(seg)]) + seg + \
        bytes([0x40, 3, 4]) + socket.inet_aton(nh)
    return msg(2, struct.pack("!HH", 0, len(attrs)) + attrs + nlri)


def drain(s, buf, wait):
    """Read what comes within wait seconds; answer KEEPALIVEs."""
    end = time.time() + wait
    while True:
        left = end - time.time()
        r, _, _ = select.select([s], [], [], max(left, 0))
        if r:
            d = s.recv(65536)
            if not d:
                raise SystemExit("probe: the collector closed the session")
            buf += d
            while len(buf) >= 19:
                n = struct.unpack("!H", buf[16:18])[0]
                if len(buf) < n:
                    break
                if buf[18] == 3:
                    raise SystemExit("probe: NOTIFICATION %s" % buf[19:n].hex())
                if buf[18] == 4:
                    s.sendall(msg(4, b""))
                buf = buf[n:]
        if left <= 0:
            return buf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--local", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hijacker", type=int, default=64666)
    ap.add_argument("--prefixes", required=True)
    ap.add_argument("--interval", type=float, default=0.02)
    ap.add_argument("--out", required=True)
    ap.add_argument("--go", help="start sending once this file exists")
    a = ap.parse_args()
    pfx = [l.strip() for l in open(a.prefixes) if l.strip()]
    s = socket.socket()
    s.bind((a.local, 0))
    s.connect(("127.0.0.1", a.port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(open_msg(a.asn))
    buf = drain(s, b"", 1.0)
    s.sendall(msg(4, b""))
    buf = drain(s, buf, 0.5)
    if a.go:
        open(a.out + ".up", "w").close()
        limit = time.time() + 600     # never outlive the benchmark
        while not os.path.exists(a.go):
            if time.time() > limit:
                raise SystemExit("probe: no go after 10 minutes")
            buf = drain(s, buf, 0.001)
    sent = {}
    for p in pfx:
        m = update(p, [a.asn, a.hijacker], a.local)
        sent[p] = time.time()
        s.sendall(m)
        buf = drain(s, buf, a.interval)
    json.dump(sent, open(a.out, "w"))
    drain(s, buf, 2.0)
    s.close()


if __name__ == "__main__":
    main()
