"""DHCPv4 replies compared with dnsmasq 2.90: the same config and the same scapy-crafted
client packets go to /usr/sbin/dnsmasq and to masqd (each in a fresh pair of network
namespaces, tests/lib/dhcpnet.py), and the replies must agree: message type, addresses,
flags, the options in order and their values. Both servers are 192.0.2.1, so the
server identifier is compared too; the only value excluded is a renewal's T1/T2, which both
take down by a random amount (checked for shape by unfuzz()).
Needs root (network namespaces) and scapy (Debian's python3-scapy)."""
from __future__ import annotations

import os
import shutil

import pytest

from lib.dhcpnet import DhcpNet

scapy_all = pytest.importorskip("scapy.all")
BOOTP, DHCP, mac2str = scapy_all.BOOTP, scapy_all.DHCP, scapy_all.mac2str

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

SRV = "192.0.2.1"
A, B, C, D = (f"02:00:00:00:00:{x}" for x in ("0a", "0b", "0c", "0d"))
HOST, IGNORED = "02:00:00:00:00:11", "02:00:00:00:00:66"
BIG_PRL = [1, 2, 3, 4, 5, 6, 7, 12, 15, 26, 28, 40, 41, 42, 119, 121, 249, 252, 66, 67]

BASE = ["--dhcp-range=192.0.2.100,192.0.2.150,1h", "--dhcp-option=42,192.0.2.5",
        "--dhcp-option=option:dns-server,192.0.2.53", "--dhcp-option=3,192.0.2.254",
        "--dhcp-option=2,7200", "--dhcp-option=119,a.example,b.example",
        "--dhcp-option=option:domain-name,example.org",
        "--dhcp-option-force=option:ntp-server,0.0.0.0",
        f"--dhcp-host={HOST},192.0.2.50,fixed,2h", f"--dhcp-host={IGNORED},ignore"]


def mt(t):
    return ("message-type", t)


class Client:
    def __init__(self, net: DhcpNet, port: int = 68):
        self.sock = net.client_socket(port)
        self.xid = 0x5000

    def exchange(self, options, mac=A, ciaddr="0.0.0.0", flags=0x8000, timeout=1.5,
                 giaddr="0.0.0.0", dst="255.255.255.255", hops=0):
        self.xid += 1
        pkt = BOOTP(chaddr=mac2str(mac), xid=self.xid, flags=flags, ciaddr=ciaddr, giaddr=giaddr,
                    hops=hops) / DHCP(options=list(options) + ["end"])
        self.sock.send(bytes(pkt), dst=dst)
        data = self.sock.recv_xid(self.xid, timeout=timeout)
        return summary(data) if data else None


def summary(data: bytes) -> dict:
    """What is compared: header fields and the options in order with their bytes."""
    b = BOOTP(data)
    opts = []
    # Raw walk (scapy's option objects hide the order of unknown/padded values).
    raw = data[240:]
    i = 0
    while i < len(raw):
        code = raw[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            break
        length = raw[i + 1]
        opts.append((code, raw[i + 2:i + 2 + length].hex()))
        i += 2 + length
    return {"op": b.op, "yiaddr": b.yiaddr, "siaddr": b.siaddr, "ciaddr": b.ciaddr,
            "giaddr": b.giaddr, "flags": int(b.flags), "len": len(data), "options": opts}


def relay_setup(net: DhcpNet) -> int:
    """The client namespace plays a relay agent for 198.51.100.0/24: it owns 198.51.100.1
    and listens on port 67; the server reaches that subnet over the veth."""
    net.cx("ip", "addr", "add", "198.51.100.1/24", "dev", net.client_if)
    net.cx("ip", "route", "add", "192.0.2.0/24", "dev", net.client_if)
    net.sx("ip", "route", "add", "198.51.100.0/24", "dev", net.server_if)
    return 67


def run_sequence(tmp_path, binary, extra, steps, setup=None):
    """Starts `binary` with BASE + extra, plays `steps` (callables taking the Client and the
    results so far) and returns every reply summary (None for no reply), the log lines and
    the lease file."""
    tmp = tmp_path / os.path.basename(binary)
    tmp.mkdir()
    net = DhcpNet(tmp, client_mac=A)
    try:
        port = setup(net) if setup else 68
        server = net.server(binary, *BASE, *extra, lease_file=tmp / "leases")
        c = Client(net, port)
        try:
            results = []
            for step in steps:
                results.append(step(c, results, net))
        finally:
            c.sock.close()
        server.stop()
        skip = ("started, version", "compile time options", "exiting on receipt")
        log = [line.replace(net.server_if, "IF") for line in server.log_lines()
               if not line.startswith(skip)]
        # The lease file without the expiry times.
        leases = [line.split(" ", 1)[1] for line in (tmp / "leases").read_text().splitlines()]
        return results, log, leases
    finally:
        net.close()


def yi(results, i):
    r = results[i]
    return r["yiaddr"] if r else "192.0.2.99"


STEPS_DEFAULT = [
    # 0-2: DISCOVERs with a long request list, with none (every option), a short one + name.
    lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", BIG_PRL)]),
    lambda c, r, n: c.exchange([mt("discover")], mac=B),
    lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", [6, 3, 1, 12]), ("hostname", b"zed")]),
    # 3: selecting the offer, with a name and a client id.
    lambda c, r, n: c.exchange([mt("request"), ("param_req_list", [1, 3, 6, 12, 15]), ("hostname", b"zed"),
                                ("client_id", b"\x01" + mac2str(A)),
                                ("requested_addr", yi(r, 0)), ("server_id", SRV)]),
    # 4: INIT-REBOOT for another address: NAK "wrong address".
    lambda c, r, n: c.exchange([mt("request"), ("client_id", b"\x01" + mac2str(A)),
                                ("requested_addr", "192.0.2.149")]),
    # 5: selecting another server: silence.
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.123"), ("server_id", "192.0.2.2")], mac=B),
    # 6: selecting an address A holds: NAK "address in use".
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", yi(r, 3)), ("server_id", SRV)], mac=C),
    # 7-8: the dhcp-host client.
    lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", [1, 3, 12, 15])], mac=HOST),
    lambda c, r, n: c.exchange([mt("request"), ("param_req_list", [1, 3, 12, 15]), ("hostname", b"other"),
                                ("requested_addr", "192.0.2.50"), ("server_id", SRV)], mac=HOST),
    # 9: an ignored MAC.
    lambda c, r, n: c.exchange([mt("discover")], mac=IGNORED),
    # 10: DISCOVER asking for an address (option 50).
    lambda c, r, n: c.exchange([mt("discover"), ("requested_addr", "192.0.2.130")], mac=D),
    # 11: a selecting REQUEST outside the range, 12: for the server's own address.
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.20"), ("server_id", SRV)], mac=C),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", SRV), ("server_id", SRV)], mac=C),
    # 13: RELEASE by A (no reply), 14: A comes back and is offered the same address.
    lambda c, r, n: c.exchange([mt("release"), ("server_id", SRV), ("client_id", b"\x01" + mac2str(A))],
                               ciaddr=yi(r, 3), timeout=0.5),
    lambda c, r, n: c.exchange([mt("discover"), ("client_id", b"\x01" + mac2str(A))]),
    # 15: INFORM from a configured address (the reply is unicast to it).
    lambda c, r, n: (n.cx("ip", "addr", "add", "192.0.2.140/24", "dev", n.client_if),
                     c.exchange([mt("inform"), ("param_req_list", [1, 3, 6, 15, 42])], ciaddr="192.0.2.140",
                                mac=C))[1],
    # 16: RENEWING (ciaddr, no option 50) an unknown lease: silence.
    lambda c, r, n: c.exchange([mt("request")], mac=D, ciaddr="192.0.2.141", timeout=0.7),
    # 17: D takes 192.0.2.130, 18: declines it (no reply), 19: asks for it again and, as
    # dnsmasq keeps no back-off for dynamic addresses (its ping check is off here), gets it.
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.130"), ("server_id", SRV)], mac=D),
    lambda c, r, n: c.exchange([mt("decline"), ("requested_addr", "192.0.2.130"), ("server_id", SRV)],
                               mac=D, timeout=0.5),
    lambda c, r, n: c.exchange([mt("discover"), ("requested_addr", "192.0.2.130")], mac=D),
    # 20: the dhcp-host client declines its fixed address (no reply), 21: DISCOVERs again.
    lambda c, r, n: c.exchange([mt("decline"), ("requested_addr", "192.0.2.50"), ("server_id", SRV)],
                               mac=HOST, timeout=0.5),
    lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", [1, 3, 12, 15])], mac=HOST),
]

STEPS_AUTH = [
    # INIT-REBOOT from unknown clients: a good address is ACKed (the lease is rebuilt), an
    # address off our subnets or outside the range is NAKed; another server-id is NAKed.
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.120")], mac=A),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "198.51.100.5")], mac=B),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.30")], mac=B),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.123"), ("server_id", "192.0.2.2")], mac=C),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.120"), ("server_id", SRV)], mac=D),
]

STEPS_NOT_AUTH = [
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.120")], mac=A, timeout=0.7),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "198.51.100.5")], mac=B, timeout=0.7),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.121"), ("server_id", SRV)], mac=A),
]

STEPS_LEASE_MAX = [
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.122"), ("server_id", SRV)], mac=A),
    lambda c, r, n: c.exchange([mt("discover")], mac=B),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.123"), ("server_id", SRV)], mac=B),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.122"), ("server_id", SRV)], mac=A),
]

# Every DECLINE of a dynamic address moves each client's hash start one address on; a
# declined dhcp-host address is kept back for 10 minutes instead.
M = "02:00:00:00:00:12"
STEPS_DECLINE = [
    lambda c, r, n: c.exchange([mt("decline"), ("requested_addr", "192.0.2.130"), ("server_id", SRV)], mac=D,
                               timeout=0.3),
    lambda c, r, n: c.exchange([mt("discover")], mac=M),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.131"), ("server_id", SRV)], mac=D),
    lambda c, r, n: c.exchange([mt("decline"), ("requested_addr", "192.0.2.131"), ("server_id", SRV)], mac=D,
                               timeout=0.3),
    lambda c, r, n: c.exchange([mt("discover")], mac=M),
    lambda c, r, n: c.exchange([mt("decline"), ("requested_addr", "192.0.2.50"), ("server_id", SRV)], mac=HOST,
                               timeout=0.3),
    lambda c, r, n: c.exchange([mt("discover")], mac=HOST),
    lambda c, r, n: c.exchange([mt("discover")], mac=M),
]

# SEC-12: client names with NUL, spaces, non-ASCII, dots, a leading dash, too long; what
# goes into the lease file, the log and the hostname option.
NAMES = [b"al\x00pha", b"bad name", b"-lead", b"x" * 70, b"good.example.org", b"ok\x00",
         b"\xff\xfe", b"UPPER", b"under_score", b"trail-"]
STEPS_NAMES = [
    (lambda i, name: lambda c, r, n: c.exchange(
        [mt("request"), ("param_req_list", [1, 3, 12]), ("hostname", name),
         ("requested_addr", f"192.0.2.{110 + i}"), ("server_id", SRV)],
        mac=f"02:00:00:00:01:{i:02x}"))(i, name)
    for i, name in enumerate(NAMES)
] + [lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", [1, 3, 12]), ("hostname", b"dotted.example.org\x00")],
                                mac="02:00:00:00:01:77")]

# Relayed requests (giaddr 198.51.100.1, option 82): replies go to the relay's port 67.
RELAY = dict(giaddr="198.51.100.1", dst=SRV, hops=1)
OPT82 = ("relay_agent_information", b"\x01\x04eth7\x02\x02\x00\x01")
STEPS_RELAY = [
    lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", [1, 3, 6, 28]), OPT82], mac=A, **RELAY),
    lambda c, r, n: c.exchange([mt("request"), ("param_req_list", [1, 3, 6, 28]), ("requested_addr", yi(r, 0)),
                                ("server_id", SRV), OPT82], mac=A, **RELAY),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.120")], mac=B, **RELAY),
    lambda c, r, n: c.exchange([mt("discover")], mac=B, giaddr="203.0.113.1", dst=SRV, timeout=0.7),
    lambda c, r, n: c.exchange([mt("discover")], mac=B, flags=0, **RELAY),
]

# Two ranges on one subnet, a static one and a tagged one: which range is tried first, and
# the start-up lines.
STEPS_TWO_RANGES = [
    (lambda m: lambda c, r, n: c.exchange([mt("discover")], mac=m))(f"02:00:00:00:02:{i:02x}")
    for i in range(6)
]

# Tag sources: each tag forces its own option (200-209), so a reply shows the tags it got.
TAGS_EXTRA = [
    "--dhcp-mac=set:macx,02:00:00:00:03:*", "--dhcp-vendorclass=set:vc,udhcp",
    "--dhcp-userclass=set:uc,gold", "--dhcp-match=set:m77,77",
    "--dhcp-match=set:arch6,option:client-arch,6", "--dhcp-match=set:hex,60,50:58:45:43:*",
    "--dhcp-name-match=set:nm,wp*", "--dhcp-name-match=set:bad,evil", "--dhcp-ignore=tag:bad",
    "--tag-if=set:both,tag:macx,tag:vc", "--tag-if=set:notmac,tag:!macx,tag:vc",
    "--dhcp-option-force=tag:macx,200,1", "--dhcp-option-force=tag:vc,201,1",
    "--dhcp-option-force=tag:uc,202,1", "--dhcp-option-force=tag:m77,203,1",
    "--dhcp-option-force=tag:arch6,204,1", "--dhcp-option-force=tag:hex,205,1",
    "--dhcp-option-force=tag:nm,206,1", "--dhcp-option-force=tag:both,207,1",
    "--dhcp-option-force=tag:notmac,208,1", "--dhcp-option-force=tag:!known,209,1",
]
TAG_MAC = "02:00:00:00:03:01"
STEPS_TAGS = [
    lambda c, r, n: c.exchange([mt("discover"), ("vendor_class_id", b"udhcp 1.35.0")], mac=TAG_MAC),
    lambda c, r, n: c.exchange([mt("discover"), ("vendor_class_id", b"udhcp 1.35.0")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), (77, b"\x04gold\x03abc")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), (77, b"platinum-gold")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), (77, b"\x03abc")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), (93, b"\x00\x07\x00\x06")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), (93, b"\x00\x60")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), ("vendor_class_id", b"PXEClient:Arch:00000")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), ("hostname", b"wpad-1")], mac=A),
    lambda c, r, n: c.exchange([mt("discover"), ("hostname", b"evil")], mac=B, timeout=0.7),
    lambda c, r, n: c.exchange([mt("request"), ("hostname", b"evil"), ("requested_addr", "192.0.2.120"),
                                ("server_id", SRV)], mac=B, timeout=0.7),
    lambda c, r, n: c.exchange([mt("discover"), ("vendor_class_id", b"udhcp")], mac=HOST),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.121"), ("server_id", SRV)],
                               mac=IGNORED, timeout=0.7),
    lambda c, r, n: c.exchange([mt("release"), ("server_id", SRV)], mac=B, ciaddr="192.0.2.122", timeout=0.3),
]

# A dhcp-host client asking for another address than its own, then its own; another client
# asking for it.
STEPS_STATIC = [
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.125"), ("server_id", SRV)], mac=HOST),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.126")], mac=HOST, timeout=0.7),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.50"), ("server_id", SRV)], mac=HOST),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.50"), ("server_id", SRV)], mac=A),
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.127")], mac=HOST),
]

# RENEWING (unicast from ciaddr, reply to it) and REBINDING (broadcast) of a lease.
STEPS_RENEW = [
    lambda c, r, n: c.exchange([mt("request"), ("requested_addr", "192.0.2.120"), ("server_id", SRV),
                                ("hostname", b"renewer"), ("param_req_list", [1, 3, 12])], mac=A),
    lambda c, r, n: (n.cx("ip", "addr", "add", "192.0.2.120/24", "dev", n.client_if),
                     c.exchange([mt("request"), ("param_req_list", [1, 3, 12])], mac=A, ciaddr="192.0.2.120",
                                flags=0, dst=SRV))[1],
    lambda c, r, n: c.exchange([mt("request"), ("param_req_list", [1, 3, 12])], mac=A, ciaddr="192.0.2.120"),
    lambda c, r, n: c.exchange([mt("request")], mac=B, ciaddr="192.0.2.120", timeout=0.7),
    lambda c, r, n: c.exchange([mt("inform"), ("param_req_list", [1, 3, 12])], mac=A, ciaddr="192.0.2.120"),
    lambda c, r, n: c.exchange([mt("discover"), ("param_req_list", [1, 3, 12])], mac=A),
]

CASES = {
    "renew": ([], STEPS_RENEW),
    "static": ([], STEPS_STATIC),
    "static-authoritative": (["--dhcp-authoritative"], STEPS_STATIC),
    "tags": (TAGS_EXTRA, STEPS_TAGS),
    "two-ranges": (["--dhcp-range=192.0.2.200,192.0.2.202,2h", "--dhcp-range=192.0.2.0,static",
                    "--dhcp-range=tag:nomatch,192.0.2.210,192.0.2.220"], STEPS_TWO_RANGES),
    "relay": (["--dhcp-range=198.51.100.10,198.51.100.20,255.255.255.0", "--dhcp-authoritative"], STEPS_RELAY,
              relay_setup),
    "hostnames": ([], STEPS_NAMES),
    "decline": ([], STEPS_DECLINE),
    "default": ([], STEPS_DEFAULT),
    "authoritative": (["--dhcp-authoritative"], STEPS_AUTH),
    "not-authoritative": ([], STEPS_NOT_AUTH),
    "lease-max": (["--dhcp-lease-max=1"], STEPS_LEASE_MAX),
    "sequential": (["--dhcp-sequential-ip"], STEPS_DEFAULT[:3]),
}


@pytest.fixture(scope="module")
def dnsmasq_path():
    p = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(p):
        pytest.skip("reference dnsmasq not installed")
    return p


def unfuzz(reply):
    """A renewal's T1/T2 are taken down by the same random amount, at most lease/16 (dnsmasq
    and masqd alike): such values become "fuzzed" after checking that shape; exact ones stay.
    (The bound is inclusive: an amount of exactly lease/16 is not taken for a difference.)"""
    if reply is None:
        return None
    opts = dict(reply["options"])
    if 51 not in opts or 58 not in opts or 59 not in opts:
        return reply
    lease, t1, t2 = (int(opts[c], 16) for c in (51, 58, 59))
    d1, d2 = lease // 2, lease * 7 // 8
    if (t1, t2) == (d1, d2):
        return reply
    assert d1 - t1 == d2 - t2 and 0 < d1 - t1 <= lease // 16, reply
    out = dict(reply)
    out["options"] = [(c, "fuzzed" if c in (58, 59) else v) for c, v in reply["options"]]
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_replies_match_dnsmasq(case, tmp_path, masqd_bin, dnsmasq_path):
    extra, steps, *setup = CASES[case]
    setup = setup[0] if setup else None
    want, want_log, want_leases = run_sequence(tmp_path, dnsmasq_path, extra, steps, setup)
    got, got_log, got_leases = run_sequence(tmp_path, masqd_bin, extra, steps, setup)
    assert any(w is not None for w in want), "dnsmasq answered nothing: the set-up is broken"
    for i, (w, g) in enumerate(zip(want, got)):
        w, g = unfuzz(w), unfuzz(g)
        assert g == w, f"step {i}: masqd {g} != dnsmasq {w}"
    # The DHCP log lines too (DHCPDISCOVER(IF) ..., NAK reasons, start-up lines).
    assert got_log == want_log
    assert got_leases == want_leases
