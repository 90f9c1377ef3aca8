"""Requests that arrive while masqd cannot read (a lease write held up by a slow disk, here
simulated by SIGSTOP) wait in the server socket's receive buffer and are all answered
afterwards. masqd asks for a 2 MiB buffer (SO_RCVBUFFORCE as root); with the kernel's
default (208 KiB, about 200 of these datagrams) most of a burst of 800 is lost, as
`bench/dhcp_bench.py` showed when a lease-file fdatasync took 316 ms at 1000 exchanges/s.
masqd only: dnsmasq keeps the default buffer (and never waits for a disk write).
Crafted DISCOVERs in private network namespaces (tests/lib/dhcpnet.py, 192.0.2.0/24).
Needs root."""
from __future__ import annotations

import os
import select
import signal
import socket
import time

import pytest

from lib.dhcpnet import discover_packet

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

RANGE = "--dhcp-range=192.0.2.100,192.0.2.150,1h"
MAC = "02:00:00:00:00:31"
BURST = 800
SO_RCVBUFFORCE = 33  # <asm-generic/socket.h>; Python's socket module does not name it


def test_requests_sent_while_the_server_is_stalled_are_all_answered(net, masqd_bin):
    s = net.server(masqd_bin, RANGE)
    c = net.client_socket()
    try:
        c.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)  # room for every OFFER
        # One exchange first: the server is up and answering.
        c.send(discover_packet(0x5000, MAC))
        assert c.recv_xid(0x5000, timeout=5.0), "no OFFER before the stall"
        os.kill(s.proc.pid, signal.SIGSTOP)
        try:
            for i in range(BURST):
                c.send(discover_packet(0x6000 + i, MAC))
                if i % 50 == 49:
                    time.sleep(0.005)  # paced: the veth's backlog (netdev_max_backlog) is not the test
        finally:
            os.kill(s.proc.pid, signal.SIGCONT)
        seen: set[int] = set()
        deadline = time.monotonic() + 20
        while len(seen) < BURST and time.monotonic() < deadline:
            r, _, _ = select.select([c.sock], [], [], min(3.0, max(0.0, deadline - time.monotonic())))
            if not r:
                break  # 3 s without an OFFER: the rest are lost
            data = c.sock.recv(4096)
            if len(data) >= 8 and data[0] == 2:
                xid = int.from_bytes(data[4:8], "big")
                if 0x6000 <= xid < 0x6000 + BURST:
                    seen.add(xid)
        assert len(seen) == BURST, f"{BURST - len(seen)} of {BURST} DISCOVERs sent during the stall got no OFFER"
    finally:
        c.close()
