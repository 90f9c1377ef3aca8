"""The P1 DHCPv4 options of issue 5 compared with dnsmasq 2.90: --dhcp-optsfile (and its
re-reading on SIGHUP), --read-ethers, --dhcp-ignore-names, --dhcp-generate-names,
--dhcp-broadcast. The same config, the same files and the same scapy-crafted packets go to
dnsmasq and to masqd, each in fresh network namespaces (tests/lib/dhcpnet.py,
192.0.2.0/24), through the helpers of test_dhcp4_compat.py; replies, the DHCP log lines and
the lease file must agree. /etc/ethers is each server's private overlay file
(tests/lib/etcns.py). Needs root and scapy.

Known, deliberate departures (not in these cases; see src/dhcp/README.md): an ethers "name"
with spaces (dnsmasq takes the rest of the line, e.g. "192.0.2.5 # comment", as a host name)
is a bad name here; an ethers FQDN is sent as its first label in option 12."""
from __future__ import annotations

import os
import signal
import time

import pytest

from lib.dhcpnet import DhcpNet
from lib.etcns import etc_overlay_wrapper
from test_dhcp4_compat import (A, B, C, D, HOST, SRV, BASE, Client, dnsmasq_path, mt,  # noqa: F401
                               unfuzz)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

PRL = [1, 3, 6, 12, 15, 42, 44, 45, 46, 48, 69]


def run_case(tmp_path, binary, extra, steps, files=None, ethers=None, dns=False):
    """Starts `binary` with BASE + extra ({dir} = this run's directory, where `files` are
    written), plays `steps` (callables taking the Client, the results so far, the net, the
    server and the directory) and returns the reply summaries, the log and the lease file."""
    tmp = tmp_path / os.path.basename(binary)
    tmp.mkdir()
    for name, text in (files or {}).items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text.replace("{dir}", str(tmp)))
    extra = [e.replace("{dir}", str(tmp)) for e in extra]
    if ethers is not None:
        (tmp / "ethers").write_text(ethers)
        binary = etc_overlay_wrapper(tmp, binary, {"ethers": tmp / "ethers"})
    net = DhcpNet(tmp, client_mac=A)
    try:
        dns_args = ["--no-resolv", "--no-hosts", "--domain=lan"] if dns else []
        server = net.server(binary, *BASE, *dns_args, *extra, lease_file=tmp / "leases",
                            dns_port=53 if dns else 0)
        c = Client(net)
        c.last = None
        recv = c.sock.recv_xid

        def keep_last(xid, timeout=2.0):  # the raw reply too, for with_fields()
            c.last = recv(xid, timeout=timeout)
            return c.last
        c.sock.recv_xid = keep_last
        try:
            results = []
            for step in steps:
                results.append(step(c, results, net, server, tmp))
        finally:
            c.sock.close()
        server.stop()
        skip = ("started, version", "compile time options", "exiting on receipt", "warning: no upstream",
                "cleared cache", "read /etc/hosts")
        # The DNS start-up lines ("read <hosts file> - N names") come in another order.
        log = [line.replace(net.server_if, "IF").replace(str(tmp), "{dir}") for line in server.log_lines()
               if not line.startswith(skip) and not line.endswith(" names")]
        leases = [line.split(" ", 1)[1] for line in (tmp / "leases").read_text().splitlines()]
        return results, log, leases
    finally:
        net.close()


def discover(mac=A, flags=0x8000, prl=PRL):
    return lambda c, r, n, s, t: c.exchange([mt("discover"), ("param_req_list", prl)], mac=mac, flags=flags)


def with_fields(step):
    """The step's reply with the BOOTP sname and file fields too."""
    def run(c, r, n, s, t):
        sent = step(c, r, n, s, t)
        data = c.last
        if sent is not None and data:
            sent = dict(sent, sname=data[44:108].rstrip(b"\0"), file=data[108:236].rstrip(b"\0"))
        return sent
    return run


def request(addr, mac=A, name=None, flags=0x8000):
    opts = [mt("request"), ("param_req_list", PRL), ("requested_addr", addr), ("server_id", SRV)]
    if name is not None:
        opts.append(("hostname", name))
    return lambda c, r, n, s, t: c.exchange(opts, mac=mac, flags=flags)


def hup_after(write):
    """A step: change the files, SIGHUP, wait until the server has read them again."""
    def step(c, r, n, s, t):
        before = len(s.log_lines())
        write(t)
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
                l.startswith("read ") for l in s.log_lines()[before:]):
            time.sleep(0.05)
        time.sleep(0.2)  # the rest of the reload's lines
        return None
    return step


OPTS = """# options from a file
42,192.0.2.77
option:ntp-server,192.0.2.78
  44,192.0.2.9  
tag:known,45,192.0.2.10
force,46,1
46,force,1
bogus,,x
48,notanaddress
dhcp-option=69,192.0.2.11
option:router,192.0.2.254
"""

# dnsmasq 2.90's tag order around ranges: --tag-if runs once the range is chosen, so a rule
# on a range's set: tag fires; a fixed address outside every dynamic range takes the
# static range's tag; a range asking for a tag the client has comes before an untagged one.
TAG_RANGES = ["--dhcp-range=set:lan,192.0.2.0,static", "--tag-if=set:fromlan,tag:lan",
              "--dhcp-option=tag:fromlan,44,192.0.2.99", "--tag-if=set:dyn,tag:!lan",
              "--dhcp-option=tag:dyn,15,dyn.example"]
TAGGED_RANGE = ["--dhcp-mac=set:m,02:00:00:00:00:0b", "--tag-if=set:t2,tag:m",
                "--dhcp-range=tag:t2,set:r2,192.0.2.160,192.0.2.170,1h", "--tag-if=set:after,tag:r2",
                "--dhcp-option=tag:after,44,192.0.2.97", "--dhcp-range=tag:!m,192.0.2.180,192.0.2.185,1h"]
PRL_TAGS = PRL + [44, 15]

CASES = {
    "tag-if-range": (TAG_RANGES, {}, None, False, [
        discover(prl=PRL_TAGS), discover(mac=B, prl=PRL_TAGS), discover(mac=HOST, prl=PRL_TAGS),
        request("192.0.2.50", mac=HOST), request("192.0.2.103")]),
    "tagged-range": (TAGGED_RANGE, {}, None, False, [
        discover(prl=PRL_TAGS), discover(mac=B, prl=PRL_TAGS), discover(mac=HOST, prl=PRL_TAGS),
        request("192.0.2.164", mac=B), request("192.0.2.103", mac=B)]),
    "optsfile": (["--dhcp-optsfile={dir}/opts"], {"opts": OPTS}, None, False, [
        discover(), discover(mac=HOST), request("192.0.2.120", name=b"zed"),
        hup_after(lambda t: (t / "opts").write_text("42,192.0.2.80\n69,bad,,\n")),
        discover(), request("192.0.2.120")]),
    "optsdir": (["--dhcp-optsfile={dir}/od", "--dhcp-optsfile={dir}/single"],
                {"od/a": "42,192.0.2.81\n", "od/b": "42,192.0.2.82\n44,192.0.2.3\n", "od/.x": "44,1.1.1.1\n",
                 "single": "42,192.0.2.83\n"}, None, False, [discover()]),
    "ignore-names": (["--dhcp-ignore-names"], {}, None, False, [
        request("192.0.2.120", name=b"alpha"), request("192.0.2.121", mac=B, name=b"beta.example.org"),
        discover(), request("192.0.2.50", mac=HOST, name=b"other")]),
    "ignore-names-tag": (["--dhcp-ignore-names=tag:known", "--dhcp-ignore-names=tag:nomatch"], {}, None, False, [
        request("192.0.2.120", name=b"alpha"), request("192.0.2.50", mac=HOST, name=b"other")]),
    "generate-names": (["--dhcp-generate-names", "--dhcp-generate-names=tag:nomatch"], {}, None, False, [
        request("192.0.2.120"), request("192.0.2.121", mac=B, name=b"named"), discover(mac=C),
        request("192.0.2.50", mac=HOST), request("192.0.2.120")]),
    "generate-names-tag": (["--dhcp-generate-names=tag:known", "--dhcp-ignore-names"], {}, None, False, [
        request("192.0.2.120", name=b"alpha"), request("192.0.2.50", mac=HOST, name=b"other")]),
    "broadcast": (["--dhcp-broadcast"], {}, None, False, [
        discover(flags=0), request("192.0.2.120", flags=0), discover(mac=HOST, flags=0),
        # RENEWING from the client's address (the reply goes to ciaddr), and an INFORM.
        lambda c, r, n, s, t: (n.cx("ip", "addr", "add", "192.0.2.120/24", "dev", n.client_if),
                               c.exchange([mt("request"), ("param_req_list", [1, 3])], mac=A, ciaddr="192.0.2.120",
                                          flags=0, dst=SRV))[1],
        lambda c, r, n, s, t: c.exchange([mt("inform"), ("param_req_list", [1, 3])], mac=A, ciaddr="192.0.2.120",
                                         flags=0)]),
    "broadcast-tag": (["--dhcp-broadcast=tag:known"], {}, None, False, [
        discover(flags=0), discover(mac=HOST, flags=0), request("192.0.2.50", mac=HOST, flags=0)]),
    "ethers": (["-Z", "--dhcp-host=02:00:00:00:00:0e,198.51.100.7,far"], {}, (
        "# ethers\n"
        "02:00:00:00:00:0a 192.0.2.140\n"
        "02:00:00:00:00:11 192.0.2.51\n"          # the dhcp-host HOST: a new address
        "02:00:00:00:00:0b nohost\n"
        "+02:00:00:00:00:0c 192.0.2.143\n"
        "zz:zz:00:00:00:0e 192.0.2.144\n"
        "02:00:00:00:00:0f 999.1.1.1\n"
        "02:00:00:00:00:10 bad_name!\n"
        "2:0:0:0:0:d 192.0.2.145\n"
        "02:00:00:00:00:13\n"
        " 02:00:00:00:00:14 lead\n"
        "02:00:00:00:00:15 192.0.2.140\n"         # duplicate address
        "02:00:00:00:00:16 NOHOST\n"              # duplicate name
        "02:00:00:00:00:0b 192.0.2.146\n"         # the same MAC again: merged
        "02-00-00-00-00-17 192.0.2.147\n"
        "0200.0000.0018 192.0.2.148\n"), False, [
        discover(), discover(mac=B), request("192.0.2.146", mac=B, name=b"sent"), discover(mac=HOST),
        discover(mac=D), discover(mac="02:00:00:00:00:0e"), discover(mac="02:00:00:00:00:17"),
        hup_after(lambda t: (t / "ethers").write_text("02:00:00:00:00:0a 192.0.2.149\n")),
        discover(), discover(mac=B), discover(mac=HOST)]),
    "ethers-hosts": (["-Z", "--addn-hosts={dir}/hosts", "--dhcp-host=02:00:00:00:00:0c,printer2"],
                     {"hosts": "192.0.2.141 printer\n192.0.2.142 printer2\n198.51.100.9 faraway\n"}, (
        "02:00:00:00:00:0a printer\n02:00:00:00:00:0b faraway\n02:00:00:00:00:0d unknown\n"), True, [
        discover(), discover(mac=B), discover(mac=C), discover(mac=D),
        request("192.0.2.141", name=b"x")]),
    # Named dhcp-hosts without an address and the hosts data: several addresses, an address
    # another entry has, only IPv6 (the entry no longer applies: no "known" tag, no name),
    # and the new address after the hosts file changed and SIGHUP.
    "hosts-data": (["--addn-hosts={dir}/hosts", "--dhcp-host=02:00:00:00:00:0a,multi",
                    "--dhcp-host=02:00:00:00:00:0b,taken", "--dhcp-host=02:00:00:00:00:0c,192.0.2.144",
                    "--dhcp-host=02:00:00:00:00:0d,v6only", "--dhcp-option-force=tag:known,200,1"],
                   {"hosts": "192.0.2.141 multi\n192.0.2.142 multi\n192.0.2.144 taken\n2001:db8::1 v6only\n"},
                   None, True, [
        discover(), discover(mac=B), discover(mac=C), discover(mac=D),
        hup_after(lambda t: (t / "hosts").write_text("192.0.2.143 multi\n")),
        discover(), discover(mac=B)]),
    # dhcp-boot's equivalents as options, as the man page suggests for opts files.
    "optsfile-boot": (["--dhcp-optsfile={dir}/opts"],
                      {"opts": "option:bootfile-name,pxelinux.0\noption:tftp-server,bootsrv\n"
                               "option:server-ip-address,192.0.2.7\n"}, None, False, [
        with_fields(discover()), with_fields(discover(prl=[1, 3, 66, 67])), with_fields(discover(prl=[1, 67])),
        with_fields(request("192.0.2.120"))]),
    "option-boot-forced": (["--dhcp-option-force=option:bootfile-name,forced.0", "--dhcp-option=66,srv"], {},
                           None, False, [with_fields(discover()), with_fields(discover(prl=[1, 66]))]),
    # Every data file at once: the order of their start-up and SIGHUP lines.
    "all-files": (["-Z", "--dhcp-hostsfile={dir}/hostsfile", "--dhcp-optsfile={dir}/opts"],
                  {"hostsfile": "02:00:00:00:00:0b,192.0.2.131,fromfile\nbad,line,,\n",
                   "opts": "42,192.0.2.70\n48,notanaddress\n"},
                  "02:00:00:00:00:0a 192.0.2.130\nzz 1.2.3.4\n", False, [
        discover(), discover(mac=B),
        hup_after(lambda t: ((t / "opts").write_text("42,192.0.2.71\n"),
                             (t / "hostsfile").write_text("02:00:00:00:00:0b,192.0.2.132\n"),
                             (t / "ethers").write_text("02:00:00:00:00:0a 192.0.2.133\n"))),
        discover(), discover(mac=B)]),
}


# With --log-dhcp: the transaction ids of renewals, whose T1 and T2 both servers take down by
# a random amount (their "sent size:" lines differ in the value only).
RENEWAL_XIDS = {"broadcast": {0x5004}}


def unfuzz_log(case, log):
    fuzzed = tuple(f"{x} sent size:  4 option: {c} " for x in RENEWAL_XIDS.get(case, ()) for c in ("58 T1", "59 T2"))
    return [line.rsplit("  ", 1)[0] + "  <fuzzed>" if line.startswith(fuzzed) else line for line in log]


@pytest.mark.parametrize("log_dhcp", [False, True], ids=["", "log-dhcp"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_dhcp_opts_match_dnsmasq(case, log_dhcp, tmp_path, masqd_bin, dnsmasq_path):  # noqa: F811
    extra, files, ethers, dns, steps = CASES[case]
    if log_dhcp:  # dnsmasq's extra lines must agree too
        extra = ["--log-dhcp", *extra]
    want, want_log, want_leases = run_case(tmp_path, dnsmasq_path, extra, steps, files, ethers, dns)
    got, got_log, got_leases = run_case(tmp_path, masqd_bin, extra, steps, files, ethers, dns)
    assert sum(w is not None for w in want) >= 1, "dnsmasq answered nothing: the set-up is broken"
    for i, (w, g) in enumerate(zip(want, got)):
        assert unfuzz(g) == unfuzz(w), f"step {i}: masqd {g} != dnsmasq {w}"
    if log_dhcp:
        got_log, want_log = unfuzz_log(case, got_log), unfuzz_log(case, want_log)
    assert got_log == want_log
    assert got_leases == want_leases
