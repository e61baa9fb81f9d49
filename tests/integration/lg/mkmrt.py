#!/usr/bin/env python3
"""Write a small TABLE_DUMP_V2 RIB (RFC 6396) for the looking-glass tests.

    mkmrt.py OUT.mrt PEER_IP PEER_AS ROUTE...

ROUTE is PREFIX=ASPATH[;COMMUNITY...], e.g. "81.2.69.160/27=64602 15169;1:2".
One peer (index 0) carries every route.  The real RIB dumps in ../shared/data
hold no prefix the MaxMind test databases know, so the enrichment checks
need these few routes of their own.
"""
import ipaddress
import struct
import sys
import time

TD2 = 13
PEER_INDEX, RIB_V4, RIB_V6 = 1, 2, 4


def attr(flags, code, body):
    if len(body) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(body)) + body
    return struct.pack("!BBB", flags, code, len(body)) + body


def attrs(prefix, path, comms, nexthop):
    out = attr(0x40, 1, b"\x00")                          # ORIGIN IGP
    asns = [int(a) for a in path.split()]
    seg = struct.pack("!BB", 2, len(asns)) + b"".join(
        struct.pack("!I", a) for a in asns)
    out += attr(0x40, 2, seg)                               # AS_PATH, 4-octet
    if prefix.version == 4:
        out += attr(0x40, 3, ipaddress.ip_address(nexthop).packed)
    else:                                                   # RFC 6396 4.3.4
        nh = ipaddress.ip_address(nexthop).packed
        out += attr(0x80, 14, bytes([len(nh)]) + nh)
    if comms:
        body = b"".join(struct.pack("!HH", *map(int, c.split(":")))
                        for c in comms)
        out += attr(0xC0, 8, body)
    return out


def record(subtype, body, now):
    return struct.pack("!IHHI", now, TD2, subtype, len(body)) + body


def main():
    out, peer_ip, peer_as = sys.argv[1], sys.argv[2], int(sys.argv[3])
    now = int(time.time())
    pip = ipaddress.ip_address(peer_ip)
    ptype = 0x02 | (0x01 if pip.version == 6 else 0)       # AS4, family
    body = struct.pack("!IH", 0x0A000001, 0) + struct.pack("!H", 1)
    body += struct.pack("!BI", ptype, 0x0A000002) + pip.packed
    body += struct.pack("!I", peer_as)
    data = record(PEER_INDEX, body, now)
    for seq, spec in enumerate(sys.argv[4:]):
        pfx, rest = spec.split("=", 1)
        parts = rest.split(";")
        net = ipaddress.ip_network(pfx)
        nh = "192.0.2.1" if net.version == 4 else "2001:db8::1"
        a = attrs(net, parts[0], parts[1:], nh)
        nbytes = (net.prefixlen + 7) // 8
        body = struct.pack("!IB", seq, net.prefixlen)
        body += net.network_address.packed[:nbytes]
        body += struct.pack("!H", 1) + struct.pack("!HIH", 0, now, len(a)) + a
        data += record(RIB_V4 if net.version == 4 else RIB_V6, body, now)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
