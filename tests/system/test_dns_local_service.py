"""--local-service (issue 3, FEATURES 1(b)): DNS only for clients on a subnet of a local
interface (net, the default value) or on loopback only (host); off when -i/-I/-a is given.

Each test runs in its own pair of network namespaces (tests/lib/dhcpnet.py: server
192.0.2.1/24 on a veth to the client namespace). The client namespace also has
198.51.100.2/24, which is not on any server subnet (the server routes it back through
192.0.2.2), so queries from it are "non-local". Every test runs against masqd and against
/usr/sbin/dnsmasq 2.90 and must pass for both.
"""
from __future__ import annotations

import os
import select
import socket
import struct
import subprocess
import time

import dns.message
import dns.rdatatype
import pytest

from lib.dhcpnet import CLONE_NEWNET, DhcpNet, _libc, stop_process

PORT = 53
NAME = "x.test"
ANSWER = "192.0.2.9"
LOCAL_SRC = "192.0.2.2"
FOREIGN_SRC = "198.51.100.2"
NON_LOCAL_LINE = f"ignoring query from non-local network {FOREIGN_SRC}"


@pytest.fixture(params=["masqd", "dnsmasq"])
def dns_bin(request):
    return request.getfixturevalue("masqd_bin" if request.param == "masqd" else "dnsmasq_bin")


@pytest.fixture
def net(tmp_path):
    n = DhcpNet(tmp_path)
    try:
        n.cx("ip", "addr", "add", f"{LOCAL_SRC}/24", "dev", n.client_if)
        n.cx("ip", "addr", "add", f"{FOREIGN_SRC}/24", "dev", n.client_if)
        n.sx("ip", "route", "add", "198.51.100.0/24", "via", LOCAL_SRC)
        yield n
    finally:
        n.close()


def ns_socket(ns: str, family: int, kind: int) -> socket.socket:
    """A socket made inside namespace `ns` (entered for the socket call only)."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError("setns failed")
        try:
            return socket.socket(family, kind)
        finally:
            if _libc.setns(own, CLONE_NEWNET) != 0:
                raise OSError("setns back failed")
    finally:
        os.close(own)
        os.close(target)


def udp_query(ns: str, src: str, dst: str, timeout: float = 1.0) -> dns.message.Message | None:
    """The reply to one A query for NAME from src to dst, or None (nothing within timeout,
    or an ICMP error)."""
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = ns_socket(ns, fam, socket.SOCK_DGRAM)
    try:
        s.bind((src, 0))
        q = dns.message.make_query(NAME, dns.rdatatype.A)
        s.sendto(q.to_wire(), (dst, PORT))
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([s], [], [], left)[0]:
                return None
            try:
                data = s.recv(4096)
            except ConnectionRefusedError:
                return None
            r = dns.message.from_wire(data)
            if r.id == q.id:
                return r
        return None
    finally:
        s.close()


def tcp_query(ns: str, src: str, dst: str, timeout: float = 1.0) -> dns.message.Message | None:
    """The reply to one A query for NAME over TCP, or None (refused, closed or no answer)."""
    s = ns_socket(ns, socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.bind((src, 0))
        try:
            s.connect((dst, PORT))
            wire = dns.message.make_query(NAME, dns.rdatatype.A).to_wire()
            s.sendall(struct.pack("!H", len(wire)) + wire)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                chunk = s.recv(4096)
                if not chunk:
                    return None
                buf += chunk
        except (OSError, socket.timeout):
            return None
        return dns.message.from_wire(buf[2:2 + struct.unpack("!H", buf[:2])[0]])
    finally:
        s.close()


def answered(r: dns.message.Message | None) -> bool:
    return r is not None and any(ANSWER in rr.to_text() for rr in r.answer)


class Server:
    def __init__(self, net: DhcpNet, binary: str, *extra: str, ready: str = "127.0.0.1"):
        self.net = net
        self.log_path = net.tmp / f"dns-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "w")
        args = ["ip", "netns", "exec", net.server_ns, binary, "-C", "/dev/null", "-d", "--pid-file=",
                f"--port={PORT}", "--no-resolv", "--no-hosts", "--cache-size=0",
                f"--address=/{NAME}/{ANSWER}", *extra]
        if "dnsmasq" not in os.path.basename(binary) and os.environ.get("MASQD_TEST_WORKERS"):
            args.append(f"--masqd-workers={os.environ['MASQD_TEST_WORKERS']}")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self._log)
        net.procs.append(self.proc)
        # Ready when a query from the server namespace to `ready` is answered.
        deadline = time.monotonic() + 5.0
        while not answered(udp_query(net.server_ns, ready, ready, timeout=0.2)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("server did not start:\n" + self.log_text())

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def count(self, text: str) -> int:
        return sum(1 for line in self.log_text().splitlines() if line.endswith(text))

    def stop(self):
        stop_process(self.proc)
        self._log.close()


def wait_until(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_net_answers_only_local_subnets(net, dns_bin):
    s = Server(net, dns_bin, "--local-service")
    assert "DNS service limited to local subnets" in s.log_text()
    assert answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))
    assert answered(udp_query(net.server_ns, "127.0.0.1", "127.0.0.1"))
    assert udp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1") is None
    assert udp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1") is None
    # The UDP warning is written once, whatever the number of queries.
    assert wait_until(lambda: s.count(NON_LOCAL_LINE + " (logged only once)") == 1, 2.0), s.log_text()
    # TCP: no answer for the foreign source (a line per connection), answers locally.
    assert tcp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1") is None
    assert tcp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1") is None
    assert answered(tcp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))
    assert wait_until(lambda: s.count(NON_LOCAL_LINE) == 2, 2.0), s.log_text()
    assert s.count(NON_LOCAL_LINE + " (logged only once)") == 1
    s.stop()


def test_net_follows_subnets_added_and_removed(net, dns_bin):
    s = Server(net, dns_bin, "--local-service=net")
    assert udp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1") is None
    # A /25 on the server's veth makes 198.51.100.2 local (and on-link) while it exists.
    net.sx("ip", "addr", "add", "198.51.100.1/25", "dev", net.server_if)
    assert wait_until(lambda: answered(udp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1", 0.3)), 5.0)
    net.sx("ip", "addr", "del", "198.51.100.1/25", "dev", net.server_if)
    assert wait_until(lambda: udp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1", 0.3) is None, 5.0)
    s.stop()


@pytest.mark.parametrize("other", ["--interface={if}", "--except-interface=nosuch0",
                                   "--listen-address=192.0.2.1"])
def test_net_is_off_with_listening_options(net, dns_bin, other):
    s = Server(net, dns_bin, "--local-service", other.format(**{"if": net.server_if}), ready="192.0.2.1")
    assert "DNS service limited" not in s.log_text()
    assert answered(udp_query(net.client_ns, FOREIGN_SRC, "192.0.2.1"))
    assert answered(udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1"))
    s.stop()


def test_host_listens_on_loopback_only(net, dns_bin):
    s = Server(net, dns_bin, "--local-service=host")
    assert "DNS service limited to localhost" in s.log_text()
    assert answered(udp_query(net.server_ns, "127.0.0.1", "127.0.0.1"))
    assert answered(udp_query(net.server_ns, "::1", "::1"))
    # Nothing listens on the veth address: no answer, local subnet or not.
    assert udp_query(net.client_ns, LOCAL_SRC, "192.0.2.1") is None
    assert tcp_query(net.client_ns, LOCAL_SRC, "192.0.2.1") is None
    # A query from the server's own veth address to loopback is still answered (the
    # sockets are bound to loopback; the source is not checked).
    assert answered(udp_query(net.server_ns, "192.0.2.1", "127.0.0.1"))
    bound = net.sx("ss", "-lnu").stdout
    assert f"127.0.0.1:{PORT}" in bound and f"0.0.0.0:{PORT}" not in bound
    s.stop()


@pytest.mark.parametrize("value", ["", "=host"])
def test_no_banner_line_when_dns_is_off(net, dns_bin, value):
    log_path = net.tmp / "off.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["ip", "netns", "exec", net.server_ns, dns_bin, "-C", "/dev/null", "-d",
                                 "--pid-file=", "--port=0", f"--local-service{value}"],
                                stdout=subprocess.DEVNULL, stderr=log)
        net.procs.append(proc)
        assert wait_until(lambda: "DNS disabled" in log_path.read_text(), 5.0), log_path.read_text()
        stop_process(proc)
    text = log_path.read_text()
    assert "exiting on receipt of SIGTERM" in text
    assert "DNS service limited" not in text
