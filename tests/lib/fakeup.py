"""FAKEUP: a scriptable fake upstream DNS server (UDP and TCP) on loopback for tests.

It answers by name suffix with canned behaviours and records every query it sees (source
address and port, ID, exact question name with its letter case, type, flags, EDNS, transport)
so tests can check what masqd sent upstream. Runs in a thread; stop() joins it.

Behaviours by the first label group of the query name:
  *.nx.test        NXDOMAIN with SOA (TTL 60, minimum 60)
  *.nodata.test    NOERROR, no answer, SOA
  *.refused.test   REFUSED
  *.servfail.test  SERVFAIL
  *.drop.test      no reply at all
  *.slow.test      answer A after `slow_seconds`
  anything else    A 192.0.2.1 (TTL 300) for A, AAAA 2001:db8::1 for AAAA, TXT naming this
                   server ("fakeup <port>") for TXT; NODATA otherwise
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


@dataclass
class SeenQuery:
    transport: str
    src: tuple
    id: int
    qname: str  # exact text, case preserved
    qtype: str
    flags: int
    edns: int
    payload: int
    at: float = 0.0  # time.monotonic() when it arrived
    options: list = field(default_factory=list)  # EDNS0 options: (code, data bytes)


@dataclass
class FakeUpstream:
    host: str = "127.0.0.1"
    port: int = 0
    slow_seconds: float = 0.5
    answer_v4: str = "192.0.2.1"
    queries: list = field(default_factory=list)

    def __post_init__(self):
        fam = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        wanted = self.port
        for attempt in range(20):
            # The OS picks a free UDP port; the same TCP port may be taken: then try again.
            self.udp = socket.socket(fam, socket.SOCK_DGRAM)
            self.udp.bind((self.host, wanted))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(fam, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind((self.host, self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
                if wanted or attempt == 19:
                    raise
        self.tcp.listen(16)
        self.udp.settimeout(0.1)
        self.tcp.settimeout(0.1)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._udp_loop, daemon=True),
                         threading.Thread(target=self._tcp_loop, daemon=True)]
        for t in self._threads:
            t.start()

    @property
    def addr(self) -> str:
        return f"{self.host}#{self.port}"

    def seen(self, name_suffix: str = "") -> list[SeenQuery]:
        with self._lock:
            return [q for q in self.queries if q.qname.lower().rstrip(".").endswith(name_suffix.lower())]

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)
        self.udp.close()
        self.tcp.close()

    # --- internals ---------------------------------------------------------------------
    def _record(self, transport, src, q):
        qq = q.question[0]
        with self._lock:
            self.queries.append(SeenQuery(transport, src, q.id, qq.name.to_text(),
                                          dns.rdatatype.to_text(qq.rdtype), q.flags,
                                          q.edns, q.payload, time.monotonic(),
                                          [(int(o.otype), o.to_wire()) for o in q.options]))

    def _answer(self, q) -> dns.message.Message | None:
        qq = q.question[0]
        name = qq.name.to_text().lower()
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        soa = dns.rrset.from_text("test.", 60, "IN", "SOA", "ns.test. host.test. 1 2 3 4 60")
        if name.endswith(".drop.test."):
            return None
        if name.endswith(".nx.test."):
            r.set_rcode(dns.rcode.NXDOMAIN)
            r.authority.append(soa)
        elif name.endswith(".nodata.test."):
            r.authority.append(soa)
        elif name.endswith(".refused.test."):
            r.set_rcode(dns.rcode.REFUSED)
        elif name.endswith(".servfail.test."):
            r.set_rcode(dns.rcode.SERVFAIL)
        else:
            if name.endswith(".slow.test."):
                time.sleep(self.slow_seconds)
            if qq.rdtype == dns.rdatatype.A:
                r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "A", self.answer_v4))
            elif qq.rdtype == dns.rdatatype.AAAA:
                r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "AAAA", "2001:db8::1"))
            elif qq.rdtype == dns.rdatatype.TXT:
                r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "TXT", f'"fakeup {self.port}"'))
            else:
                r.authority.append(soa)
        return r

    def _udp_loop(self):
        while not self._stop.is_set():
            try:
                data, src = self.udp.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            try:
                q = dns.message.from_wire(data)
            except Exception:
                continue
            self._record("udp", src, q)
            threading.Thread(target=self._reply_udp, args=(q, src), daemon=True).start()

    def _reply_udp(self, q, src):
        r = self._answer(q)
        if r is not None and not self._stop.is_set():
            try:
                wire = r.to_wire(max_size=max(q.payload, 512))
            except dns.exception.TooBig:
                # Too big for the asker's UDP size: header and question only, with TC set.
                t = dns.message.make_response(q)
                t.flags |= dns.flags.TC | dns.flags.RA
                wire = t.to_wire()
            try:
                self.udp.sendto(wire, src)
            except OSError:
                pass

    def _tcp_loop(self):
        while not self._stop.is_set():
            try:
                conn, src = self.tcp.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve_tcp, args=(conn, src), daemon=True).start()

    def _serve_tcp(self, conn, src):
        conn.settimeout(2)
        try:
            with conn:
                while not self._stop.is_set():
                    hdr = _recv_exact(conn, 2)
                    if not hdr:
                        return
                    data = _recv_exact(conn, struct.unpack("!H", hdr)[0])
                    if data is None:
                        return
                    q = dns.message.from_wire(data)
                    self._record("tcp", src, q)
                    r = self._answer(q)
                    if r is None:
                        return
                    wire = r.to_wire()
                    conn.sendall(struct.pack("!H", len(wire)) + wire)
        except (OSError, Exception):
            return


def _recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf
