"""DNS forwarding and caching compared with dnsmasq 2.90 on the wire and in the query log.

dnsmasq and masqd run with the same flags against the same fake upstreams, twice: with
--cache-size=0 (every query of CASES is forwarded), and with the default cache, where CASES
is asked twice (the second pass is answered from the cache where dnsmasq's is) followed by
CACHE_CASES. The replies must agree in rcode, header flags (QR AA TC RD RA AD CD), question,
every record of every section (name, type, TTL, data) and EDNS (present, payload size,
options); with the cache, TTLs may differ by one second (the two runs cross second
boundaries at different moments). Then the --log-queries lines (query/forwarded/reply/
cached/config) of both runs must be equal. masqd's binary: MASQD_DNS_BIN, else MASQD_BIN."""
from __future__ import annotations

import os
import time

import pytest

from lib.dnscompat import RichUpstream, ask, query_log, same_but_ttl, start, stop, summary


# (name, type, how): how = "edns" (EDNS 1232), "noedns", "norec", "cd", "do", "big" (EDNS
# 4096), "tcp".
CASES = []
for how in ("edns", "noedns"):
    CASES += [(n, t, how) for n, t in [
        ("www.example.com", "A"), ("www.example.com", "AAAA"), ("www.example.com", "TXT"),
        ("www.example.com", "MX"), ("www.example.com", "SRV"), ("www.example.com", "SOA"),
        ("www.example.com", "HTTPS"), ("WWW.Example.COM", "A"),
        ("a.nx.test", "A"), ("a.nodata.test", "A"), ("a.nodata.test", "AAAA"),
        ("a.nodata.test", "MX"), ("a.refused.test", "A"), ("a.servfail.test", "A"),
        ("cname.example.com", "A"), ("multi.example.com", "A"), ("multi.example.com", "TXT"),
        ("ttl0.example.com", "A"), ("big.example.com", "TXT"),
        ("plainname", "A"), ("plainname", "AAAA"), ("plainname", "ANY"), ("plainname", "TXT"),
        ("plainname", "MX"), ("x.loc.test", "A"), ("loc.test", "AAAA"),
        ("5.5.168.192.in-addr.arpa", "PTR"), ("1.0.0.10.in-addr.arpa", "PTR"),
        ("4.3.2.1.in-addr.arpa", "PTR"), ("1.1.1.100.in-addr.arpa", "PTR"),
        ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", "PTR"),
        ("x.corp.test", "A"), ("x.corp.test", "TXT"), ("www.corp.test", "TXT"),
    ]]
CASES += [("www.example.com", "A", h) for h in ("norec", "cd", "do", "big", "tcp")]
CASES += [("big.example.com", "TXT", h) for h in ("big", "tcp")]
CASES += [("plainname", "A", "tcp"), ("a.nx.test", "A", "tcp")]

# Asked after the two passes of CASES, with the cache on: CNAME and ANY questions about a
# cached chain, the chain's target, and the CHAOS names dnsmasq answers itself (not
# version/authors/copyright.bind, whose text names the program).
CACHE_CASES = [("cname.example.com", "CNAME", "edns"), ("target.example", "A", "edns"),
               ("cname.example.com", "ANY", "edns"), ("target.example", "A", "tcp"),
               ("www.example.com", "A", "edns"), ("www.example.com", "AAAA", "noedns"),
               ("cachesize.bind", "TXT", "chaos"), ("foo.bind", "TXT", "chaos"),
               ("id.server", "TXT", "chaos"), ("version.bind", "A", "chaos"),
               ("evictions.bind", "TXT", "chaos")]


def run_both(masqd, dnsmasq, tmp, extra, cases):
    os.chmod(tmp, 0o777)  # dnsmasq writes its log after dropping privileges
    up, up2 = RichUpstream(), RichUpstream(answer_v4="192.0.2.99")
    flags = ["--no-resolv", f"--server={up.addr}", f"--server=/corp.test/{up2.addr}",
             "--server=/www.corp.test/#", "--local=/loc.test/", "--domain-needed",
             "--bogus-priv", *extra]
    results = {}
    try:
        for label, binary in (("dnsmasq", dnsmasq), ("masqd", masqd)):
            log = tmp / f"{label}.log"
            proc, port = start(binary, flags, log)
            try:
                results[label] = [summary(ask(port, *case)) for case in cases]
                time.sleep(0.2)
            finally:
                stop(proc)
            results[label + "_log"] = query_log(log)
    finally:
        up.stop()
        up2.stop()
    return results


@pytest.fixture(scope="module")
def runs(masqd_bin, dnsmasq_bin, tmp_path_factory):
    masqd = os.environ.get("MASQD_DNS_BIN") or masqd_bin
    return run_both(masqd, dnsmasq_bin, tmp_path_factory.mktemp("dnscompat"), ["--cache-size=0"],
                    CASES)


CACHED_RUN = CASES + CASES + CACHE_CASES


@pytest.fixture(scope="module")
def cached_runs(masqd_bin, dnsmasq_bin, tmp_path_factory):
    masqd = os.environ.get("MASQD_DNS_BIN") or masqd_bin
    return run_both(masqd, dnsmasq_bin, tmp_path_factory.mktemp("dnscache"), [], CACHED_RUN)


def test_enough_cases():
    assert len(CASES) >= 40
    assert len(CACHED_RUN) >= 150


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{n}-{t}-{h}" for n, t, h in CASES])
def test_reply_matches_dnsmasq(runs, i):
    assert runs["masqd"][i] == runs["dnsmasq"][i], CASES[i]


def test_query_log_matches_dnsmasq(runs):
    assert runs["masqd_log"] == runs["dnsmasq_log"]


@pytest.mark.parametrize("i", range(len(CACHED_RUN)),
                         ids=[f"{k}-{n}-{t}-{h}" for k, (n, t, h) in enumerate(CACHED_RUN)])
def test_cached_reply_matches_dnsmasq(cached_runs, i):
    assert same_but_ttl(cached_runs["masqd"][i], cached_runs["dnsmasq"][i]), \
        (CACHED_RUN[i], cached_runs["masqd"][i], cached_runs["dnsmasq"][i])


def test_cached_query_log_matches_dnsmasq(cached_runs):
    assert cached_runs["masqd_log"] == cached_runs["dnsmasq_log"]
