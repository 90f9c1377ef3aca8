"""A small TFTP client for tests: RRQ with RFC 2347 options (blksize, tsize, timeout,
windowsize), lock-step or windowed (RFC 7440), and raw packets for crafted requests. The
socket can be opened inside a network namespace (entered with setns for the socket call
only). Every wait is bounded."""
from __future__ import annotations

import ctypes
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


def udp_socket(netns: str | None = None, family: int = socket.AF_INET) -> socket.socket:
    """A UDP socket, made inside network namespace `netns` when given."""
    if not netns:
        return socket.socket(family, socket.SOCK_DGRAM)
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            s = socket.socket(family, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 0))
        finally:
            _setns(own)
    finally:
        os.close(own)
        os.close(target)
    return s


def rrq(filename: bytes | str, mode: str = "octet", options: dict[str, str] | None = None) -> bytes:
    if isinstance(filename, str):
        filename = filename.encode()
    pkt = b"\x00\x01" + filename + b"\x00" + mode.encode() + b"\x00"
    for k, v in (options or {}).items():
        pkt += k.encode() + b"\x00" + str(v).encode() + b"\x00"
    return pkt


@dataclass
class Result:
    data: bytes = b""
    error: tuple[int, str] | None = None   # (code, message) of an ERROR packet
    error_packet: bytes = b""              # the raw ERROR packet
    oack: dict[str, str] = field(default_factory=dict)
    server_port: int = 0
    blocks: int = 0
    max_block_len: int = 0


def parse_error(pkt: bytes) -> tuple[int, str]:
    code = struct.unpack("!H", pkt[2:4])[0]
    return code, pkt[4:].split(b"\x00", 1)[0].decode(errors="replace")


def get(server: str, filename: bytes | str, *, netns: str | None = None, mode: str = "octet",
        options: dict[str, str] | None = None, timeout: float = 60.0, raw: bytes | None = None,
        port: int = 69) -> Result:
    """Fetches one file; stops at an ERROR packet. Windowed when the OACK grants a window:
    ACKs the last block of each full window (or the final block). Raises TimeoutError when
    the whole transfer takes longer than `timeout` or the server goes quiet for 5 s."""
    s = udp_socket(netns)
    s.setblocking(False)
    res = Result()
    blksize, window = 512, 1
    try:
        s.sendto(raw if raw is not None else rrq(filename, mode, options), (server, port))
        deadline = time.monotonic() + timeout
        expected = 1
        in_window = 0
        chunks: list[bytes] = []
        peer = None
        while True:
            left = min(deadline - time.monotonic(), 5.0)
            if left <= 0:
                raise TimeoutError("transfer took too long")
            r, _, _ = select.select([s], [], [], left)
            if not r:
                raise TimeoutError(f"no packet after block {expected - 1}")
            pkt, addr = s.recvfrom(70000)
            if peer is None:
                peer = addr
                res.server_port = addr[1]
            elif addr != peer:
                continue
            op = struct.unpack("!H", pkt[:2])[0]
            if op == 5:
                res.error = parse_error(pkt)
                res.error_packet = pkt
                return res
            if op == 6:
                items = pkt[2:].split(b"\x00")
                res.oack = {items[i].decode(): items[i + 1].decode() for i in range(0, len(items) - 1, 2)}
                blksize = int(res.oack.get("blksize", 512))
                window = int(res.oack.get("windowsize", 1))
                s.sendto(b"\x00\x04\x00\x00", peer)
                continue
            if op != 3:
                continue
            block = struct.unpack("!H", pkt[2:4])[0]
            body = pkt[4:]
            if block != expected & 0xFFFF:
                # Out of order (a lost block): ACK what we have so the server resends.
                s.sendto(struct.pack("!HH", 4, (expected - 1) & 0xFFFF), peer)
                in_window = 0
                continue
            chunks.append(body)
            res.blocks += 1
            res.max_block_len = max(res.max_block_len, len(body))
            expected += 1
            in_window += 1
            last = len(body) < blksize
            if last or in_window >= window:
                s.sendto(struct.pack("!HH", 4, block), peer)
                in_window = 0
            if last:
                res.data = b"".join(chunks)
                return res
    finally:
        s.close()


def request_reply(server: str, payload: bytes, *, netns: str | None = None, wait: float = 3.0,
                  port: int = 69) -> tuple[bytes, tuple] | None:
    """Sends one crafted datagram; returns the first reply and its source, or None."""
    s = udp_socket(netns)
    try:
        s.sendto(payload, (server, port))
        r, _, _ = select.select([s], [], [], wait)
        if not r:
            return None
        pkt, addr = s.recvfrom(70000)
        # Be polite: end any transfer the request started.
        if pkt[:2] in (b"\x00\x03", b"\x00\x06"):
            s.sendto(b"\x00\x05\x00\x00done\x00", addr)
        return pkt, addr
    finally:
        s.close()
