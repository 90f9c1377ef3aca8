#!/usr/bin/python3
"""Writes the seed corpus of fuzz/dhcp4_engine_fuzz.cc: client packet sequences (packets
joined by the separator "MQSP") that walk the engine through its paths with the fuzz
target's config: DORA, renew, release, decline, inform, init-reboot NAKs, the dhcp-host
clients, a relayed exchange with option 82, and lease-max. Addresses are from
192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24. Run from the repository root; rewrites
fuzz/corpus/dhcp4_engine/."""
import os
import struct

COOKIE = bytes([99, 130, 83, 99])
OUT = "fuzz/corpus/dhcp4_engine"
SEP = b"MQSP"
SRV = bytes([192, 0, 2, 1])


def ip(s):
    return bytes(int(x) for x in s.split("."))


def packet(msg_type, mac_last, *opts, xid=1, ciaddr="0.0.0.0", giaddr="0.0.0.0", flags=0x8000, mac=None):
    mac = mac or bytes([2, 0, 0, 0, 0, mac_last])
    chaddr = mac + b"\0" * (16 - len(mac))
    head = (struct.pack("!BBBBIHH", 1, 1, len(mac), 0, xid, 0, flags) + ip(ciaddr) + b"\0" * 8
            + ip(giaddr) + chaddr + b"\0" * 192)
    body = COOKIE + bytes([53, 1, msg_type])
    for code, data in opts:
        body += bytes([code, len(data)]) + data
    out = head + body + b"\xff"
    return out + b"\0" * max(0, 300 - len(out))


DISCOVER, REQUEST, DECLINE, RELEASE, INFORM = 1, 3, 4, 7, 8
PRL = (55, bytes([1, 3, 6, 12, 15, 28, 42, 119]))


def req(addr):
    return (50, ip(addr))


SID = (54, SRV)

seeds = {
    "dora": [packet(DISCOVER, 1, PRL), packet(REQUEST, 1, PRL, req("192.0.2.105"), SID, (12, b"alpha"))],
    "dora_renew_release": [packet(REQUEST, 1, req("192.0.2.105"), SID),
                           packet(REQUEST, 1, ciaddr="192.0.2.105", flags=0),
                           packet(RELEASE, 1, SID, ciaddr="192.0.2.105")],
    "decline": [packet(REQUEST, 2, req("192.0.2.106"), SID), packet(DECLINE, 2, req("192.0.2.106"), SID),
                packet(DISCOVER, 2)],
    "inform": [packet(INFORM, 3, PRL, ciaddr="192.0.2.140")],
    "init_reboot_naks": [packet(REQUEST, 4, req("198.51.100.5")), packet(REQUEST, 4, req("192.0.2.30")),
                         packet(REQUEST, 4, req("192.0.2.107"), (54, ip("192.0.2.2")))],
    "hosts": [packet(DISCOVER, 0x11, PRL), packet(REQUEST, 0x11, req("192.0.2.50"), SID),
              packet(DISCOVER, 0x66), packet(DISCOVER, 0, mac=bytes([2, 0, 9, 9, 9, 0x22])),
              packet(DISCOVER, 5, (61, bytes([1, 2, 3]))), packet(DISCOVER, 6, (12, b"namedhost"))],
    "relayed_opt82": [packet(DISCOVER, 7, PRL, (82, bytes([1, 3]) + b"e/1" + bytes([2, 2, 0, 1])),
                             giaddr="198.51.100.1"),
                      packet(REQUEST, 7, req("198.51.100.12"), SID, giaddr="198.51.100.1")],
    "lease_max": [packet(REQUEST, m, req(f"192.0.2.{100 + m}"), SID) for m in range(1, 6)],
    "overloaded_client_id": [packet(DISCOVER, 8, (61, bytes(range(200))), (12, b"x" * 70),
                                    (57, bytes([0x05, 0xdc])))],
    "encap_vendor": [packet(DISCOVER, 9, (55, bytes([1, 3, 43, 125, 175, 176])), (60, b"PXEClient:Arch:00000"),
                            (57, bytes([0x05, 0xdc]))),
                     packet(DISCOVER, 9, (60, b"MSFT 5.0")), packet(DISCOVER, 9, (55, bytes([43])), (60, b""))],
    # Option 81 (RFC 4702): ASCII and wire names, the flag combinations, a name with a
    # foreign domain, option 12 beside it, and malformed ones (too short, a label past the
    # end, a compression pointer, an over-long label, an empty name).
    "fqdn_ascii_and_wire": [packet(DISCOVER, 9, PRL, (81, b"\x01\x00\x00alpha")),
                            packet(REQUEST, 9, PRL, req("192.0.2.105"), SID, (81, b"\x00\x00\x00alpha.lan\x00")),
                            packet(REQUEST, 10, req("192.0.2.106"), SID,
                                   (81, b"\x0d\xff\xff\x05delta\x07example\x03org\x00"), (12, b"other")),
                            packet(REQUEST, 0x11, req("192.0.2.50"), SID, (81, b"\x05\x00\x00\x04host\x00"))],
    "fqdn_malformed": [packet(REQUEST, 12, req("192.0.2.107"), SID, (81, b"\x04\x00")),
                       packet(REQUEST, 13, req("192.0.2.108"), SID, (81, b"\x04\x00\x00\x03abc\x09al")),
                       packet(REQUEST, 14, req("192.0.2.109"), SID, (81, b"\x04\x00\x00\xc0\x00")),
                       packet(REQUEST, 15, req("192.0.2.110"), SID, (81, b"\x04\x00\x00\x40" + b"y" * 64 + b"\x00")),
                       packet(REQUEST, 16, req("192.0.2.104"), SID, (81, b"\x04\x00\x00\x00"), (12, b"twelve")),
                       packet(DISCOVER, 17, (81, b"\x04\x00\x00" + b"\x3f" + b"z" * 63 + b"\x3f" + b"z" * 63
                                             + b"\x3f" + b"z" * 63 + b"\x3a" + b"z" * 58 + b"\x00"))],
}

os.makedirs(OUT, exist_ok=True)
for name, packets in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(SEP.join(packets))
print(f"wrote {len(seeds)} seeds to {OUT}")
