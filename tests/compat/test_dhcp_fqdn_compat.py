"""The client FQDN option (81, RFC 4702) and --dhcp-client-update compared with dnsmasq
2.90: the same config and the same scapy-crafted packets (option 81 in both encodings, the
S/O/N flags, names with our domain, a foreign one, none, empty or malformed names, option
12 beside it) go to dnsmasq and to masqd, each in fresh network namespaces
(tests/lib/dhcpnet.py, 192.0.2.0/24), through the helpers of test_dhcp_opts_compat.py. The
whole replies (every option in order, so options 12 and 81 byte for byte), the DHCP log
lines and the lease file must agree. Every case runs twice: as it is, and with --log-dhcp
(then dnsmasq's extra lines, "client provides name: ..." and the option 81 sent among them,
must agree too). Needs root and scapy."""
from __future__ import annotations

import os

import pytest

from test_dhcp4_compat import A, B, C, D, HOST, SRV, dnsmasq_path, mt, unfuzz  # noqa: F401
from test_dhcp_opts_compat import PRL, run_case

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


def wire(name: str, root: bool = True) -> bytes:
    out = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".") if label)
    return out + (b"\0" if root else b"")


def mac(i: int) -> str:
    return f"02:00:00:00:01:{i:02x}"


def send(kind, addr, fqdn=None, m=A, name=None, prl=PRL + [81], ciaddr="0.0.0.0"):
    """One client message with option 81 = `fqdn` (flags, rcodes and name as given)."""
    opts = [mt(kind)]
    if prl is not None:
        opts.append(("param_req_list", prl))
    if kind in ("request", "discover") and addr:
        opts.append(("requested_addr", addr))
    if kind == "request":
        opts.append(("server_id", SRV))
    if name is not None:
        opts.append(("hostname", name))
    if fqdn is not None:
        opts.append(("client_FQDN", fqdn))
    return lambda c, r, n, s, t: c.exchange(opts, mac=m, ciaddr=ciaddr)


def req(addr, fqdn=None, m=A, **kw):
    return send("request", addr, fqdn, m, **kw)


def disc(addr, fqdn=None, m=A, **kw):
    return send("discover", addr, fqdn, m, **kw)


def dns(*names):
    """A step: the DNS answers (status, A/PTR data) for `names`, asked from the client's
    namespace (which gets 192.0.2.99, outside the range, the first time)."""
    def step(c, r, n, s, t):
        if not any(isinstance(x, dict) and x.get("dns") for x in r):
            n.cx("ip", "addr", "add", "192.0.2.99/24", "dev", n.client_if, check=False)
        out = {"dns": True}
        for name in names:
            qtype = "PTR" if name.endswith(".arpa") else "A"
            res = n.cx("dig", "+tries=2", "+time=2", "+norecurse", f"@{SRV}", name, qtype, timeout=15, check=False)
            status = next((line.split("status:")[1].split(",")[0].strip() for line in res.stdout.splitlines()
                           if "status:" in line), "")
            answers = sorted(line.split()[-1] for line in res.stdout.splitlines()
                             if line and not line.startswith(";") and f"\tIN\t{qtype}\t" in line)
            out[name] = (status, answers)
        return out
    return step


LAN = ["--domain=lan"]
CASES = {
    # E=0 / E=1 against S=0, S=1, N=1 (N with S=0: dnsmasq still says it updates).
    "flags": (LAN, [
        req("192.0.2.120", b"\x00\x00\x00alpha"),
        req("192.0.2.121", b"\x04\x00\x00" + wire("beta"), m=B),
        req("192.0.2.122", b"\x05\xff\xff" + wire("gamma"), m=C),
        req("192.0.2.123", b"\x08\x00\x00delta", m=D),
        req("192.0.2.124", b"\x0c\x00\x00" + wire("eps"), m=mac(1)),
        req("192.0.2.125", b"\x01\x12\x34zeta", m=mac(2)),
        disc("192.0.2.126", b"\x05\x00\x00" + wire("eta"), m=mac(3)),
        disc("192.0.2.127", b"\x00\x00\x00theta", m=mac(4))]),
    # With --dhcp-client-update the client may update its own A record: N, and O for S=1.
    "client-update": (LAN + ["--dhcp-client-update"], [
        req("192.0.2.120", b"\x00\x00\x00alpha"),
        req("192.0.2.121", b"\x05\x00\x00" + wire("beta"), m=B),
        req("192.0.2.122", b"\x08\x00\x00gamma", m=C),
        disc("192.0.2.123", b"\x01\x00\x00delta", m=D)]),
    # Our domain (any case), a foreign one (logged, replaced), a bare name, a trailing dot.
    "domains": (LAN, [
        req("192.0.2.120", b"\x05\x00\x00" + wire("alpha.lan")),
        req("192.0.2.121", b"\x04\x00\x00" + wire("beta.LAN"), m=B),
        req("192.0.2.122", b"\x04\x00\x00" + wire("gamma.example.org"), m=C),
        req("192.0.2.123", b"\x00\x00\x00delta.example.org", m=D),
        req("192.0.2.124", b"\x00\x00\x00eps.", m=mac(1)),
        req("192.0.2.125", b"\x00\x00\x00zeta", m=mac(2)),
        disc("192.0.2.126", b"\x04\x00\x00" + wire("eta.other"), m=mac(3))]),
    # Without --domain: the bare host name, in wire form without a root label.
    "no-domain": ([], [
        req("192.0.2.120", b"\x00\x00\x00alpha.lan"),
        req("192.0.2.121", b"\x05\x00\x00" + wire("beta"), m=B),
        disc("192.0.2.122", b"\x04\x00\x00" + wire("gamma"), m=C)]),
    "scoped-domains": (["--domain=lan,192.0.2.0/25", "--domain=hi,192.0.2.128/25"], [
        req("192.0.2.120", b"\x00\x00\x00alpha.hi"),
        req("192.0.2.130", b"\x04\x00\x00" + wire("beta.hi"), m=B)]),
    # Empty names replace option 12 too; an option 81 under 3 bytes does not count.
    "empty": (LAN, [
        req("192.0.2.120", b"\x00\x00\x00"),
        req("192.0.2.121", b"\x04\x00\x00\x00", m=B),
        req("192.0.2.122", b"\x00\x00\x00", m=C, name=b"twelve"),
        req("192.0.2.123", b"\x04\x00", m=D, name=b"twelve2"),
        req("192.0.2.124", b"\x04", m=mac(1)),
        disc("192.0.2.125", b"\x04\x00\x00\x00", m=mac(2))]),
    # Option 12 and 81 together: 81's name wins (and its NUL rule).
    "both-12-81": (LAN, [
        req("192.0.2.120", b"\x04\x00\x00" + wire("eta"), name=b"other"),
        req("192.0.2.121", b"\x00\x00\x00x", m=B, name=b"ok\x00"),
        req("192.0.2.122", b"\x00\x00\x00y\x00", m=C),
        req("192.0.2.123", b"\x04\x00\x00" + wire("-bad"), m=D, name=b"good"),
        disc("192.0.2.124", None, m=mac(1), name=b"twelve-only"),
        # option 12 alone with our domain: not logged as ignored either
        req("192.0.2.125", None, m=mac(2), name=b"twelve.lan"),
        req("192.0.2.126", None, m=mac(3), name=b"twelve.elsewhere")]),
    # What dnsmasq reads from broken wire names: labels that fit, no pointers followed.
    "malformed": (LAN, [
        req("192.0.2.120", b"\x04\x00\x00\x05alp"),
        req("192.0.2.121", b"\x04\x00\x00\xc0\x00", m=B),
        req("192.0.2.122", b"\x04\x00\x00\x03abc\x05al", m=C),
        req("192.0.2.123", b"\x04\x00\x00\x03abd\xc0\x0c", m=D),
        req("192.0.2.124", b"\x04\x00\x00\x03abe\x40" + b"y" * 64 + b"\x00", m=mac(1)),
        req("192.0.2.125", b"\x04\x00\x00\x03abf\x03lan", m=mac(2)),
        req("192.0.2.126", b"\x04\x00\x00\x03a b\x00", m=mac(3)),
        req("192.0.2.127", b"\x04\x00\x00\x02ok\x03b d\x00", m=mac(4)),
        req("192.0.2.128", b"\x04\x00\x00\x04a.bc\x00", m=mac(5)),
        req("192.0.2.129", b"\x00\x00\x00al\x00pha", m=mac(6)),
        req("192.0.2.130", b"\x00\x00\x00ctl.a\x01b", m=mac(7)),
        req("192.0.2.131", b"\x00\x00\x00abg." + b"y" * 64, m=mac(8)),
        req("192.0.2.132", b"\x04\x00\x00\x3f" + b"z" * 63 + b"\x00", m=mac(9)),
        req("192.0.2.133", b"\x03\x00\x00" + wire("wirebutascii"), m=mac(10)),
        req("192.0.2.134", b"\x00\x00\x00ab\xe9", m=mac(11))]),
    # --dhcp-ignore-names: no name from 81 in the ACK (none in the reply at all), but the
    # OFFER still carries the name sent; a configured name is sent in 81.
    "ignore-names": (LAN + ["--dhcp-ignore-names"], [
        disc("192.0.2.120", b"\x01\x00\x00alpha"),
        req("192.0.2.120", b"\x01\x00\x00alpha"),
        req("192.0.2.121", b"\x05\x00\x00" + wire("beta.lan"), m=B),
        req("192.0.2.50", b"\x04\x00\x00" + wire("other"), m=HOST),
        req("192.0.2.122", b"\x00\x00\x00nul\x00", m=C)]),
    "generate-names": (LAN + ["--dhcp-generate-names"], [
        disc("192.0.2.120", b"\x04\x00\x00\x00"),
        req("192.0.2.120", b"\x04\x00\x00\x00"),
        req("192.0.2.121", b"\x05\x00\x00" + wire("beta.lan"), m=B),
        req("192.0.2.122", b"\x00\x00\x00", m=C)]),
    # --dhcp-fqdn changes DNS only; the DNS server is on here (the lease names are published).
    "dhcp-fqdn": (["--dhcp-fqdn"], [
        req("192.0.2.120", b"\x00\x00\x00alpha"),
        req("192.0.2.121", b"\x05\x00\x00" + wire("beta.lan"), m=B),
        req("192.0.2.122", b"\x04\x00\x00" + wire("gamma.elsewhere"), m=C),
        dns("alpha", "alpha.lan", "beta.lan", "gamma.lan", "gamma.elsewhere", "122.2.0.192.in-addr.arpa")], True),
    # A dhcp-host name goes in 81 in the OFFER and the ACK; the request list does not matter.
    "host-and-prl": (LAN, [
        disc("192.0.2.50", b"\x01\x00\x00other", m=HOST),
        req("192.0.2.50", b"\x04\x00\x00" + wire("other"), m=HOST),
        req("192.0.2.120", b"\x00\x00\x00alpha", prl=[1, 3]),
        req("192.0.2.121", b"\x04\x00\x00" + wire("beta"), m=B, prl=[1, 12]),
        req("192.0.2.122", b"\x04\x00\x00" + wire("gamma"), m=C, prl=None),
        # the same client again, renamed: the lease takes the new name
        req("192.0.2.120", b"\x04\x00\x00" + wire("alpha2"))]),
    # INFORM from a client with an address: its own name (12 or 81) or the dhcp-host's, also
    # with --dhcp-ignore-names.
    "inform": (LAN, [
        lambda c, r, n, s, t: n.cx("ip", "addr", "add", "192.0.2.120/24", "dev", n.client_if) and None,
        send("inform", None, b"\x00\x00\x00alpha", ciaddr="192.0.2.120"),
        send("inform", None, b"\x04\x00\x00" + wire("other"), m=HOST, ciaddr="192.0.2.120"),
        send("inform", None, None, m=B, name=b"twelve", ciaddr="192.0.2.120"),
        send("inform", None, b"\x00\x00\x00x.example.org", m=C, ciaddr="192.0.2.120")]),
    "inform-ignore-names": (LAN + ["--dhcp-ignore-names"], [
        lambda c, r, n, s, t: n.cx("ip", "addr", "add", "192.0.2.120/24", "dev", n.client_if) and None,
        send("inform", None, b"\x00\x00\x00alpha", ciaddr="192.0.2.120"),
        send("inform", None, None, m=B, name=b"twelve\x00", ciaddr="192.0.2.120")]),
}


@pytest.mark.parametrize("log_dhcp", [False, True], ids=["", "log-dhcp"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_fqdn_matches_dnsmasq(case, log_dhcp, tmp_path, masqd_bin, dnsmasq_path):  # noqa: F811
    extra, steps, *dns = CASES[case]
    dns = bool(dns and dns[0])
    if log_dhcp:
        extra = ["--log-dhcp", *extra]
    want, want_log, want_leases = run_case(tmp_path, dnsmasq_path, extra, steps, dns=dns)
    got, got_log, got_leases = run_case(tmp_path, masqd_bin, extra, steps, dns=dns)
    assert sum(w is not None for w in want) >= 1, "dnsmasq answered nothing: the set-up is broken"
    for i, (w, g) in enumerate(zip(want, got)):
        if isinstance(w, dict) and w.get("dns"):  # a DNS step: every name answered somehow
            assert all(v[0] for k, v in w.items() if k != "dns"), f"step {i}: dig failed: {w}"
            assert g == w, f"step {i}: masqd {g} != dnsmasq {w}"
            continue
        assert unfuzz(g) == unfuzz(w), f"step {i}: masqd {g} != dnsmasq {w}"
    if log_dhcp:
        assert any(" client provides name: " in line for line in want_log)
    assert got_log == want_log
    assert got_leases == want_leases
