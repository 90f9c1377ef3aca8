"""Local DNS data and reply filters compared with dnsmasq 2.90: hosts files, --addn-hosts
directories, --expand-hosts/--domain, --host-record, --address in every form, --cname, the
config record options with MX/SRV targets in the additional section, --mx-target,
--interface-name, --synth-domain, --local-ttl, --selfmx/--localmx, and --filter-A/-AAAA/-rr,
--bogus-nxdomain, --ignore-address, --alias, --stop-dns-rebind with its exceptions and
--filterwin2k.

Each scenario runs dnsmasq and masqd with the same flags (and the same hosts files) against
the same fake upstream; every query's reply must agree in rcode, flags, records (name, type,
TTL, data) and EDNS, and the --log-queries blocks (query, config, "<file> name is addr",
forwarded, reply lines) must be equal. masqd's binary: MASQD_DNS_BIN, else MASQD_BIN."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.rdatatype
import dns.reversename
import dns.rrset
import pytest

from lib.dnscompat import RichUpstream, ask, query_log, start, stop, summary

HOSTS1 = """192.0.2.10 alpha alpha.lan.test
192.0.2.11 beta.lan.test beta
2001:db8::10 alpha
192.0.2.12 multi
192.0.2.13 multi
198.51.100.5 dotted.name.test
192.0.2.40 blockedhost.blocked.test
""" + "".join(f"203.0.113.{i} many\n" for i in range(1, 41))

# Bad lines: a bad address, a bad address with a good shape, CRLF, no final newline.
BAD_HOSTS = "bad.addr x1\n192.0.2.53 good1\n192.0.2.54\tgood2\r\n300.1.1.1 x2\n192.0.2.55 nonl"


def scenario_records(d: Path):
    (d / "hosts1").write_text(HOSTS1)
    flags = [f"--addn-hosts={d}/hosts1", "--expand-hosts", "--domain=lan.test",
             "--host-record=hr.test,192.0.2.20,2001:db8::20",
             "--host-record=hrttl.test,192.0.2.21,300",
             "--host-record=two.test,192.0.2.80,203.0.113.80,2001:db8::81,2001:db8::82",
             "--address=/blocked.test/", "--address=/hash.test/#",
             "--address=/lit.test/192.0.2.30", "--address=/lit.test/2001:db8::30",
             "--address=/m1.test/m2.test/192.0.2.31",
             "--cname=alias.test,alpha.lan.test", "--cname=alias2.test,alias.test",
             "--cname=ext.test,www.example.com", "--mx-host=mx.test,mail.test,10",
             '--txt-record=txt.test,"hello world",two', "--ptr-record=_http._tcp.test,srv name",
             "--srv-host=_ldap._tcp.test,ldap.test,389,1,2",
             "--caa-record=caa.test,0,issue,letsencrypt.org", "--dns-rr=rr.test,65280,0102AB"]
    q = []
    for t in ("A", "AAAA", "MX", "ANY"):
        q.append(("alpha", t, "edns"))
    q += [("alpha", "TXT", "noedns"), ("alpha.lan.test", "A", "edns"),
          ("alpha.lan.test", "AAAA", "edns"), ("beta", "A", "edns"), ("beta.lan.test", "A", "edns"),
          ("beta", "AAAA", "edns"), ("beta", "MX", "edns"), ("multi", "A", "edns"),
          ("multi.lan.test", "A", "edns"), ("x.alpha.lan.test", "A", "edns"),
          ("dotted.name.test", "A", "edns"), ("dotted.name.test", "AAAA", "edns"),
          ("name.test", "A", "edns"), ("ALPHA", "A", "edns"), ("Alpha.Lan.Test", "A", "edns"),
          ("alpha", "A", "norec"), ("alpha", "A", "do"), ("alpha", "A", "cd"), ("alpha", "A", "tcp"),
          ("many", "A", "edns"), ("many", "A", "tcp"),
          ("10.2.0.192.in-addr.arpa", "PTR", "edns"), ("11.2.0.192.in-addr.arpa", "PTR", "edns"),
          ("12.2.0.192.in-addr.arpa", "PTR", "edns"), ("99.2.0.192.in-addr.arpa", "PTR", "edns"),
          ("5.100.51.198.in-addr.arpa", "PTR", "edns"), ("20.2.0.192.in-addr.arpa", "PTR", "edns"),
          ("21.2.0.192.in-addr.arpa", "PTR", "edns"),
          ("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR", "edns"),
          ("hr.test", "A", "edns"), ("hr.test", "AAAA", "edns"), ("hr.test", "MX", "edns"),
          ("hr.test", "ANY", "edns"), ("hrttl.test", "A", "edns"),
          ("two.test", "A", "edns"), ("two.test", "AAAA", "edns"),
          ("80.2.0.192.in-addr.arpa", "PTR", "edns"), ("80.113.0.203.in-addr.arpa", "PTR", "edns"),
          ("blocked.test", "A", "edns"), ("blocked.test", "MX", "edns"), ("blocked.test", "ANY", "edns"),
          ("x.blocked.test", "AAAA", "edns"), ("x.blocked.test", "TXT", "edns"),
          ("blockedhost.blocked.test", "A", "edns"), ("blockedhost.blocked.test", "AAAA", "edns"),
          ("hash.test", "A", "edns"), ("hash.test", "AAAA", "edns"), ("hash.test", "MX", "edns"),
          ("hash.test", "ANY", "edns"), ("sub.hash.test", "AAAA", "edns"),
          ("lit.test", "A", "edns"), ("lit.test", "AAAA", "edns"), ("lit.test", "TXT", "edns"),
          ("lit.test", "ANY", "edns"), ("sub.lit.test", "A", "edns"), ("m2.test", "A", "edns"),
          ("m2.test", "AAAA", "edns"), ("m1.test", "A", "tcp"),
          ("alias.test", "A", "edns"), ("alias2.test", "A", "edns"), ("alias.test", "AAAA", "edns"),
          ("alias.test", "CNAME", "edns"), ("alias2.test", "CNAME", "edns"), ("alias.test", "MX", "edns"),
          ("alias.test", "ANY", "edns"), ("ext.test", "A", "edns"), ("ext.test", "AAAA", "edns"),
          ("mx.test", "MX", "edns"), ("mx.test", "A", "edns"), ("mx.test", "ANY", "edns"),
          ("txt.test", "TXT", "edns"), ("txt.test", "A", "edns"), ("txt.test", "ANY", "edns"),
          ("_http._tcp.test", "PTR", "edns"), ("_ldap._tcp.test", "SRV", "edns"),
          ("caa.test", "CAA", "edns"), ("caa.test", "A", "edns"), ("rr.test", "TYPE65280", "edns"),
          ("rr.test", "A", "edns"), ("lan.test", "A", "edns"), ("localhost", "A", "edns")]
    return flags, q


def scenario_address(d: Path):
    flags = ["--no-hosts", "--address=/l2.test/192.0.2.1", "--address=/l2.test/192.0.2.2",
             "--address=/l3.test/2001:db8::3", "--address=/l3.test/192.0.2.3",
             "--address=/l4.test/192.0.2.4", "--address=/l4.test/", "--address=/l5.test/",
             "--address=/l5.test/#", "--address=/#/192.0.2.77",
             "--server=/fw.l2.test/127.0.0.1#9", "--address=/x.fw.l2.test/192.0.2.88",
             "--local-ttl=42", "--address=/deep.l5.test/::",
             "--address=/c1.test/#", "--address=/c1.test/192.0.2.5",
             "--address=/c2.test/2001:db8::1", "--address=/c2.test/#",
             "--address=/c3.test/0.0.0.0", "--address=/c5.test/192.0.2.9",
             "--address=/c5.test/2001:db8::9", "--address=/c5.test/"]
    q = [("l2.test", "A", "edns"), ("l2.test", "ANY", "edns"), ("l3.test", "ANY", "edns"),
         ("l3.test", "A", "edns"), ("l4.test", "A", "edns"), ("l4.test", "AAAA", "edns"),
         ("l4.test", "ANY", "edns"), ("l4.test", "MX", "edns"), ("l5.test", "A", "edns"),
         ("l5.test", "MX", "edns"), ("l5.test", "ANY", "edns"), ("deep.l5.test", "A", "edns"),
         ("deep.l5.test", "AAAA", "edns"), ("random.example", "A", "edns"),
         ("random.example", "AAAA", "edns"), ("random.example", "MX", "edns"),
         ("y.x.fw.l2.test", "A", "edns"), ("c1.test", "A", "edns"), ("c1.test", "AAAA", "edns"),
         ("c1.test", "ANY", "edns"), ("c2.test", "A", "edns"), ("c2.test", "AAAA", "edns"),
         ("c2.test", "ANY", "edns"), ("c3.test", "A", "edns"), ("c3.test", "AAAA", "edns"),
         ("c3.test", "ANY", "edns"), ("c5.test", "ANY", "edns"), ("c5.test", "TXT", "edns"),
         ("sub.c5.test", "TXT", "edns"), ("sub.c5.test", "A", "noedns")]
    return flags, q


def scenario_files(d: Path):
    (d / "hdir").mkdir()
    (d / "hdir" / "a").write_text("192.0.2.50 d1\n")
    (d / "hdir" / "b").write_text("192.0.2.51 d2\n#x\n")
    (d / "hdir" / ".hidden").write_text("192.0.2.52 hidden\n")
    (d / "bad").write_text(BAD_HOSTS)
    flags = ["--no-hosts", f"--addn-hosts={d}/hdir", f"--addn-hosts={d}/bad",
             "--srv-host=_none._tcp.test", "--ptr-record=p.test",
             "--naptr-record=n.test,10,20,U,E2U+sip,!^.*$!sip:x@y!,.",
             "--address=/*wild.test/192.0.2.60", "--address=//192.0.2.61", "--cname=c.test,d1,77",
             "--txt-record=long.test," + "x" * 300, "--host-record=h1.test,h2.test,192.0.2.70",
             "--ptr-record=70.2.0.192.in-addr.arpa,override.test",
             "--srv-host=_s._udp.test,t.test,53", "--srv-host=_s._udp.test,u.test,54,1,1",
             "--expand-hosts", "--domain=r.test,192.0.2.50,192.0.2.51", "--domain=other.test"]
    q = [("d1", "A", "edns"), ("d1.r.test", "A", "edns"), ("d2.r.test", "A", "edns"),
         ("hidden", "A", "edns"), ("good1", "A", "edns"), ("good1.other.test", "A", "edns"),
         ("good2", "A", "edns"), ("nonl", "A", "edns"), ("_none._tcp.test", "SRV", "edns"),
         ("p.test", "PTR", "edns"), ("n.test", "NAPTR", "edns"), ("wild.test", "A", "edns"),
         ("xwild.test", "A", "edns"), ("a.wild.test", "A", "edns"), ("plain", "A", "edns"),
         ("plain", "AAAA", "edns"), ("c.test", "A", "edns"), ("c.test", "CNAME", "edns"),
         ("long.test", "TXT", "edns"), ("h1.test", "A", "edns"), ("h2.test", "A", "edns"),
         ("70.2.0.192.in-addr.arpa", "PTR", "edns"), ("_s._udp.test", "SRV", "edns"),
         ("50.2.0.192.in-addr.arpa", "PTR", "edns"), ("53.2.0.192.in-addr.arpa", "PTR", "edns")]
    return flags, q


class FilterUpstream(RichUpstream):
    """RichUpstream plus names whose answers the reply filters act on."""

    TABLE = {"priv.": ("A", ["192.168.1.1"]), "lo.": ("A", ["127.0.0.1"]),
             "bogus.": ("A", ["198.51.100.66"]), "zero.": ("A", ["0.0.0.0"]),
             "priv6.": ("AAAA", ["fd00::1"]), "alias.": ("A", ["192.0.2.77"]),
             "range.": ("A", ["10.1.2.3"]), "mixed.": ("A", ["192.0.2.5", "198.51.100.66"]),
             "pub.": ("A", ["8.8.8.8"]), "pub6.": ("AAAA", ["2a00:1450::1"])}

    def _answer(self, q):
        qq = q.question[0]
        name = qq.name.to_text().lower()
        t = dns.rdatatype.to_text(qq.rdtype)
        for prefix, (rtype, values) in self.TABLE.items():
            if name.startswith(prefix) and t in (rtype, "ANY"):
                r = dns.message.make_response(q)
                r.flags |= dns.flags.RA
                r.answer.append(dns.rrset.from_text(qq.name, 300, "IN", rtype, *values))
                return r
        return super()._answer(q)


FILTER_NAMES = [("www.example.com", "A"), ("www.example.com", "AAAA"), ("www.example.com", "MX"),
                ("www.example.com", "ANY"), ("www.example.com", "TXT"), ("bogus.example.com", "A"),
                ("priv.example.com", "A"), ("priv.ok.test", "A"), ("lo.example.com", "A"),
                ("zero.example.com", "A"), ("priv6.example.com", "AAAA"), ("alias.example.com", "A"),
                ("range.example.com", "A"), ("pub.example.com", "A"), ("pub6.example.com", "AAAA"),
                ("pub6.example.com", "A")]


def scenario_filters(d: Path):
    flags = ["--no-hosts", "--cache-size=0", "--filter-AAAA", "--filter-rr=MX",
             "--bogus-nxdomain=198.51.100.66", "--alias=192.0.2.77,203.0.113.7",
             "--alias=10.1.2.0-10.1.2.255,172.16.9.0,255.255.255.0",
             "--ignore-address=192.0.2.5"]
    return flags, [(n, t, "edns") for n, t in FILTER_NAMES] + [("pub.example.com", "A", "tcp")]


def scenario_rebind(d: Path):
    flags = ["--no-hosts", "--cache-size=0", "--stop-dns-rebind", "--rebind-localhost-ok",
             "--rebind-domain-ok=/ok.test/", "--filter-A", "--alias=192.0.2.77,203.0.113.7",
             "--filterwin2k", "--srv-host=_local._tcp.test,t.test,1"]
    win = [("www.example.com", "SOA", "edns"), ("_ldap.example.com", "ANY", "edns"),
           ("_x._tcp.example.com", "SRV", "edns"), ("_local._tcp.test", "SRV", "edns"),
           ("www.example.com", "SOA", "tcp")]
    return flags, [(n, t, "edns") for n, t in FILTER_NAMES] + win


def scenario_names(d: Path):
    (d / "hosts").write_text("192.0.2.10 alpha\n2001:db8::10 alpha\n")
    flags = ["--no-hosts", f"--addn-hosts={d}/hosts", "--mx-host=mx.test,alpha,10",
             "--mx-host=mx2.test,nothere.test", "--srv-host=_s._tcp.test,alpha,80",
             "--mx-target=alpha", "--interface-name=lo.test,lo", "--interface-name=lo4.test,lo/4",
             "--interface-name=lo6.test,lo/6", "--expand-hosts",
             "--domain=lan.test,192.0.2.0/24,local"]
    q = [("alpha.lan.test", "A", "edns"), ("nothere.lan.test", "A", "edns"),
         ("nothere.lan.test", "MX", "edns"), ("10.2.0.192.in-addr.arpa", "PTR", "edns"),
         ("99.2.0.192.in-addr.arpa", "PTR", "edns"), ("lan.test", "SOA", "edns"),
         ("lan.test", "A", "edns"), ("alpha.lan.test", "AAAA", "edns"), ("alpha.lan.test", "TXT", "edns"),
         ("mx.test", "MX", "edns"), ("mx2.test", "MX", "edns"), ("_s._tcp.test", "SRV", "edns"),
         (socket.gethostname(), "MX", "edns"), ("alpha", "MX", "edns"), ("mx.test", "MX", "tcp")]
    q += [(n, t, "edns") for n, t in (
        ("lo.test", "A"), ("lo.test", "AAAA"), ("lo4.test", "A"), ("lo4.test", "AAAA"),
        ("lo.test", "MX"), ("1.0.0.127.in-addr.arpa", "PTR"),
        ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", "PTR"),
        ("lo.test", "ANY"), ("lo6.test", "A"), ("lo6.test", "ANY"), ("lo4.test", "ANY"))]
    return flags, q + [("LO.Test", "A", "tcp")]


def _host_mx_queries():
    names = ("box", "BOX.lan.test", "v6only", "hr.test", "al.test", "own.test", "nothere.test", "blk.test")
    return [(n, t, "edns") for n in names for t in ("MX", "ANY")] + [("box", "MX", "tcp"), ("box", "A", "edns")]


def _host_mx_flags(d: Path):
    (d / "hosts").write_text("192.0.2.10 box box.lan.test\n2001:db8::5 v6only\n192.0.2.11 own.test\n")
    return ["--no-hosts", f"--addn-hosts={d}/hosts", "--host-record=hr.test,192.0.2.44",
            "--cname=al.test,box", "--mx-host=own.test,other.test,7", "--address=/blk.test/192.0.2.9"]


def scenario_selfmx(d: Path):
    # --selfmx wins over --localmx; an --mx-host of the name wins over both.
    return _host_mx_flags(d) + ["--selfmx", "--localmx", "--local-ttl=30"], _host_mx_queries()


def scenario_localmx(d: Path):
    return _host_mx_flags(d) + ["--localmx", "--mx-target=mail.test"], _host_mx_queries()


def _rev(addr: str) -> str:
    return dns.reversename.from_address(addr).to_text(omit_final_dot=True)


def scenario_synth(d: Path):
    # Hosts data and --ptr-record win over --synth-domain; --synth-domain wins over --address
    # for the names it makes; names in the domain that do not spell an address in range are
    # forwarded; the last --synth-domain given names an address two of them cover.
    (d / "hosts").write_text("192.0.2.7 hostsname h-192-0-2-8.syn.test\n2001:db8::99 h-192-0-2-9.syn.test\n")
    flags = ["--no-hosts", f"--addn-hosts={d}/hosts", "--local-ttl=30",
             "--synth-domain=nx.test,203.0.113.0/24", "--address=/nx.test/",
             "--synth-domain=syn.test,192.0.2.0/24,h-", "--synth-domain=six.test,2001:db8::/64",
             "--synth-domain=idx.test,198.51.100.10,198.51.100.20,n*",
             "--synth-domain=idx6.test,2001:db8:1::/64,q*", "--synth-domain=nopre.test,203.0.113.0/24",
             "--synth-domain=both.test,192.0.2.16,192.0.2.31", "--synth-domain=z.test,::/64",
             "--synth-domain=m.test,::ffff:0:0/96", "--synth-domain=priv.test,10.0.0.0/8", "--bogus-priv",
             "--address=/a.syn.test/192.0.2.99", "--address=/h-192-0-2-20.syn.test/192.0.2.99",
             "--ptr-record=30.2.0.192.in-addr.arpa,ptrrec.test", "--local=/six.test/",
             "--cname=al.syn2.test,h-192-0-2-4.syn.test"]
    q = [(n, t, "edns") for n, t in (
        ("h-192-0-2-5.syn.test", "A"), ("H-192-0-2-5.Syn.Test", "A"), ("h-192-0-2-5.syn.test", "ANY"),
        ("h-192-0-2-5.syn.test", "AAAA"), ("h-192-0-2-5.syn.test", "MX"), ("h-192-0-2-5.syn.test", "TXT"),
        (_rev("192.0.2.5"), "PTR"), (_rev("192.0.2.7"), "PTR"), (_rev("192.0.2.8"), "PTR"),
        ("h-192-0-2-8.syn.test", "A"), ("h-192-0-2-7.syn.test", "A"), ("x.h-192-0-2-9.a.syn.test", "A"),
        ("h-192-0-2-9.a.syn.test", "A"), ("h-192-0-2-20.syn.test", "A"), (_rev("192.0.2.20"), "PTR"),
        ("192-0-2-20.both.test", "A"), (_rev("192.0.2.30"), "PTR"), ("h-192-0-3-5.syn.test", "A"),
        ("foo.syn.test", "A"), ("h-192-0-2-05.syn.test", "A"), ("h-192-0-2.syn.test", "A"),
        ("h-192-0-2-5.sub.syn.test", "A"), ("syn.test", "A"),
        ("2001-db8--1.six.test", "AAAA"), ("2001-db8-0-0-0-0-0-1.six.test", "AAAA"),
        ("2001-0db8-0000-0000-0000-0000-0000-0001.six.test", "AAAA"), ("2001-db8--1.six.test", "A"),
        ("2001-db8--1.six.test", "ANY"), (_rev("2001:db8::1"), "PTR"), (_rev("2001:db8::"), "PTR"),
        ("2001-db8-1--1.six.test", "AAAA"), ("2001-db8--1.six.test", "TXT"), ("nothere.six.test", "AAAA"),
        ("203-0-113-5.nx.test", "A"), ("203-0-113-5.nx.test", "AAAA"), ("203-0-113-5.nx.test", "TXT"),
        ("foo.nx.test", "A"), ("h-192-0-2-9.syn.test", "A"), ("h-192-0-2-9.syn.test", "AAAA"),
        ("h-192-0-2-9.syn.test", "ANY"), ("al.syn2.test", "A"), ("al.syn2.test", "AAAA"),
        ("n2.idx.test", "A"), ("n10.idx.test", "A"), ("n11.idx.test", "A"), ("n010.idx.test", "A"),
        ("n.idx.test", "A"), ("n2x.idx.test", "A"), ("n4294967298.idx.test", "A"),
        ("q4294967301.idx6.test", "AAAA"), (_rev("198.51.100.12"), "PTR"),
        (_rev("198.51.100.21"), "PTR"), ("q5.idx6.test", "AAAA"), (_rev("2001:db8:1::5"), "PTR"),
        ("203-0-113-9.nopre.test", "A"), (_rev("203.0.113.9"), "PTR"),
        (_rev("::1"), "PTR"), ("0--1.z.test", "AAAA"), ("--ffff-192-0-2-1.m.test", "AAAA"),
        (_rev("::ffff:192.0.2.1"), "PTR"), (_rev("10.1.2.3"), "PTR"), ("10-1-2-3.priv.test", "A"))]
    return flags, q + [("h-192-0-2-5.syn.test", "A", "tcp"), (_rev("192.0.2.5"), "PTR", "tcp")]


SCENARIOS = {"records": scenario_records, "names": scenario_names, "address": scenario_address, "files": scenario_files,
             "filters": scenario_filters, "rebind": scenario_rebind, "selfmx": scenario_selfmx,
             "localmx": scenario_localmx, "synth": scenario_synth}
UPSTREAMS = {"filters": FilterUpstream, "rebind": FilterUpstream}


def run_scenario(masqd, dnsmasq, tmp: Path, build, upstream_class=RichUpstream):
    os.chmod(tmp, 0o777)  # dnsmasq writes its log after dropping privileges
    flags, cases = build(tmp)
    up = upstream_class()
    out = {"cases": cases}
    try:
        for label, binary in (("dnsmasq", dnsmasq), ("masqd", masqd)):
            log = tmp / f"{label}.log"
            proc, port = start(binary, ["--no-resolv", f"--server={up.addr}", *flags], log)
            try:
                out[label] = [summary(ask(port, *c)) for c in cases]
                time.sleep(0.2)
            finally:
                stop(proc)
            out[label + "_log"] = query_log(log)
    finally:
        up.stop()
    return out


@pytest.fixture(scope="module")
def runs(masqd_bin, dnsmasq_bin, tmp_path_factory):
    masqd = os.environ.get("MASQD_DNS_BIN") or masqd_bin
    return {name: run_scenario(masqd, dnsmasq_bin, tmp_path_factory.mktemp(f"local-{name}"), build,
                               UPSTREAMS.get(name, RichUpstream))
            for name, build in SCENARIOS.items()}


def _case_ids():
    ids = []
    for name, build in SCENARIOS.items():
        with tempfile.TemporaryDirectory() as t:  # the builders write their files here
            ids += [(name, i, "-".join(c)) for i, c in enumerate(build(Path(t))[1])]
    return ids


CASE_IDS = _case_ids()


def test_enough_queries():
    assert len(CASE_IDS) >= 120


@pytest.mark.parametrize("scenario,i", [(n, i) for n, i, _ in CASE_IDS],
                         ids=[f"{n}-{i}-{c}" for n, i, c in CASE_IDS])
def test_local_reply_matches_dnsmasq(runs, scenario, i):
    r = runs[scenario]
    # Both must agree; "no reply" is an answer too (--ignore-address drops replies).
    assert r["masqd"][i] == r["dnsmasq"][i], r["cases"][i]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_local_query_log_matches_dnsmasq(runs, scenario):
    r = runs[scenario]
    assert len(r["dnsmasq_log"]) == len(r["cases"])
    assert r["masqd_log"] == r["dnsmasq_log"]


def test_truncated_local_answer_keeps_what_fits(masqd_bin, dnsmasq_bin, tmp_path):
    """40 hosts addresses for one name asked without EDNS: dnsmasq sends the records that fit
    in 512 bytes (30) with TC and AA. Which 30 follows dnsmasq's hash table order, so only the
    count, the flags and that every record is one of the name's are compared."""
    masqd = os.environ.get("MASQD_DNS_BIN") or masqd_bin
    os.chmod(tmp_path, 0o777)
    (tmp_path / "hosts").write_text("".join(f"203.0.113.{i} many\n" for i in range(1, 41)))
    got = {}
    for label, binary in (("dnsmasq", dnsmasq_bin), ("masqd", masqd)):
        proc, port = start(binary, ["--no-resolv", "--no-hosts", f"--addn-hosts={tmp_path}/hosts"],
                           tmp_path / f"{label}.log")
        try:
            got[label] = [summary(ask(port, "many", t, how))
                          for t, how in (("A", "noedns"), ("ANY", "noedns"))]
        finally:
            stop(proc)
    for m, d in zip(got["masqd"], got["dnsmasq"]):
        assert d is not None and m is not None
        assert m["flags"] == d["flags"] and "TC" in d["flags"].split()
        assert len(m["answer"]) == len(d["answer"]) == 30
        assert {a[3] for a in m["answer"]} <= {f"203.0.113.{i}" for i in range(1, 41)}


def _ns_compare(masqd_bin, dnsmasq_bin, tmp_path, flags, steps, reset, setup, wildcard=False):
    """Runs both servers in a fresh network namespace with a veth pair (<ns>a, <ns>b) and
    returns what local_ns_runner.py saw. `flags`, `steps`, `reset` and `setup` may use
    "{a}" for the first interface's name."""
    masqd = os.environ.get("MASQD_DNS_BIN") or masqd_bin
    os.chmod(tmp_path, 0o777)
    ns = f"mqsyn{os.getpid() % 100000}"
    a, b = ns + "a", ns + "b"
    fill = (lambda xs: [x.format(a=a) for x in xs])
    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=10)
    try:
        for cmd in (["link", "add", a, "type", "veth", "peer", "name", b], ["link", "set", "lo", "up"],
                    ["link", "set", a, "up"], ["link", "set", b, "up"], *setup):
            subprocess.run(["ip", "-n", ns, *fill(cmd)], check=True, timeout=10)
        spec = {"tmp": str(tmp_path), "servers": {"dnsmasq": dnsmasq_bin, "masqd": masqd},
                "flags": ["--no-resolv", *fill(flags)],
                "steps": [fill(s) if s[0] == "ip" else list(s) for s in steps],
                "reset": [fill(r) for r in reset], "wildcard": wildcard}
        runner = Path(__file__).with_name("local_ns_runner.py")
        res = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", str(runner), json.dumps(spec)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)
    finally:
        # Anything the runner left behind in the namespace (only ours run there).
        left = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True, timeout=10)
        for pid in left.stdout.split():
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", ns], check=False, timeout=10)


def test_dynamic_host_matches_dnsmasq(masqd_bin, dnsmasq_bin, tmp_path):
    """--dynamic-host on an interface with two IPv4 networks (one /25), an IPv6 one and its
    link-local address: forward and PTR answers and log lines equal dnsmasq's, also after
    an address is added to the interface and one removed. dyn4.test has no IPv6 part and
    dyn6.test no IPv4 part: dnsmasq 2.90 gives the hosts after them no PTR of that family."""
    flags = ["--local-ttl=20", "--dynamic-host=dyn.test,0.0.0.5,::5,{a}", "--dynamic-host=dyn4.test,10.0.1.7,{a}",
             "--dynamic-host=dyn6.test,1:2:3:4:5:6:7:8,{a}", "--dynamic-host=dynz.test,0.0.0.0,::7,{a}",
             "--dynamic-host=gone.test,0.0.0.9,nosuch0"]
    q = lambda n, t: (n, t, "edns")  # noqa: E731
    rev = _rev
    steps = [q("dyn.test", "A"), q("dyn.test", "AAAA"), q("dyn.test", "ANY"), q("DYN.Test", "A"), q("dyn.test", "MX"),
             q("dyn4.test", "A"), q("dyn4.test", "AAAA"), q("dyn6.test", "AAAA"), q("dyn6.test", "A"), q("dynz.test", "A"), q("dynz.test", "AAAA"),
             q("dyn4.test", "ANY"), q("dyn6.test", "ANY"), q("gone.test", "A"),
             q(rev("192.0.2.5"), "PTR"), q(rev("198.51.100.133"), "PTR"), q(rev("198.51.100.135"), "PTR"),
             q(rev("192.0.2.7"), "PTR"), q(rev("2001:db8::5"), "PTR"), q(rev("2001:db8::5:6:7:8"), "PTR"), q(rev("2001:db8::7"), "PTR"),
             q(rev("192.0.2.0"), "PTR"),
             q(rev("192.0.2.6"), "PTR"), ("dyn.test", "A", "tcp"),
             ["ip", "addr", "add", "203.0.113.1/24", "dev", "{a}"],
             q("dyn.test", "A"), q(rev("203.0.113.5"), "PTR"),
             ["ip", "addr", "del", "192.0.2.1/24", "dev", "{a}"],
             q("dyn.test", "A"), q("dyn4.test", "A"), q(rev("192.0.2.5"), "PTR")]
    setup = [["addr", "add", "192.0.2.1/24", "dev", "{a}"], ["addr", "add", "198.51.100.130/25", "dev", "{a}"],
             ["addr", "add", "2001:db8::1/64", "dev", "{a}", "nodad"]]
    reset = [["ip", "addr", "del", "203.0.113.1/24", "dev", "{a}"], ["ip", "addr", "add", "192.0.2.1/24", "dev", "{a}"]]
    r = _ns_compare(masqd_bin, dnsmasq_bin, tmp_path, flags, steps, reset, setup)
    asked = [s for s in steps if s[0] != "ip"]
    assert len(r["dnsmasq"]) == len(asked)
    for i, case in enumerate(asked):
        assert r["masqd"][i] == r["dnsmasq"][i], case
    assert len(r["dnsmasq_log"]) == len(asked)
    assert r["masqd_log"] == r["dnsmasq_log"]
    # Not vacuous: dnsmasq answered the address added while it ran.
    assert "203.0.113.5" in json.dumps(r["dnsmasq"][len(asked) - 5])


def test_localise_queries_matches_dnsmasq(masqd_bin, dnsmasq_bin, tmp_path):
    """-y in wildcard mode: a hosts name with addresses in several subnets answers, to a query
    sent to one of this host's addresses, only those in that address's subnet (two subnets
    on one interface, a third on another); no match, IPv6 and 127.0.0.1 get them all. UDP
    and TCP; --host-record, --dynamic-host and --interface-name names too."""
    (tmp_path / "hosts").write_text("192.0.2.50 multi\n198.51.100.50 multi\n203.0.113.50 multi\n"
                                    "2001:db8::50 multi\n192.0.2.60 one\n198.51.100.70 far\n198.51.100.71 far\n")
    flags = ["--no-hosts", f"--addn-hosts={tmp_path}/hosts", "-y",
             "--host-record=hr.test,192.0.2.80", "--host-record=hr.test,203.0.113.80",
             "--dynamic-host=dyn.test,0.0.0.9,{a}",
             "--interface-name=ifn.test,{a}"]
    steps = []
    for dst in ("192.0.2.1", "198.51.100.1", "203.0.113.1", "127.0.0.1", "2001:db8::1"):
        steps += [(n, t, "edns", dst) for n, t in (("multi", "A"), ("multi", "AAAA"), ("multi", "ANY"),
                                                     ("one", "A"), ("far", "A"), ("hr.test", "A"),
                                                     ("dyn.test", "A"), ("ifn.test", "A"))]
        steps.append(("multi", "A", "tcp", dst))
    setup = [["link", "add", "{a}x", "type", "veth", "peer", "name", "{a}y"], ["link", "set", "{a}x", "up"],
             ["addr", "add", "192.0.2.1/24", "dev", "{a}"], ["addr", "add", "198.51.100.1/24", "dev", "{a}"],
             ["addr", "add", "203.0.113.1/24", "dev", "{a}x"], ["addr", "add", "2001:db8::1/64", "dev", "{a}x", "nodad"]]
    r = _ns_compare(masqd_bin, dnsmasq_bin, tmp_path, flags, steps, [], setup, wildcard=True)
    assert len(r["dnsmasq"]) == len(steps)
    for i, case in enumerate(steps):
        assert r["masqd"][i] == r["dnsmasq"][i], case
    assert r["masqd_log"] == r["dnsmasq_log"]
    # Not vacuous: the answers differ with the address asked.
    assert r["dnsmasq"][0] != r["dnsmasq"][9]
