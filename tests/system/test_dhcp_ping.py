"""The ICMP echo check before a new address is offered (dnsmasq's default; --no-ping turns
it off), with crafted DISCOVERs (tests/lib/dhcpnet.py: 192.0.2.0/24 only, in private network
namespaces). The client namespace itself holds the address the server would pick, so the
echo is answered. MASQD_DHCP_BIN=/usr/sbin/dnsmasq runs the same tests against dnsmasq 2.90.
Needs root (network namespaces, raw ICMP socket in the server)."""
from __future__ import annotations

import os
import time

import pytest

from lib.dhcpnet import DhcpNet, discover_packet

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

RANGE = "--dhcp-range=192.0.2.100,192.0.2.150,1h"
MAC = "02:00:00:00:00:21"


def offer(net: DhcpNet, xid: int, mac: str, timeout: float = 8.0) -> tuple[str | None, float]:
    """(yiaddr of the OFFER or None, seconds it took)."""
    c = net.client_socket()
    try:
        start = time.monotonic()
        c.send(discover_packet(xid, mac))
        data = c.recv_xid(xid, timeout=timeout)
        took = time.monotonic() - start
    finally:
        c.close()
    if not data:
        return None, took
    return ".".join(str(x) for x in data[16:20]), took


def test_offer_skips_an_address_that_answers_ping(net, dhcp_bin, tmp_path):
    # Where this MAC's hash lands (no ping, so no wait).
    s = net.server(dhcp_bin, RANGE)
    first, _ = offer(net, 0x7001, MAC)
    assert first
    s.stop()
    # Someone already uses that address: the echo is answered, another address is offered.
    net.cx("ip", "addr", "add", f"{first}/24", "dev", net.client_if)
    s = net.server(dhcp_bin, RANGE, ping=True, lease_file=tmp_path / "leases2")
    second, took = offer(net, 0x7002, MAC)
    assert second and second != first
    # The next address is checked too (nobody answers): the offer waits for the echo timeout.
    assert took >= 0.9
    # With nothing at the address and --no-ping, the first address comes back at once.
    s.stop()
    net.cx("ip", "addr", "del", f"{first}/24", "dev", net.client_if)
    net.cx("ip", "addr", "add", "192.0.2.99/24", "dev", net.client_if)
    net.server(dhcp_bin, RANGE, lease_file=tmp_path / "leases3")
    third, took = offer(net, 0x7003, MAC)
    assert third == first and took < 0.9


def test_a_free_address_is_offered_after_the_echo_times_out(net, dhcp_bin, tmp_path):
    net.cx("ip", "addr", "add", "192.0.2.99/24", "dev", net.client_if)
    net.server(dhcp_bin, RANGE, ping=True)
    addr, took = offer(net, 0x7101, MAC)
    assert addr and addr != "192.0.2.99"
    assert took >= 0.9
    # Within 30 s the same address is known to be free: no second wait.
    again, took = offer(net, 0x7102, MAC)
    assert again == addr and took < 0.9
