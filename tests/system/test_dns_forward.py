"""DNS forwarding through the real binary against fake upstreams on loopback.

Runs masqd (MASQD_BIN, or MASQD_DNS_BIN when set) in the foreground. Covers answers and rcodes
passed through, per-domain routing, SEC-02/03/04/09/14 checks, TCP, --domain-needed,
--bogus-priv, REFUSED without servers and the bind error."""
from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from lib.fakeup import FakeUpstream
from lib.ports import free_port

HERE = Path(__file__).resolve().parent


def dns_binary(masqd_bin: str) -> str:
    return os.environ.get("MASQD_DNS_BIN") or masqd_bin


def is_dnsmasq(binary: str) -> bool:
    return "dnsmasq" in os.path.basename(binary)


def workers_args(binary: str, workers: int | None) -> list[str]:
    """--masqd-workers for masqd: `workers`, else MASQD_TEST_WORKERS when set (the whole
    suite can run with 1 or 2 workers); nothing for dnsmasq."""
    n = workers or os.environ.get("MASQD_TEST_WORKERS")
    if not n or is_dnsmasq(binary):
        return []
    return [f"--masqd-workers={n}"]


def effective_workers(binary: str, workers: int | None) -> int:
    """How many workers serve: 1 for dnsmasq; masqd's default is one per CPU."""
    if is_dnsmasq(binary):
        return 1
    args = workers_args(binary, workers)
    return int(args[0].split("=")[1]) if args else len(os.sched_getaffinity(0))


class Server:
    """One masqd (or dnsmasq) process serving DNS on 127.0.0.1:port. The cache is off
    (--cache-size=0) unless `cache` is set: these tests count what reaches the upstream."""

    def __init__(self, binary: str, *extra: str, tmp: Path, port: int | None = None,
                 wait: bool = True, listen=("--listen-address=127.0.0.1", "--bind-interfaces"),
                 cache: bool = False, workers: int | None = None):
        self.port = port or free_port()
        self.workers = effective_workers(binary, workers)
        self.log = tmp / f"log-{self.port}.txt"
        self.args = [binary, "-C", "/dev/null", "-d", f"--port={self.port}", *listen,
                     "--pid-file=", "-q", f"--log-facility={self.log}",
                     *([] if cache else ["--cache-size=0"]), *workers_args(binary, workers),
                     *extra]
        # -d echoes every log line to stderr: send it to a file, never to an unread pipe
        # (a full pipe would block the server).
        self.stderr_path = tmp / f"stderr-{self.port}.txt"
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                     text=True)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.stderr_path.read_text()}")
            # A TCP connect succeeds once the server listens (and logs nothing).
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def query(self, name, rdtype="A", tcp=False, timeout=3.0, **kw):
        q = dns.message.make_query(name, rdtype, **kw)
        if tcp:
            return dns.query.tcp(q, "127.0.0.1", port=self.port, timeout=timeout)
        return dns.query.udp(q, "127.0.0.1", port=self.port, timeout=timeout)

    def wait_log(self, line: str, timeout: float = 5.0) -> bool:
        # Sockets are bound (and a TCP connect succeeds) before the start-up lines are
        # logged, so a start-up line may take a moment to appear.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if line in self.log_lines():
                return True
            time.sleep(0.05)
        return False

    def log_lines(self) -> list[str]:
        if not self.log.exists():
            return []
        return [line.split(": ", 1)[1] for line in self.log.read_text().splitlines() if ": " in line]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._stderr.close()


@pytest.fixture
def upstream():
    u = FakeUpstream()
    yield u
    u.stop()


@pytest.fixture
def start(masqd_bin, tmp_path, request):
    started = []
    # A test parametrized with "workers" runs its servers with that many DNS workers.
    callspec = getattr(request.node, "callspec", None)
    param_workers = callspec.params.get("workers") if callspec else None

    def _start(*extra, **kw):
        if param_workers and "workers" not in kw:
            kw["workers"] = param_workers
        s = Server(dns_binary(masqd_bin), *extra, tmp=tmp_path, **kw)
        started.append(s)
        return s

    yield _start
    for s in started:
        s.stop()


def raw_udp(port, payload: bytes, timeout=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(payload, ("127.0.0.1", port))
        try:
            return s.recvfrom(65535)[0]
        except socket.timeout:
            return None
    finally:
        s.close()


def answers(r):
    return sorted(rd.to_text() for rrset in r.answer for rd in rrset)


# --------------------------------------------------------------------------- basics

@pytest.mark.parametrize("workers", [1, 2])
def test_a_aaaa_txt_forwarded(start, upstream, workers):
    s = start("--no-resolv", f"--server={upstream.addr}")
    r = s.query("www.example.com", "A")
    assert r.rcode() == dns.rcode.NOERROR and answers(r) == ["192.0.2.1"]
    assert r.flags & dns.flags.RA and r.flags & dns.flags.RD and not r.flags & dns.flags.AA
    assert r.answer[0].ttl == 300
    assert answers(s.query("www.example.com", "AAAA")) == ["2001:db8::1"]
    assert answers(s.query("www.example.com", "TXT")) == [f'"fakeup {upstream.port}"']
    lines = s.log_lines()
    assert "query[A] www.example.com from 127.0.0.1" in lines
    assert f"forwarded www.example.com to 127.0.0.1#{upstream.port}" in lines
    assert "reply www.example.com is 192.0.2.1" in lines
    # As dnsmasq 2.90: no OPT added upstream for a client without one; a client's OPT
    # goes up with its size bounded by --edns-packet-max (1232), the reply says 1232.
    seen = upstream.seen("www.example.com")
    assert seen and all(q.edns == -1 for q in seen)
    r = s.query("edns.example.com", use_edns=0, payload=4096, want_dnssec=True)
    assert r.payload == 1232
    q = upstream.seen("edns.example.com")[0]
    assert q.edns == 0 and q.payload == 1232


def test_refused_is_asked_again_once(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}")
    # As dnsmasq 2.90 (observed): the first query goes to "all" servers, a REFUSED is then
    # passed on at once; once a server is remembered, its REFUSED (or SERVFAIL) makes us
    # ask all servers again before passing it on.
    assert s.query("a.refused.test").rcode() == dns.rcode.REFUSED
    assert len(upstream.seen("a.refused.test")) == 1
    assert answers(s.query("www.example.com")) == ["192.0.2.1"]
    assert s.query("b.refused.test").rcode() == dns.rcode.REFUSED
    assert len(upstream.seen("b.refused.test")) == 2  # (2.90 re-uses the ID; masqd draws anew)
    assert s.query("c.servfail.test").rcode() == dns.rcode.SERVFAIL
    assert len(upstream.seen("c.servfail.test")) == 1  # REFUSED made it forget the server
    assert s.query("d.servfail.test").rcode() == dns.rcode.SERVFAIL
    assert len(upstream.seen("d.servfail.test")) == 2  # SERVFAIL did not


@pytest.mark.parametrize("name,rcode,nanswer", [
    ("a.nx.test", dns.rcode.NXDOMAIN, 0),
    ("a.nodata.test", dns.rcode.NOERROR, 0),
    ("a.refused.test", dns.rcode.REFUSED, 0),
    ("a.servfail.test", dns.rcode.SERVFAIL, 0),
])
def test_rcodes_passed_through(start, upstream, name, rcode, nanswer):
    s = start("--no-resolv", f"--server={upstream.addr}")
    r = s.query(name)
    assert r.rcode() == rcode
    assert len(r.answer) == nanswer
    if name.endswith(("nx.test", "nodata.test")):
        assert r.authority and r.authority[0].rdtype == dns.rdatatype.SOA


def test_per_domain_routing(start, upstream):
    other = FakeUpstream(answer_v4="192.0.2.99")
    try:
        s = start("--no-resolv", f"--server={upstream.addr}",
                  f"--server=/corp.test/{other.addr}", "--server=/www.corp.test/#",
                  "--local=/local.test/")
        assert answers(s.query("x.corp.test")) == ["192.0.2.99"]
        assert answers(s.query("deep.a.CORP.test")) == ["192.0.2.99"]
        assert answers(s.query("www.corp.test")) == ["192.0.2.1"]  # '#': default servers
        assert answers(s.query("notcorp.test")) == ["192.0.2.1"]
        r = s.query("x.local.test")
        assert r.rcode() == dns.rcode.NXDOMAIN and not r.flags & dns.flags.AA
        assert not other.seen("notcorp.test") and not other.seen("www.corp.test")
        assert not upstream.seen("x.corp.test") and not upstream.seen("local.test")
        assert "config x.local.test is NXDOMAIN" in s.log_lines()
    finally:
        other.stop()


def test_domain_needed_and_bogus_priv(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--domain-needed", "--bogus-priv")
    r = s.query("plainname", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN and not r.flags & dns.flags.AA
    r = s.query("plainname", "TXT")  # other types still go upstream
    assert r.rcode() == dns.rcode.NOERROR
    r = s.query("5.5.168.192.in-addr.arpa", "PTR")
    assert r.rcode() == dns.rcode.NXDOMAIN and r.flags & dns.flags.AA
    r = s.query("8.8.8.8.in-addr.arpa", "PTR")
    assert r.rcode() == dns.rcode.NOERROR
    assert [q.qtype for q in upstream.seen("plainname")] == ["TXT"]
    assert not upstream.seen("168.192.in-addr.arpa")
    assert "config 192.168.5.5 is NXDOMAIN" in s.log_lines()


def test_refused_without_servers(start):
    s = start("--no-resolv")
    r = s.query("www.example.com", use_edns=0)
    assert r.rcode() == dns.rcode.REFUSED
    assert [o.otype for o in r.options] == [15]  # EDE "not ready"
    assert "config error is REFUSED (EDE: not ready)" in s.log_lines()


def test_notimp_for_other_opcodes(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}")
    q = dns.message.make_query("www.example.com", "A")
    q.set_opcode(dns.opcode.NOTIFY)
    data = raw_udp(s.port, q.to_wire())
    assert data is not None and dns.message.from_wire(data).rcode() == dns.rcode.NOTIMP


@pytest.mark.parametrize("workers", [1, 2])
def test_tcp_queries_several_per_connection(start, upstream, workers):
    s = start("--no-resolv", f"--server={upstream.addr}")
    r = s.query("www.example.com", tcp=True)
    assert answers(r) == ["192.0.2.1"]
    assert upstream.seen("www.example.com")[-1].transport == "tcp"
    with socket.create_connection(("127.0.0.1", s.port), timeout=3) as c:
        ids = [101, 102, 103]
        for i, qid in enumerate(ids):
            q = dns.message.make_query(f"t{i}.example.com", "A")
            q.id = qid
            w = q.to_wire()
            c.sendall(struct.pack("!H", len(w)) + w)
        got = {}
        buf = b""
        deadline = time.monotonic() + 5
        while len(got) < 3 and time.monotonic() < deadline:
            chunk = c.recv(4096)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                m = dns.message.from_wire(buf[2:2 + n])
                got[m.id] = m
                buf = buf[2 + n:]
        assert sorted(got) == ids
        assert all(answers(m) == ["192.0.2.1"] for m in got.values())
    # Local answers over TCP too.
    s2 = start("--no-resolv")
    assert s2.query("x.example.com", tcp=True).rcode() == dns.rcode.REFUSED


@pytest.mark.parametrize("workers", [1, 2])
def test_bind_conflict_exit_2(start, masqd_bin, tmp_path, workers):
    s = start("--no-resolv")
    # With several workers both sides use SO_REUSEPORT: the conflict must still be seen.
    w = workers_args(dns_binary(masqd_bin), workers)
    proc = subprocess.run([dns_binary(masqd_bin), "-C", "/dev/null", "-d", f"--port={s.port}",
                           "--no-resolv", "--pid-file=", *w], capture_output=True, text=True,
                          timeout=10)
    assert proc.returncode == 2
    assert f"failed to create listening socket for port {s.port}: Address already in use" in proc.stderr
    proc = subprocess.run([dns_binary(masqd_bin), "-C", "/dev/null", "-d", f"--port={s.port}",
                           "-a", "127.0.0.1", "-z", "--no-resolv", "--pid-file=", *w],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 2
    assert "failed to create listening socket for 127.0.0.1: Address already in use" in proc.stderr


def test_resolv_file_servers(start, tmp_path):
    rf = tmp_path / "resolv.conf"
    rf.write_text("search example\nnameserver 127.0.0.9\n")
    s = start(f"--resolv-file={rf}")
    assert s.wait_log("using nameserver 127.0.0.9#53"), s.log_lines()
    s2 = start(f"--resolv-file={rf}", "--no-resolv")
    # An answered query means start-up (and its logging) is over.
    assert s2.query("www.example.com").rcode() == dns.rcode.REFUSED
    assert "using nameserver 127.0.0.9#53" not in s2.log_lines()


def test_dropped_upstream_gives_no_reply_and_service_goes_on(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}")
    with pytest.raises(dns.exception.Timeout):
        s.query("a.drop.test", timeout=2)
    assert answers(s.query("www.example.com")) == ["192.0.2.1"]


def test_failover_to_second_server(start, upstream):
    dead = free_port()  # nothing listens: ICMP port unreachable, then the next server
    s = start("--no-resolv", f"--server=127.0.0.1#{dead}", f"--server={upstream.addr}")
    r = s.query("www.example.com", timeout=5)
    assert answers(r) == ["192.0.2.1"]


def test_truncation_to_client_size(start):
    class Big(FakeUpstream):
        def _answer(self, q):
            r = dns.message.make_response(q)
            r.flags |= dns.flags.RA
            qq = q.question[0]
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "TXT",
                                                *[f'"{i:02d}{"x" * 150}"' for i in range(6)]))
            return r

        def _reply_udp(self, q, src):  # ignores the asker's size on purpose
            self.udp.sendto(self._answer(q).to_wire(), src)

    up = Big()
    try:
        s = start("--no-resolv", f"--server={up.addr}")
        r = s.query("big.example.com", "TXT")  # no EDNS: limit 512
        assert r.flags & dns.flags.TC and not r.answer
        r = s.query("big.example.com", "TXT", use_edns=0, payload=4096)
        assert not r.flags & dns.flags.TC and len(r.answer[0]) == 6
        assert r.payload == 1232  # our size, not upstream's
        r = s.query("big.example.com", "TXT", tcp=True)
        assert not r.flags & dns.flags.TC and len(r.answer[0]) == 6
    finally:
        up.stop()


# --------------------------------------------------------------------------- security

class Scripted(FakeUpstream):
    """Sends `before(q, src)` datagrams first, then the genuine answer after a short delay."""

    def __init__(self, before, **kw):
        self.before = before
        super().__init__(**kw)

    def _reply_udp(self, q, src):
        for sock, wire in self.before(self, q, src):
            sock.sendto(wire, src)
        time.sleep(0.2)
        super()._reply_udp(q, src)


def spoof_answer(q, name=None, rdtype=None, rdclass="IN", qid=None):
    qq = q.question[0]
    m = dns.message.Message(id=q.id if qid is None else qid)
    m.flags = dns.flags.QR | dns.flags.RD | dns.flags.RA
    qname = dns.name.from_text(name) if name else qq.name
    t = rdtype or qq.rdtype
    m.question.append(dns.rrset.RRset(qname, dns.rdataclass.from_text(rdclass), t))
    if t == dns.rdatatype.A and rdclass == "IN":
        m.answer.append(dns.rrset.from_text(qname, 300, rdclass, "A", "6.6.6.6"))
    return m.to_wire()


def test_sec02_reply_from_wrong_port_or_address_ignored(start):
    other_port = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other_port.bind(("127.0.0.1", 0))
    other_addr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other_addr.bind(("127.0.0.2", 0))

    def before(up, q, src):
        return [(other_port, spoof_answer(q)), (other_addr, spoof_answer(q))]

    up = Scripted(before)
    try:
        s = start("--no-resolv", f"--server={up.addr}")
        r = s.query("victim.example.com", timeout=3)
        assert answers(r) == ["192.0.2.1"]
    finally:
        up.stop()
        other_port.close()
        other_addr.close()


def test_sec03_wrong_question_or_id_ignored(start):
    def before(up, q, src):
        return [
            (up.udp, spoof_answer(q, name="victim.example.org")),
            (up.udp, spoof_answer(q, rdtype=dns.rdatatype.AAAA)),
            (up.udp, spoof_answer(q, rdclass="CH")),
            (up.udp, spoof_answer(q, qid=(q.id + 1) & 0xffff)),
            # Same letters, another order: any weak checksum of the name would collide.
            (up.udp, spoof_answer(q, name="victmi.example.com")),
        ]

    up = Scripted(before)
    try:
        s = start("--no-resolv", f"--server={up.addr}")
        r = s.query("victim.example.com", timeout=3)
        assert answers(r) == ["192.0.2.1"]
        r = s.query("VICTIM.example.com", timeout=3)  # a case change is still the question
        assert answers(r) == ["192.0.2.1"]
    finally:
        up.stop()


@pytest.mark.parametrize("workers", [1, 2])
def test_sec04_identical_queries_merged_each_client_own_id(start, workers):
    up = FakeUpstream(slow_seconds=0.5)
    try:
        s = start("--no-resolv", f"--server={up.addr}", workers=workers)
        results = {}
        socks = []
        for i in range(50):
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.settimeout(4)
            q = dns.message.make_query("Merge.Slow.Test", "A")
            q.id = 1000 + i
            socks.append((c, q))
        for c, q in socks:
            c.sendto(q.to_wire(), ("127.0.0.1", s.port))
        # A different letter case is a different question upstream.
        other = dns.message.make_query("merge.slow.test", "A")
        other_reply = dns.query.udp(other, "127.0.0.1", port=s.port, timeout=4)
        for c, q in socks:
            data = c.recvfrom(4096)[0]
            m = dns.message.from_wire(data)
            results[q.id] = m
            c.close()
        assert sorted(results) == [1000 + i for i in range(50)]
        for m in results.values():
            assert m.question[0].name.to_text() == "Merge.Slow.Test."
            assert answers(m) == ["192.0.2.1"]
        assert other_reply.question[0].name.to_text() == "merge.slow.test."
        seen = [q.qname for q in up.seen("slow.test")]
        # Each worker merges what reaches it: with N workers (clients spread over them by
        # the kernel) at most N copies of one question are in flight upstream.
        assert 1 <= seen.count("Merge.Slow.Test.") <= s.workers
        assert 1 <= seen.count("merge.slow.test.") <= s.workers
        assert len(seen) == seen.count("Merge.Slow.Test.") + seen.count("merge.slow.test.")
    finally:
        up.stop()


def test_sec04_cd_and_do_not_merged(start):
    up = FakeUpstream(slow_seconds=0.4)
    try:
        s = start("--no-resolv", f"--server={up.addr}")
        msgs = [dns.message.make_query("x.slow.test", "A"),
                dns.message.make_query("x.slow.test", "A", want_dnssec=True),
                dns.message.make_query("x.slow.test", "A")]
        msgs[2].flags |= dns.flags.CD
        threads = [threading.Thread(target=dns.query.udp, args=(m, "127.0.0.1"),
                                    kwargs={"port": s.port, "timeout": 3}) for m in msgs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=5)
        assert len(up.seen("x.slow.test")) == 3
    finally:
        up.stop()


@pytest.mark.parametrize("workers", [1, 2])
def test_sec14_ports_and_ids_vary(start, upstream, workers):
    s = start("--no-resolv", f"--server={upstream.addr}")
    for i in range(1000):
        r = s.query(f"n{i}.entropy.test", timeout=3)
        assert r.rcode() == dns.rcode.NOERROR
    seen = upstream.seen("entropy.test")
    assert len(seen) == 1000
    ports = {q.src[1] for q in seen}
    ids = {q.id for q in seen}
    assert len(ports) > 900, len(ports)
    assert len(ids) > 900, len(ids)
    # IDs spread over the whole 16-bit space.
    assert min(ids) < 8192 and max(ids) > 57344


def test_sec14_source_address_still_random_ports(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}@127.0.0.1")
    for i in range(100):
        assert s.query(f"s{i}.src.test", timeout=3).rcode() == dns.rcode.NOERROR
    seen = upstream.seen("src.test")
    assert len({q.src[1] for q in seen}) > 90
    assert {q.src[0] for q in seen} == {"127.0.0.1"}


@pytest.mark.parametrize("workers", [1, 2])
def test_sec09_junk_dropped_server_keeps_answering(start, upstream, workers):
    s = start("--no-resolv", f"--server={upstream.addr}")
    good = dns.message.make_query("www.example.com", "A").to_wire()
    assert raw_udp(s.port, b"\x12\x34\x01") is None              # shorter than a header
    qr = bytearray(good)
    qr[2] |= 0x80
    assert raw_udp(s.port, bytes(qr)) is None                       # QR set
    cut = raw_udp(s.port, good[:16])                                # question cut short
    assert cut is not None and dns.message.from_wire(cut).rcode() == dns.rcode.REFUSED
    loop = bytearray(good[:12]) + b"\xc0\x0c\x00\x01\x00\x01"       # pointer to itself
    r = raw_udp(s.port, bytes(loop))
    assert r is not None and r[3] & 0x0f == dns.rcode.REFUSED
    for n in (0, 2):                                                # QDCOUNT 0 or 2
        bad = bytearray(good)
        bad[4:6] = struct.pack("!H", n)
        r = raw_udp(s.port, bytes(bad))
        assert r is not None and r[3] & 0x0f == dns.rcode.REFUSED
    raw_udp(s.port, b"\x00\x01\x00\x00" + os.urandom(3000), timeout=0.3)  # anything but a crash
    # Queries of 511..513 and 1232/1233 bytes (EDNS padding) are still served.
    for size in (511, 512, 513, 1232, 1233):
        q = dns.message.make_query("pad.example.com", "A", use_edns=0, payload=1232)
        base = len(q.to_wire(max_size=65535)) + 4
        q.use_edns(0, 0, 1232, options=[dns.edns.GenericOption(12, b"\x00" * (size - base))])
        w = q.to_wire(max_size=65535)
        assert len(w) == size
        r = raw_udp(s.port, w, timeout=3)
        assert r is not None and dns.message.from_wire(r).rcode() == dns.rcode.NOERROR
    # Upstream never saw the junk; the server still answers.
    assert answers(s.query("www.example.com")) == ["192.0.2.1"]
    assert s.proc.poll() is None


def ask_at(addr, port, name="www.example.com", timeout=1.5):
    q = dns.message.make_query(name, "A")
    try:
        return dns.query.udp(q, addr, port=port, timeout=timeout)  # checks the reply's source
    except dns.exception.Timeout:
        return None


@pytest.mark.parametrize("workers", [1, 2])
def test_wildcard_mode_answers_from_query_address(start, upstream, workers):
    s = start("--no-resolv", f"--server={upstream.addr}", listen=())
    for addr in ("127.0.0.1", "127.0.0.2"):
        r = ask_at(addr, s.port)
        assert r is not None and answers(r) == ["192.0.2.1"], addr
    if socket.has_ipv6:
        try:
            r = ask_at("::1", s.port)
            assert r is not None and answers(r) == ["192.0.2.1"]
        except OSError:
            pass  # no IPv6 on this host
    r = s.query("www.example.com", tcp=True)
    assert answers(r) == ["192.0.2.1"]


def test_wildcard_mode_listen_address_and_interfaces(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", listen=("--listen-address=127.0.0.2",))
    assert ask_at("127.0.0.1", s.port, timeout=0.7) is None    # not a listen address
    assert ask_at("127.0.0.2", s.port) is not None
    s2 = start("--no-resolv", f"--server={upstream.addr}", listen=("--except-interface=lo",))
    assert ask_at("127.0.0.1", s2.port, timeout=0.7) is None
    # An explicit address wins over --except-interface.
    s3 = start("--no-resolv", f"--server={upstream.addr}",
               listen=("--except-interface=lo", "--listen-address=127.0.0.1"))
    assert ask_at("127.0.0.1", s3.port) is not None
    s4 = start("--no-resolv", f"--server={upstream.addr}", listen=("--interface=nosuch0",))
    assert ask_at("127.0.0.1", s4.port) is not None             # loopback always allowed with -i


def test_bind_interfaces_unknown_interface(masqd_bin):
    p = subprocess.run([dns_binary(masqd_bin), "-C", "/dev/null", "-d", f"--port={free_port()}",
                        "-z", "-i", "nosuch0", "--no-resolv", "--pid-file="],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and "unknown interface nosuch0" in p.stderr


def _upstream_on_53(host, answer):
    try:
        return FakeUpstream(host=host, port=53, answer_v4=answer)
    except OSError:
        return None


@pytest.mark.parametrize("no_poll", [False, True])
def test_resolv_file_polled_for_changes(start, tmp_path, no_poll):
    """dnsmasq polls the resolv file and switches servers when it changes; with --no-poll
    it reads it again only on SIGHUP. resolv.conf has no ports: fake upstreams on port 53
    of 127.0.0.2 and 127.0.0.3 (needs root, as CI runs)."""
    a = _upstream_on_53("127.0.0.2", "192.0.2.2")
    b = _upstream_on_53("127.0.0.3", "192.0.2.3")
    try:
        if a is None or b is None:
            pytest.skip("port 53 on 127.0.0.2/3 not available")
        rf = tmp_path / "resolv.conf"
        rf.write_text("nameserver 127.0.0.2\n")
        s = start(f"--resolv-file={rf}", *(["--no-poll"] if no_poll else []))
        assert s.query("p1.example.com").answer[0][0].address == "192.0.2.2"
        rf.write_text("nameserver 127.0.0.3\n")
        later = time.time() + 5  # a different mtime even on coarse file-system clocks
        os.utime(rf, (later, later))
        if no_poll:
            time.sleep(2.5)
            assert s.query("p2.example.com").answer[0][0].address == "192.0.2.2"
            s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "using nameserver 127.0.0.3#53" not in s.log_lines():
            time.sleep(0.1)
        assert s.query("p3.example.com").answer[0][0].address == "192.0.2.3"
        # dnsmasq logs "reading <file>" for each read, except with --no-poll.
        assert s.log_lines().count(f"reading {rf}") == (0 if no_poll else 2)
    finally:
        for u in (a, b):
            if u:
                u.stop()


def test_log_queries_extra_prefixes_serial_and_client(start, upstream):
    # dnsmasq 2.90 with --log-queries=extra: "<serial> <client ip>/<port> <line>" for every
    # line about a query (forwarded, cached, config, reply; UDP and TCP), nothing for others.
    s = start("--no-resolv", f"--server={upstream.addr}", "--log-queries=extra",
              "--domain-needed", cache=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(3)
    cport = sock.getsockname()[1]
    try:
        for name in ("www.example.com", "www.example.com", "single", "a.nx.test"):
            sock.sendto(dns.message.make_query(name, "A").to_wire(), ("127.0.0.1", s.port))
            sock.recvfrom(4096)
    finally:
        sock.close()
    s.query("www.example.com", "AAAA", tcp=True)
    assert s.wait_log("using nameserver " + upstream.addr)
    c = f"127.0.0.1/{cport}"
    expected = [
        f"1 {c} query[A] www.example.com from 127.0.0.1",
        f"1 {c} forwarded www.example.com to {upstream.addr}",
        f"1 {c} reply www.example.com is 192.0.2.1",
        f"2 {c} query[A] www.example.com from 127.0.0.1",
        f"2 {c} cached www.example.com is 192.0.2.1",
        f"3 {c} query[A] single from 127.0.0.1",
        f"3 {c} config single is NXDOMAIN",
        f"4 {c} query[A] a.nx.test from 127.0.0.1",
        f"4 {c} forwarded a.nx.test to {upstream.addr}",
        f"4 {c} reply a.nx.test is NXDOMAIN",
    ]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [line for line in s.log_lines() if line[:1].isdigit()]
        if len(lines) >= len(expected) + 3:
            break
        time.sleep(0.05)
    assert lines[:len(expected)] == expected
    tcp = lines[len(expected):]
    assert [line.split(" ", 2)[2] for line in tcp] == [
        "query[AAAA] www.example.com from 127.0.0.1",
        f"forwarded www.example.com to {upstream.addr}",
        "reply www.example.com is 2001:db8::1"]
    assert len({line.split(" ", 2)[0] for line in tcp}) == 1
    assert tcp[0].split(" ")[0] == "5" and tcp[0].split(" ")[1].startswith("127.0.0.1/")


@pytest.mark.parametrize("fixed", [True, False])
def test_query_port_sends_every_query_from_one_port(start, fixed):
    # --query-port=P: every upstream query leaves from port P; 0: from one OS-chosen port.
    ups = [FakeUpstream(), FakeUpstream()]
    try:
        qport = free_port() if fixed else 0
        s = start("--no-resolv", *[f"--server={u.addr}" for u in ups], "--all-servers",
                  f"--query-port={qport}")
        for i in range(5):
            assert s.query(f"q{i}.example.com").answer[0][0].address == "192.0.2.1"
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and min(len(u.seen("example.com")) for u in ups) < 5:
            time.sleep(0.05)
        srcs = {q.src for u in ups for q in u.seen("example.com")}
        ids = [q.id for q in ups[0].seen("example.com")]
        assert len(ups[0].seen("example.com")) == 5 and len(ups[1].seen("example.com")) == 5
        ports = {p for _, p in srcs}
        assert len(ports) == 1
        if fixed:
            assert ports == {qport}
        assert len(set(ids)) == 5  # a random ID per query
    finally:
        for u in ups:
            u.stop()


def test_query_port_rejects_a_reply_from_another_port(start):
    # A reply with the right ID but from the wrong source port is dropped; the real one
    # is still taken.
    class Spoofed(FakeUpstream):
        def _reply_udp(self, q, src):
            r = self._answer(q)
            fam = socket.AF_INET
            with socket.socket(fam, socket.SOCK_DGRAM) as other:
                bad = dns.message.make_response(q)
                bad.answer.append(dns.rrset.from_text(q.question[0].name, 300, "IN", "A", "6.6.6.6"))
                other.sendto(bad.to_wire(), src)
            time.sleep(0.1)
            self.udp.sendto(r.to_wire(), src)

    up = Spoofed()
    try:
        s = start("--no-resolv", f"--server={up.addr}", f"--query-port={free_port()}")
        assert s.query("spoof.example.com").answer[0][0].address == "192.0.2.1"
    finally:
        up.stop()


def test_servers_file_is_read_again_on_sighup(start, tmp_path):
    # dnsmasq re-reads --servers-file on SIGHUP: its servers replace the file's old ones,
    # the command line's stay; a bad line is logged, not fatal.
    a, b = FakeUpstream(), FakeUpstream(answer_v4="192.0.2.2")
    try:
        sf = tmp_path / "servers.conf"
        sf.write_text(f"server={a.addr}\n")
        s = start("--no-resolv", f"--servers-file={sf}", "--server=/other.test/127.0.0.9")
        assert s.query("x.example.com").answer[0][0].address == "192.0.2.1"
        sf.write_text(f"server={b.addr}\nbogus=1\n")
        s.proc.send_signal(signal.SIGHUP)
        assert s.wait_log(f"using nameserver {b.addr}")
        # With several workers the others get the new table through their own loops a
        # moment later: ask (bounded) until a query goes to the new server; from then on
        # the old one sees nothing.
        deadline = time.monotonic() + 3
        while s.query("y.example.com").answer[0][0].address != "192.0.2.2":
            assert time.monotonic() < deadline, "the new servers-file server is never used"
            time.sleep(0.05)
        time.sleep(0.2)  # every worker's loop has run its posted copy by now
        for i in range(6):
            assert s.query(f"z{i}.example.com").answer[0][0].address == "192.0.2.2"
            assert not a.seen(f"z{i}.example.com")
        assert s.wait_log(f"bad option at line 2 of {sf}")
        assert any(line.rstrip() == "using nameserver 127.0.0.9#53 for domain other.test" for line in s.log_lines())
    finally:
        a.stop()
        b.stop()
