#!/usr/bin/env python3
"""A minimal BGP speaker that sends UPDATEs byte for byte as told.

Used by the integration tests for what no real speaker will send:
malformed UPDATEs (RFC 7606 cases), duplicate attributes, session resets.

    rawbgp.py --local 127.0.0.6 --port P --asn 65006 --cmds FILE --log FILE

It connects to 127.0.0.1:P (or --remote) from --local, sends an OPEN
(4-octet AS, IPv4 and IPv6 unicast), answers with KEEPALIVEs, and once
Established sends one message per line appended to FILE (read from where
it left off, across reconnections):

    update HEX          an UPDATE whose body is HEX (withdrawn routes
                        length, withdrawn, attribute length, attributes,
                        NLRI: all of it, as given)
    raw HEX             HEX as it is (a whole message, header included)
    close               close the connection (it reconnects)
    quit                close and exit

Every event is a line in the log: "up N" (Nth time Established),
"sent LINE-NUMBER", "notification CODE SUBCODE HEXDATA", "down REASON".
It reconnects after a second, at most --max-sessions times, and exits
on its own after --lifetime seconds: it never outlives a test.
"""
import argparse
import select
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def msg(mtype, body):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_msg(asn, bgp_id, hold):
    caps = b""
    for afi in (1, 2):                      # multiprotocol, unicast
        caps += bytes([1, 4]) + struct.pack("!HBB", afi, 0, 1)
    caps += bytes([65, 4]) + struct.pack("!I", asn)     # 4-octet AS
    params = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    body = struct.pack("!BHH4sB", 4, my_as, hold,
                       socket.inet_aton(bgp_id), len(params)) + params
    return msg(1, body)


class Session:
    def __init__(self, a, log):
        self.a = a
        self.log = log
        self.buf = b""

    def event(self, s):
        self.log.write(s + "\n")
        self.log.flush()

    def read_msgs(self, sock):
        """Messages available now; None if the connection closed."""
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, OSError) as e:
            self.event("down recv: %s" % e)
            return None
        if not data:
            self.event("down closed by collector")
            return None
        self.buf += data
        out = []
        while len(self.buf) >= 19:
            ln = struct.unpack("!H", self.buf[16:18])[0]
            if ln < 19 or len(self.buf) < ln:
                break
            out.append((self.buf[18], self.buf[19:ln]))
            self.buf = self.buf[ln:]
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--remote", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hold", type=int, default=90)
    ap.add_argument("--cmds", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-sessions", type=int, default=30)
    ap.add_argument("--lifetime", type=float, default=300)
    a = ap.parse_args()
    log = open(a.log, "a")
    s = Session(a, log)
    lineno = 0          # commands done
    ups = 0
    deadline = time.time() + a.lifetime
    for _ in range(a.max_sessions):
        if time.time() > deadline:
            break
        s.buf = b""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((a.local, 0))
            sock.settimeout(5)
            sock.connect((a.remote, a.port))
        except OSError as e:
            s.event("down connect: %s" % e)
            sock.close()
            time.sleep(1)
            continue
        sock.settimeout(None)
        sock.sendall(open_msg(a.asn, a.local, a.hold))
        established = False
        last_ka = time.time()
        quit_now = False
        while time.time() < deadline:
            r, _, _ = select.select([sock], [], [], 0.1)
            if r:
                msgs = s.read_msgs(sock)
                if msgs is None:
                    break
                closed = False
                for t, body in msgs:
                    if t == 1:
                        sock.sendall(msg(4, b""))
                    elif t == 4 and not established:
                        established = True
                        ups += 1
                        s.event("up %d" % ups)
                    elif t == 3:
                        s.event("notification %d %d %s" % (
                            body[0], body[1], body[2:].hex()))
                        closed = True
                if closed:
                    s.event("down notification")
                    break
            if time.time() - last_ka > min(10, a.hold / 3):
                sock.sendall(msg(4, b""))
                last_ka = time.time()
            if not established:
                continue
            with open(a.cmds) as f:
                lines = f.read().splitlines()
            if len(lines) > lineno:
                line = lines[lineno].strip()
                lineno += 1
                if line == "close":
                    s.event("sent %d close" % lineno)
                    break
                if line == "quit":
                    s.event("sent %d quit" % lineno)
                    quit_now = True
                    break
                kind, _, hx = line.partition(" ")
                data = bytes.fromhex(hx.replace(" ", ""))
                try:
                    sock.sendall(msg(2, data) if kind == "update" else data)
                except OSError as e:
                    s.event("down send: %s" % e)
                    break
                s.event("sent %d" % lineno)
        sock.close()
        if quit_now:
            break
        time.sleep(1)
    log.close()


if __name__ == "__main__":
    sys.exit(main())
