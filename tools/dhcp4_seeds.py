#!/usr/bin/python3
"""Writes the seed corpus of fuzz/dhcp4_packet_fuzz.cc: DHCPv4 requests shaped like the
ones udhcpc 1.35 and dhclient 4.4 send (option sets taken from dnsmasq --log-dhcp of real
exchanges), one using option overload and one relayed with option 82. Addresses are from
192.0.2.0/24. Run from the repository root; rewrites fuzz/corpus/dhcp4_packet/."""
import os
import struct

COOKIE = bytes([99, 130, 83, 99])
OUT = "fuzz/corpus/dhcp4_packet"


def header(mac, xid, ciaddr=b"\0" * 4, giaddr=b"\0" * 4, hops=0, flags=0, sname=b"", file=b""):
    chaddr = mac + b"\0" * (16 - len(mac))
    return (struct.pack("!BBBBIHH", 1, 1, len(mac), hops, xid, 0, flags) + ciaddr + b"\0" * 8
            + giaddr + chaddr + sname.ljust(64, b"\0") + file.ljust(128, b"\0"))


def opt(code, data):
    return bytes([code, len(data)]) + data


def pad_to(b, n):
    return b + b"\0" * max(0, n - len(b))


MAC = bytes([2, 0, 0, 0, 0, 1])
CID = b"\x01" + MAC
PRL_UDHCPC = bytes([1, 3, 6, 12, 15, 28, 42])
PRL_DHCLIENT = bytes([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42])

seeds = {}
seeds["udhcpc_discover"] = pad_to(
    header(MAC, 0x26129218, flags=0) + COOKIE + opt(53, b"\x01") + opt(61, CID)
    + opt(57, b"\x02\x40") + opt(55, PRL_UDHCPC) + opt(60, b"udhcp 1.35.0")
    + opt(12, b"alpha") + b"\xff", 300)
seeds["udhcpc_request"] = pad_to(
    header(MAC, 0x26129218) + COOKIE + opt(53, b"\x03") + opt(61, CID)
    + opt(50, bytes([192, 0, 2, 145])) + opt(54, bytes([192, 0, 2, 1]))
    + opt(57, b"\x02\x40") + opt(55, PRL_UDHCPC) + opt(60, b"udhcp 1.35.0")
    + opt(12, b"alpha") + b"\xff", 300)
seeds["dhclient_request_fqdn"] = pad_to(
    header(bytes([2, 0, 0, 0, 0, 9]), 0x5ea1c0de) + COOKIE + opt(53, b"\x03")
    + opt(50, bytes([192, 0, 2, 102])) + opt(12, b"eps")
    + opt(81, b"\x05\x00\x00\x03eps\x07example\x00") + opt(55, PRL_DHCLIENT)
    + opt(77, b"\x04abcd") + opt(80, b"") + b"\xff", 300)
seeds["renew_unicast"] = pad_to(
    header(MAC, 0x1234, ciaddr=bytes([192, 0, 2, 145])) + COOKIE + opt(53, b"\x03")
    + opt(61, CID) + opt(55, PRL_UDHCPC) + b"\xff", 300)
# Option overload: hostname and vendor class continue in file, then sname (RFC 3396).
file_opts = opt(12, b"-long-name") + opt(60, b"PXEClient:Arch:00000") + b"\xff"
sname_opts = opt(60, b":UNDI:002001") + opt(93, b"\x00\x00") + b"\xff"
seeds["overload_file_sname"] = (
    header(MAC, 0x0f0f0f0f, sname=sname_opts, file=file_opts) + COOKIE + opt(53, b"\x01")
    + opt(52, b"\x03") + opt(12, b"a-very") + opt(55, bytes([1, 3, 66, 67])) + b"\xff")
# A relayed DISCOVER: giaddr set, option 82 with circuit-id, remote-id, subscriber-id.
relay = opt(1, b"eth0/1/3:100") + opt(2, bytes([0, 6, 2, 0, 0, 0, 0, 0x42])) + opt(6, b"sub-7")
seeds["relayed_discover_opt82"] = pad_to(
    header(bytes([2, 0, 0, 0, 0, 0x42]), 0xabcdef01, giaddr=bytes([192, 0, 2, 254]), hops=1)
    + COOKIE + opt(53, b"\x01") + opt(55, PRL_UDHCPC) + opt(82, relay) + b"\xff", 300)
# A long option split over several instances (joined on read).
seeds["split_long_option"] = (
    header(MAC, 7) + COOKIE + opt(53, b"\x08") + opt(124, bytes(range(255)))
    + opt(124, bytes(range(45))) + b"\xff")
# Option 81 (RFC 4702): ASCII with a NUL, a wire name without its root label, and the
# malformed ones dnsmasq 2.90 still reads (a label past the end, a pointer, too short).
for name, value in {"fqdn_ascii": b"\x00\x00\x00alpha.lan\x00", "fqdn_wire_no_root": b"\x05\xff\xff\x03abc\x03lan",
                    "fqdn_label_past_end": b"\x04\x00\x00\x03abc\x09al", "fqdn_pointer": b"\x04\x00\x00\xc0\x0c",
                    "fqdn_too_short": b"\x04\x00", "fqdn_long_label": b"\x04\x00\x00\x40" + b"y" * 64 + b"\x00"}.items():
    seeds[name] = pad_to(header(MAC, 0x81) + COOKIE + opt(53, b"\x03") + opt(81, value) + b"\xff", 300)
# Plain BOOTP: no cookie, vendor area free-form.
seeds["bootp_no_cookie"] = pad_to(header(MAC, 99), 300)

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {OUT}")
