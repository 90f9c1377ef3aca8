"""Helpers shared by the DNS compatibility tests: run dnsmasq or masqd on loopback with the
same flags, ask queries with dnspython, and reduce replies and query logs to comparable
values."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import dns.rrset

from lib.fakeup import FakeUpstream
from lib.ports import free_port


class RichUpstream(FakeUpstream):
    """fakeup plus CNAME chains, several records, big answers and more record types."""

    def _answer(self, q):
        qq = q.question[0]
        name = qq.name.to_text().lower()
        t = dns.rdatatype.to_text(qq.rdtype)
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        if name.startswith("cname."):
            r.answer.append(dns.rrset.from_text(qq.name, 100, "IN", "CNAME", "target.example."))
            r.answer.append(dns.rrset.from_text("target.example.", 200, "IN", "A",
                                                "192.0.2.7", "192.0.2.8"))
            return r
        if name.startswith("big."):
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "TXT",
                                                *[f'"{i:02d}{"x" * 150}"' for i in range(6)]))
            return r
        if name.startswith("multi.") and t == "A":
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "A", "192.0.2.1", "192.0.2.2"))
            return r
        if name.startswith("multi.") and t == "TXT":
            r.answer.append(dns.rrset.from_text(qq.name, 30, "IN", "TXT", '"a b" "c"'))
            return r
        if name.startswith("ttl0."):
            r.answer.append(dns.rrset.from_text(qq.name, 0, "IN", "A", "192.0.2.5"))
            return r
        if not name.endswith(".test.") and t == "MX":
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "MX", "10 mail.example."))
            return r
        if not name.endswith(".test.") and t == "SRV":
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "SRV", "1 2 3 srv.example."))
            return r
        if t == "PTR":
            r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", "PTR", "host.example."))
            return r
        return super()._answer(q)


def start(binary, flags, log: Path, port=None, wildcard=False):
    """Starts a server on 127.0.0.1 (`wildcard`: on every address, one wildcard socket) and
    waits until it listens; returns (process, port)."""
    port = port or free_port()
    err = open(f"{log}.stderr", "w")
    where = [] if wildcard else ["--listen-address=127.0.0.1", "--bind-interfaces"]
    proc = subprocess.Popen([binary, "-C", "/dev/null", "-d", f"--port={port}", *where, "--pid-file=",
                             "-q", f"--log-facility={log}", *flags],
                            # -d echoes the log to stderr: a file, never an unread pipe.
                            stdout=subprocess.DEVNULL, stderr=err,
                            text=True)
    proc.stderr_file = err
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{binary} exited: {Path(f'{log}.stderr').read_text()}")
        # A TCP connect succeeds once the server listens (and logs nothing).
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{binary} did not start")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    proc.stderr_file.close()


def ask(port, name, rdtype, how):
    kw = {}
    if how in ("edns", "cd", "norec", "tcp"):
        kw = {"use_edns": 0, "payload": 1232}
    elif how == "do":
        kw = {"use_edns": 0, "payload": 1232, "want_dnssec": True}
    elif how == "big":
        kw = {"use_edns": 0, "payload": 4096}
    if how == "chaos":
        kw = {"use_edns": 0, "payload": 1232, "rdclass": "CH"}
    q = dns.message.make_query(name, rdtype, **kw)
    if how == "norec":
        q.flags &= ~dns.flags.RD
    if how == "cd":
        q.flags |= dns.flags.CD
    try:
        if how == "tcp":
            return dns.query.tcp(q, "127.0.0.1", port=port, timeout=4)
        return dns.query.udp(q, "127.0.0.1", port=port, timeout=4)
    except dns.exception.Timeout:
        return None


FLAG_MASK = (dns.flags.QR | dns.flags.AA | dns.flags.TC | dns.flags.RD | dns.flags.RA
             | dns.flags.AD | dns.flags.CD)


def summary(m):
    if m is None:
        return None

    def section(s):
        return sorted((rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rrset.ttl,
                       rd.to_text()) for rrset in s for rd in rrset)

    return {
        "rcode": m.rcode(),
        "flags": dns.flags.to_text(m.flags & FLAG_MASK),
        "question": [q.to_text() for q in m.question],
        "answer": section(m.answer),
        "authority": section(m.authority),
        "additional": section(m.additional),
        "edns": (m.edns, m.payload if m.edns >= 0 else None,
                 sorted((o.otype, o.to_wire()) for o in m.options) if m.edns >= 0 else None),
    }


def query_log(path: Path):
    """The query/forwarded/reply/config lines, one block per query. The fake upstream orders
    records of one RRset at random, so lines inside a block are compared sorted."""
    keep = ("query[", "forwarded ", "reply ", "cached ", "config ", "/")
    blocks = []
    for line in path.read_text().splitlines():
        msg = line.split(": ", 1)[1] if ": " in line else line
        if not msg.startswith(keep):
            continue
        if msg.startswith("query[") or not blocks:
            blocks.append([])
        blocks[-1].append(msg)
    return [sorted(b) for b in blocks]


def same_but_ttl(a, b):
    """Equal, except that TTLs may differ by one second."""
    if a is None or b is None:
        return a is b
    for key in a:
        if key in ("answer", "authority", "additional"):
            if len(a[key]) != len(b[key]):
                return False
            for (n1, t1, ttl1, d1), (n2, t2, ttl2, d2) in zip(a[key], b[key]):
                if (n1, t1, d1) != (n2, t2, d2) or abs(ttl1 - ttl2) > 1:
                    return False
        elif a[key] != b[key]:
            return False
    return True
