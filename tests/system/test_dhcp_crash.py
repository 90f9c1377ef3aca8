"""Fault test: leases survive SIGKILL. perfdhcp (Debian's kea-admin) loads the server as a
relay agent at a steady rate while a recording client (crafted DISCOVER/REQUEST, broadcast
flag) notes every ACK; the server is SIGKILLed at random moments and restarted, 20 times.
Afterwards every ACKed lease is in the lease file and each client is offered its address
again. In private network namespaces (tests/lib/dhcpnet.py: 192.0.2.0/24 only); about 40 s.
MASQD_DHCP_BIN=/usr/sbin/dnsmasq runs it against dnsmasq 2.90.
Needs root (network namespaces) and perfdhcp."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import threading
import time

import pytest

from lib.dhcpnet import SERVER_ADDR, DhcpNet, stop_process

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("perfdhcp"), reason="perfdhcp is needed (kea-admin)"),
]

RANGE = "--dhcp-range=192.0.2.10,192.0.2.250,1h"
RELAY_ADDR = "192.0.2.3"  # perfdhcp's address (it relays: giaddr, replies to port 67)
KILLS = 20
NEW_CLIENTS_PER_ROUND = 5


def packet(xid: int, mac: bytes, msg_type: int, requested: str | None = None) -> bytes:
    b = bytearray(240)
    b[0:4] = bytes([1, 1, 6, 0])
    b[4:8] = xid.to_bytes(4, "big")
    b[10:12] = (0x8000).to_bytes(2, "big")  # broadcast replies: the client has no address
    b[28:34] = mac
    b[236:240] = bytes([99, 130, 83, 99])
    b += bytes([53, 1, msg_type])
    if requested:
        b += bytes([50, 4]) + bytes(int(x) for x in requested.split("."))
        b += bytes([54, 4]) + bytes(int(x) for x in SERVER_ADDR.split("."))
    b += bytes([255])
    return bytes(b)


def reply_of(data: bytes) -> tuple[int, str]:
    """(DHCP message type, yiaddr)."""
    yiaddr = ".".join(str(x) for x in data[16:20])
    i, kind = 240, 0
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        if data[i] == 53 and data[i + 1] >= 1:
            kind = data[i + 2]
        i += 2 + data[i + 1]
    return kind, yiaddr


class Recorder:
    def __init__(self, net: DhcpNet):
        self.sock = net.client_socket()
        self.xid = random.randrange(1 << 20, 1 << 30)
        self.acked: dict[bytes, str] = {}

    def exchange(self, mac: bytes, timeout: float = 0.5) -> str | None:
        """DISCOVER, REQUEST; the ACKed address (recorded) or None."""
        self.xid += 1
        self.sock.send(packet(self.xid, mac, 1))
        data = self.sock.recv_xid(self.xid, timeout)
        if not data or reply_of(data)[0] != 2:
            return None
        offered = reply_of(data)[1]
        self.sock.send(packet(self.xid, mac, 3, offered))
        while True:
            data = self.sock.recv_xid(self.xid, timeout)
            if not data:
                return None
            kind, addr = reply_of(data)
            if kind == 5:
                self.acked[mac] = addr
                return addr
            if kind == 6:
                return None

    def offer(self, mac: bytes, timeout: float = 1.0) -> str | None:
        self.xid += 1
        self.sock.send(packet(self.xid, mac, 1))
        data = self.sock.recv_xid(self.xid, timeout)
        return reply_of(data)[1] if data and reply_of(data)[0] == 2 else None


def test_acked_leases_survive_sigkill(net, dhcp_bin, tmp_path):
    rng = random.Random(os.environ.get("MASQD_FAULT_SEED", str(time.time())))
    net.cx("ip", "addr", "add", f"{RELAY_ADDR}/24", "dev", net.client_if)
    leases = tmp_path / "leases"
    args = [RANGE, "--dhcp-lease-max=1000", "--quiet-dhcp"]
    perf_log = open(tmp_path / "perfdhcp.log", "w")
    perf = subprocess.Popen(["ip", "netns", "exec", net.client_ns, "perfdhcp", "-4", "-l", RELAY_ADDR,
                             "-r", "100", "-R", "100", "-p", "120", SERVER_ADDR],
                            stdout=perf_log, stderr=perf_log)
    net.procs.append(perf)
    rec = Recorder(net)
    try:
        serial = 0
        for _ in range(KILLS):
            s = net.server(dhcp_bin, *args, lease_file=leases)
            killer = threading.Timer(rng.uniform(0.2, 1.2), lambda p=s.proc: p.send_signal(signal.SIGKILL))
            killer.start()
            try:
                deadline = time.monotonic() + 5
                new = 0
                while s.proc.poll() is None and time.monotonic() < deadline:
                    if new < NEW_CLIENTS_PER_ROUND or not rec.acked:
                        serial += 1
                        new += 1
                        mac = bytes([2, 0xfa, 0, 0, serial >> 8, serial & 0xff])
                    else:  # a known client again: it must get the same address
                        mac = rng.choice(sorted(rec.acked))
                    before = rec.acked.get(mac)
                    got = rec.exchange(mac)
                    assert before is None or got is None or got == before, (mac.hex(":"), before, got)
            finally:
                killer.cancel()
                s.proc.send_signal(signal.SIGKILL)
                s.proc.wait(timeout=5)
                s.stop()
        print(f"{len(rec.acked)} clients ACKed")  # shown with -s
        assert len(rec.acked) >= KILLS, f"only {len(rec.acked)} ACKs recorded"
        # Every ACK is in the lease file, with the same address.
        s = net.server(dhcp_bin, *args, lease_file=leases)
        if "dnsmasq" not in os.path.basename(dhcp_bin):
            # masqd read its leases from the journal the killed run left (src/dhcp/file_lease_store.h).
            assert any(line.startswith(f"leases read from {leases}.journal") for line in s.log_lines()), s.log_lines()
        on_file = {f[1]: f[2] for f in s.leases()}
        for mac, addr in rec.acked.items():
            hw = ":".join(f"{x:02x}" for x in mac)
            assert on_file.get(hw) == addr, f"{hw} was ACKed {addr}, lease file: {on_file.get(hw)}"
        # And each client is offered that address again.
        for mac, addr in rec.acked.items():
            got = rec.offer(mac) or rec.offer(mac)
            assert got == addr, f"{mac.hex(':')} was ACKed {addr}, now offered {got}"
    finally:
        rec.sock.close()
        stop_process(perf)
        perf_log.close()
