"""--fast-dns-retry: masqd retransmits an unanswered upstream query itself, after the first
delay and then after twice the previous delay each time, while the query is younger than the
total time; a retry goes where the query last went (the same server, or every server once it
goes to all). Checked against dnsmasq 2.90 by hand and with MASQD_DNS_BIN=/usr/sbin/dnsmasq
(dnsmasq keeps one port and ID for its retries; masqd takes a fresh port and ID each time).

dnsmasq measures a query's age against the total in whole seconds, masqd in milliseconds;
the totals here leave a retry at least a second's margin, so both send the same."""
from __future__ import annotations

import time

import dns.exception
import pytest

from lib.fakeup import FakeUpstream
from test_dns_forward import dns_binary, is_dnsmasq, start  # noqa: F401  (start is a fixture)


class DropFirst(FakeUpstream):
    """fakeup that ignores the first copy of each question and answers the next ones."""

    def _answer(self, q):
        name = q.question[0].name.to_text().lower()
        if len([x for x in self.seen() if x.qname.lower() == name]) <= 1:
            return None
        return super()._answer(q)


@pytest.fixture
def dropper():
    u = DropFirst()
    yield u
    u.stop()


@pytest.fixture
def two():
    a, b = FakeUpstream(), FakeUpstream()
    yield a, b
    a.stop()
    b.stop()


def wait_seen(up, name, count, timeout):
    deadline = time.monotonic() + timeout
    while len(up.seen(name)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return up.seen(name)


def test_retry_gets_the_answer_the_first_send_did_not(start, dropper):
    s = start("--no-resolv", f"--server={dropper.addr}", "--fast-dns-retry=200")
    r = s.query("lost-once.example.com", timeout=3)  # one client try: no client retransmit
    assert r.answer and r.answer[0][0].address == "192.0.2.1"
    sent = dropper.seen("lost-once.example.com")
    assert len(sent) == 2
    assert sent[1].at - sent[0].at >= 0.15  # after the delay, not at once


def test_without_the_option_nothing_is_retried(start, dropper):
    s = start("--no-resolv", f"--server={dropper.addr}")
    with pytest.raises(dns.exception.Timeout):
        s.query("lost-once.example.com", timeout=1.5)
    assert len(dropper.seen("lost-once.example.com")) == 1


def test_delay_doubles_and_retries_stop_at_the_total(start, two):
    up, _ = two
    s = start("--no-resolv", f"--server={up.addr}", "--fast-dns-retry=200,3000")
    with pytest.raises(dns.exception.Timeout):
        s.query("gone.drop.test", timeout=1)
    sent = wait_seen(up, "gone.drop.test", 4, timeout=3)
    time.sleep(max(0.0, sent[0].at + 3.5 - time.monotonic()))  # past the total, and a next retry's time
    sent = up.seen("gone.drop.test")
    # Sends at about 0, 0.2, 0.6 and 1.4 s; the next (3.0 s) is not younger than the total.
    assert len(sent) == 4, [q.at - sent[0].at for q in sent]
    gaps = [b.at - a.at for a, b in zip(sent, sent[1:])]
    # 0.2, 0.4, 0.8 s: a timer is never early, and may be late on a busy machine.
    for gap, want in zip(gaps, (0.2, 0.4, 0.8)):
        assert want * 0.9 <= gap <= want + 0.5, gaps


@pytest.mark.parametrize("mode,second_server_sees", [("--strict-order", 0), ("--all-servers", 3)])
def test_retry_goes_where_the_query_went(start, two, mode, second_server_sees):
    # -o: the first server only, every time; --all-servers: both, every time.
    a, b = two
    s = start("--no-resolv", f"--server={a.addr}", f"--server={b.addr}", mode,
              "--fast-dns-retry=200,3000")
    with pytest.raises(dns.exception.Timeout):
        s.query("q.drop.test", timeout=1.2)
    assert len(wait_seen(a, "q.drop.test", 3, timeout=2)) >= 3  # 0, 0.2, 0.6 s
    if second_server_sees:
        assert len(wait_seen(b, "q.drop.test", second_server_sees, timeout=2)) >= second_server_sees
    else:
        assert b.seen("q.drop.test") == []


def test_retries_are_logged_as_forwarded_with_port_zero(start, two):
    up, _ = two
    s = start("--no-resolv", f"--server={up.addr}", "--fast-dns-retry=200,3000",
              "--log-queries=extra")
    with pytest.raises(dns.exception.Timeout):
        s.query("logged.drop.test", timeout=1.2)
    wait_seen(up, "logged.drop.test", 3, timeout=2)
    time.sleep(0.2)  # the log line follows the send
    lines = [l for l in s.log_lines() if f"forwarded logged.drop.test to {up.addr}" in l]
    assert len(lines) >= 3, s.log_lines()
    assert "/0 forwarded" not in lines[0]  # the client's own query: its port
    assert all("127.0.0.1/0 forwarded" in l for l in lines[1:])  # dnsmasq's retries: port 0


def test_each_retry_has_a_fresh_port_and_id(start, two, masqd_bin):
    if is_dnsmasq(dns_binary(masqd_bin)):
        pytest.skip("dnsmasq 2.90 retries from the same port with the same ID")
    up, _ = two
    s = start("--no-resolv", f"--server={up.addr}", "--fast-dns-retry=100,1000")
    with pytest.raises(dns.exception.Timeout):
        s.query("ports.drop.test", timeout=1)
    sent = wait_seen(up, "ports.drop.test", 4, timeout=2)
    assert len(sent) == 4  # 0, 0.1, 0.3, 0.7 s
    assert len({q.src[1] for q in sent}) == 4
    assert len({q.id for q in sent}) >= 3  # random 16-bit IDs: a repeat is possible, two are not
