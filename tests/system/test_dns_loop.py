"""--dns-loop-detect, run against masqd and against dnsmasq 2.90 (the same assertions).

Two upstreams on loopback, both dnsmasq: LOOPER forwards everything back to the server under
test, ANSWERER answers every name with 192.0.2.1. With --dns-loop-detect the server sends a
TXT probe "<8 hex>.test" to each default server at start; LOOPER sends its probe back, so the
server logs "NOT using nameserver <looper> - query loop detected", drops the probe, and
forwards from then on only to ANSWERER. Without the option both stay in use."""
import contextlib
import re
import time

import dns.rcode
import pytest

from lib.dnscompat import ask, start, stop, summary
from lib.ports import free_port


def wait_for(path, pattern, limit=5.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if re.search(pattern, text, re.M):
            return text
        time.sleep(0.05)
    return path.read_text() if path.exists() else ""


@pytest.fixture(params=["masqd", "dnsmasq"])
def server_bin(request, masqd_bin, dnsmasq_bin):
    return masqd_bin if request.param == "masqd" else dnsmasq_bin


@contextlib.contextmanager
def servers(server_bin, dnsmasq_bin, tmp_path, detect):
    """Yields (looper port, answerer port, server port, server log); stops all three."""
    tmp_path.chmod(0o777)  # dnsmasq writes its log after dropping privileges
    port = free_port()
    procs = []
    try:
        looper, lport = start(dnsmasq_bin, ["--no-resolv", "--no-hosts", f"--server=127.0.0.1#{port}"],
                              tmp_path / "looper.log")
        procs.append(looper)
        answerer, aport = start(dnsmasq_bin, ["--no-resolv", "--no-hosts", "--address=/#/192.0.2.1"],
                                tmp_path / "answerer.log")
        procs.append(answerer)
        log = tmp_path / "server.log"
        flags = ["--no-resolv", "--no-hosts", "--cache-size=0", "--log-queries", "--strict-order",
                 f"--server=127.0.0.1#{lport}", f"--server=127.0.0.1#{aport}"]
        server, _ = start(server_bin, flags + (["--dns-loop-detect"] if detect else []), log, port=port)
        procs.append(server)
        yield lport, aport, port, log
    finally:
        for p in procs:
            stop(p)


def test_looping_server_is_dropped(server_bin, dnsmasq_bin, tmp_path):
    with servers(server_bin, dnsmasq_bin, tmp_path, detect=True) as (lport, aport, port, log):
        text = wait_for(log, rf"NOT using nameserver 127\.0\.0\.1#{lport} - query loop detected")
        lines = [l.split(": ", 1)[1] for l in text.splitlines() if ": " in l]
        assert f"NOT using nameserver 127.0.0.1#{lport} - query loop detected" in lines
        at = lines.index(f"NOT using nameserver 127.0.0.1#{lport} - query loop detected")
        # The server list is written again, the looping server marked, the other in use.
        assert f"using nameserver 127.0.0.1#{aport}" in lines[at + 1:]
        # The probe that came back was logged as a query and got no reply (not forwarded).
        probe = [l for l in lines[:at] if re.fullmatch(r"query\[TXT\] [0-9a-f]{8}\.test from 127\.0\.0\.1", l)]
        assert len(probe) == 1, lines
        probe_name = probe[0].split()[1]
        assert not any(l.startswith(f"forwarded {probe_name}") for l in lines)
        # From now on every query goes to the answering server only (strict order would
        # otherwise send it to the looping one first).
        for i in range(5):
            r = summary(ask(port, f"n{i}.example.com", "A", "edns"))
            assert r is not None and r["rcode"] == dns.rcode.NOERROR
            assert [a[3] for a in r["answer"]] == ["192.0.2.1"]
        after = log.read_text().splitlines()
        fwd = [l.split(": ", 1)[1] for l in after if re.search(r"forwarded n\d\.example\.com", l)]
        assert len(fwd) == 5 and all(l.endswith(f"to 127.0.0.1#{aport}") for l in fwd), fwd


def test_without_the_option_the_looping_server_stays(server_bin, dnsmasq_bin, tmp_path):
    with servers(server_bin, dnsmasq_bin, tmp_path, detect=False) as (lport, aport, port, log):
        time.sleep(0.5)
        ask(port, "first.example.com", "A", "edns")  # strict order: tried on the looper first
        text = log.read_text()
        assert "query loop detected" not in text
        assert not re.search(r"query\[TXT\] [0-9a-f]{8}\.test", text)
        assert f"forwarded first.example.com to 127.0.0.1#{lport}" in text
