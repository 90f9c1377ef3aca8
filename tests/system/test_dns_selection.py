"""Upstream server choice through the real binary: dnsmasq's default (fastest responder,
re-tested now and then), --strict-order and --all-servers, with two fake upstreams on
loopback, one of them 200 ms slower; and --min-port/--max-port source ports. Every expectation here was first observed with
dnsmasq 2.90 (--cache-size=0) under the same set-up."""
from __future__ import annotations

import subprocess
import time

import dns.message
import dns.rcode
import pytest

from lib.fakeup import FakeUpstream
from lib.ports import free_port
from test_dns_forward import dns_binary, start  # noqa: F401  (start is a fixture)


class Delayed(FakeUpstream):
    """fakeup that waits `delay` seconds before every answer, and can refuse everything."""

    delay = 0.0
    refuse = False

    def _answer(self, q):
        time.sleep(self.delay)
        if self.refuse:
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.REFUSED)
            return r
        return super()._answer(q)



@pytest.fixture
def pair():
    slow, fast = Delayed(), Delayed()
    slow.delay = 0.2
    yield slow, fast
    slow.stop()
    fast.stop()


def who(slow, fast, name) -> str:
    return ("S" if slow.seen(name) else "") + ("F" if fast.seen(name) else "")


def answered_by(r) -> str:
    return r.answer[0][0].strings[0].decode() if r.answer else ""


def test_default_remembers_fastest(start, pair):
    slow, fast = pair
    s = start("--no-resolv", f"--server={slow.addr}", f"--server={fast.addr}")
    r = s.query("q0.example.com", "TXT")
    assert answered_by(r) == f"fakeup {fast.port}"
    assert who(slow, fast, "q0.example.com") == "SF"  # nothing known yet: both asked
    for i in range(1, 11):
        r = s.query(f"q{i}.example.com", "TXT")
        assert answered_by(r) == f"fakeup {fast.port}"
        assert who(slow, fast, f"q{i}.example.com") == "F", i


def test_default_retests_every_52nd_query(start, pair):
    slow, fast = pair
    s = start("--no-resolv", f"--server={slow.addr}", f"--server={fast.addr}")
    seen = []
    for i in range(54):
        s.query(f"n{i}.example.com")
        seen.append(who(slow, fast, f"n{i}.example.com"))
    # As dnsmasq 2.90: a test, 51 queries to the remembered server, a test again.
    assert seen == ["SF"] + ["F"] * 51 + ["SF", "F"]


def test_default_refused_from_remembered_asks_all(start, pair):
    slow, fast = pair
    s = start("--no-resolv", f"--server={slow.addr}", f"--server={fast.addr}")
    s.query("a.example.com")
    s.query("b.example.com")
    assert who(slow, fast, "b.example.com") == "F"
    fast.refuse = True
    r = s.query("r.example.com", "TXT")
    assert r.rcode() == dns.rcode.NOERROR and answered_by(r) == f"fakeup {slow.port}"
    assert len(fast.seen("r.example.com")) == 2 and len(slow.seen("r.example.com")) == 1
    fast.refuse = False
    for name in ("c.example.com", "d.example.com"):  # the slow one is remembered now
        s.query(name)
        assert who(slow, fast, name) == "S"


def test_default_all_refused_waits_for_every_server(start, pair):
    slow, fast = pair
    slow.refuse = fast.refuse = True
    s = start("--no-resolv", f"--server={slow.addr}", f"--server={fast.addr}")
    t = time.monotonic()
    assert s.query("r.example.com").rcode() == dns.rcode.REFUSED
    assert time.monotonic() - t >= 0.18  # the slow server's REFUSED is the one passed on
    assert who(slow, fast, "r.example.com") == "SF"
    slow.refuse = fast.refuse = False
    s.query("n.example.com")
    assert who(slow, fast, "n.example.com") == "SF"  # REFUSED taught us nothing


def test_strict_order_uses_first_listed(start, pair):
    slow, fast = pair
    s = start("--no-resolv", "-o", f"--server={slow.addr}", f"--server={fast.addr}")
    for i in range(11):
        r = s.query(f"q{i}.example.com", "TXT")
        assert answered_by(r) == f"fakeup {slow.port}"
        assert who(slow, fast, f"q{i}.example.com") == "S", i


def test_strict_order_next_server_after_refused(start, pair):
    slow, fast = pair
    slow.refuse = True
    s = start("--no-resolv", "--strict-order", f"--server={slow.addr}", f"--server={fast.addr}")
    r = s.query("r.example.com", "TXT")
    assert answered_by(r) == f"fakeup {fast.port}"
    assert len(slow.seen("r.example.com")) == 1 and len(fast.seen("r.example.com")) == 1
    slow.refuse = False
    s.query("n.example.com")
    assert who(slow, fast, "n.example.com") == "S"  # each query starts at the first again


def test_all_servers_asks_both_every_time(start, pair):
    slow, fast = pair
    s = start("--no-resolv", "--all-servers", f"--server={slow.addr}", f"--server={fast.addr}")
    for i in range(6):
        r = s.query(f"q{i}.example.com", "TXT")
        assert answered_by(r) == f"fakeup {fast.port}"
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and len(slow.seen("example.com")) < 6:
        time.sleep(0.05)
    for i in range(6):
        assert who(slow, fast, f"q{i}.example.com") == "SF", i


def test_all_servers_refused_held_for_other_answer(start, pair):
    slow, fast = pair
    fast.refuse = True
    s = start("--no-resolv", "--all-servers", f"--server={slow.addr}", f"--server={fast.addr}")
    r = s.query("r.example.com", "TXT")
    assert r.rcode() == dns.rcode.NOERROR and answered_by(r) == f"fakeup {slow.port}"


# --------------------------------------------------------------------------- source ports

def test_min_max_port_range(start, pair):
    _, fast = pair
    lo = 40000 + (fast.port % 20000)  # a range unlikely to be busy
    s = start("--no-resolv", f"--min-port={lo}", f"--max-port={lo + 3}", f"--server={fast.addr}")
    for i in range(8):
        assert s.query(f"p{i}.example.com").rcode() == dns.rcode.NOERROR
    ports = {q.src[1] for q in fast.seen("example.com")}
    assert ports and all(lo <= p <= lo + 3 for p in ports), ports


def test_min_port_alone_sets_lower_bound(start, pair):
    _, fast = pair
    s = start("--no-resolv", "--min-port=64000", f"--server={fast.addr}")
    for i in range(6):
        s.query(f"p{i}.example.com")
    ports = [q.src[1] for q in fast.seen("example.com")]
    assert len(ports) == 6 and all(p >= 64000 for p in ports), ports


def test_max_port_below_min_port_is_fatal(masqd_bin, tmp_path):
    r = subprocess.run([dns_binary(masqd_bin), "-d", "-C", "/dev/null", "--no-resolv",
                        f"--port={free_port()}", "--listen-address=127.0.0.1", "--bind-interfaces",
                        "--pid-file=", "--min-port=3000", "--max-port=2000"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert "max_port cannot be smaller than min_port" in r.stderr
