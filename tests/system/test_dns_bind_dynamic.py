"""--bind-dynamic (issue 3, FEATURES 1(b)): one socket per address as with
--bind-interfaces, following addresses that are added and removed after start-up (netlink),
with the arrival interface checked per packet as in wildcard mode; exclusive with
--bind-interfaces.

Private namespaces (tests/lib/dhcpnet.py: server 192.0.2.1/24 on a veth, client
192.0.2.2/24 here). Every test runs against masqd and /usr/sbin/dnsmasq 2.90.
"""
from __future__ import annotations

import os
import signal

import pytest

from lib.dhcpnet import DhcpNet
from test_dns_local_service import LOCAL_SRC, Server, answered, tcp_query, udp_query, wait_until


@pytest.fixture(params=["masqd", "dnsmasq"])
def dns_bin(request):
    return request.getfixturevalue("masqd_bin" if request.param == "masqd" else "dnsmasq_bin")


@pytest.fixture
def net(tmp_path):
    n = DhcpNet(tmp_path)
    try:
        n.cx("ip", "addr", "add", f"{LOCAL_SRC}/24", "dev", n.client_if)
        yield n
    finally:
        n.close()


def bound(net: DhcpNet, proto: str = "u") -> set[str]:
    """The local addresses of port 53 sockets in the server namespace (ss -ln[u|t])."""
    out = net.sx("ss", "-Hln" + proto).stdout
    return {line.split()[3].rsplit(":", 1)[0].strip("[]").split("%")[0]
            for line in out.splitlines() if line.split()[3].endswith(":53")}


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a daemon's parent is gone; init reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_exclusive_with_bind_interfaces(net, dns_bin):
    r = net.sx(dns_bin, "-C", "/dev/null", "-d", "--pid-file=", "--no-resolv", "--bind-interfaces",
               "--bind-dynamic", check=False, timeout=5.0)
    assert r.returncode == 1
    assert "cannot set --bind-interfaces and --bind-dynamic" in r.stderr
    assert not bound(net)


def test_follows_addresses_added_and_removed(net, dns_bin):
    s = Server(net, dns_bin, "--bind-dynamic")
    have = bound(net)
    assert {"127.0.0.1", "192.0.2.1", "::1"} <= have and "0.0.0.0" not in have and "::" not in have
    assert answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))

    net.sx("ip", "addr", "add", "192.0.2.77/24", "dev", net.server_if)
    assert wait_until(lambda: answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.77", 0.3)), 5.0)
    assert "192.0.2.77" in bound(net, "u") and "192.0.2.77" in bound(net, "t")
    assert answered(tcp_query(net.client_ns, LOCAL_SRC, "192.0.2.77"))

    net.sx("ip", "addr", "del", "192.0.2.77/24", "dev", net.server_if)
    assert wait_until(lambda: "192.0.2.77" not in bound(net, "u") | bound(net, "t"), 5.0), bound(net)
    # The other sockets are untouched.
    assert answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))
    s.stop()


def test_new_ipv6_address_after_dad(net, dns_bin):
    s = Server(net, dns_bin, "--bind-dynamic")
    net.cx("ip", "addr", "add", "2001:db8::2/64", "dev", net.client_if, "nodad")
    # With duplicate address detection the address is tentative (not bindable) for ~1 s.
    net.sx("ip", "addr", "add", "2001:db8::77/64", "dev", net.server_if)
    assert wait_until(lambda: answered(udp_query(net.client_ns, "2001:db8::2", "2001:db8::77", 0.3)), 8.0)
    assert "2001:db8::77" in bound(net)
    s.stop()


def test_arrival_interface_checked_per_packet(net, dns_bin):
    # 203.0.113.1 lives on a second interface of the server (a veth pair inside it); -i names only that interface. A query for
    # 203.0.113.1 that arrives over the veth reaches the socket bound to it but is dropped,
    # as in wildcard mode; the same query with -i for the veth is answered.
    net.sx("ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum1")
    net.sx("ip", "addr", "add", "203.0.113.1/24", "dev", "dum0")
    net.sx("ip", "link", "set", "dum0", "up")
    net.sx("ip", "link", "set", "dum1", "up")
    net.cx("ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.1")
    s = Server(net, dns_bin, "--bind-dynamic", "--interface=dum0")
    assert "203.0.113.1" in bound(net) and "192.0.2.1" not in bound(net)
    assert udp_query(net.client_ns, LOCAL_SRC, "203.0.113.1") is None
    assert answered(udp_query(net.server_ns, "203.0.113.1", "203.0.113.1"))
    s.stop()
    s = Server(net, dns_bin, "--bind-dynamic", f"--interface={net.server_if}", ready="192.0.2.1")
    assert answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))
    assert udp_query(net.client_ns, LOCAL_SRC, "203.0.113.1") is None
    s.stop()


def test_new_address_bound_after_privilege_drop(net, dns_bin, tmp_path):
    # As a daemon that drops to nobody, port 53 on an address added later still binds
    # (dnsmasq keeps CAP_NET_BIND_SERVICE for this; so does masqd).
    pid_file = tmp_path / "daemon.pid"
    r = net.sx(dns_bin, "-C", "/dev/null", f"--pid-file={pid_file}", "--user=nobody", "--group=nogroup",
               "--port=53", "--no-resolv", "--no-hosts", "--cache-size=0", "--log-facility=/dev/null",
               "--address=/x.test/192.0.2.9", "--bind-dynamic", check=False, timeout=10.0)
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), 5.0)
    pid = int(pid_file.read_text())
    try:
        assert wait_until(lambda: answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1", 0.3)), 5.0)
        net.sx("ip", "addr", "add", "192.0.2.78/24", "dev", net.server_if)
        assert wait_until(lambda: answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.78", 0.3)), 5.0)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        assert wait_until(lambda: not alive(pid), 5.0)


@pytest.mark.parametrize("mode", ["--bind-interfaces", "--bind-dynamic"])
def test_starts_while_an_ipv6_address_is_tentative(net, dns_bin, mode):
    # Right after it is added (duplicate address detection on) an IPv6 address cannot be
    # bound for about a second. dnsmasq 2.90 starts anyway in both bind modes.
    net.sx("ip", "addr", "add", "2001:db8::1/64", "dev", net.server_if)
    s = Server(net, dns_bin, mode)
    assert answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))
    s.stop()
