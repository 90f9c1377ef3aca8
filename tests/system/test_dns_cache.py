"""The DNS cache through the real binary, against fake upstreams on loopback: what is cached
and for how long, the TTL options, SIGHUP and SIGUSR1, CHAOS *.bind, and the SEC-01 (hostile
names served again from the cache) and SEC-17 (resource ceilings) checks. Each expectation
was first observed with dnsmasq 2.90 under the same set-up (FEATURES.md 1(d), section 4
items 21-27)."""
from __future__ import annotations

import os
import signal
import socket
import struct
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from lib.fakeup import FakeUpstream
from test_dns_forward import dns_binary, start  # noqa: F401  (start is a fixture)


@pytest.fixture
def upstream():
    u = FakeUpstream()
    yield u
    u.stop()


def cached(start, upstream, *extra):
    return start("--no-resolv", f"--server={upstream.addr}", *extra, cache=True)


def wait_contains(server, text: str, timeout: float = 5.0) -> bool:
    """Waits (bounded) for a log line containing `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in server.log_lines()):
            return True
        time.sleep(0.05)
    return False


def ttls(r):
    return [rrset.ttl for rrset in r.answer]


@pytest.mark.parametrize("workers", [1, 2])
def test_positive_answer_served_from_cache(start, upstream, workers):
    s = cached(start, upstream)
    first = s.query("www.example.com")
    second = s.query("www.example.com")
    assert len(upstream.seen("www.example.com")) == 1
    assert second.answer == first.answer
    assert not second.flags & dns.flags.AA and second.flags & dns.flags.RA
    assert "cached www.example.com is 192.0.2.1" in s.log_lines()


def test_ttl_counts_down(start, upstream):
    s = cached(start, upstream)
    s.query("ttl.example.com")
    time.sleep(1.2)
    assert ttls(s.query("ttl.example.com"))[0] in (298, 299)


def test_uncacheable_type_is_forwarded_again(start, upstream):
    s = cached(start, upstream)
    s.query("www.example.com", "MX")
    s.query("www.example.com", "MX")
    assert len(upstream.seen("www.example.com")) == 2


def test_cache_size_zero_forwards_every_repeat(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--cache-size=0", cache=True)
    for _ in range(3):
        s.query("www.example.com")
    assert len(upstream.seen("www.example.com")) == 3
    assert wait_contains(s, "cache disabled")


def test_nxdomain_cached_for_all_types_with_soa(start, upstream):
    s = cached(start, upstream)
    s.query("a.nx.test")
    r = s.query("a.nx.test", "MX")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.authority and r.authority[0].rdtype == dns.rdatatype.SOA
    assert len(upstream.seen("a.nx.test")) == 1


def test_no_negcache(start, upstream):
    s = cached(start, upstream, "--no-negcache")
    s.query("b.nx.test")
    s.query("b.nx.test")
    assert len(upstream.seen("b.nx.test")) == 2


class NoSoa(FakeUpstream):
    def _answer(self, q):
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        r.set_rcode(dns.rcode.NXDOMAIN)
        return r


@pytest.mark.parametrize("extra,expected", [((), 2), (("--neg-ttl=20",), 1)])
def test_negative_without_soa_needs_neg_ttl(start, extra, expected):
    up = NoSoa()
    try:
        s = start("--no-resolv", f"--server={up.addr}", *extra, cache=True)
        s.query("x.example.com")
        s.query("x.example.com")
        assert len(up.seen("x.example.com")) == expected
    finally:
        up.stop()


def test_max_ttl_caps_first_and_cached_answers(start, upstream):
    s = cached(start, upstream, "--max-ttl=50")
    assert ttls(s.query("m.example.com")) == [50]
    assert ttls(s.query("m.example.com")) == [50]
    assert len(upstream.seen("m.example.com")) == 1


class Ttl0(FakeUpstream):
    def _answer(self, q):
        r = super()._answer(q)
        for rrset in r.answer:
            rrset.ttl = 0
        return r


def test_zero_ttl_cached_only_with_min_cache_ttl(start):
    up = Ttl0()
    try:
        plain = start("--no-resolv", f"--server={up.addr}", cache=True)
        plain.query("z.example.com")
        plain.query("z.example.com")
        assert len(up.seen("z.example.com")) == 2
        raised = start("--no-resolv", f"--server={up.addr}", "--min-cache-ttl=30", cache=True)
        assert ttls(raised.query("y.example.com")) == [0]  # the first reply is as upstream's
        time.sleep(1.1)
        assert ttls(raised.query("y.example.com"))[0] in (28, 29)
        assert len(up.seen("y.example.com")) == 1
    finally:
        up.stop()


def test_answers_over_tcp_are_cached_and_serve_udp(start, upstream):
    s = cached(start, upstream)
    s.query("t.example.com", tcp=True)
    s.query("t.example.com")
    s.query("t.example.com", tcp=True)
    assert [q.transport for q in upstream.seen("t.example.com")] == ["tcp"]


def test_rd_clear_and_do_bypass_the_cache(start, upstream):
    s = cached(start, upstream)
    s.query("w.example.com")
    q = dns.message.make_query("w.example.com", "A")
    q.flags &= ~dns.flags.RD
    dns.query.udp(q, "127.0.0.1", port=s.port, timeout=3)
    s.query("w.example.com", use_edns=0, want_dnssec=True)
    s.query("w.example.com", use_edns=0)  # from the cache again
    assert len(upstream.seen("w.example.com")) == 3


class Many(FakeUpstream):
    def _answer(self, q):
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        r.answer.append(dns.rrset.from_text(q.question[0].name, 300, "IN", "A",
                                            "192.0.2.1", "192.0.2.2", "192.0.2.3"))
        return r


@pytest.mark.parametrize("extra,rotates", [((), True), (("--no-round-robin",), False)])
def test_round_robin(start, extra, rotates):
    up = Many()
    try:
        s = start("--no-resolv", f"--server={up.addr}", *extra, cache=True)
        s.query("rr.example.com")
        orders = [[rd.address for rd in s.query("rr.example.com").answer[0]] for _ in range(3)]
        assert (orders[0] != orders[1]) == rotates
        assert sorted(orders[0]) == sorted(orders[2])
    finally:
        up.stop()


def test_small_cache_evicts_least_recent(start, upstream):
    s = cached(start, upstream, "--cache-size=2")
    for name in ("e1", "e2", "e1", "e3", "e1", "e2"):
        s.query(f"{name}.example.com")
    # e1 stays (recently used); e2 was pushed out by e3 and is asked again.
    assert len(upstream.seen("e1.example.com")) == 1
    assert len(upstream.seen("e2.example.com")) == 2
    r = s.query("evictions.bind", "TXT", rdclass="CH")
    assert int(r.answer[0][0].strings[0]) >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_sighup_clears_the_cache(start, upstream, workers):
    s = cached(start, upstream)
    s.query("h.example.com")
    s.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    s.query("h.example.com")
    assert len(upstream.seen("h.example.com")) == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_sigusr1_statistics_and_dump(start, upstream, workers):
    s = cached(start, upstream)
    s.query("u.example.com")
    s.query("u.example.com")
    s.query("n.nx.test")
    s.proc.send_signal(signal.SIGUSR1)
    assert wait_contains(s, "cache size 150, 0/")
    # The statistics lines come one after another: wait for the last kinds too.
    assert wait_contains(s, f"server 127.0.0.1#{upstream.port}: queries sent")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
            line.startswith("u.example.com ") for line in s.log_lines()):
        time.sleep(0.05)
    lines = s.log_lines()
    assert "queries forwarded 2, queries answered locally 1" in lines
    assert any(f"server 127.0.0.1#{upstream.port}: queries sent 2, retried 0, failed 0, nxdomain replies 1"
               in line for line in lines)
    assert any(line.startswith("Host ") and "Flags" in line for line in lines)
    dump = {line.split()[0]: line.split()[1:3] for line in lines
            if line.startswith(("u.example.com ", "n.nx.test ", "test "))}
    assert dump == {"u.example.com": ["192.0.2.1", "4F"], "n.nx.test": ["F", "NX"],
                    "test": ["<SOA>", "TF"]}


@pytest.mark.parametrize("workers", [1, 2])
def test_chaos_names(start, upstream, workers):
    s = cached(start, upstream, "-c", "20")
    txt = lambda name: s.query(name, "TXT", rdclass="CH")  # noqa: E731
    r = txt("cachesize.bind")
    assert r.answer[0][0].strings == (b"20",) and r.flags & dns.flags.AA
    assert r.answer[0].ttl == 0
    s.query("c.example.com")
    s.query("c.example.com")
    assert txt("misses.bind").answer[0][0].strings == (b"1",)
    assert txt("insertions.bind").answer[0][0].strings == (b"1",)
    assert txt("servers.bind").answer[0][0].strings == (f"127.0.0.1#{upstream.port} 1 0".encode(),)
    assert txt("version.bind").answer[0][0].strings[0].startswith(b"masqd-")
    assert txt("hostname.bind").rcode() == dns.rcode.NOTIMP
    assert s.query("version.bind", "A", rdclass="CH").rcode() == dns.rcode.NOTIMP
    assert not upstream.seen(".bind")


# ---------------------------------------------------------------- SEC-01

def name_wire(labels: list[bytes]) -> bytes:
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


class Crafted:
    """A UDP upstream answering with hand-made bytes: `answers(qname_lower, query)` gives
    the bytes after the question (records) and the header counts."""

    def __init__(self, answers):
        self.answers = answers
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.count = {}
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self._stop.is_set():
            try:
                data, src = self.sock.recvfrom(4096)
            except OSError:
                continue
            # The question ends at the first zero-length label after the header.
            end = 12
            while end < len(data) and data[end] != 0:
                end += 1 + data[end]
            qend = end + 5
            qname = data[12:end + 1]
            self.count[qname.lower()] = self.count.get(qname.lower(), 0) + 1
            made = self.answers(qname.lower(), data)
            if made is None:
                continue
            records, an, ns = made
            header = data[:2] + struct.pack("!HHHHH", 0x8180, 1, an, ns, 0)
            try:
                self.sock.sendto(header + data[12:qend] + records, src)
            except OSError:
                pass

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


def rr(owner: bytes, rtype: int, rdata: bytes, ttl=300) -> bytes:
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


LONG = [b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 61]          # 255 bytes on the wire
ODD = [bytes([0x2e, 0x5c, 0x00, 0x80, 0xff] * 12 + [0x41, 0x42, 0x43]), b"odd", b"test"]


def sec01_answers(qname, query):
    if qname == name_wire(LONG).lower():
        return rr(b"\xc0\x0c", 1, bytes([192, 0, 2, 1])), 1, 0
    if qname == name_wire(ODD).lower():
        # A CNAME to another odd name, then its address.
        target = name_wire([bytes(range(0x80, 0x80 + 63)), b"odd", b"test"])
        return (rr(b"\xc0\x0c", 5, target) + rr(target, 1, bytes([192, 0, 2, 2]))), 2, 0
    first = qname.split(b"\0")[0]
    tag = first[1:].decode(errors="replace")
    if tag == "toolong":   # CNAME target past 255 bytes through a pointer to the long name
        return rr(b"\xc0\x0c", 5, b"\x3f" + b"x" * 63 + b"\xc0\x0c"), 1, 0
    if tag == "loop":      # CNAME whose target points at itself
        return rr(b"\xc0\x0c", 5, b"\x01y\xc0\x2d"), 1, 0
    if tag == "forward":   # owner pointer forward, past the end
        return rr(b"\xc0\xff", 1, bytes([192, 0, 2, 3])), 1, 0
    if tag == "srvfwd":    # SRV target with a forward pointer
        return rr(b"\xc0\x0c", 33, b"\0\1\0\2\0\3\xc0\x7f"), 1, 0
    if tag == "ptrend":    # PTR target pointing past the end of the message
        return rr(b"\xc0\x0c", 12, b"\xc3\xff"), 1, 0
    return b"", 0, 0


@pytest.mark.parametrize("labels,rdtype", [
    (LONG, "A"), (ODD, "A"), ([b"toolong", b"sec01", b"test"], "A"),
    ([b"loop", b"sec01", b"test"], "A"), ([b"forward", b"sec01", b"test"], "A"),
    ([b"srvfwd", b"sec01", b"test"], "SRV"), ([b"ptrend", b"sec01", b"test"], "PTR"),
])
def test_sec01_hostile_names_served_again_exactly_or_not_at_all(start, labels, rdtype):
    up = Crafted(sec01_answers)
    try:
        s = start("--no-resolv", f"--server=127.0.0.1#{up.port}", cache=True)
        qname = dns.name.from_wire(name_wire(labels), 0)[0]
        q = dns.message.make_query(qname, rdtype)

        def ask():
            try:
                return dns.query.udp(q, "127.0.0.1", port=s.port, timeout=2, ignore_trailing=True)
            except (dns.exception.DNSException, ValueError):
                return "unparseable"

        first, second = ask(), ask()
        # Served again from the cache only when the answer was whole, and then exactly.
        asked = up.count.get(name_wire(labels).lower(), 0)
        if asked == 1:
            assert isinstance(first, dns.message.Message) and second.answer == first.answer
        else:
            assert asked == 2
        assert s.proc.poll() is None
        assert s.query("cachesize.bind", "TXT", rdclass="CH").rcode() == dns.rcode.NOERROR
        s.proc.send_signal(signal.SIGUSR1)  # the dump escapes the odd bytes, no crash
        assert wait_contains(s, "cache size 150")
        assert s.proc.poll() is None
    finally:
        up.stop()


def test_sec01_whole_hostile_names_are_cached(start):
    """The 255-octet name and the names made of '.', '\\', NUL and high bytes are legal:
    they must come back from the cache byte for byte."""
    up = Crafted(sec01_answers)
    try:
        s = start("--no-resolv", f"--server=127.0.0.1#{up.port}", cache=True)
        for labels in (LONG, ODD):
            qname = dns.name.from_wire(name_wire(labels), 0)[0]
            q = dns.message.make_query(qname, "A")
            a = dns.query.udp(q, "127.0.0.1", port=s.port, timeout=2)
            b = dns.query.udp(q, "127.0.0.1", port=s.port, timeout=2)
            assert a.answer and b.answer == a.answer
            assert up.count[name_wire(labels).lower()] == 1
    finally:
        up.stop()


# ---------------------------------------------------------------- SEC-17

def test_sec17_outstanding_queries_held_to_dns_forward_max(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--dns-forward-max=5", cache=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.3)
    try:
        for i in range(20):  # *.drop.test never answers: they stay outstanding
            q = dns.message.make_query(f"q{i}.drop.test", "A")
            q.id = i
            sock.sendto(q.to_wire(), ("127.0.0.1", s.port))
        refused = 0
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and refused < 15:
            try:
                r = dns.message.from_wire(sock.recv(4096))
            except OSError:
                continue
            refused += r.rcode() == dns.rcode.REFUSED
        assert refused == 15
        deadline = time.monotonic() + 2  # the fake upstream records in its own thread
        while len(upstream.seen("drop.test")) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(upstream.seen("drop.test")) == 5
        assert s.wait_log("Maximum number of concurrent DNS queries reached (max: 5)")
    finally:
        sock.close()


def test_sec17_tcp_connections_held_to_max(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--max-tcp-connections=3", cache=True)
    conns = []
    try:
        for _ in range(8):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=2)
            conns.append(c)
        answered = 0
        for i, c in enumerate(conns):
            q = dns.message.make_query(f"t{i}.example.com", "A").to_wire()
            c.sendall(struct.pack("!H", len(q)) + q)
        for c in conns:
            c.settimeout(0.5)
            try:
                if len(c.recv(2)) == 2:
                    answered += 1
            except OSError:
                pass
        assert 1 <= answered <= 3
    finally:
        for c in conns:
            c.close()
    # Once they are gone the server takes TCP queries again.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            assert s.query("again.example.com", tcp=True, timeout=1).rcode() == dns.rcode.NOERROR
            break
        except (OSError, EOFError, dns.exception.Timeout):  # EOF: closed while the old ones still count
            time.sleep(0.2)
    else:
        pytest.fail("no TCP service after the flood")


def test_sec17_many_names_keep_the_cache_bounded(start, upstream):
    s = cached(start, upstream, "--cache-size=100")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    try:
        for i in range(500):
            q = dns.message.make_query(f"f{i}.example.com", "A")
            sock.sendto(q.to_wire(), ("127.0.0.1", s.port))
            sock.recv(4096)
    finally:
        sock.close()
    ins = int(s.query("insertions.bind", "TXT", rdclass="CH").answer[0][0].strings[0])
    ev = int(s.query("evictions.bind", "TXT", rdclass="CH").answer[0][0].strings[0])
    assert ins == 500 and ev == 400
    assert len(upstream.seen("f499.example.com")) == 1
    s.query("f499.example.com")
    assert len(upstream.seen("f499.example.com")) == 1


# ---------------------------------------------------------------- more options

def test_max_cache_ttl_caps_the_stored_ttl(start, upstream):
    s = cached(start, upstream, "--max-cache-ttl=40")
    assert ttls(s.query("mc.example.com")) == [300]  # the first reply is upstream's
    assert ttls(s.query("mc.example.com"))[0] in (39, 40)
    assert len(upstream.seen("mc.example.com")) == 1


def test_cache_rr_adds_a_type(start, upstream):
    plain = cached(start, upstream)
    plain.query("t1.example.com", "TXT")
    plain.query("t1.example.com", "TXT")
    assert len(upstream.seen("t1.example.com")) == 2
    extra = cached(start, upstream, "--cache-rr=TXT")
    extra.query("t2.example.com", "TXT")
    extra.query("t2.example.com", "TXT")
    assert len(upstream.seen("t2.example.com")) == 1


def test_no_ident_refuses_chaos_names(start, upstream):
    s = cached(start, upstream, "--no-ident")
    for name in ("version.bind", "cachesize.bind"):
        assert s.query(name, "TXT", rdclass="CH").rcode() == dns.rcode.NOTIMP
    assert not upstream.seen(".bind")


def test_clear_on_reload_empties_the_cache_when_resolv_changes(start, tmp_path):
    try:
        a = FakeUpstream(host="127.0.0.2", port=53)  # resolv.conf has no ports: needs root
    except OSError:
        a = None
    try:
        if a is None:
            pytest.skip("port 53 on 127.0.0.2 not available")
        rf = tmp_path / "resolv.conf"
        rf.write_text("nameserver 127.0.0.2\n")
        s = start(f"--resolv-file={rf}", "--clear-on-reload", cache=True)
        s.query("cl.example.com")
        s.query("cl.example.com")
        assert len(a.seen("cl.example.com")) == 1
        rf.write_text("# changed\nnameserver 127.0.0.2\n")
        later = time.time() + 5
        os.utime(rf, (later, later))
        deadline = time.monotonic() + 5
        while s.log_lines().count(f"reading {rf}") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert s.log_lines().count(f"reading {rf}") == 2
        s.query("cl.example.com")
        assert len(a.seen("cl.example.com")) == 2
    finally:
        if a:
            a.stop()


def _wait_seen(upstream, name, count, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(upstream.seen(name)) < count:
        time.sleep(0.05)
    return len(upstream.seen(name))


@pytest.mark.parametrize("workers", [1, 2])
def test_use_stale_cache_answers_ttl_zero_and_refreshes(start, upstream, workers):
    # --max-cache-ttl=1 makes entries expire quickly; observed with dnsmasq 2.90: the stale
    # answer has TTL 0 and is logged "cached-stale", the query is then forwarded once more
    # and the refreshed entry answers the next query.
    s = cached(start, upstream, "--max-cache-ttl=2", "--use-stale-cache")
    assert ttls(s.query("stale.example.com")) == [300]
    time.sleep(3.2)
    assert ttls(s.query("stale.example.com")) == [0]
    assert _wait_seen(upstream, "stale.example.com", 2) == 2
    assert wait_contains(s, "cached-stale stale.example.com is 192.0.2.1")
    assert wait_contains(s, "reply stale.example.com is 192.0.2.1")
    time.sleep(0.1)
    assert ttls(s.query("stale.example.com"))[0] in (1, 2)
    assert len(upstream.seen("stale.example.com")) == 2


def test_use_stale_cache_negative_answers(start, upstream):
    s = cached(start, upstream, "--max-cache-ttl=1", "--use-stale-cache=0")
    s.query("c.nx.test")
    time.sleep(2.2)
    r = s.query("c.nx.test")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert _wait_seen(upstream, "c.nx.test", 2) == 2
    assert wait_contains(s, "cached-stale c.nx.test is NXDOMAIN")


def test_use_stale_cache_limit_stops_serving_old_entries(start, upstream):
    # Expired for more than the limit: forwarded as a miss, the client gets the fresh TTL.
    s = cached(start, upstream, "--max-cache-ttl=1", "--use-stale-cache=1")
    s.query("old.example.com")
    time.sleep(2.5)
    assert ttls(s.query("old.example.com")) == [300]
    assert len(upstream.seen("old.example.com")) == 2
    assert not any("cached-stale" in line for line in s.log_lines())


def test_without_use_stale_cache_expired_entries_are_forwarded(start, upstream):
    s = cached(start, upstream, "--max-cache-ttl=1")
    s.query("exp.example.com")
    time.sleep(2.2)
    assert ttls(s.query("exp.example.com")) == [300]
    assert len(upstream.seen("exp.example.com")) == 2
