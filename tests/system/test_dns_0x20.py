"""--do-0x20-encode (dnsmasq 2.91+, absent from 2.90, so masqd only): forwarded query names
carry random letter case (the first 32 letters), a reply must echo it exactly, and every
client gets its own case back. A server that does not keep the case has its replies dropped,
with one warning. --no-0x20-encode overrides it; the default is off."""
from __future__ import annotations

import time

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rrset
import pytest

from lib.fakeup import FakeUpstream
from test_dns_forward import Scripted, answers, dns_binary, is_dnsmasq, spoof_answer
from test_dns_forward import start, upstream  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def masqd_only(masqd_bin):
    if is_dnsmasq(dns_binary(masqd_bin)):
        pytest.skip("dnsmasq 2.90 has no 0x20 encoding")


class Lowercasing(FakeUpstream):
    """fakeup whose replies carry the question in lower case, whatever was asked."""

    def _answer(self, q):
        r = super()._answer(q)
        if r is not None:
            qq = r.question[0]
            r.question = [dns.rrset.RRset(dns.name.from_text(qq.name.to_text().lower()),
                                          qq.rdclass, qq.rdtype)]
        return r


@pytest.fixture
def lowercasing():
    u = Lowercasing()
    yield u
    u.stop()


def test_upstream_sees_random_case_and_each_client_gets_its_own(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--do-0x20-encode")
    asked = [f"case-check-{i}.example.com" for i in range(6)] + ["MiXeD.Example.COM"]
    for name in asked:
        r = s.query(name)
        assert r.answer and r.answer[0][0].address == "192.0.2.1"
        assert r.question[0].name.to_text() == name + "."  # the client's exact case back
    sent = [upstream.seen(name)[0].qname for name in asked]
    for name, up in zip(asked, sent):
        assert up.lower() == name.lower() + "."
        # About 20 letters each: the chance that a random pattern leaves them all as asked
        # is about one in a million.
        assert up != name + ".", up
    patterns = {"".join("U" if c.isupper() else "l" for c in up if c.isalpha()) for up in sent[:6]}
    assert len(patterns) == 6  # a fresh pattern for each query


@pytest.mark.parametrize("workers", [1, 2])
def test_reply_that_loses_the_case_is_dropped_and_warned_once(start, lowercasing, workers):
    # Each query from a new client port: with 2 workers they spread over both, and the
    # warning is still logged once.
    s = start("--no-resolv", f"--server={lowercasing.addr}", "--do-0x20-encode")
    names = [f"n{i}.example.com" for i in range(6)]
    for name in names:
        with pytest.raises(dns.exception.Timeout):
            s.query(name, timeout=0.5)
    assert all(len(lowercasing.seen(n)) == 1 for n in names)  # it did answer, in lower case
    deadline = time.monotonic() + 2
    warn = f"reply from {lowercasing.addr} does not keep the letter case of the question"
    while not any(warn in l for l in s.log_lines()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert sum(warn in l for l in s.log_lines()) == 1, s.log_lines()


def test_without_the_option_the_case_is_kept(start, lowercasing):
    # The default: names go upstream as asked, and a lower-cased echo is accepted.
    s = start("--no-resolv", f"--server={lowercasing.addr}")
    r = s.query("Kept.Example.COM")
    assert r.answer and r.question[0].name.to_text() == "Kept.Example.COM."
    assert lowercasing.seen("kept.example.com")[0].qname == "Kept.Example.COM."


def test_no_form_overrides(start, upstream):
    s = start("--no-resolv", f"--server={upstream.addr}", "--do-0x20-encode", "--no-0x20-encode")
    s.query("overridden.example.com")
    assert upstream.seen("overridden.example.com")[0].qname == "overridden.example.com."


def test_sec03_spoof_with_another_case_pattern_is_dropped(start):
    # SECURITY.md SEC-03 with 0x20: a forged reply with the right ID, port, source and
    # question, but not the case pattern that was sent, comes first and must be ignored.
    def before(up, q, src):
        sent = q.question[0].name.to_text()
        return [(up.udp, spoof_answer(q, name=sent.swapcase())),
                (up.udp, spoof_answer(q, name=sent.lower()))]

    up = Scripted(before)
    try:
        s = start("--no-resolv", f"--server={up.addr}", "--do-0x20-encode")
        r = s.query("victim.example.com", timeout=3)
        assert answers(r) == ["192.0.2.1"]  # the genuine reply, not 6.6.6.6
    finally:
        up.stop()
