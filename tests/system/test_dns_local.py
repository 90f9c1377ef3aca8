"""Local DNS data through the real binary: hosts files re-read on SIGHUP, bad hosts-file
lines logged with file and line while the good ones load, local answers with the cache off,
and the forms that are not built yet refused at start-up. The replies themselves are
compared with dnsmasq 2.90 in tests/compat/test_local_compat.py; the tests here that do not
name masqd also pass with MASQD_DNS_BIN=/usr/sbin/dnsmasq."""
from __future__ import annotations

import os
import signal
import time

import dns.flags
import dns.rcode
import pytest

from lib.fakeup import FakeUpstream
from test_dns_forward import answers, dns_binary, start  # noqa: F401  (start is a fixture)


@pytest.fixture
def upstream():
    u = FakeUpstream()
    yield u
    u.stop()


def count(server, text: str) -> int:
    return sum(1 for line in server.log_lines() if text in line)


def wait_count(server, text: str, n: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count(server, text) >= n:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("workers", [1, 2])
def test_sighup_rereads_hosts_files(start, upstream, tmp_path, workers):
    os.chmod(tmp_path, 0o777)
    hosts = tmp_path / "hosts"
    hosts.write_text("192.0.2.10 box\n192.0.2.11 gone\n")
    s = start("--no-resolv", f"--server={upstream.addr}", "--no-hosts", f"--addn-hosts={hosts}")
    assert s.wait_log(f"read {hosts} - 2 names")
    assert answers(s.query("box")) == ["192.0.2.10"]
    assert answers(s.query("gone")) == ["192.0.2.11"]
    # Rewritten in place (as editors and scripts do), then SIGHUP.
    hosts.write_text("192.0.2.20 box\n192.0.2.21 new\n")
    s.proc.send_signal(signal.SIGHUP)
    assert wait_count(s, f"read {hosts} - 2 names", 2)
    time.sleep(0.2)  # with two workers the second gets the new snapshot through its loop
    for _ in range(8):  # each query comes from a new port: both workers get some
        r = s.query("box")
        assert answers(r) == ["192.0.2.20"] and r.flags & dns.flags.AA
    assert answers(s.query("new")) == ["192.0.2.21"]
    # A name no longer in the file goes upstream again.
    assert answers(s.query("gone")) == ["192.0.2.1"]
    assert upstream.seen("gone")


def test_bad_hosts_lines_are_logged_and_good_ones_load(start, upstream, tmp_path):
    os.chmod(tmp_path, 0o777)
    hosts = tmp_path / "hosts"
    hosts.write_bytes(b"bad.address one\n"                       # line 1: bad address
                      b"192.0.2.30 good1\n"                       # line 2
                      b"192.0.2.31 " + b"x" * 10000 + b"\n"       # line 3: 10 kB name
                      b"\x01\xff\xfe binary\n"                    # line 4: binary bytes
                      b"192.0.2.32\tgood2\r\n"                    # line 5: tab and CRLF
                      b"192.0.2.33 last")                          # line 6: no newline
    s = start("--no-resolv", f"--server={upstream.addr}", "--no-hosts", f"--addn-hosts={hosts}")
    assert s.wait_log(f"bad address at {hosts} line 1")
    assert s.wait_log(f"bad name at {hosts} line 3")
    assert s.wait_log(f"bad address at {hosts} line 4")
    for name, addr in (("good1", "192.0.2.30"), ("good2", "192.0.2.32"), ("last", "192.0.2.33")):
        assert answers(s.query(name)) == [addr], name
    assert s.proc.poll() is None


def test_missing_hosts_file_is_logged_and_the_rest_serves(start, upstream, tmp_path):
    os.chmod(tmp_path, 0o777)
    good = tmp_path / "good"
    good.write_text("192.0.2.40 here\n")
    s = start("--no-resolv", f"--server={upstream.addr}", "--no-hosts",
              f"--addn-hosts={tmp_path}/missing", f"--addn-hosts={good}")
    assert s.wait_log(f"failed to load names from {tmp_path}/missing: No such file or directory")
    assert answers(s.query("here")) == ["192.0.2.40"]


def test_local_answers_do_not_need_the_cache(start, upstream, tmp_path):
    # The Server helper runs with --cache-size=0 unless told otherwise.
    os.chmod(tmp_path, 0o777)
    s = start("--no-resolv", f"--server={upstream.addr}", "--no-hosts",
              "--host-record=rec.test,192.0.2.50", "--address=/blocked.test/",
              "--cname=al.test,rec.test")
    assert answers(s.query("rec.test")) == ["192.0.2.50"]
    assert s.query("ads.blocked.test").rcode() == dns.rcode.NXDOMAIN
    assert answers(s.query("al.test")) == ["192.0.2.50", "rec.test."]
    assert not upstream.queries


def test_blocklist_in_a_conf_file(start, upstream, tmp_path):
    os.chmod(tmp_path, 0o777)
    conf = tmp_path / "block.conf"
    conf.write_text("".join(f"address=/ads{i}.example/\n" for i in range(5000)) +
                    "address=/zero.example/0.0.0.0\n")
    s = start("--no-resolv", f"--server={upstream.addr}", f"--conf-file={conf}")
    assert s.query("x.ads4999.example").rcode() == dns.rcode.NXDOMAIN
    assert s.query("ads0.example", "AAAA").rcode() == dns.rcode.NXDOMAIN
    assert answers(s.query("zero.example")) == ["0.0.0.0"]
    assert answers(s.query("ads5000.example")) == ["192.0.2.1"]
    assert [q.qname for q in upstream.queries] == ["ads5000.example."]


def wait_answer(server, name, want, timeout=1.0):
    """Asks until the answer is `want` (a list of addresses, [] for none) or the time is up."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        r = server.query(name)
        got = answers(r) if r.rcode() == dns.rcode.NOERROR else []
        if got == want:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("workers", [1, 2])
def test_hostsdir_changes_are_seen_within_a_second(start, upstream, tmp_path, workers):
    os.chmod(tmp_path, 0o777)
    d = tmp_path / "hosts.d"
    d.mkdir()
    d.chmod(0o777)
    (d / "a").write_text("192.0.2.1 first\n")
    s = start("--no-resolv", f"--server={upstream.addr}", "--no-hosts", f"--hostsdir={d}")
    assert s.wait_log(f"read {d}/a - 1 names")
    assert answers(s.query("first")) == ["192.0.2.1"]
    (d / "b").write_text("192.0.2.2 second\n")                 # new file
    assert wait_answer(s, "second", ["192.0.2.2"])
    assert s.wait_log(f"inotify: {d}/b new or modified")
    (d / "a").write_text("192.0.2.3 first\n")                  # changed file
    assert wait_answer(s, "first", ["192.0.2.3"])
    assert s.wait_log(f"inotify: flushed 1 names read from {d}/a")
    (d / "b").unlink()                                         # removed file: upstream again
    assert wait_answer(s, "second", ["192.0.2.1"])
    assert s.wait_log(f"inotify: {d}/b removed")
    tmp = d / ".partial"                                        # written aside, moved in
    tmp.write_text("192.0.2.9 ninth\n")
    tmp.rename(d / "c")
    assert wait_answer(s, "ninth", ["192.0.2.9"])
    time.sleep(0.2)
    for _ in range(8):  # every worker has the last snapshot
        assert answers(s.query("ninth")) == ["192.0.2.9"]
        assert answers(s.query("first")) == ["192.0.2.3"]


def test_domain_for_an_interface_expands_hosts_names_on_its_subnets(start, upstream, tmp_path):
    # --domain=lan,lo: names whose address is on one of lo's subnets (127.0.0.0/8) get
    # name.lan with -E; others do not (they go upstream). An interface that does not exist
    # matches nothing and is no error.
    os.chmod(tmp_path, 0o777)
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.5 myhost\n192.0.2.5 other\n")
    s = start("--no-resolv", f"--server={upstream.addr}", "--no-hosts", f"--addn-hosts={hosts}", "-E",
              "--domain=lan,lo", "--domain=nowhere.test,masqd-none0")
    assert s.wait_log(f"read {hosts} - 3 names")
    r = s.query("myhost.lan")
    assert answers(r) == ["127.0.0.5"] and r.flags & dns.flags.AA
    assert answers(s.query("myhost")) == ["127.0.0.5"]
    assert answers(s.query("other")) == ["192.0.2.5"]
    assert answers(s.query("other.lan")) == ["192.0.2.1"]  # from the upstream
