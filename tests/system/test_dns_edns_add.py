"""EDNS0 options masqd adds to or removes from forwarded queries: --add-cpe-id (option 65074),
--strip-mac (65001 and 65073), --strip-subnet (8). Checked against dnsmasq 2.90 with
MASQD_DNS_BIN=/usr/sbin/dnsmasq: a client without EDNS gets an OPT record upstream (UDP size
512) that its reply does not carry; a client's own 65074 is replaced; the options that are not
stripped are kept, in their order."""
from __future__ import annotations

import dns.edns
import dns.message
import dns.query
import pytest

from test_dns_forward import start, upstream  # noqa: F401  (fixtures)

CPE = 65074


def test_cpe_id_for_a_client_without_edns(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--add-cpe-id=abc123")
    q = dns.message.make_query("plain.example.com", "A", use_edns=False)
    r = dns.query.udp(q, "127.0.0.1", port=s.port, timeout=3)
    assert r.answer and r.answer[0][0].address == "192.0.2.1"
    assert r.edns == -1  # the OPT record we added is not passed on
    seen = upstream.seen("plain.example.com")[0]
    assert seen.edns == 0 and seen.payload == 512
    assert seen.options == [(CPE, b"abc123")]


def test_cpe_id_replaces_the_clients_and_keeps_other_options(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--add-cpe-id=abc123")
    q = dns.message.make_query("edns.example.com", "A", use_edns=0, payload=1232,
                               options=[dns.edns.GenericOption(CPE, b"xy"),
                                        dns.edns.GenericOption(65001, b"\x02\x00\x00\x00\x00\x01")])
    r = dns.query.udp(q, "127.0.0.1", port=s.port, timeout=3)
    assert r.answer and r.edns == 0
    seen = upstream.seen("edns.example.com")[0]
    assert seen.payload == 1232
    assert seen.options == [(65001, b"\x02\x00\x00\x00\x00\x01"), (CPE, b"abc123")]


def test_without_the_option_nothing_is_added(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}")
    q = dns.message.make_query("none.example.com", "A", use_edns=False)
    dns.query.udp(q, "127.0.0.1", port=s.port, timeout=3)
    assert upstream.seen("none.example.com")[0].edns == -1


ECS = dns.edns.GenericOption(8, bytes.fromhex("00011800c63364"))  # 198.51.100.0/24
COOKIE = dns.edns.GenericOption(10, bytes.fromhex("aabbccddeeff0011"))
MAC = dns.edns.GenericOption(65001, bytes.fromhex("020000000001"))
MAC_TEXT = dns.edns.GenericOption(65073, b"02:00:00:00:00:01")


def options_seen(start, upstream, name, *flags):
    s = start("--no-resolv", f"--server={upstream.addr}", *flags)
    q = dns.message.make_query(name, "A", use_edns=0, payload=1232,
                               options=[ECS, COOKIE, MAC, MAC_TEXT])
    r = dns.query.udp(q, "127.0.0.1", port=s.port, timeout=3)
    assert r.answer
    return [code for code, _ in upstream.seen(name)[0].options]


def test_strip_mac_takes_out_both_mac_options(start, upstream):
    assert options_seen(start, upstream, "mac.example.com", "--strip-mac") == [8, 10]


def test_strip_subnet_takes_out_the_client_subnet(start, upstream):
    assert options_seen(start, upstream, "ecs.example.com", "--strip-subnet") == [10, 65001, 65073]


def test_options_pass_unchanged_by_default(start, upstream):
    assert options_seen(start, upstream, "all.example.com") == [8, 10, 65001, 65073]
